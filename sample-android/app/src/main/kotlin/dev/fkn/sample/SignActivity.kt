package dev.fkn.sample

import android.nfc.NfcAdapter
import android.nfc.Tag
import android.os.Bundle
import android.text.InputType
import android.widget.CheckBox
import android.widget.EditText
import android.widget.LinearLayout
import android.widget.TextView
import androidx.activity.ComponentActivity
import androidx.lifecycle.lifecycleScope
import dev.fkn.sdk.Curve
import dev.fkn.sdk.core.CardApplication
import dev.fkn.sdk.core.FknException
import dev.fkn.sdk.FknCard
import dev.fkn.sdk.LogLevel
import dev.fkn.sdk.TransportException
import dev.fkn.sdk.android.IsoDepTransport
import dev.fkn.sdk.digest
import dev.fkn.sdk.digestAlgorithmFor
import dev.fkn.sdk.setLogLevel
import dev.fkn.sdk.userMessage
import dev.fkn.sdk.verifyDigest
import kotlinx.coroutines.launch

/**
 * Type the PIN, hold a card to the phone (an FKN/OFP1 token, or a Rutoken ECP
 * in PKI mode): the app logs in, takes the card's first key (or makes one),
 * signs a Streebog digest of a short text on the card and checks the
 * signature. A Rutoken takes the PIN in clear, so the app sends it over NFC
 * only when the box is ticked.
 */
class SignActivity : ComponentActivity(), NfcAdapter.ReaderCallback {
    private lateinit var pinField: EditText
    private lateinit var status: TextView
    private lateinit var allowClearPin: CheckBox
    private val nfc: NfcAdapter? by lazy { NfcAdapter.getDefaultAdapter(this) }

    override fun onCreate(savedInstanceState: Bundle?) {
        super.onCreate(savedInstanceState)
        setLogLevel(LogLevel.INFO)
        pinField = EditText(this).apply {
            hint = "PIN"
            inputType = InputType.TYPE_CLASS_NUMBER or InputType.TYPE_NUMBER_VARIATION_PASSWORD
        }
        allowClearPin = CheckBox(this).apply {
            text = "Send a Rutoken's PIN over NFC (in clear: it could be overheard)"
        }
        status = TextView(this).apply {
            text = if (nfc == null) "This phone has no NFC" else "Type the PIN, then hold the card to the phone"
        }
        setContentView(
            LinearLayout(this).apply {
                orientation = LinearLayout.VERTICAL
                setPadding(48, 48, 48, 48)
                addView(pinField)
                addView(allowClearPin)
                addView(status)
            },
        )
    }

    override fun onResume() {
        super.onResume()
        // Reader mode: this Activity gets the tag directly, without NDEF
        // polling or the system's tag dispatch. A presence check every 2 s
        // (instead of ~125 ms) keeps Android's pings away from slow card
        // operations such as key generation.
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

    // Called on an NFC binder thread; the SDK's calls run on Dispatchers.IO.
    override fun onTagDiscovered(tag: Tag) {
        lifecycleScope.launch {
            val pin = pinField.text.toString()
            status.text = "Signing…"
            status.text =
                try {
                    sign(tag, pin)
                } catch (e: FknException) {
                    e.userMessage
                } catch (e: TransportException) {
                    e.toString()
                }
        }
    }

    private suspend fun sign(tag: Tag, pin: String): String =
        IsoDepTransport.of(tag).use { link ->
            FknCard.open(link, allowClearPinOverNfc = allowClearPin.isChecked).use { card ->
                card.login(pin)
                // A Rutoken picks the key reference itself and has CryptoPro curves only.
                val rutoken = card.capabilities().application == CardApplication.RUTOKEN_PKI
                val key = card.listKeys().firstOrNull { it.publicKey.isNotEmpty() }
                    ?: if (rutoken) {
                        card.generateKey(byteArrayOf(), Curve.CRYPTO_PRO_A)
                    } else {
                        card.generateKey(byteArrayOf(1), Curve.TC26_256A, "sample key")
                    }
                val digest = digest(digestAlgorithmFor(key.curve), "Hello from the FKN sample".toByteArray())
                val signature = card.sign(key.id, digest)
                check(verifyDigest(key.curve, key.publicKey, digest, signature)) { "the signature does not verify" }
                "Signed with key “${key.label}”:\n${signature.joinToString("") { "%02x".format(it) }}"
            }
        }
}
