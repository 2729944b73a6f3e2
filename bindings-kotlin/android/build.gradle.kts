// The FKN SDK for Android: the generated UniFFI bindings and the Kotlin layer
// (../src/main/kotlin, shared with the JVM build), the IsoDep transport
// (src/main/kotlin), and libfkn_ffi.so for each ABI (build/rustJniLibs,
// written by build-aar.sh with cargo-ndk).
import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.library")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "dev.fkn.sdk"
    compileSdk = 35

    defaultConfig {
        minSdk = 24
        consumerProguardFiles("consumer-rules.pro")
    }

    sourceSets["main"].apply {
        java.srcDirs("src/main/kotlin", "../src/main/kotlin")
        jniLibs.srcDirs("build/rustJniLibs")
    }

    compileOptions {
        sourceCompatibility = JavaVersion.VERSION_17
        targetCompatibility = JavaVersion.VERSION_17
    }
}

kotlin {
    compilerOptions {
        jvmTarget.set(JvmTarget.JVM_17)
    }
}

dependencies {
    // @aar: JNA's Android flavour, with libjnidispatch.so for every ABI.
    implementation("net.java.dev.jna:jna:5.18.1@aar")
    api("org.jetbrains.kotlinx:kotlinx-coroutines-android:1.10.2")
}
