package dev.fkn.sdk

import dev.fkn.sdk.core.*

import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Test

/** Closed objects are freed on the Rust side, foreign transports released. */
class LeakTest {
    private val sessions = System.getProperty("fkn.leak.sessions", "10000").toInt()

    @Test
    fun tenThousandSessionsLeaveNothingBehind() {
        val baseline = liveObjectCount()
        val handlesBefore = FfiConverterTypeNfcTransport.handleMap.size
        val started = System.nanoTime()
        var logins = 0
        VirtualToken("leak", USER_PIN, ADMIN_PIN).use { vt ->
            for (i in 0 until sessions) {
                if (i % 2 == 0) {
                    // Kotlin transport: Rust holds a foreign handle until the session is freed.
                    TokenSession.open(ForwardingTransport(vt)).use { s -> s.selectInfo() }
                } else {
                    // Rust transport handed through Kotlin and back.
                    vt.withTransport { TokenSession.open(it) }.use { s ->
                        if (i % 100 == 1) {
                            s.authenticate(USER_PIN)
                            s.tokenInfo()
                            logins++
                        }
                    }
                }
                if (i % 1000 == 0) Hasher(DigestAlgorithm.STREEBOG512).use { it.update(byteArrayOf(1)) }
            }
        }
        val seconds = (System.nanoTime() - started) / 1e9
        println(
            "leak test: $sessions sessions ($logins with login) in %.2f s, %.0f µs per session; live objects %d -> %d"
                .format(seconds, seconds * 1e6 / sessions, baseline.toLong(), liveObjectCount().toLong()),
        )
        assertEquals(baseline, liveObjectCount(), "Rust objects still alive after closing them")
        assertEquals(handlesBefore, FfiConverterTypeNfcTransport.handleMap.size, "foreign transports not released")
    }

    @Test
    fun theCounterSeesOpenObjects() {
        val baseline = liveObjectCount()
        VirtualToken("count", USER_PIN, ADMIN_PIN).use { vt ->
            // Token, session and the bridge to the Kotlin transport.
            TokenSession.open(ForwardingTransport(vt)).use {
                assertEquals(baseline + 3u, liveObjectCount())
            }
            assertEquals(baseline + 1u, liveObjectCount())
        }
        assertEquals(baseline, liveObjectCount())
    }
}
