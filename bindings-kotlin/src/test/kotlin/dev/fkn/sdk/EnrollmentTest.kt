package dev.fkn.sdk

import dev.fkn.sdk.core.*

import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

private const val PIN = "2468"

/** The app's channel to the server's device endpoint (`POST {server}/v1/device`), here the virtual server. */
class DeviceEndpointChannel(private val server: VirtualSigningServer) : ServerChannel {
    val roundTrips = AtomicInteger()
    override fun exchange(request: ByteArray): ByteArray {
        roundTrips.incrementAndGet()
        return server.handleDevice(request)
    }
}

/** QR-code enrollment from Kotlin: read the code, enroll, sign over the signed channel; typed refusals. */
class EnrollmentTest {
    @Test
    fun enrollFromTheQrCodeThenSign() = runBlocking<Unit> {
        VirtualSigningServer(3u).use { server ->
            val uri = server.createEnrollment("alice", 600uL)
            val summary = readEnrollmentUri(uri)
            assertEquals("alice", summary.account)

            val store = MapStore()
            val channel = DeviceEndpointChannel(server)
            FknTwoParty(TwoPartyDevice.withIterations(store, channel, 1000u)).use { dev ->
                val enrolled = dev.enroll(uri, "main", Curve.TC26_256A, PIN)
                assertEquals("alice", enrolled.account)
                assertEquals(5, channel.roundTrips.get(), "pairing 2 + keygen 2 + finish 1")
                val digest = digest(digestAlgorithmFor(Curve.TC26_256A), "contract".toByteArray())
                val signature = dev.sign("main", PIN, digest)
                assertTrue(verifyDigest(Curve.TC26_256A, enrolled.publicKey, digest, signature))

                // Another phone with the same (used) code.
                FknTwoParty(TwoPartyDevice.withIterations(MapStore(), DeviceEndpointChannel(server), 1000u)).use { other ->
                    val e = assertThrows<FknException.TwoParty> {
                        runBlocking { other.enroll(uri, "k", Curve.TC26_256A, PIN) }
                    }
                    assertEquals(TwoPartyFault.EnrollmentUsed, e.fault)
                }

                // The operator revokes the device: it can no longer sign.
                server.revokeDevice(enrolled.deviceId)
                val e = assertThrows<FknException.TwoParty> { runBlocking { dev.sign("main", PIN, digest) } }
                val fault = e.fault
                assertTrue(fault is TwoPartyFault.AccessRefused && fault.revoked, "$fault")
            }
        }
    }

    @Test
    fun aWrongCodeIsCountedAndABadQrCodeIsTyped() = runBlocking<Unit> {
        val bad = assertThrows<FknException.TwoParty> { readEnrollmentUri("https://example.com") }
        assertTrue(bad.fault is TwoPartyFault.EnrollmentCodeInvalid, "${bad.fault}")
        VirtualSigningServer(3u).use { server ->
            val uri = server.createEnrollment("bob", 600uL)
            val at = uri.indexOf("c=") + 2
            val wrong = uri.substring(0, at) + (if (uri[at] == '0') '1' else '0') + uri.substring(at + 1)
            FknTwoParty(TwoPartyDevice.withIterations(MapStore(), DeviceEndpointChannel(server), 1000u)).use { dev ->
                val e = assertThrows<FknException.TwoParty> {
                    runBlocking { dev.enroll(wrong, "k", Curve.TC26_256A, PIN) }
                }
                assertEquals(TwoPartyFault.ActivationCodeRejected(4.toUByte()), e.fault)
            }
        }
    }
}
