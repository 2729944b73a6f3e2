package dev.fkn.sample.model

import dev.fkn.sdk.ApprovalResult
import dev.fkn.sdk.Curve
import dev.fkn.sdk.RequestKeyKind
import dev.fkn.sdk.SigningRequest
import dev.fkn.sdk.TokenSession
import dev.fkn.sdk.TwoPartyDevice
import dev.fkn.sdk.core.FknException
import dev.fkn.sdk.core.RequestRefusal
import dev.fkn.sdk.core.TwoPartyFault
import dev.fkn.sdk.userMessage
import kotlinx.coroutines.CoroutineDispatcher
import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.flow.MutableStateFlow
import kotlinx.coroutines.flow.StateFlow
import kotlinx.coroutines.flow.asStateFlow
import kotlinx.coroutines.withContext

/** What the sample shows. */
sealed interface Screen {
    /** No enrollment yet: scan (or paste) the operator's QR code. */
    data object NotEnrolled : Screen

    /** Talking to the server. */
    data object Busy : Screen

    /** The account's pending requests (titles and sizes, no content). */
    data class Requests(val requests: List<SigningRequest>) : Screen

    /** One request with what is to be signed. */
    data class Detail(val request: SigningRequest) : Screen

    /** Waiting for the card: "hold the card to the back of the phone". */
    data object HoldCard : Screen

    /** Approvals sent: how many the server accepted, and why it refused the others. */
    data class Done(val signed: Int, val refused: Map<String, RequestRefusal>) : Screen

    /** Something to tell the user; [Problem] says what. */
    data class Failed(val problem: Problem) : Screen
}

/** The problems the UI tells apart. */
sealed interface Problem {
    /** The card left the field mid-command: hold it still and retry. */
    data object HoldStill : Problem

    /** Wrong PIN; the card or the server counts. */
    data class WrongPin(val attemptsLeft: Int) : Problem

    /** PIN blocked: the administrator unblocks it. */
    data object PinBlocked : Problem

    /** No network or no server: retry later. */
    data object ServerUnreachable : Problem

    /** The server refused a request (gone, already answered, expired...). */
    data class Refused(val refusal: RequestRefusal) : Problem

    /** Anything else, in the SDK's words (what happened; what to do). */
    data class Other(val message: String) : Problem
}

/**
 * Where the card comes from. On a phone the Activity completes [tap] when
 * the user holds the card to it (NFC reader mode); on an emulator the
 * "virtual card" switch gives a [VirtualCardSource].
 */
fun interface CardSource {
    /** A session with the card, once it is there. */
    suspend fun tap(): TokenSession
}

/**
 * The sample's logic on the public API only: enroll from the QR code, list
 * the pending requests, open one, approve with the card (every selected
 * request in one tap) or with the two-party key, decline. The PINs are typed
 * before the tap. Every SDK call runs on [io].
 */
class RequestsModel(
    private val device: TwoPartyDevice,
    private val card: CardSource,
    /** The two-party key's id: unique on the server, so the app picks one per install and keeps it. */
    private val keyId: String,
    private val cardKeyId: ByteArray = "fkn-card".toByteArray(),
    private val io: CoroutineDispatcher = Dispatchers.IO,
) {
    private val state = MutableStateFlow<Screen>(Screen.Busy)

    /** The current screen. */
    val screen: StateFlow<Screen> = state.asStateFlow()

    /** The card's user PIN, typed before the tap. */
    var cardPin: String = ""

    /** The PIN of the two-party key. */
    var keyPin: String = ""

    private var keyCertificate: ByteArray? = null

    /** Shows the requests if the device is enrolled, else the enrollment screen. */
    suspend fun start() = guarded {
        val enrolled = withContext(io) {
            try {
                device.enrollment()
                true
            } catch (e: FknException.TwoParty) {
                if (e.fault != TwoPartyFault.NotEnrolled) throw e
                false
            }
        }
        if (enrolled) listPending() else Screen.NotEnrolled
    }

    /**
     * Enrolls with the QR code's [uri]: the card signs a certification
     * request for its key (made on the card if missing; one tap), then the
     * device pairs, generates the two-party key under [keyPin] and
     * registers the card key.
     */
    suspend fun enroll(uri: String) = guarded {
        withContext(io) { dev.fkn.sdk.readEnrollmentUri(uri.trim()) }
        state.value = Screen.HoldCard
        val session = card.tap()
        val csr = withContext(io) {
            session.use { s ->
                s.authenticate(cardPin)
                if (s.listKeys().none { it.id.contentEquals(cardKeyId) }) {
                    s.generateKey(cardKeyId, Curve.TC26_256A, "fkn sample")
                }
                s.createCsr(cardKeyId, "CN=FKN sample card")
            }
        }
        state.value = Screen.Busy
        withContext(io) { device.enroll(uri.trim(), keyId, Curve.TC26_256A, keyPin, csr) }
        listPending()
    }

    /** Reloads the list of pending requests. */
    suspend fun refresh() = guarded { listPending() }

    /** Opens request [id] with its content (the document the user reads). */
    suspend fun open(id: String) = guarded {
        Screen.Detail(withContext(io) { device.fetchRequests(listOf(id)).single() })
    }

    /** Approves [ids] (at most 16) with the card: one tap signs them all. */
    suspend fun approveWithCard(ids: List<String>) = guarded {
        val requests = withContext(io) { device.fetchRequests(ids) }
        require(requests.all { it.keyKind == RequestKeyKind.CARD }) { "a selected request names the two-party key" }
        state.value = Screen.HoldCard
        val session = card.tap()
        val results = withContext(io) {
            session.use { s ->
                s.authenticate(cardPin)
                val certificate = try {
                    s.getCertificate(cardKeyId)
                } catch (e: FknException.Card) {
                    s.selfSignedCertificate(cardKeyId, "CN=FKN sample card", 365u).also {
                        s.putCertificate(cardKeyId, it)
                    }
                }
                device.approveWithCard(s, cardKeyId, certificate, requests)
            }
        }
        done(results)
    }

    /** Approves [ids] with the two-party key under [keyPin]. */
    suspend fun approveWithKey(ids: List<String>) = guarded {
        val results = withContext(io) {
            val requests = device.fetchRequests(ids)
            device.unlock(keyId, keyPin).use { key ->
                val certificate = keyCertificate
                    ?: key.selfSignedCertificate("CN=FKN sample two-party key", 365u).also { keyCertificate = it }
                device.approveWithKey(key, certificate, requests)
            }
        }
        done(results)
    }

    /** Declines request [id], telling the sender [reason]. */
    suspend fun decline(id: String, reason: String) = guarded {
        withContext(io) { device.declineRequest(id, reason) }
        listPending()
    }

    private suspend fun listPending(): Screen = Screen.Requests(withContext(io) { device.pendingRequests() })

    private fun done(results: List<ApprovalResult>): Screen {
        val refused = results.mapNotNull { r -> r.refusal?.let { r.id to it } }.toMap()
        return Screen.Done(results.size - refused.size, refused)
    }

    /** Runs [step] showing [Screen.Busy] first, and its outcome or the problem after. */
    private suspend fun guarded(step: suspend () -> Screen) {
        state.value = Screen.Busy
        state.value = try {
            step()
        } catch (e: FknException) {
            Screen.Failed(problemOf(e))
        } catch (e: IllegalArgumentException) {
            Screen.Failed(Problem.Other(e.message ?: "invalid input"))
        }
    }
}

/** The problem the UI shows for an SDK error. */
fun problemOf(e: FknException): Problem = when (e) {
    is FknException.Link -> Problem.HoldStill
    is FknException.WrongPin -> Problem.WrongPin(e.attemptsLeft.toInt())
    is FknException.PinBlocked -> Problem.PinBlocked
    is FknException.Request -> Problem.Refused(e.refusal)
    is FknException.TwoParty -> when (e.fault) {
        is TwoPartyFault.ServerUnreachable, is TwoPartyFault.ServerTimeout -> Problem.ServerUnreachable
        else -> Problem.Other(e.userMessage)
    }
    else -> Problem.Other(e.userMessage)
}

/** The "virtual card" switch: a card in memory for emulators and tests. */
class VirtualCardSource(private val token: dev.fkn.sdk.VirtualToken) : CardSource {
    override suspend fun tap(): TokenSession {
        // The session keeps what it needs of the transport; its handle is ours to close.
        val transport = token.transport()
        try {
            return TokenSession.open(transport)
        } finally {
            (transport as AutoCloseable).close()
        }
    }
}
