package dev.fkn.sdk

import dev.fkn.sdk.core.*

import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** The API pieces that need no session. */
class ApiTest {
    @Test
    fun streebogMatchesRfc6986() {
        // RFC 6986 Section 10.1, M1 (bytes in input order), from shared/vectors/rfc-vectors.txt.
        val m1 = "012345678901234567890123456789012345678901234567890123456789012".toByteArray()
        assertEquals("9d151eefd8590b89daa6ba6cb74af9275dd051026bb149a452fd84e5e57b5500", digest(DigestAlgorithm.STREEBOG256, m1).hex())
        assertEquals(
            "1b54d01a4af5b9d5cc3d86d68d285462b19abc2475222f35c085122be4ba1ffa" +
                "00ad30f8767b3a82384c6574f024c311e2a481332b08ef7f41797891c1646f48",
            digest(DigestAlgorithm.STREEBOG512, m1).hex(),
        )
        Hasher(DigestAlgorithm.STREEBOG256).use { h ->
            h.update(m1.copyOfRange(0, 7))
            h.update(m1.copyOfRange(7, m1.size))
            assertArrayEquals(digest(DigestAlgorithm.STREEBOG256, m1), h.finish())
            assertThrows<FknException.Misuse> { h.finish() }
        }
    }

    @Test
    fun curvesKeepTheirNames() {
        assertEquals(7, allCurves().size)
        assertEquals("tc26-256-a", Curve.TC26_256A.shortName())
        assertEquals("1.2.643.7.1.2.1.2.1", Curve.TC26_512A.oid())
        assertEquals(64u, Curve.TC26_512C.digestLength())
        assertEquals(Curve.CRYPTO_PRO_B, curveFromName("id-GostR3410-2001-CryptoPro-B-ParamSet"))
        assertNull(curveFromName("secp256r1"))
        assertEquals(DigestAlgorithm.STREEBOG512, digestAlgorithmFor(Curve.TC26_512B))
    }

    @Test
    fun errorMessagesAreTheCoresAndSayWhatToDo() {
        assertEquals("wrong PIN, 2 attempt(s) left; check the PIN carefully before the next try", FknException.WrongPin(2u).userMessage)
        assertEquals("the PIN is blocked; ask your administrator to unblock it", FknException.PinBlocked().userMessage)
        assertEquals(CARD_6F00_MESSAGE, FknException.Card(CardRefusal.Status(0x6F00u)).userMessage)
        assertEquals(
            "the card was removed or moved; hold the card still against the phone and retry",
            FknException.Link(LinkFault.CardRemoved).userMessage,
        )
        assertEquals("the card was removed or moved away; hold the card still against the phone and retry", TransportException.TagLost().toString())
    }

    @Test
    fun verifyDigestRejectsBadInput() {
        assertThrows<FknException.Misuse> { verifyDigest(Curve.TC26_256A, ByteArray(64), ByteArray(32), ByteArray(64)) }
    }

    @Test
    fun logLevelCanBeSet() {
        setLogLevel(LogLevel.WARN)
        setLogLevel(LogLevel.OFF)
    }
}

private const val CARD_6F00_MESSAGE =
    "the token reported an internal error (SW 6F00); take the card away, present it again and retry"
