package dev.fkn.sample.model

import dev.fkn.sdk.ServerChannel
import dev.fkn.sdk.ServerChannelException
import java.io.IOException
import java.net.HttpURLConnection
import java.net.SocketTimeoutException
import java.net.URL

/**
 * The app's [ServerChannel]: one `POST {server}/v1/device` per message
 * (`application/cbor`), with `java.net` so it runs on Android and on the JVM
 * alike. Called by the SDK on its worker thread, never on the main thread.
 * Production servers sit behind TLS (`https://`); the sample also takes
 * `http://` for a server on the developer's laptop.
 */
class HttpServerChannel(server: String, private val timeoutMillis: Int = 30_000) : ServerChannel {
    private val url = URL(server.trimEnd('/') + "/v1/device")

    override fun exchange(request: ByteArray): ByteArray {
        val c = try {
            url.openConnection() as HttpURLConnection
        } catch (e: IOException) {
            throw ServerChannelException.Unreachable()
        }
        try {
            c.requestMethod = "POST"
            c.doOutput = true
            c.connectTimeout = timeoutMillis
            c.readTimeout = timeoutMillis
            c.setRequestProperty("content-type", "application/cbor")
            c.outputStream.use { it.write(request) }
            val status = c.responseCode
            if (status != 200) throw ServerChannelException.HttpStatus(status.toUShort())
            return c.inputStream.use { it.readBytes() }
        } catch (e: SocketTimeoutException) {
            throw ServerChannelException.Timeout()
        } catch (e: IOException) {
            throw ServerChannelException.Unreachable()
        } finally {
            c.disconnect()
        }
    }
}
