package dev.fkn.sample

import android.content.Context
import android.security.keystore.KeyGenParameterSpec
import android.security.keystore.KeyPermanentlyInvalidatedException
import android.security.keystore.KeyProperties
import android.util.Base64
import dev.fkn.sdk.SecureStore
import dev.fkn.sdk.SecureStoreException
import java.security.KeyStore
import javax.crypto.Cipher
import javax.crypto.KeyGenerator
import javax.crypto.SecretKey
import javax.crypto.spec.GCMParameterSpec

/**
 * The SDK's [SecureStore] on Android: each blob (the PIN-masked key share,
 * the device credential) is sealed with AES-GCM under a key that never
 * leaves the Android Keystore, and kept in private SharedPreferences. The
 * blob id is bound as associated data, so blobs cannot be swapped.
 */
class KeystoreSecureStore(context: Context) : SecureStore {
    private val prefs = context.getSharedPreferences("fkn-secure-store", Context.MODE_PRIVATE)

    private fun key(): SecretKey {
        val ks = KeyStore.getInstance("AndroidKeyStore").apply { load(null) }
        (ks.getKey(ALIAS, null) as? SecretKey)?.let { return it }
        val gen = KeyGenerator.getInstance(KeyProperties.KEY_ALGORITHM_AES, "AndroidKeyStore")
        gen.init(
            KeyGenParameterSpec.Builder(ALIAS, KeyProperties.PURPOSE_ENCRYPT or KeyProperties.PURPOSE_DECRYPT)
                .setBlockModes(KeyProperties.BLOCK_MODE_GCM)
                .setEncryptionPaddings(KeyProperties.ENCRYPTION_PADDING_NONE)
                .setKeySize(256)
                .build(),
        )
        return gen.generateKey()
    }

    override fun load(keyId: String): ByteArray? {
        val stored = prefs.getString(keyId, null) ?: return null
        val bytes = Base64.decode(stored, Base64.NO_WRAP)
        return try {
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.DECRYPT_MODE, key(), GCMParameterSpec(128, bytes, 0, IV_LEN))
            cipher.updateAAD(keyId.toByteArray())
            cipher.doFinal(bytes, IV_LEN, bytes.size - IV_LEN)
        } catch (e: KeyPermanentlyInvalidatedException) {
            throw SecureStoreException.KeystoreInvalidated()
        } catch (e: java.security.GeneralSecurityException) {
            throw SecureStoreException.Io(e.toString())
        }
    }

    override fun save(keyId: String, blob: ByteArray) {
        try {
            val cipher = Cipher.getInstance(TRANSFORMATION)
            cipher.init(Cipher.ENCRYPT_MODE, key())
            cipher.updateAAD(keyId.toByteArray())
            val sealed = cipher.iv + cipher.doFinal(blob)
            // commit(): the share must be on disk before the server moves on.
            check(prefs.edit().putString(keyId, Base64.encodeToString(sealed, Base64.NO_WRAP)).commit())
        } catch (e: java.security.GeneralSecurityException) {
            throw SecureStoreException.Io(e.toString())
        }
    }

    override fun delete(keyId: String) {
        prefs.edit().remove(keyId).commit()
    }

    private companion object {
        const val ALIAS = "fkn-secure-store"
        const val TRANSFORMATION = "AES/GCM/NoPadding"
        const val IV_LEN = 12
    }
}
