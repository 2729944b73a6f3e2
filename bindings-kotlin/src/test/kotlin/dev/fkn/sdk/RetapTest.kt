package dev.fkn.sdk

import dev.fkn.sdk.core.*

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.runBlocking
import kotlinx.coroutines.withContext
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test
import org.junit.jupiter.api.assertThrows
import java.util.Collections
import java.util.concurrent.atomic.AtomicInteger

/**
 * A lost tap costs a re-tap: every RetapRunner operation with the card taken
 * away at every exchange in turn (before the card sees the command, or after
 * it acted but before its answer arrived), then tapped again.
 */
class RetapTest {
    /** Forwards to the virtual card; exchange [lostAt] (1-based) loses the link. */
    private class LosingTransport(
        private val vt: VirtualToken,
        private val lostAt: Int,
        private val cardActs: Boolean,
    ) : NfcTransport {
        val exchanges = AtomicInteger()

        override fun transceive(apdu: ByteArray): ByteArray {
            val n = exchanges.incrementAndGet()
            if (n < lostAt) return vt.processApdu(apdu)
            if (n == lostAt && cardActs) vt.processApdu(apdu)
            throw TransportException.TagLost()
        }

        override fun maxTransceiveLength(): UInt = 261u
        override fun extendedLengthSupported(): Boolean = false
    }

    /** The user taps again: the same card, power-cycled, on a fresh link. */
    private class Retaps(private val vt: VirtualToken) : CardTapSource {
        val taps: MutableList<UInt> = Collections.synchronizedList(mutableListOf())
        override fun nextCard(tap: UInt): NfcTransport {
            taps += tap
            vt.reset()
            return ForwardingTransport(vt)
        }
    }

    private class Statuses : RetapListener {
        val seen: MutableList<RetapStatus> = Collections.synchronizedList(mutableListOf())
        override fun statusChanged(status: RetapStatus) {
            seen += status
        }
    }

    private val key = "6b6579".unhex()
    private val newKey = "6e6577".unhex()
    private val cert = ByteArray(600) { (it % 251).toByte() }
    private val digests = listOf(ByteArray(32) { 1 }, ByteArray(32) { 2 })
    private val newPin = "24681357"

    private suspend fun RetapRunner.on(vt: VirtualToken, op: RetapOperation, first: NfcTransport = ForwardingTransport(vt)): RetapOutcome =
        perform(first, op, Retaps(vt))

    /** A card with key [key] and a short certificate on it. */
    private suspend fun card(): VirtualToken {
        val vt = VirtualToken("retap", USER_PIN, ADMIN_PIN)
        RetapRunner(PinRef.USER, USER_PIN, 0u).use { r ->
            r.on(vt, RetapOperation.GenerateKey(key, CurveId.TC26_256A, "first"))
            r.on(vt, RetapOperation.PutCertificate(key, byteArrayOf(0x30, 0x00)))
        }
        return vt
    }

    private fun operations() = listOf(
        RetapOperation.Sign(key, digests),
        RetapOperation.GenerateKey(newKey, CurveId.TC26_256A, "second"),
        RetapOperation.PutCertificate(key, cert),
        RetapOperation.ReadCertificate(key),
        RetapOperation.ListKeys,
        RetapOperation.DeleteKey(key),
        RetapOperation.ChangePin(newPin),
    )

    private suspend fun keys(vt: VirtualToken, pin: String = USER_PIN): List<KeyInfo> =
        RetapRunner(PinRef.USER, pin, 0u).use { (it.on(vt, RetapOperation.ListKeys) as RetapOutcome.Keys).keys }

    private suspend fun checkEndState(vt: VirtualToken, op: RetapOperation, outcome: RetapOutcome, what: String) {
        when (op) {
            is RetapOperation.Sign -> {
                val sigs = (outcome as RetapOutcome.Signatures).signatures
                val pub = keys(vt).single { it.id.contentEquals(key) }.publicKey
                digests.zip(sigs).forEach { (d, s) -> assertTrue(verifyDigest(CurveId.TC26_256A, pub, d, s), what) }
            }
            is RetapOperation.GenerateKey -> {
                val made = (outcome as RetapOutcome.KeyGenerated).key
                val ours = keys(vt).filter { it.id.contentEquals(newKey) }
                assertEquals(1, ours.size, "$what: the key exists once")
                assertTrue(ours[0].publicKey.contentEquals(made.publicKey), what)
            }
            is RetapOperation.PutCertificate -> {
                assertEquals(RetapOutcome.CertificateStored, outcome, what)
                val read = RetapRunner(PinRef.USER, USER_PIN, 0u).use { it.on(vt, RetapOperation.ReadCertificate(key)) }
                assertTrue((read as RetapOutcome.Certificate).der.contentEquals(cert), what)
            }
            is RetapOperation.ReadCertificate ->
                assertTrue((outcome as RetapOutcome.Certificate).der.contentEquals(byteArrayOf(0x30, 0x00)), what)
            is RetapOperation.ListKeys -> assertEquals(1, (outcome as RetapOutcome.Keys).keys.size, what)
            is RetapOperation.DeleteKey -> {
                assertEquals(RetapOutcome.KeyDeleted, outcome, what)
                assertTrue(keys(vt).none { it.id.contentEquals(key) }, what)
            }
            is RetapOperation.ChangePin -> {
                assertEquals(RetapOutcome.PinChanged, outcome, what)
                assertEquals(1, keys(vt, newPin).size, "$what: the new PIN works")
                val e = assertThrows<FknException.WrongPin> { runBlocking { keys(vt, USER_PIN) } }
                assertEquals(4u.toUByte(), e.attemptsLeft, "$what: the old PIN does not")
            }
        }
    }

    @Test
    fun everyOperationFinishesAfterALostTapAtEveryExchange() = runBlocking<Unit> {
        var runs = 0
        for (op in operations()) {
            for (cardActs in listOf(false, true)) {
                var at = 1
                var lost = true
                while (lost) {
                    val what = "$op, link lost at exchange $at, card acted: $cardActs"
                    card().use { vt ->
                        val first = LosingTransport(vt, at, cardActs)
                        val retaps = Retaps(vt)
                        val statuses = Statuses()
                        val outcome = RetapRunner(PinRef.USER, USER_PIN, 0u).use { r ->
                            r.perform(first, op, retaps, statuses)
                        }
                        runs++
                        // Fewer exchanges than `at`: the operation is covered.
                        lost = first.exchanges.get() >= at
                        assertEquals(if (lost) listOf(2u) else emptyList<UInt>(), retaps.taps.toList(), what)
                        if (lost) assertTrue(RetapStatus.WaitingForCard(2u, true) in statuses.seen, what)
                        assertEquals(RetapStatus.Finished, statuses.seen.last(), what)
                        checkEndState(vt, op, outcome, what)
                    }
                    at++
                }
            }
        }
        assertTrue(runs >= 7 * 2 * 5, "$runs runs")
    }

    @Test
    fun aWrongPinIsFinalAndCostsTheAttemptsTheCardCounted() = runBlocking<Unit> {
        card().use { vt ->
            val retaps = Retaps(vt)
            val e = assertThrows<FknException.WrongPin> {
                runBlocking {
                    RetapRunner(PinRef.USER, "00000000", 0u).use { r ->
                        withContext(Dispatchers.IO) { r.run(ForwardingTransport(vt), RetapOperation.ListKeys, retaps, null) }
                    }
                }
            }
            assertEquals(4u.toUByte(), e.attemptsLeft)
            assertEquals(emptyList<UInt>(), retaps.taps.toList(), "no re-tap after the card's answer")
            // Login step 2 lost after the card counted step 1: the retry is
            // the second attempt, and nothing follows its wrong-PIN answer.
            val again = assertThrows<FknException.WrongPin> {
                runBlocking {
                    RetapRunner(PinRef.USER, "00000000", 0u).use { r ->
                        withContext(Dispatchers.IO) { r.run(LosingTransport(vt, 3, false), RetapOperation.ListKeys, retaps, null) }
                    }
                }
            }
            assertEquals(2u.toUByte(), again.attemptsLeft)
            assertEquals(listOf(2u), retaps.taps.toList())
        }
    }

    @Test
    fun cancellingWhileWaitingForTheCardEndsTheOperation() = runBlocking<Unit> {
        card().use { vt ->
            val giveUp = object : CardTapSource {
                override fun nextCard(tap: UInt): NfcTransport = throw TransportException.Cancelled()
            }
            val e = assertThrows<FknException.Link> {
                runBlocking {
                    RetapRunner(PinRef.USER, USER_PIN, 0u).use { r ->
                        withContext(Dispatchers.IO) { r.run(LosingTransport(vt, 2, false), RetapOperation.ListKeys, giveUp, null) }
                    }
                }
            }
            assertEquals(LinkFault.Cancelled, e.fault)
        }
    }
}
