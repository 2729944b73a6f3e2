package dev.fkn.sdk

import dev.fkn.sdk.core.*

import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Coroutine API over a [TwoPartyDevice]: keys split between this device and
 * the signing server, never whole anywhere. Every call runs the blocking SDK
 * call (PBKDF2 of the PIN, and the app's [ServerChannel] round trips) on
 * [dispatcher], `Dispatchers.IO` by default.
 *
 * A wrong PIN is found out by the server at the first signature, not at
 * [unlock]: it throws [FknException.WrongPin] with the attempts left, and
 * [FknException.PinBlocked] once the server locked the key. Server trouble
 * is [FknException.TwoParty] (see [TwoPartyFault]).
 */
class FknTwoParty(
    /** The blocking device underneath, for calls this layer does not wrap. */
    val device: TwoPartyDevice,
    private val dispatcher: CoroutineDispatcher = Dispatchers.IO,
) : AutoCloseable {
    private suspend fun <T> io(block: TwoPartyDevice.() -> T): T = withContext(dispatcher) { device.block() }

    /** Generates key [keyId] with the server (two round trips); returns the joint public key. */
    suspend fun generate(keyId: String, curve: Curve, pin: String): ByteArray = io { generate(keyId, curve, pin) }

    /**
     * Enrolls from the operator's QR code [uri]: pairing, the two-party key [keyId], and the card key of
     * [cardCsr] (a CSR signed on the card) if given. Afterwards every request is signed with the device
     * credential kept in the `SecureStore`.
     */
    suspend fun enroll(uri: String, keyId: String, curve: Curve, pin: String, cardCsr: ByteArray? = null): Enrollment =
        io { enroll(uri, keyId, curve, pin, cardCsr) }

    /** What the device stores of [keyId]: curve, public key, refresh epoch, commitments left. */
    suspend fun keyInfo(keyId: String): TwoPartyKeyInfo = io { keyInfo(keyId) }

    /** Unlocks [keyId] for signing; close the key (or `use {}`) when done. */
    suspend fun unlock(keyId: String, pin: String): TwoPartyKey = io { unlock(keyId, pin) }

    /** Signs one digest with [keyId] (one round trip); `s || r`, verified. */
    suspend fun sign(keyId: String, pin: String, digest: ByteArray): ByteArray =
        unlock(keyId, pin).use { key -> withContext(dispatcher) { key.signDigest(digest) } }

    /** A CMS SignedData over [content] with [keyId]'s [certificate] embedded. */
    suspend fun signCms(keyId: String, pin: String, certificate: ByteArray, content: ByteArray, detached: Boolean = true): ByteArray =
        unlock(keyId, pin).use { key -> withContext(dispatcher) { key.signCms(certificate, content, detached) } }

    /** Changes the PIN after the server checked the old one (a typo leaves the key as it was). */
    suspend fun changePin(keyId: String, oldPin: String, newPin: String): Unit = io { changePin(keyId, oldPin, newPin) }

    /** Re-randomizes both shares; the old ones stop working. */
    suspend fun refresh(keyId: String, pin: String): Unit = io { refresh(keyId, pin) }

    /** Deletes the device's record of [keyId] (revoke it on the server too). */
    suspend fun delete(keyId: String): Unit = io { delete(keyId) }

    override fun close() = device.close()
}

/** The server could not be reached, did not answer, or is temporarily down: worth a retry. */
val FknException.isServerUnavailable: Boolean
    get() = this is FknException.TwoParty && when (fault) {
        TwoPartyFault.ServerUnreachable, TwoPartyFault.ServerTimeout, TwoPartyFault.ServerUnavailable -> true
        else -> false
    }
