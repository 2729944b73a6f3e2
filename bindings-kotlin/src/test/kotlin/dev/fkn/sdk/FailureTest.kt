package dev.fkn.sdk

import dev.fkn.sdk.core.*

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

/** What apps see when the card goes away or the PIN is wrong. */
class FailureTest {
    @Test
    fun transportThrowingMidLoginIsCardRemoved(): Unit = runBlocking {
        VirtualToken("removed", USER_PIN, ADMIN_PIN).use { vt ->
            // Exchange 1 is SELECT, 2 and 3 the two login steps.
            val link = ForwardingTransport(vt, failAt = 3)
            FknToken.open(link).use { token ->
                val e = assertThrows<FknException.Link> { runBlocking { token.login(USER_PIN) } }
                assertEquals(LinkFault.CardRemoved, e.fault)
                assertTrue(e.isCardRemoved)
                assertEquals(
                    "the card was removed or moved; hold the card still against the phone and retry",
                    e.userMessage,
                )
                // Tap again: the same session logs in once the card answers.
                token.login(USER_PIN)
                assertEquals(5u.toUByte(), token.tokenInfo().userPinAttempts)
            }
        }
    }

    @Test
    fun transportThrowingMidSignIsCardRemovedAndEndsTheLogin(): Unit = runBlocking {
        VirtualToken("removed", USER_PIN, ADMIN_PIN).use { vt ->
            val link = ForwardingTransport(vt)
            FknToken.open(link).use { token ->
                token.login(USER_PIN)
                val key = token.generateKey(byteArrayOf(7), Curve.CRYPTO_PRO_A)
                link.failAt = link.exchanges.get() + 1
                val d = digest(DigestAlgorithm.STREEBOG256, byteArrayOf(1, 2, 3))
                assertEquals(LinkFault.CardRemoved, assertThrows<FknException.Link> { runBlocking { token.sign(key.id, d) } }.fault)
                // The secure channel is gone with the card; nothing was half-done.
                assertEquals(CardRefusal.NotAuthenticated, assertThrows<FknException.Card> { runBlocking { token.sign(key.id, d) } }.refusal)
                token.login(USER_PIN)
                assertTrue(verifyDigest(key.curve, key.publicKey, d, token.sign(key.id, d)))
            }
        }
    }

    @Test
    fun unexpectedTransportExceptionIsALinkError(): Unit = runBlocking {
        VirtualToken("io", USER_PIN, ADMIN_PIN).use { vt ->
            val link = ForwardingTransport(vt, failAt = 2, failure = IllegalStateException("reader unplugged"))
            FknToken.open(link).use { token ->
                val e = assertThrows<FknException.Link> { runBlocking { token.login(USER_PIN) } }
                val detail = (e.fault as LinkFault.Io).detail
                assertTrue("reader unplugged" in detail, detail)
            }
        }
    }

    @Test
    fun timeoutAndCancelKeepTheirKinds(): Unit = runBlocking {
        VirtualToken("kinds", USER_PIN, ADMIN_PIN).use { vt ->
            val link = ForwardingTransport(vt, failAt = 2, failure = TransportException.Timeout())
            FknToken.open(link).use { token ->
                assertEquals(LinkFault.Timeout, assertThrows<FknException.Link> { runBlocking { token.login(USER_PIN) } }.fault)
                link.failure = TransportException.Cancelled()
                link.failAt = link.exchanges.get() + 1
                assertEquals(LinkFault.Cancelled, assertThrows<FknException.Link> { runBlocking { token.login(USER_PIN) } }.fault)
            }
        }
    }

    @Test
    fun noCardAtOpenIsCardRemoved() {
        VirtualToken("gone", USER_PIN, ADMIN_PIN).use { vt ->
            val e = assertThrows<FknException.Link> {
                runBlocking { FknToken.open(ForwardingTransport(vt, failAt = 1)) }
            }
            assertEquals(LinkFault.CardRemoved, e.fault)
        }
    }

    @Test
    fun wrongPinCountsDownThenBlocksThenAdminUnblocks(): Unit = runBlocking {
        VirtualToken("pin", USER_PIN, ADMIN_PIN).use { vt ->
            FknToken.open(ForwardingTransport(vt)).use { token ->
                val first = assertThrows<FknException.WrongPin> { runBlocking { token.login("0000") } }
                assertEquals(4u.toUByte(), first.attemptsLeft)
                assertEquals("wrong PIN, 4 attempt(s) left; check the PIN carefully before the next try", first.userMessage)

                // A right PIN restores the counter.
                token.login(USER_PIN)
                assertEquals(5u.toUByte(), token.tokenInfo().userPinAttempts)

                val left = (1..5).map {
                    assertThrows<FknException.WrongPin> { runBlocking { token.login("0000") } }.attemptsLeft.toInt()
                }
                assertEquals(listOf(4, 3, 2, 1, 0), left)
                assertThrows<FknException.PinBlocked> { runBlocking { token.login(USER_PIN) } }

                token.loginAdmin(ADMIN_PIN)
                token.unblockPin("1111")
                token.login("1111")
            }
        }
    }

    @Test
    fun operationsBeforeLoginSayLogInFirst(): Unit = runBlocking {
        VirtualToken("nologin", USER_PIN, ADMIN_PIN).use { vt ->
            FknToken.open(ForwardingTransport(vt)).use { token ->
                val e = assertThrows<FknException.Card> { runBlocking { token.tokenInfo() } }
                assertEquals(CardRefusal.NotAuthenticated, e.refusal)
                assertEquals("this operation needs a login with the right PIN; log in with the right PIN and retry", e.userMessage)
                assertThrows<FknException.Misuse> { runBlocking { token.sign(ByteArray(0), ByteArray(32)) } }
            }
        }
    }
}
