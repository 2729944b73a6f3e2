package dev.fkn.sdk

import dev.fkn.sdk.core.*

import java.util.concurrent.ConcurrentHashMap
import java.util.concurrent.atomic.AtomicInteger
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows

private const val PIN = "2468"

/** A Kotlin key store: the foreign `SecureStore` an app implements (here in memory). */
class MapStore : SecureStore {
    val blobs = ConcurrentHashMap<String, ByteArray>()
    @Volatile var invalidated = false

    override fun load(keyId: String): ByteArray? {
        if (invalidated) throw SecureStoreException.KeystoreInvalidated()
        return blobs[keyId]
    }
    override fun save(keyId: String, blob: ByteArray) { blobs[keyId] = blob.copyOf() }
    override fun delete(keyId: String) { blobs.remove(keyId) }
}

/** A Kotlin server channel: what an app does with its HTTP client, here straight to the virtual server. */
class CountingChannel(private val server: VirtualSigningServer) : ServerChannel {
    val roundTrips = AtomicInteger()
    @Volatile var failure: Exception? = null

    override fun exchange(request: ByteArray): ByteArray {
        failure?.let { throw it }
        roundTrips.incrementAndGet()
        return server.handle(request)
    }
}

/** Two-party keys from Kotlin: the device role through foreign store and channel. */
class TwoPartyTest {
    private fun device(server: VirtualSigningServer, store: SecureStore, channel: ServerChannel) =
        FknTwoParty(TwoPartyDevice.withIterations(store, channel, 1000u))

    @Test
    fun generateSignAndMakeCmsOnTwoCurves() = runBlocking<Unit> {
        for (curve in listOf(Curve.TC26_256A, Curve.TC26_512A)) {
            VirtualSigningServer(10u).use { server ->
                val channel = CountingChannel(server)
                device(server, MapStore(), channel).use { dev ->
                    val public = dev.generate("k1", curve, PIN)
                    assertEquals(2, channel.roundTrips.get(), "keygen takes two round trips")
                    assertArrayEquals(public, dev.keyInfo("k1").publicKey)

                    val digest = digest(digestAlgorithmFor(curve), "contract".toByteArray())
                    val before = channel.roundTrips.get()
                    val signature = dev.sign("k1", PIN, digest)
                    assertEquals(before + 1, channel.roundTrips.get(), "a signature takes one round trip")
                    assertTrue(verifyDigest(curve, public, digest, signature))

                    dev.unlock("k1", PIN).use { key ->
                        val cert = key.selfSignedCertificate("CN=Kotlin Two Party", 30u)
                        val cms = key.signCms(cert, "hello".toByteArray(), false)
                        verifyCms(cms, null)
                        assertArrayEquals(public, verifyCsr(key.createCsr("CN=Kotlin Two Party")).publicKey)
                    }
                }
            }
        }
    }

    @Test
    fun wrongPinsLockTheKeyUntilTheServerUnlocksIt() = runBlocking<Unit> {
        VirtualSigningServer(3u).use { server ->
            device(server, MapStore(), CountingChannel(server)).use { dev ->
                dev.generate("k", Curve.TC26_256A, PIN)
                val digest = ByteArray(32) { 7 }
                val first = assertThrows<FknException.WrongPin> { runBlocking { dev.sign("k", "0000", digest) } }
                assertEquals(2.toUByte(), first.attemptsLeft)
                assertThrows<FknException.WrongPin> { runBlocking { dev.sign("k", "0000", digest) } }
                assertThrows<FknException> { runBlocking { dev.sign("k", "0000", digest) } }
                assertTrue(server.status("k").locked)
                // Locked: even the right PIN is refused until the operator unlocks.
                assertThrows<FknException.PinBlocked> { runBlocking { dev.sign("k", PIN, digest) } }
                server.unlock("k")
                dev.sign("k", PIN, digest)
                assertEquals(0u, server.status("k").failures)
            }
        }
    }

    @Test
    fun pinChangeRefreshAndRevocation() = runBlocking<Unit> {
        VirtualSigningServer(10u).use { server ->
            device(server, MapStore(), CountingChannel(server)).use { dev ->
                dev.generate("k", Curve.CRYPTO_PRO_A, PIN)
                assertThrows<FknException.WrongPin> { runBlocking { dev.changePin("k", "9999", "1357") } }
                dev.changePin("k", PIN, "1357")
                dev.refresh("k", "1357")
                assertEquals(1u, dev.keyInfo("k").epoch)
                dev.sign("k", "1357", ByteArray(32) { 1 })
                server.revoke("k")
                val e = assertThrows<FknException.TwoParty> { runBlocking { dev.sign("k", "1357", ByteArray(32) { 1 }) } }
                assertEquals(TwoPartyFault.Revoked, e.fault)
                assertTrue(e.userMessage.endsWith("enroll this device again"), e.userMessage)
            }
        }
    }

    @Test
    fun platformFailuresArriveTyped() = runBlocking<Unit> {
        VirtualSigningServer(10u).use { server ->
            val store = MapStore()
            val channel = CountingChannel(server)
            device(server, store, channel).use { dev ->
                dev.generate("k", Curve.TC26_256A, PIN)

                channel.failure = ServerChannelException.Unreachable()
                val offline = assertThrows<FknException.TwoParty> { runBlocking { dev.sign("k", PIN, ByteArray(32)) } }
                assertEquals(TwoPartyFault.ServerUnreachable, offline.fault)
                assertTrue(offline.isServerUnavailable)

                channel.failure = ServerChannelException.HttpStatus(503u)
                val http = assertThrows<FknException.TwoParty> { runBlocking { dev.sign("k", PIN, ByteArray(32)) } }
                assertEquals(TwoPartyFault.ServerHttpStatus(503u), http.fault)

                // An exception the app did not map still ends the call cleanly.
                channel.failure = IllegalStateException("okhttp blew up")
                assertThrows<FknException.TwoParty> { runBlocking { dev.sign("k", PIN, ByteArray(32)) } }
                channel.failure = null
                dev.sign("k", PIN, ByteArray(32))

                store.invalidated = true
                val gone = assertThrows<FknException.TwoParty> { runBlocking { dev.unlock("k", PIN) } }
                assertEquals(TwoPartyFault.KeystoreInvalidated, gone.fault)
                store.invalidated = false

                val missing = assertThrows<FknException.TwoParty> { runBlocking { dev.unlock("nope", PIN) } }
                assertEquals(TwoPartyFault.KeyNotFound, missing.fault)
                assertThrows<FknException.Misuse> { runBlocking { dev.generate("k2", Curve.TC26_256A, "") } }
            }
        }
    }

    @Test
    fun closedDevicesAndKeysAreFreed() = runBlocking<Unit> {
        val baseline = liveObjectCount()
        val handles = FfiConverterTypeServerChannel.handleMap.size + FfiConverterTypeSecureStore.handleMap.size
        VirtualSigningServer(10u).use { server ->
            device(server, MapStore(), CountingChannel(server)).use { dev ->
                dev.generate("k", Curve.TC26_256A, PIN)
                repeat(20) { dev.sign("k", PIN, ByteArray(32) { it.toByte() }) }
            }
        }
        assertEquals(baseline, liveObjectCount())
        // Rust let go of the Kotlin store and channel with the device.
        assertEquals(handles, FfiConverterTypeServerChannel.handleMap.size + FfiConverterTypeSecureStore.handleMap.size)
    }
}
