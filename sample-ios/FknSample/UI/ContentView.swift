import FknSDK
import SwiftUI

struct ContentView: View {
    @Bindable var model: SigningModel

    var body: some View {
        NavigationStack {
            Form {
                Section("Document") {
                    TextField("Text to sign", text: $model.document, axis: .vertical)
                }
                Section {
                    SecureField("PIN", text: $model.pin)
                        .keyboardType(.numberPad)
                        .textContentType(.oneTimeCode)
                    Toggle("Virtual card", isOn: $model.useVirtualCard)
                } header: {
                    Text("Card")
                } footer: {
                    Text(model.useVirtualCard
                         ? "A card in software (PIN \(VirtualCard.pin)); no NFC needed."
                         : "Enter the PIN first, then hold the card to the top of the iPhone.")
                }
                Section {
                    Button(model.canRetry ? "Try again" : "Tap card and sign") {
                        Task { await model.sign() }
                    }
                    .disabled(model.isBusy || model.pin.isEmpty)
                }
                StatusSection(phase: model.phase)
            }
            .navigationTitle("FKN sample")
        }
    }
}

struct StatusSection: View {
    let phase: SigningModel.Phase

    var body: some View {
        Section("Status") {
            switch phase {
            case .ready:
                Text("Ready.")
            case .preparingPin:
                ProgressView("Preparing the PIN…")
            case .waitingForCard:
                ProgressView("Hold the card to the iPhone…")
            case .signed(let signed):
                Label("Signed", systemImage: "checkmark.seal")
                LabeledContent("Signer", value: signed.certificate.subject)
                LabeledContent("Valid until", value: signed.certificate.notAfter.formatted(date: .abbreviated, time: .omitted))
                LabeledContent("Curve", value: signed.certificate.curve.standardName())
                LabeledContent("Signature (CMS)", value: "\(signed.cms.count) bytes, …\(signed.cmsPreview)")
                    .font(.footnote.monospaced())
            case .wrongPin(let attemptsLeft):
                Label("Wrong PIN: \(attemptsLeft) attempt(s) left.", systemImage: "exclamationmark.triangle")
                    .foregroundStyle(.orange)
            case .blocked:
                Label("The PIN is blocked. Unblock it with the admin PIN.", systemImage: "lock")
                    .foregroundStyle(.red)
            case .cardMovedAway:
                Label("The card moved away before the signature was done. Tap “Try again” and hold it still.",
                      systemImage: "wave.3.right")
                    .foregroundStyle(.orange)
            case .failed(let message):
                Label(message, systemImage: "xmark.octagon").foregroundStyle(.red)
            }
        }
    }
}
