package dev.fkn.sdk

import dev.fkn.sdk.core.*

import java.util.concurrent.atomic.AtomicInteger

/**
 * A Kotlin [NfcTransport] that forwards every APDU to a [VirtualToken], as an
 * app's IsoDep adapter forwards to a card. It can fail on a chosen exchange
 * (to simulate a card taken away) and records which threads called it.
 */
class ForwardingTransport(
    private val token: VirtualToken,
    /** 1-based exchange that throws [failure] instead of answering; 0 = never. */
    @Volatile var failAt: Int = 0,
    /** What exchange [failAt] throws. */
    @Volatile var failure: Exception = TransportException.TagLost(),
) : NfcTransport {
    val exchanges = AtomicInteger()
    val threads: MutableSet<String> = java.util.concurrent.ConcurrentHashMap.newKeySet()

    override fun transceive(apdu: ByteArray): ByteArray {
        val n = exchanges.incrementAndGet()
        threads += Thread.currentThread().name
        if (n == failAt) throw failure
        return token.processApdu(apdu)
    }

    override fun maxTransceiveLength(): UInt = 261u

    override fun extendedLengthSupported(): Boolean = false
}

const val USER_PIN = "12345678"
const val ADMIN_PIN = "87654321"

fun ByteArray.hex(): String = joinToString("") { "%02x".format(it) }

fun String.unhex(): ByteArray = chunked(2).map { it.toInt(16).toByte() }.toByteArray()

/**
 * Runs [block] with the token's own (Rust) transport and frees the Kotlin
 * handle after; a session opened in [block] keeps its own reference.
 */
inline fun <T> VirtualToken.withTransport(block: (NfcTransport) -> T): T {
    val t = transport()
    try {
        return block(t)
    } finally {
        (t as AutoCloseable).close()
    }
}
