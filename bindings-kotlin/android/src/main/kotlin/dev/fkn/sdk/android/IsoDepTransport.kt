package dev.fkn.sdk.android


import android.nfc.Tag
import android.nfc.TagLostException
import android.nfc.tech.IsoDep
import dev.fkn.sdk.NfcTransport
import dev.fkn.sdk.TransportException
import java.io.IOException

/**
 * The SDK's [NfcTransport] over Android's [IsoDep] (ISO 14443-4).
 *
 * Make it in `NfcAdapter.ReaderCallback.onTagDiscovered` with [of], hand it
 * to `FknToken.open`, and close it when done. Nothing blocks until the first
 * exchange, which connects; the SDK runs exchanges on its worker thread
 * (Dispatchers.IO), never on the main thread.
 *
 * Errors: [TagLostException] (the card left the field) and a stale tag
 * ([SecurityException]) become [TransportException.TagLost], which the SDK
 * reports as `FknException.CardRemoved`; an [IOException] once the timeout
 * has elapsed becomes [TransportException.Timeout]; any other [IOException]
 * becomes [TransportException.Io].
 *
 * Compiled against the API 16 `android.jar` of Maven Central, which already
 * has [IsoDep.isExtendedLengthApduSupported]; no reflection is needed.
 */
class IsoDepTransport(
    private val isoDep: IsoDep,
    /** Longest wait for one answer, in milliseconds ([IsoDep.setTimeout]). */
    val timeoutMs: Int = DEFAULT_TIMEOUT_MS,
) : NfcTransport, AutoCloseable {
    companion object {
        /** Five seconds: enough for 512-bit key generation on slow cards. */
        const val DEFAULT_TIMEOUT_MS: Int = 5_000

        /** Longest short command APDU: header, Lc, 255 data bytes, Le. */
        private const val SHORT_APDU_LINK: Int = 261

        /**
         * The ISO-DEP side of [tag]. Throws [TransportException.Io] if the tag
         * is not an ISO-DEP smart card.
         */
        @JvmStatic
        @JvmOverloads
        fun of(tag: Tag, timeoutMs: Int = DEFAULT_TIMEOUT_MS): IsoDepTransport {
            val isoDep = IsoDep.get(tag)
                ?: throw TransportException.Io("this NFC tag is not an ISO-DEP smart card")
            return IsoDepTransport(isoDep, timeoutMs)
        }
    }

    init {
        require(timeoutMs > 0) { "timeoutMs must be positive, got $timeoutMs" }
    }

    @Synchronized
    override fun transceive(apdu: ByteArray): ByteArray {
        val startedNs = System.nanoTime()
        return mapped(startedNs) {
            if (!isoDep.isConnected) {
                isoDep.connect()
                // After connect: close() resets the timeout to the default.
                isoDep.timeout = timeoutMs
            }
            isoDep.transceive(apdu)
        }
    }

    // The two capability queries must not throw (UniFFI treats an exception
    // from a non-throwing callback as a bug): a stale tag reports the short
    // APDU link, and the next transceive reports the lost tag.
    override fun maxTransceiveLength(): UInt =
        try {
            isoDep.maxTransceiveLength.coerceAtLeast(0).toUInt()
        } catch (_: RuntimeException) {
            SHORT_APDU_LINK.toUInt()
        }

    override fun extendedLengthSupported(): Boolean =
        try {
            isoDep.isExtendedLengthApduSupported
        } catch (_: RuntimeException) {
            false
        }

    /** Closes the IsoDep connection; a call still running fails with TagLost or Io. */
    override fun close() {
        try {
            isoDep.close()
        } catch (_: IOException) {
            // Already gone: nothing to release.
        }
    }

    /** Runs [block], turning Android's exceptions into [TransportException]s. */
    private inline fun <T> mapped(startedNs: Long, block: () -> T): T =
        try {
            block()
        } catch (e: TagLostException) {
            throw TransportException.TagLost()
        } catch (e: SecurityException) {
            // "Tag ... is out of date": the tag object belongs to an earlier tap.
            throw TransportException.TagLost()
        } catch (e: IOException) {
            if ((System.nanoTime() - startedNs) / 1_000_000 >= timeoutMs) {
                throw TransportException.Timeout()
            }
            throw TransportException.Io(e.toString())
        } catch (e: IllegalStateException) {
            // Not connected: the app closed the IsoDep meanwhile.
            throw TransportException.Io(e.toString())
        }
}
