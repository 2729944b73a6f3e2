package dev.fkn.sdk

import dev.fkn.sdk.core.*

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Coroutine API over a [Card]: whichever application the tapped card has, an
 * OFP1 token or a Rutoken ECP in PKI mode. Check [capabilities] before
 * offering features: a Rutoken takes the PIN in clear, signs one digest per
 * card command and stores no certificates. Calls run on [dispatcher]
 * (`Dispatchers.IO` by default), as [FknToken]'s do.
 */
class FknCard private constructor(
    /** The blocking card session underneath. */
    val card: Card,
    private val dispatcher: CoroutineDispatcher,
) : AutoCloseable {
    companion object {
        /**
         * Finds out which application the card on [transport] has and opens it.
         * [allowClearPinOverNfc] lets a card that takes the PIN in clear
         * (Rutoken PKI mode) be sent it over NFC, where it could be overheard:
         * leave it off unless your users accept that.
         */
        suspend fun open(
            transport: NfcTransport,
            allowClearPinOverNfc: Boolean = false,
            dispatcher: CoroutineDispatcher = Dispatchers.IO,
        ): FknCard = withContext(dispatcher) {
            FknCard(Card.open(transport, CardOptions(allowClearPinOverNfc)), dispatcher)
        }
    }

    private suspend fun <T> io(block: Card.() -> T): T = withContext(dispatcher) { card.block() }

    /** What the card's application can do. */
    suspend fun capabilities(): Capabilities = io { capabilities() }

    /** The card's serial number. */
    suspend fun serial(): ByteArray = io { serial() }

    /** Logs in with the user PIN; [FknException.Misuse] with [ApiMisuse.ClearPinOverNfc] if not allowed. */
    suspend fun login(pin: String): Unit = io { login(pin) }

    /** The keys on the card. */
    suspend fun listKeys(): List<CardKey> = io { listKeys() }

    /** Generates a key; on a Rutoken [id] may be empty (first free key reference). */
    suspend fun generateKey(id: ByteArray, curve: Curve, label: String = ""): CardKey =
        io { generateKey(id, curve, label) }

    /** Signs digests with key [keyId]; `s || r` each. */
    suspend fun sign(keyId: ByteArray, digests: List<ByteArray>): List<ByteArray> = io { sign(keyId, digests) }

    /** Signs one digest. */
    suspend fun sign(keyId: ByteArray, digest: ByteArray): ByteArray = sign(keyId, listOf(digest)).single()

    /** A self-signed certificate (DER) for key [keyId]. */
    suspend fun selfSignedCertificate(keyId: ByteArray, subject: String, days: UInt = 365u): ByteArray =
        io { selfSignedCertificate(keyId, subject, days) }

    /** A CMS SignedData (DER) over [content] with key [keyId] and its [certificate]. */
    suspend fun signCms(keyId: ByteArray, certificate: ByteArray, content: ByteArray, detached: Boolean = true): ByteArray =
        io { signCms(keyId, certificate, content, detached) }

    /** Frees the native session and its transport now. */
    override fun close() = card.close()
}
