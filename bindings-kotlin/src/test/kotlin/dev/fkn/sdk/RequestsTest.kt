package dev.fkn.sdk

import dev.fkn.sdk.core.*

import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertNull
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

private const val TWO_PARTY_PIN = "2468"
private val CARD_KEY = "card-1".toByteArray()

/**
 * Signing requests from Kotlin (as ffi/tests/requests.rs): enroll with a card key, the backend (the virtual
 * server) asks, the phone lists, fetches, approves with the card in one sign command and with the two-party
 * key, and declines; every CMS verifies.
 */
class RequestsTest {
    private fun doc(n: Int) = "contract $n\n".toByteArray()

    @Test
    fun listFetchApproveWithCardAndKeyAndDecline() = runBlocking<Unit> {
        VirtualSigningServer(3u).use { server ->
            VirtualToken("card", USER_PIN, ADMIN_PIN).use { vt ->
                vt.withTransport { FknToken.open(it) }.use { token ->
                    token.login(USER_PIN)
                    token.generateKey(CARD_KEY, Curve.TC26_256A, "signing")
                    val csr = token.createCsr(CARD_KEY, "CN=Alice")
                    val cardCert = token.selfSignedCertificate(CARD_KEY, "CN=Alice", 30u)

                    val channel = DeviceEndpointChannel(server)
                    FknTwoParty(TwoPartyDevice.withIterations(MapStore(), channel, 1000u)).use { dev ->
                        val uri = server.createEnrollment("alice", 600uL)
                        val enrolled = dev.enroll(uri, "main", Curve.TC26_256A, TWO_PARTY_PIN, csr)
                        val cardId = checkNotNull(enrolled.cardId) { "the card key was registered" }
                        val device = dev.device
                        // One server round trip per call.
                        suspend fun <T> oneTrip(what: String, call: suspend () -> T): T {
                            val before = channel.roundTrips.get()
                            return call().also { assertEquals(before + 1, channel.roundTrips.get(), what) }
                        }

                        val byCard = (0 until 4).map { n ->
                            server.createRequest("alice", "contract $n", doc(n), RequestKeyKind.CARD, cardId, n % 2 == 0, 600uL)
                        }
                        val byKey = server.createRequest("alice", "contract 9", doc(9), RequestKeyKind.TWO_PARTY, "main", false, 600uL)
                        val declined = server.createRequest("alice", "not this one", doc(10), RequestKeyKind.CARD, cardId, true, 600uL)

                        val pending = oneTrip("pending") { device.pending() }
                        assertEquals(6, pending.size)
                        assertEquals((byCard + byKey + declined).toSet(), pending.map { it.id }.toSet())
                        assertTrue(pending.all { it.document == null && it.digest == null }, "a listing has no content")
                        assertEquals(doc(9).size.toULong(), pending.single { it.id == byKey }.documentLength)
                        assertEquals(RequestKeyKind.TWO_PARTY, pending.single { it.id == byKey }.keyKind)
                        // A listing entry must be fetched before it can be approved.
                        val misuse = assertThrows<FknException.Misuse> {
                            runBlocking { device.approve(token, CARD_KEY, cardCert, listOf(pending[0])) }
                        }
                        assertTrue(misuse.problem is ApiMisuse.InvalidArgument, "${misuse.problem}")

                        val fetched = oneTrip("fetch") { device.fetch(byCard) }
                        assertEquals(byCard, fetched.map { it.id })
                        assertArrayEquals(doc(1), fetched[1].document)
                        assertEquals("contract 1", fetched[1].title)
                        assertEquals(listOf(true, false, true, false), fetched.map { it.detached })

                        // The four in one sign command (a few exchanges at most on this link), sent in one round trip.
                        val exchanges = token.session.exchanges()
                        val results = oneTrip("approve with the card") { device.approve(token, CARD_KEY, cardCert, fetched) }
                        assertTrue(token.session.exchanges() - exchanges < 4u, "one sign command, not one per request")
                        assertEquals(byCard, results.map { it.id })
                        assertTrue(results.all { it.refusal == null }, "$results")
                        // Approving them again: each is refused on its own, the call succeeds.
                        val again = device.approve(token, CARD_KEY, cardCert, fetched.take(1))
                        assertEquals(RequestRefusal.ALREADY_SIGNED, again.single().refusal)

                        dev.unlock("main", TWO_PARTY_PIN).use { key ->
                            val keyCert = key.selfSignedCertificate("CN=Alice 2P", 30u)
                            val toSign = device.fetch(listOf(byKey))
                            val before = channel.roundTrips.get()
                            val r = device.approve(key, keyCert, toSign)
                            assertEquals(before + 2, channel.roundTrips.get(), "one signature, then the approval")
                            assertNull(r.single().refusal)
                        }

                        oneTrip("decline") { device.decline(declined, "not mine") }
                        val state = server.requestResult(declined)
                        assertEquals("declined", state.state)
                        assertEquals("not mine", state.declineReason)
                        assertNull(state.cms)
                        val refused = assertThrows<FknException.Request> { runBlocking { device.fetch(listOf(declined)) } }
                        assertEquals(RequestRefusal.ALREADY_DECLINED, refused.refusal)
                        assertEquals(RequestRefusal.ALREADY_DECLINED, (refused as FknException).requestRefusal)
                        assertNull((misuse as FknException).requestRefusal)

                        byCard.forEachIndexed { n, id ->
                            val r = server.requestResult(id)
                            assertEquals("signed", r.state)
                            val detached = n % 2 == 0
                            val v = verifyCms(checkNotNull(r.cms), if (detached) doc(n) else null)
                            assertArrayEquals(cardCert, v.signerCertificate)
                            if (!detached) assertArrayEquals(doc(n), v.content)
                        }
                        val r = server.requestResult(byKey)
                        assertEquals("signed", r.state)
                        val v = verifyCms(checkNotNull(r.cms), null)
                        assertArrayEquals(doc(9), v.content)
                        assertTrue(device.pending().isEmpty())
                    }
                }
            }
        }
    }
}
