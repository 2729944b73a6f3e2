package dev.fkn.sdk

import dev.fkn.sdk.core.*

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** One card API over both applications: OFP1 tokens and Rutoken ECP in PKI mode. */
class CardTest {
    private val rutokenPin = "12345678"

    @Test
    fun rutokenOverNfcNeedsTheClearPinOptIn(): Unit = runBlocking {
        VirtualRutoken().use { rt ->
            FknCard.open(rt.transport()).use { card ->
                val caps = card.capabilities()
                assertEquals(CardApplication.RUTOKEN_PKI, caps.application)
                assertFalse(caps.pinProtected)
                val e = assertThrows<FknException.Misuse> { runBlocking { card.login(rutokenPin) } }
                assertEquals(ApiMisuse.ClearPinOverNfc, e.problem)
                assertEquals(10u.toUByte(), rt.userPinTriesLeft())
            }
            FknCard.open(rt.transport(), allowClearPinOverNfc = true).use { card ->
                val wrong = assertThrows<FknException.WrongPin> { runBlocking { card.login("00000000") } }
                assertEquals(9u.toUByte(), wrong.attemptsLeft)
                card.login(rutokenPin)
                val key = card.generateKey(byteArrayOf(), Curve.CRYPTO_PRO_A)
                assertEquals(listOf<Byte>(1), key.id.toList())
                val d = digest(DigestAlgorithm.STREEBOG256, "pay 100".toByteArray())
                val sig = card.sign(key.id, d)
                assertTrue(verifyDigest(key.curve, key.publicKey, d, sig))
                assertFalse(verifyDigest(key.curve, key.publicKey, digest(DigestAlgorithm.STREEBOG256, byteArrayOf(9)), sig))
                // PKI on the card key: a certificate, then a CMS it verifies.
                val cert = card.selfSignedCertificate(key.id, "CN=Rutoken user")
                val cms = card.signCms(key.id, cert, "document".toByteArray(), detached = false)
                verifyCms(cms, null)
            }
        }
    }

    @Test
    fun ofp1TokensOpenThroughTheSameApi(): Unit = runBlocking {
        VirtualToken("card", USER_PIN, ADMIN_PIN).use { vt ->
            FknCard.open(vt.transport()).use { card ->
                val caps = card.capabilities()
                assertEquals(CardApplication.OFP1, caps.application)
                assertTrue(caps.pinProtected && caps.secureMessaging)
                card.login(USER_PIN)
                val key = card.generateKey(byteArrayOf(5), Curve.TC26_256A, "k")
                val d = digest(DigestAlgorithm.STREEBOG256, byteArrayOf(1))
                assertTrue(verifyDigest(key.curve, key.publicKey, d, card.sign(key.id, d)))
            }
        }
    }

    @Test
    fun aCardWithNeitherApplicationIsNamed(): Unit = runBlocking {
        val nothing = object : NfcTransport {
            override fun transceive(apdu: ByteArray): ByteArray = byteArrayOf(0x6A, 0x82.toByte())
            override fun maxTransceiveLength(): UInt = 261u
            override fun extendedLengthSupported(): Boolean = false
        }
        val e = assertThrows<FknException.Card> { runBlocking { FknCard.open(nothing) } }
        assertEquals(CardRefusal.UnknownCard, e.refusal)
    }
}
