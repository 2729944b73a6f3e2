// Standalone build of the FKN SDK Android library (AAR). Run build-aar.sh,
// which builds the Rust library for each ABI first. Needs the Android SDK
// and NDK; it cannot run on the CI machine (which only compiles these
// sources on the JVM, see ../pom.xml).
pluginManagement {
    repositories {
        google()
        mavenCentral()
        gradlePluginPortal()
    }
    plugins {
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

rootProject.name = "fkn-android"
