package dev.fkn.sdk

import dev.fkn.sdk.core.*

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/*
 * Signing requests on an enrolled device, as coroutines: a backend asks
 * (through fkn-server), the phone lists, fetches, shows, then approves with
 * the card or a two-party key, or declines. Each call is one server round
 * trip on the app's `ServerChannel`, run with the blocking call on
 * Dispatchers.IO; before enrollment they throw `TwoParty(NotEnrolled)`.
 *
 * (Named apart from the blocking members of [TwoPartyDevice], which would
 * shadow extensions of the same name.)
 */

/** The most requests one [fetch] or approval takes (one card sign command). */
const val MAX_REQUESTS_PER_CALL: Int = 16

/** The account's pending requests, oldest first (at most 100), without content: [fetch] them to show them. */
suspend fun TwoPartyDevice.pending(): List<SigningRequest> = withContext(Dispatchers.IO) { pendingRequests() }

/**
 * Up to 16 requests with their content (document, or digest and summary), to show before approving.
 * Throws [FknException.Request] when one is not pending any more: refresh the list.
 */
suspend fun TwoPartyDevice.fetch(ids: List<String>): List<SigningRequest> =
    withContext(Dispatchers.IO) { fetchRequests(ids) }

/**
 * Approves up to 16 [fetch]ed [requests] with the card key [keyId] (its [certificate], DER): all are signed
 * in one sign command, so log in first ([FknToken.login]) and keep the card in the field for that one tap;
 * then one round trip sends every CMS. One result per request, in order; a `refusal` means that one was not
 * taken (e.g. signed meanwhile by another device).
 */
suspend fun TwoPartyDevice.approve(
    token: FknToken,
    keyId: ByteArray,
    certificate: ByteArray,
    requests: List<SigningRequest>,
): List<ApprovalResult> = withContext(Dispatchers.IO) { approveWithCard(token.session, keyId, certificate, requests) }

/**
 * Approves up to 16 [fetch]ed [requests] with an unlocked two-party [key] (see [FknTwoParty.unlock]): one
 * signature, usually one round trip, per request, then one round trip to send them. A wrong PIN shows at the
 * first signature ([FknException.WrongPin]); nothing is sent then.
 */
suspend fun TwoPartyDevice.approve(
    key: TwoPartyKey,
    certificate: ByteArray,
    requests: List<SigningRequest>,
): List<ApprovalResult> = withContext(Dispatchers.IO) { approveWithKey(key, certificate, requests) }

/** Declines request [id]; [reason] (at most 500 bytes) goes to the backend. */
suspend fun TwoPartyDevice.decline(id: String, reason: String): Unit =
    withContext(Dispatchers.IO) { declineRequest(id, reason) }

/** Why the server refused a call on a signing request, or null for any other error. */
val FknException.requestRefusal: RequestRefusal?
    get() = (this as? FknException.Request)?.refusal
