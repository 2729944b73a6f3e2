import Dispatch

/// Where the SDK's blocking calls run: a serial dispatch queue of their own,
/// never the main actor and never Swift's cooperative thread pool. A card
/// exchange blocks its thread until the card answers (up to the transport's
/// timeout); on the cooperative pool, which has one thread per core, a few of
/// those would stall every other task of the app.
///
/// One executor per card session serializes that session's calls (the card
/// answers one command at a time anyway); different sessions get different
/// executors and run in parallel.
public final class FknExecutor: @unchecked Sendable {
    // @unchecked: the only state is an immutable reference to a dispatch
    // queue, which is thread-safe.
    private let queue: DispatchQueue

    /// A new serial queue; `label` names it in debuggers and crash logs.
    public init(label: String = "dev.fkn.sdk.session") {
        queue = DispatchQueue(label: label, qos: .userInitiated)
    }

    /// Runs the blocking `body` on this executor's queue and returns its
    /// result (or rethrows its error) to the awaiting task.
    ///
    /// A cancelled task does not start new work (`CancellationError`); a call
    /// already running finishes first, as a card command cannot be taken back.
    public func run<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try Task.checkCancellation()
        return try await withCheckedThrowingContinuation { continuation in
            queue.async {
                continuation.resume(with: Result { try body() })
            }
        }
    }
}
