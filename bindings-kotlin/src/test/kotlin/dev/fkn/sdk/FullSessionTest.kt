package dev.fkn.sdk

import dev.fkn.sdk.core.*

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertFalse
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** A whole session through a Kotlin transport forwarding to the virtual token. */
class FullSessionTest {
    private val key256 = byteArrayOf(0x01)
    private val key512 = byteArrayOf(0x02)

    @Test
    fun loginKeygenBatchSignCsrCmsVerify(): Unit = runBlocking {
        VirtualToken("FKN JVM test", USER_PIN, ADMIN_PIN).use { vt ->
            val link = ForwardingTransport(vt)
            FknToken.open(link).use { token ->
                val select = token.selectInfo()
                assertArrayEquals(vt.serial(), select.serial)
                assertEquals("FKN JVM test", select.label)
                assertEquals(allCurves().toSet(), select.curves.toSet())
                assertEquals(listOf(PinRef.USER, PinRef.ADMIN), select.passwords.map { it.reference })

                token.login(USER_PIN)
                val info = token.tokenInfo()
                assertEquals(5u.toUByte(), info.userPinAttempts)
                assertArrayEquals(vt.serial(), info.serial)

                val k256 = token.generateKey(key256, Curve.TC26_256A, "signing 256")
                val k512 = token.generateKey(key512, Curve.TC26_512A, "signing 512")
                assertEquals(64, k256.publicKey.size)
                assertEquals(128, k512.publicKey.size)
                assertEquals(listOf("signing 256", "signing 512"), token.listKeys().map { it.label })

                // Batch: 16 digests in one command (on this short-APDU link it is
                // chained into a few exchanges); each signature verifies, only for its digest.
                val digests = (0 until 16).map { digest(DigestAlgorithm.STREEBOG256, "document $it".toByteArray()) }
                val before = token.session.exchanges()
                val sigs = token.sign(key256, digests)
                assertTrue(token.session.exchanges() - before < 16u, "one command, not one per digest")
                assertEquals(16, sigs.size)
                digests.zip(sigs).forEach { (d, s) ->
                    assertEquals(64, s.size)
                    assertTrue(verifyDigest(Curve.TC26_256A, k256.publicKey, d, s))
                }
                assertFalse(verifyDigest(Curve.TC26_256A, k256.publicKey, digests[1], sigs[0]))

                val d512 = digest(digestAlgorithmFor(Curve.TC26_512A), "long document".toByteArray())
                val s512 = token.sign(key512, d512)
                assertEquals(128, s512.size)
                assertTrue(verifyDigest(Curve.TC26_512A, k512.publicKey, d512, s512))

                PkiSteps.run(token, key256, k256)

                token.deleteKey(key512)
                assertEquals(CardRefusal.KeyNotFound, assertThrows<FknException.Card> { runBlocking { token.sign(key512, d512) } }.refusal)
            }
            // Every exchange ran off the caller's thread, on the IO dispatcher.
            assertTrue(link.threads.all { it.startsWith("DefaultDispatcher-worker") }, link.threads.toString())
        }
    }

    @Test
    fun changeAndUnblockPin(): Unit = runBlocking {
        VirtualToken("pins", USER_PIN, ADMIN_PIN).use { vt ->
            vt.withTransport { FknToken.open(it) }.use { token ->
                token.login(USER_PIN)
                token.changePin("2468")
                assertThrows<FknException.WrongPin> { runBlocking { token.login(USER_PIN) } }
                token.login("2468")
                token.loginAdmin(ADMIN_PIN)
                assertEquals(PinRef.ADMIN, token.session.authenticatedAs())
                token.unblockPin("1357")
                token.login("1357")
                assertEquals(5u.toUByte(), token.tokenInfo().userPinAttempts)
            }
        }
    }

    @Test
    fun preparedPinLogsInWithTwoExchanges(): Unit = runBlocking {
        VirtualToken("prepared", USER_PIN, ADMIN_PIN).use { vt ->
            val select = FknToken.open(ForwardingTransport(vt)).use { it.selectInfo() }
            val user = select.passwords.first { it.reference == PinRef.USER }
            preparePin(select.serial, user, USER_PIN).use { pin ->
                val link = ForwardingTransport(vt)
                FknToken.open(link).use { token ->
                    token.login(pin)
                    assertEquals(3, link.exchanges.get(), "SELECT and the two login steps")
                    assertEquals(5u.toUByte(), token.tokenInfo().userPinAttempts)
                }
            }
        }
    }
}
