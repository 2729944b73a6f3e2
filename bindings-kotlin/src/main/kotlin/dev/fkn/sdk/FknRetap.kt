package dev.fkn.sdk

import kotlinx.coroutines.Dispatchers
import kotlinx.coroutines.withContext

/**
 * Runs [operation] across taps (see `docs/retap.md`) on [Dispatchers.IO]:
 * card I/O and waiting in [CardTapSource.nextCard] block.
 *
 * On Android keep reader mode enabled for the whole call; [source]'s
 * `nextCard` waits for the next `onTagDiscovered` and returns an
 * `IsoDepTransport` over the new tag. [listener] hears `WaitingForCard`
 * (show "hold the card to the phone again") on the I/O thread: post to the UI.
 * A wrong PIN throws `FknException.WrongPin` at once and is never retried.
 */
suspend fun RetapRunner.perform(
    first: NfcTransport,
    operation: RetapOperation,
    source: CardTapSource,
    listener: RetapListener? = null,
): RetapOutcome = withContext(Dispatchers.IO) { run(first, operation, source, listener) }
