import FknSDK
import SwiftUI

/// Signing requests: enroll from the operator's QR code, then list, open,
/// approve (the card: every selected request in one tap; or the two-party
/// key) and decline. The logic is `RequestsModel`; this only renders it.
struct RequestsView: View {
    @Bindable var model: RequestsModel
    /// The QR code's text: pasted, or handed over by the Camera app (`fkn://` URL).
    @Binding var uri: String
    @State private var selected: Set<String> = []

    var body: some View {
        NavigationStack {
            Form {
                if !model.isEnrolled {
                    Section {
                        TextField("fkn://enroll?…", text: $uri, axis: .vertical)
                            .textInputAutocapitalization(.never)
                            .autocorrectionDisabled()
                            .font(.footnote.monospaced())
                        Button("Enroll") {
                            Task { await model.enroll(uri: uri) }
                        }
                        .disabled(model.isRunning || uri.isEmpty || model.cardPin.isEmpty || model.keyPin.isEmpty)
                    } header: {
                        Text("Enrollment")
                    } footer: {
                        Text("Scan the QR code from your bank with the Camera app (it opens this app) or paste its text; type both PINs first.")
                    }
                }
                Section {
                    SecureField("Card PIN", text: $model.cardPin)
                        .keyboardType(.numberPad)
                    SecureField("Two-party key PIN", text: $model.keyPin)
                        .keyboardType(.numberPad)
                    Toggle("Virtual card", isOn: $model.useVirtualCard)
                } header: {
                    Text("PINs")
                } footer: {
                    Text(model.useVirtualCard
                         ? "A card in software (PIN \(VirtualCard.pin)); no NFC needed."
                         : "Type the PINs first, then hold the card to the top of the iPhone.")
                }
                Section("Status") {
                    status
                }
                content
            }
            .navigationTitle("FKN requests")
            .toolbar {
                Button("Refresh") {
                    Task { await model.refresh() }
                }
                .disabled(model.isRunning || !model.isEnrolled)
            }
        }
    }

    @ViewBuilder private var status: some View {
        switch model.screen {
        case .notEnrolled:
            Text("Not enrolled yet.")
        case .busy:
            ProgressView("Working…")
        case .holdCard:
            ProgressView("Hold the card to the top of the iPhone…")
        case .requests(let requests):
            Text(requests.isEmpty ? "Nothing to sign." : "Select requests to approve, or open one to read it.")
        case .detail(let request):
            Text(request.digestOnly ? "Only a digest is signed." : "Read the document before you approve it.")
        case .done(let signed, let refused):
            Label(Self.text(signed: signed, refused: refused), systemImage: "checkmark.seal")
        case .failed(let problem):
            Label(Self.text(for: problem), systemImage: "exclamationmark.triangle")
                .foregroundStyle(.orange)
        }
    }

    @ViewBuilder private var content: some View {
        switch model.screen {
        case .requests(let requests):
            Section {
                ForEach(requests, id: \.id) { request in
                    row(request)
                }
            }
            if !requests.isEmpty {
                approveButtons(ids: requests.map(\.id).filter(selected.contains))
            }
        case .detail(let request):
            Section(request.title) {
                if request.digestOnly {
                    Label("Only a digest is signed: the app cannot show the document.", systemImage: "eye.slash")
                    if let summary = request.summary { Text(summary) }
                } else if let document = request.document, let text = String(data: document, encoding: .utf8) {
                    Text(text).font(.body.monospaced())
                } else {
                    Text("\(request.documentLength) bytes, not text.")
                }
                LabeledContent("Key", value: request.keyKind == .card ? "card" : "two-party key")
            }
            approveButtons(ids: [request.id])
            Section {
                Button("Decline", role: .destructive) {
                    Task { await model.decline(id: request.id, reason: "declined on the phone") }
                }
                .disabled(model.isRunning)
            }
        default:
            EmptyView()
        }
    }

    private func row(_ request: SigningRequest) -> some View {
        HStack {
            // Borderless buttons: in a Form row, bordered ones would all fire on a tap of the row.
            Button {
                if selected.contains(request.id) { selected.remove(request.id) } else { selected.insert(request.id) }
            } label: {
                Image(systemName: selected.contains(request.id) ? "checkmark.circle.fill" : "circle")
            }
            .buttonStyle(.borderless)
            VStack(alignment: .leading) {
                Text(request.title)
                Text(Self.summary(of: request))
                    .font(.caption)
                    .foregroundStyle(.secondary)
            }
            Spacer()
            Button("Open") {
                Task { await model.open(id: request.id) }
            }
            .buttonStyle(.borderless)
            Button("Decline", role: .destructive) {
                Task { await model.decline(id: request.id, reason: "declined on the phone") }
            }
            .buttonStyle(.borderless)
        }
        .disabled(model.isRunning)
    }

    private func approveButtons(ids: [String]) -> some View {
        Section {
            Button("Approve with the card (one tap)") {
                selected.removeAll()
                Task { await model.approveWithCard(ids: ids) }
            }
            Button("Approve with the two-party key") {
                selected.removeAll()
                Task { await model.approveWithKey(ids: ids) }
            }
        }
        .disabled(model.isRunning || ids.isEmpty)
    }

    static func summary(of request: SigningRequest) -> String {
        let content = request.digestOnly ? "digest only" : "\(request.documentLength) bytes"
        let key = request.keyKind == .card ? "card" : "two-party key"
        return "\(content), \(key)"
    }

    static func text(signed: Int, refused: [String: RequestRefusal]) -> String {
        guard !refused.isEmpty else { return "Signed: \(signed). Tap Refresh." }
        let reasons = refused.values.map { "\($0)" }.joined(separator: ", ")
        return "Signed: \(signed). Refused: \(reasons). Tap Refresh."
    }

    static func text(for problem: RequestsModel.Problem) -> String {
        switch problem {
        case .holdStill: "The card moved away: hold it still and try again."
        case .wrongPin(let attemptsLeft): "Wrong PIN, \(attemptsLeft) attempt(s) left."
        case .pinBlocked: "The PIN is blocked: ask your administrator."
        case .serverUnreachable: "The server is unreachable: check the network and retry."
        case .refused(let refusal): "The server refused: \(refusal)."
        case .other(let message): message
        }
    }
}
