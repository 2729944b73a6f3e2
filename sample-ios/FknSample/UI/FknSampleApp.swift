import FknSDK
import SwiftUI

@main
struct FknSampleApp: App {
    @State private var model = SigningModel(
        nfcReader: FknNfcReader.isAvailable ? FknNfcReader() : nil,
        virtualReader: VirtualCard.reader,
        store: CardMemory(defaults: .standard)
    )

    var body: some Scene {
        WindowGroup {
            ContentView(model: model)
        }
    }
}

/// The virtual card of this app run, made on first use (PBKDF2 takes a moment).
enum VirtualCard {
    static let pin = "12345678"

    @Sendable static func reader() async throws -> any FknCardReader {
        try await shared.get()
    }

    private static let shared = Once()

    private actor Once {
        private var reader: VirtualCardReader?
        func get() async throws -> VirtualCardReader {
            if let reader { return reader }
            let token = try await makeVirtualToken(label: "Virtual card", userPin: VirtualCard.pin, adminPin: "87654321")
            let made = VirtualCardReader(token: token)
            reader = made
            return made
        }
    }
}
