import FknSDK
import SwiftUI

@main
struct FknSampleApp: App {
    @State private var requests: RequestsModel
    @State private var model: SigningModel
    @State private var tab = Tab.requests
    /// The enrollment URI, typed or handed over by the Camera app.
    @State private var enrollmentUri = ""

    enum Tab: Hashable {
        case requests, card
    }

    init() {
        let memory = CardMemory(defaults: .standard)
        let nfc = Self.nfcReader()
        _model = State(initialValue: SigningModel(nfcReader: nfc, virtualReader: VirtualCard.reader, store: memory))
        // The server is known only from the QR code (or, later, from the
        // enrolled device): the model points the channel at it.
        let channel = HTTPServerChannel()
        let device = TwoPartyDevice(store: KeychainStore(), channel: channel)
        _requests = State(initialValue: RequestsModel(device: device, channel: channel, nfcReader: nfc,
                                                      virtualReader: VirtualCard.reader, memory: memory))
    }

    var body: some Scene {
        WindowGroup {
            TabView(selection: $tab) {
                RequestsView(model: requests, uri: $enrollmentUri)
                    .tabItem { Label("Requests", systemImage: "tray") }
                    .tag(Tab.requests)
                ContentView(model: model)
                    .tabItem { Label("Card test", systemImage: "creditcard") }
                    .tag(Tab.card)
            }
            .task { await requests.start() }
            // The Camera app reads the operator's QR code and opens fkn://enroll?…
            // here (the scheme is registered in Info.plist): fill the field; the
            // user types the PINs and taps Enroll.
            .onOpenURL { url in
                guard url.scheme?.lowercased() == "fkn" else { return }
                enrollmentUri = url.absoluteString
                tab = .requests
            }
        }
    }

    /// CoreNFC where the device can read tags; nil in the simulator and on
    /// iPads (the virtual card is used then).
    private static func nfcReader() -> (any FknCardReader)? {
        #if canImport(CoreNFC) && os(iOS)
        FknNfcReader.isAvailable ? FknNfcReader() : nil
        #else
        nil
        #endif
    }
}

/// The virtual card, made on first use (PBKDF2 takes a moment) and kept in
/// the app's files, so that the card key registered at enrollment is still
/// there after a restart (delete the app to start over).
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
            let token = try await FknExecutor(label: "dev.fkn.sample.virtual-card").run {
                let directory = try FileManager.default.url(for: .applicationSupportDirectory, in: .userDomainMask,
                                                            appropriateFor: nil, create: true)
                let path = directory.appendingPathComponent("virtual-card.fkn").path
                if FileManager.default.fileExists(atPath: path) {
                    return try VirtualToken.open(path: path)
                }
                return try VirtualToken.create(path: path, label: "Virtual card", userPin: VirtualCard.pin, adminPin: "87654321")
            }
            let made = VirtualCardReader(token: token)
            reader = made
            return made
        }
    }
}
