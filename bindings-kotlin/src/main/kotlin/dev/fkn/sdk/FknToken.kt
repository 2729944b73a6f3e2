package dev.fkn.sdk

import dev.fkn.sdk.core.*

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Coroutine API over a [TokenSession]. Every call runs the blocking SDK call
 * (and with it the blocking [NfcTransport]) on [dispatcher], `Dispatchers.IO`
 * by default, so it is safe to call from the main thread.
 *
 * Cancelling the calling coroutine takes effect when the current card
 * exchange returns; to abort at once, close the transport (for Android,
 * `IsoDep.close()`): the call then fails with [FknException.Link] (its
 * `fault` is [LinkFault.CardRemoved]: see [isCardRemoved]).
 *
 * Close it (or use `use {}`) when done: that frees the native session and
 * releases the transport at once instead of at garbage collection.
 */
class FknToken private constructor(
    /** The blocking session underneath, for calls this layer does not wrap. */
    val session: TokenSession,
    private val dispatcher: CoroutineDispatcher,
) : AutoCloseable {
    companion object {
        /** Selects the token's application over [transport] (one exchange). */
        suspend fun open(
            transport: NfcTransport,
            dispatcher: CoroutineDispatcher = Dispatchers.IO,
        ): FknToken = withContext(dispatcher) { FknToken(TokenSession.open(transport), dispatcher) }
    }

    private suspend fun <T> io(block: TokenSession.() -> T): T = withContext(dispatcher) { session.block() }

    /** What the token announced before login: serial, label, curves, PIN attempts. */
    suspend fun selectInfo(): SelectInfo = io { selectInfo() }

    /** Logs in with the user PIN; throws [FknException.WrongPin] (with attempts left) or [FknException.PinBlocked]. */
    suspend fun login(pin: String): Unit = io { authenticate(pin) }

    /** Logs in with a PIN prepared before the tap (see [preparePin]): no PBKDF2 while the card is held. */
    suspend fun login(pin: PreparedPin): Unit = io { authenticatePrepared(pin) }

    /** Logs in with the admin PIN. */
    suspend fun loginAdmin(pin: String): Unit = io { authenticateAdmin(pin) }

    /** Serial, label, free key slots, PIN attempts. */
    suspend fun tokenInfo(): TokenInfo = io { tokenInfo() }

    /** Every key on the token, in creation order. */
    suspend fun listKeys(): List<KeyInfo> = io { listKeys() }

    /** Generates a key pair on the token; the private key never leaves it. */
    suspend fun generateKey(id: ByteArray, curve: Curve, label: String = ""): KeyInfo =
        io { generateKey(id, curve, label) }

    /** Signs 1 to 16 digests in one exchange; signatures are `s || r`, in order. */
    suspend fun sign(keyId: ByteArray, digests: List<ByteArray>): List<ByteArray> = io { sign(keyId, digests) }

    /** Signs one digest. */
    suspend fun sign(keyId: ByteArray, digest: ByteArray): ByteArray = sign(keyId, listOf(digest)).single()

    /** Stores the certificate (DER) of key [keyId]. */
    suspend fun putCertificate(keyId: ByteArray, der: ByteArray): Unit = io { putCertificate(keyId, der) }

    /** Reads the certificate (DER) of key [keyId]. */
    suspend fun getCertificate(keyId: ByteArray): ByteArray = io { getCertificate(keyId) }

    /** Deletes key [keyId] and its certificate. */
    suspend fun deleteKey(keyId: ByteArray): Unit = io { deleteKey(keyId) }

    /** Changes the PIN this session is logged in with. */
    suspend fun changePin(newPin: String): Unit = io { changePin(newPin) }

    /** Sets a new user PIN and unblocks it (admin login). */
    suspend fun unblockPin(newUserPin: String): Unit = io { unblockPin(newUserPin) }

    /** A PKCS #10 request (DER) for key [keyId]; [subject] like `CN=Ivan Petrov,O=Org,C=RU`. */
    suspend fun createCsr(keyId: ByteArray, subject: String): ByteArray = io { createCsr(keyId, subject) }

    /** A self-signed certificate (DER) for key [keyId], valid [days] days (tests, closed systems). */
    suspend fun selfSignedCertificate(keyId: ByteArray, subject: String, days: UInt = 365u): ByteArray =
        io { selfSignedCertificate(keyId, subject, days) }

    /** CMS SignedData (DER) over [content] with key [keyId] and its [certificate] (DER). */
    suspend fun signCms(keyId: ByteArray, certificate: ByteArray, content: ByteArray, detached: Boolean = true): ByteArray =
        io { signCms(keyId, certificate, content, detached) }

    /** Detached CMS SignedData over content already hashed with the key's Streebog (see [Hasher]). */
    suspend fun signCmsDigest(keyId: ByteArray, certificate: ByteArray, contentDigest: ByteArray): ByteArray =
        io { signCmsDigest(keyId, certificate, contentDigest) }

    /** Frees the native session now (idempotent). */
    override fun close() = session.close()
}

/**
 * Runs the slow part of a login (PBKDF2) before the user taps, for the token
 * whose [serial] and [password] parameters an earlier session's
 * [FknToken.selectInfo] returned. Close the result when done.
 */
suspend fun preparePin(
    serial: ByteArray,
    password: PasswordInfo,
    pin: String,
    dispatcher: CoroutineDispatcher = Dispatchers.Default,
): PreparedPin = withContext(dispatcher) { PreparedPin.derive(serial, password, pin) }

/**
 * The SDK's message for this error, saying what to do next (Kotlin's
 * `message` of a UniFFI exception only lists its fields).
 */
val FknException.userMessage: String get() = fknErrorMessage(this)

/** The GOST R 34.10-2012 parameter sets; the core's `CurveId` under its old name. */
typealias Curve = CurveId

/**
 * The card left the field (or the reader lost it) mid-command: ask the user
 * to hold it still and tap again. The token has not half-done anything.
 */
val FknException.isCardRemoved: Boolean
    get() = this is FknException.Link && fault == LinkFault.CardRemoved

/** Attempts left after a wrong PIN, or null for any other error. */
val FknException.attemptsLeft: UByte?
    get() = (this as? FknException.WrongPin)?.attemptsLeft
