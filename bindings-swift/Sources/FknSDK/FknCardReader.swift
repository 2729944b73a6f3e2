import Foundation

/// Text for the person holding the card, while a card session runs. With
/// CoreNFC it is the system NFC sheet's `alertMessage`; elsewhere it goes
/// wherever the reader sends it.
public struct FknProgress: Sendable {
    private let show: @Sendable (String) -> Void

    public init(_ show: @escaping @Sendable (String) -> Void) {
        self.show = show
    }

    /// Shows `message` (e.g. "Signing…").
    public func callAsFunction(_ message: String) {
        show(message)
    }
}

/// Something that waits for a card, opens a session on it and runs your code
/// with it: `FknNfcReader` (CoreNFC, iPhone) or `VirtualCardReader` (a
/// virtual token: simulator, tests, previews). Apps and view models depend on
/// this protocol so they run unchanged on both.
public protocol FknCardReader: Sendable {
    /// Asks for a card with `prompt`, opens a session on it and returns what
    /// `body` returns. Keep `body` short: iOS ends an NFC session about 20 s
    /// after the first card connection (prepare the PIN before calling).
    ///
    /// Throws `FknError.Link(.cardRemoved)` when the card left the field and
    /// the reader gave up waiting for it to come back, `.Link(.cancelled)`
    /// when the user closed the NFC sheet, `.Link(.timeout)` when the session
    /// timed out, and whatever `body` throws.
    func withCard<T: Sendable>(
        prompt: String,
        _ body: @escaping @Sendable (FknToken, FknProgress) async throws -> T
    ) async throws -> T
}

/// A `FknCardReader` over a virtual token: every `withCard` is a new tap on
/// the same card (a new session, after a power cycle of the token).
public final class VirtualCardReader: FknCardReader {
    /// The token every tap reaches.
    public let token: VirtualToken
    private let progress: FknProgress

    /// `progress` receives what a real reader would show on the NFC sheet.
    public init(token: VirtualToken, progress: FknProgress = FknProgress { _ in }) {
        self.token = token
        self.progress = progress
    }

    public func withCard<T: Sendable>(
        prompt: String,
        _ body: @escaping @Sendable (FknToken, FknProgress) async throws -> T
    ) async throws -> T {
        progress(prompt)
        token.reset()
        let card = try await FknToken.open(token.transport())
        return try await body(card, progress)
    }
}
