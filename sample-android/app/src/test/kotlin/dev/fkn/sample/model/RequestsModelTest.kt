package dev.fkn.sample.model

import dev.fkn.sdk.ForwardingTransport
import dev.fkn.sdk.MapStore
import dev.fkn.sdk.TokenSession
import dev.fkn.sdk.TwoPartyDevice
import dev.fkn.sdk.VirtualToken
import dev.fkn.sdk.core.RequestRefusal
import dev.fkn.sdk.verifyCms
import java.net.HttpURLConnection
import java.net.URL
import java.util.Base64
import kotlinx.coroutines.runBlocking
import org.junit.jupiter.api.Assertions.assertArrayEquals
import org.junit.jupiter.api.Assertions.assertEquals
import org.junit.jupiter.api.Assertions.assertTrue
import org.junit.jupiter.api.Test

private const val CARD_PIN = "12345678"
private const val KEY_PIN = "2468"

/**
 * The sample's model against a real fkn-server that `tests/kotlin.sh`
 * starts on 127.0.0.1 (its URL and admin token come as system properties):
 * enroll from the QR code's URI with the virtual card, list, open, approve
 * three requests in one tap, one with the two-party key, decline one; the
 * backend then reads every CMS. And the states a user must see: wrong PIN,
 * the card taken away, the server unreachable.
 */
class RequestsModelTest {
    private val server: String = System.getProperty("fkn.server.url")?.takeIf { it.isNotBlank() }
        ?: error("run through tests/kotlin.sh, which starts fkn-server and passes -Dfkn.server.url")
    private val adminToken: String = System.getProperty("fkn.server.adminToken")?.takeIf { it.isNotBlank() }
        ?: error("run through tests/kotlin.sh (-Dfkn.server.adminToken)")

    private fun http(method: String, path: String, bearer: String, body: String? = null): Pair<Int, String> {
        val c = URL(server + path).openConnection() as HttpURLConnection
        c.requestMethod = method
        c.setRequestProperty("authorization", "Bearer $bearer")
        if (body != null) {
            c.doOutput = true
            c.setRequestProperty("content-type", "application/json")
            c.outputStream.use { it.write(body.toByteArray()) }
        }
        val status = c.responseCode
        val text = (if (status < 400) c.inputStream else c.errorStream).use { it.readBytes().decodeToString() }
        return status to text
    }

    private fun field(json: String, name: String): String =
        Regex("\"$name\":\"([^\"]*)\"").find(json)?.groupValues?.get(1) ?: error("no $name in $json")

    private inner class Backend(val apiKey: String) {
        fun create(account: String, key: String, document: String, detached: Boolean): String {
            val doc = Base64.getEncoder().encodeToString(document.toByteArray())
            val (status, text) = http(
                "POST", "/api/v1/requests", apiKey,
                """{"account":"$account","title":"$document","document":"$doc","key":$key,"detached":$detached,"ttl_seconds":600}""",
            )
            assertEquals(201, status, text)
            return field(text, "id")
        }

        fun show(id: String): String = http("GET", "/api/v1/requests/$id", apiKey).second
    }

    private fun newAccount(): Pair<String, String> {
        val account = "sample-" + System.nanoTime()
        val (status, text) = http("POST", "/admin/v1/enrollments", adminToken, """{"account":"$account","ttl_seconds":600}""")
        assertEquals(201, status, text)
        return account to field(text, "uri").replace("\\u0026", "&")
    }

    private fun backend(): Backend {
        val (status, text) = http("POST", "/admin/v1/backends", adminToken, """{"name":"sample-${System.nanoTime()}"}""")
        assertEquals(201, status, text)
        return Backend(field(text, "api_key"))
    }

    private fun cardId(account: String): String {
        val text = http("GET", "/admin/v1/cards", adminToken).second
        val entry = Regex("\\{[^{}]*\"account(_id)?\":\"$account\"[^{}]*\\}").find(text)?.value ?: error("no card of $account in $text")
        return field(entry, "id")
    }

    private fun device(store: MapStore = MapStore(), url: String = server) =
        TwoPartyDevice.withIterations(store, HttpServerChannel(url), 1000u)

    @Test
    fun enrollListOpenApproveDecline() = runBlocking<Unit> {
        val (account, uri) = newAccount()
        val bank = backend()
        val keyId = "k-" + System.nanoTime()
        VirtualToken("sample card", CARD_PIN, "87654321").use { token ->
        device().use { dev ->
        val model = RequestsModel(dev, VirtualCardSource(token), keyId)
        model.cardPin = CARD_PIN
        model.keyPin = KEY_PIN
        model.start()
        assertEquals(Screen.NotEnrolled, model.screen.value)
        model.enroll(uri)
        assertEquals(Screen.Requests(emptyList()), model.screen.value)

        val card = """{"card":"${cardId(account)}"}"""
        val byCard = (1..3).map { bank.create(account, card, "Order $it: 3 units.", detached = it == 2) }
        val byKey = bank.create(account, """{"distributed":"$keyId"}""", "Order 4: 1 unit.", detached = false)
        val unwanted = bank.create(account, card, "Order 5: 1000 units.", detached = true)

        model.refresh()
        val listed = (model.screen.value as Screen.Requests).requests
        assertEquals(5, listed.size)
        assertTrue(listed.all { it.document == null }, "the list carries no documents")
        model.open(byCard[0])
        val shown = (model.screen.value as Screen.Detail).request
        assertArrayEquals("Order 1: 3 units.".toByteArray(), shown.document)

        model.approveWithCard(byCard)
        assertEquals(Screen.Done(3, emptyMap()), model.screen.value)
        model.approveWithKey(listOf(byKey))
        assertEquals(Screen.Done(1, emptyMap()), model.screen.value)
        model.decline(unwanted, "too many")
        assertEquals(Screen.Requests(emptyList()), model.screen.value)

        for ((n, id) in (byCard + byKey).withIndex()) {
            val shownByBackend = bank.show(id)
            assertEquals("signed", field(shownByBackend, "state"), shownByBackend)
            val cms = Base64.getDecoder().decode(field(shownByBackend, "cms"))
            val doc = "Order ${n + 1}: ${if (n < 3) "3 units" else "1 unit"}.".toByteArray()
            val v = verifyCms(cms, if (n == 1) doc else null)
            if (n != 1) assertArrayEquals(doc, v.content)
        }
        assertEquals("declined", field(bank.show(unwanted), "state"))
        // The request is answered: opening it again says so.
        model.open(unwanted)
        assertEquals(Screen.Failed(Problem.Refused(RequestRefusal.ALREADY_DECLINED)), model.screen.value)
        }
        }
    }

    @Test
    fun wrongPinCardTakenAwayAndServerUnreachable() = runBlocking<Unit> {
        val (account, uri) = newAccount()
        val bank = backend()
        VirtualToken("sample card", CARD_PIN, "87654321").use { token ->
        // The "card" the user taps: a transport that can lose the card mid-command.
        val link = ForwardingTransport(token)
        val store = MapStore()
        val keyId = "k-" + System.nanoTime()
        device(store).use { dev ->
        val model = RequestsModel(dev, { TokenSession.open(link) }, keyId)
        model.cardPin = CARD_PIN
        model.keyPin = KEY_PIN
        model.enroll(uri)
        val id = bank.create(account, """{"card":"${cardId(account)}"}""", "Order 6.", detached = true)

        model.cardPin = "00000000"
        model.approveWithCard(listOf(id))
        val wrong = (model.screen.value as Screen.Failed).problem
        assertTrue(wrong is Problem.WrongPin && wrong.attemptsLeft > 0, "$wrong")

        model.cardPin = CARD_PIN
        link.failAt = link.exchanges.get() + 4
        model.approveWithCard(listOf(id))
        assertEquals(Screen.Failed(Problem.HoldStill), model.screen.value)
        link.failAt = 0
        model.approveWithCard(listOf(id))
        assertEquals(Screen.Done(1, emptyMap()), model.screen.value, "nothing was lost: the retry signs")

        // The same enrolled phone without a server (port 9: nothing listens).
        device(store, "http://127.0.0.1:9").use { offlineDevice ->
            val offline = RequestsModel(offlineDevice, VirtualCardSource(token), keyId)
            offline.refresh()
            assertEquals(Screen.Failed(Problem.ServerUnreachable), offline.screen.value)
        }
        }
        }
    }
}
