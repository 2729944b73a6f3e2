package dev.fkn.sdk

import dev.fkn.sdk.core.*

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.assertThrows

/** The PKI part of the full session: CSR, certificate, CMS, verification. */
object PkiSteps {
    private const val SUBJECT = "CN=Ivan Petrov,O=FKN SDK,C=RU"

    suspend fun run(token: FknToken, keyId: ByteArray, key: KeyInfo) {
        val csr = token.createCsr(keyId, SUBJECT)
        val request = verifyCsr(csr)
        assertArrayEquals(key.publicKey, request.publicKey)
        assertEquals(key.curve, request.curve)
        assertTrue("CN=Ivan Petrov" in request.subject, request.subject)

        val cert = token.selfSignedCertificate(keyId, SUBJECT, 30u)
        assertArrayEquals(key.publicKey, certificateInfo(cert).publicKey)
        token.putCertificate(keyId, cert)
        assertArrayEquals(cert, token.getCertificate(keyId))
        assertTrue(token.listKeys().first { it.id.contentEquals(keyId) }.hasCertificate)

        val document = "Договор № 1 от 23.11.2026".toByteArray()
        val attached = verifyCms(token.signCms(keyId, cert, document, detached = false), null)
        assertArrayEquals(document, attached.content)
        assertArrayEquals(cert, attached.signerCertificate)
        assertEquals(DigestAlgorithm.STREEBOG256, attached.digestAlgorithm)

        val detached = token.signCms(keyId, cert, document, detached = true)
        val checked = verifyCms(detached, document)
        assertNull(checked.content)
        assertArrayEquals(digest(DigestAlgorithm.STREEBOG256, document), checked.contentDigest)
        val tampered = document.copyOf().also { it[0] = (it[0] + 1).toByte() }
        assertEquals(PkiFault.BAD_SIGNATURE, assertThrows<FknException.Pki> { verifyCms(detached, tampered) }.fault)

        // A large file hashed in pieces, signed as a digest.
        val hasher = Hasher(DigestAlgorithm.STREEBOG256)
        val content = ByteArray(200_000) { (it % 251).toByte() }
        hasher.use { h ->
            content.asList().chunked(65_536).forEach { h.update(it.toByteArray()) }
            val sig = token.signCmsDigest(keyId, cert, h.finish())
            verifyCms(sig, content)
        }
        val empty = assertThrows<FknException.Pki> { runBlocking { token.createCsr(keyId, "") } }
        assertEquals(PkiFault.INVALID_INPUT, empty.fault)
    }
}
