import org.jetbrains.kotlin.gradle.dsl.JvmTarget

plugins {
    id("com.android.application")
    id("org.jetbrains.kotlin.android")
}

android {
    namespace = "dev.fkn.sample"
    compileSdk = 35

    defaultConfig {
        applicationId = "dev.fkn.sample"
        minSdk = 24
        targetSdk = 35
        versionCode = 1
        versionName = "0.1.0"
    }

    buildTypes {
        release {
            // Exercises the SDK's consumer ProGuard rules.
            isMinifyEnabled = true
            proguardFiles(getDefaultProguardFile("proguard-android-optimize.txt"))
        }
    }

    // The model (no Android types): compiled and unit-tested on the JVM by
    // tests/kotlin.sh against a real fkn-server.
    sourceSets["main"].java.srcDir("src/model/kotlin")

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
    implementation(project(":fkn"))
    implementation("androidx.activity:activity-ktx:1.9.3")
    implementation("androidx.lifecycle:lifecycle-runtime-ktx:2.8.7")
    // The QR code scanner of Google Play services: no camera permission.
    implementation("com.google.android.gms:play-services-code-scanner:16.1.0")
}
