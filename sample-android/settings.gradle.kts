// Sample app of the FKN SDK: one Activity that signs with a card in NFC
// reader mode. Uses the SDK's Android module from source (../bindings-kotlin/android);
// build its native libraries first with ../bindings-kotlin/android/build-aar.sh.
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
    plugins {
        id("com.android.application") version "8.7.3"
        id("com.android.library") version "8.7.3"
        id("org.jetbrains.kotlin.android") version "2.2.21"
    }
}

dependencyResolutionManagement {
    repositories {
        google()
        mavenCentral()
    }
}

rootProject.name = "fkn-sample"
include(":app")
include(":fkn")
project(":fkn").projectDir = file("../bindings-kotlin/android")
