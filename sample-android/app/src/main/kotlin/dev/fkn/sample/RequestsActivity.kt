package dev.fkn.sample

import android.nfc.NfcAdapter
import android.nfc.Tag
import android.os.Bundle
import android.text.InputType
import android.view.View
import android.widget.Button
import android.widget.CheckBox
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.ScrollView
import android.widget.Switch
import android.widget.TextView
import androidx.activity.ComponentActivity
import androidx.lifecycle.lifecycleScope
import com.google.mlkit.vision.codescanner.GmsBarcodeScanning
import dev.fkn.sample.model.CardSource
import dev.fkn.sample.model.HttpServerChannel
import dev.fkn.sample.model.Problem
import dev.fkn.sample.model.RequestsModel
import dev.fkn.sample.model.Screen
import dev.fkn.sample.model.VirtualCardSource
import dev.fkn.sdk.TokenSession
import dev.fkn.sdk.TwoPartyDevice
import dev.fkn.sdk.VirtualToken
import dev.fkn.sdk.android.IsoDepTransport
import dev.fkn.sdk.readEnrollmentUri
import kotlinx.coroutines.CompletableDeferred
import kotlinx.coroutines.launch

/**
 * Signing requests, the whole story on the public API: scan the operator's
 * QR code (Google's code scanner: no camera permission) or paste its URI,
 * type the PINs, then list, open, approve with the card (all selected
 * requests in one tap) or the two-party key, decline. The "virtual card"
 * switch replaces NFC for emulators. The logic is [RequestsModel]
 * (`src/model`), tested on the JVM against a real fkn-server.
 */
class RequestsActivity : ComponentActivity(), NfcAdapter.ReaderCallback {
    private val nfc: NfcAdapter? by lazy { NfcAdapter.getDefaultAdapter(this) }
    private var waitingTap: CompletableDeferred<TokenSession>? = null
    private var model: RequestsModel? = null
    private val selected = mutableSetOf<String>()

    private lateinit var uriField: EditText
    private lateinit var cardPin: EditText
    private lateinit var keyPin: EditText
    private lateinit var virtualCard: Switch
    private lateinit var status: TextView
    private lateinit var list: LinearLayout

    /** The card: the next NFC tag, or the virtual one. */
    private val cards = CardSource {
        if (virtualCard.isChecked) {
            VirtualCardSource(virtualToken).tap()
        } else {
            CompletableDeferred<TokenSession>().also { waitingTap = it }.await()
        }
    }
    private val virtualToken by lazy { VirtualToken("virtual card", "12345678", "87654321") }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        uriField = EditText(this).apply { hint = "fkn://enroll?… (or scan)" }
        cardPin = pinField("Card PIN")
        keyPin = pinField("Two-party key PIN")
        virtualCard = Switch(this).apply {
            text = "Virtual card (emulator)"
            isChecked = nfc == null
        }
        status = TextView(this)
        list = LinearLayout(this).apply { orientation = LinearLayout.VERTICAL }
        val root = LinearLayout(this).apply {
            orientation = LinearLayout.VERTICAL
            setPadding(48, 48, 48, 48)
            addView(uriField)
            addView(button("Scan QR code") { scan() })
            addView(button("Enroll") { act { it.enroll(uriField.text.toString()) } })
            addView(cardPin)
            addView(keyPin)
            addView(virtualCard)
            addView(button("Refresh") { act { it.refresh() } })
            addView(button("Approve selected with the card") { act { it.approveWithCard(selected.toList()) } })
            addView(button("Approve selected with the two-party key") { act { it.approveWithKey(selected.toList()) } })
            addView(status)
            addView(list)
        }
        setContentView(ScrollView(this).apply { addView(root) })
        lifecycleScope.launch { connect()?.start() }
    }

    private fun pinField(hint: String) = EditText(this).apply {
        this.hint = hint
        inputType = InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_VARIATION_PASSWORD
    }

    private fun button(label: String, onClick: () -> Unit) =
        Button(this).apply {
            text = label
            setOnClickListener { onClick() }
        }

    /** The model for the server of the enrolled device, or of the URI typed. */
    private fun connect(): RequestsModel? {
        model?.let { return it }
        val store = KeystoreSecureStore(this)
        val server = getSharedPreferences("sample", MODE_PRIVATE).getString("server", null)
            ?: runCatching { readEnrollmentUri(uriField.text.toString().trim()).server }.getOrNull()
            ?: return null.also { show(Screen.NotEnrolled) }
        val prefs = getSharedPreferences("sample", MODE_PRIVATE)
        // Key ids are unique on the server: one random id per install, kept.
        val keyId = prefs.getString("key", null)
            ?: ("main-" + java.util.UUID.randomUUID().toString().take(8))
        prefs.edit().putString("server", server).putString("key", keyId).apply()
        val device = TwoPartyDevice(store, HttpServerChannel(server))
        return RequestsModel(device, cards, keyId).also { m ->
            model = m
            lifecycleScope.launch { m.screen.collect(::show) }
        }
    }

    private fun act(step: suspend (RequestsModel) -> Unit) {
        val m = connect() ?: return
        m.cardPin = cardPin.text.toString()
        m.keyPin = keyPin.text.toString()
        lifecycleScope.launch { step(m) }
    }

    private fun scan() {
        GmsBarcodeScanning.getClient(this).startScan().addOnSuccessListener { code ->
            uriField.setText(code.rawValue.orEmpty())
        }
    }

    private fun show(screen: Screen) {
        list.removeAllViews()
        status.text = when (screen) {
            Screen.NotEnrolled -> "Scan the QR code from your bank, type the PINs, tap Enroll"
            Screen.Busy -> "Working…"
            Screen.HoldCard -> "Hold the card to the back of the phone"
            is Screen.Requests -> {
                selected.clear()
                screen.requests.forEach { r ->
                    list.addView(CheckBox(this).apply {
                        text = "${r.title} (${if (r.digestOnly) "digest only" else "${r.documentLength} bytes"}, ${r.keyKind})"
                        setOnCheckedChangeListener { _, on -> if (on) selected += r.id else selected -= r.id }
                    })
                    list.addView(button("Open") { act { it.open(r.id) } })
                    list.addView(button("Decline") { act { it.decline(r.id, "declined on the phone") } })
                }
                if (screen.requests.isEmpty()) "Nothing to sign" else "${screen.requests.size} request(s) to sign"
            }
            is Screen.Detail -> {
                val r = screen.request
                selected.clear()
                selected += r.id
                list.addView(TextView(this).apply {
                    text = r.document?.decodeToString()
                        ?: "Only a digest is signed; the document is not shown:\n${r.summary.orEmpty()}"
                })
                r.title
            }
            is Screen.Done -> "Signed ${screen.signed}" +
                if (screen.refused.isEmpty()) "" else "; refused: ${screen.refused.values.joinToString()}"
            is Screen.Failed -> when (val p = screen.problem) {
                Problem.HoldStill -> "The card moved away: hold it still and try again"
                is Problem.WrongPin -> "Wrong PIN, ${p.attemptsLeft} attempt(s) left"
                Problem.PinBlocked -> "PIN blocked: ask your administrator"
                Problem.ServerUnreachable -> "The server is unreachable: check the network and retry"
                is Problem.Refused -> "The server refused: ${p.refusal}"
                is Problem.Other -> p.message
            }
        }
        list.visibility = if (list.childCount == 0) View.GONE else View.VISIBLE
    }

    override fun onResume() {
        super.onResume()
        val options = Bundle().apply { putInt(NfcAdapter.EXTRA_READER_PRESENCE_CHECK_DELAY, 2_000) }
        nfc?.enableReaderMode(
            this,
            this,
            NfcAdapter.FLAG_READER_NFC_A or NfcAdapter.FLAG_READER_NFC_B or NfcAdapter.FLAG_READER_SKIP_NDEF_CHECK,
            options,
        )
    }

    override fun onPause() {
        nfc?.disableReaderMode(this)
        super.onPause()
    }

    // An NFC binder thread: hand the card to the model's waiting step.
    override fun onTagDiscovered(tag: Tag) {
        val waiting = waitingTap ?: return
        waitingTap = null
        try {
            waiting.complete(TokenSession.open(IsoDepTransport.of(tag)))
        } catch (e: Exception) {
            waiting.completeExceptionally(e)
        }
    }
}
