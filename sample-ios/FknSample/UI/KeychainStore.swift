import FknSDK
import Foundation
import Security

/// The SDK's `SecureStore` on iOS: each record (the PIN-masked key share, the
/// device credential) is a generic-password Keychain item of this app,
/// readable only while the device is unlocked and only on this device (not
/// restored from a backup onto another phone).
final class KeychainStore: SecureStore {
    private let service: String

    init(service: String = "dev.fkn.sample.two-party") {
        self.service = service
    }

    func load(keyId: String) throws -> Data? {
        var query = item(keyId)
        query[kSecReturnData as String] = true
        query[kSecMatchLimit as String] = kSecMatchLimitOne
        var result: CFTypeRef?
        let status = SecItemCopyMatching(query as CFDictionary, &result)
        if status == errSecItemNotFound { return nil }
        try check(status)
        guard let data = result as? Data else {
            throw SecureStoreError.Io(detail: "the Keychain item \(keyId) holds no data")
        }
        return data
    }

    /// Replaces the item in one Keychain call (atomic), or adds it.
    func save(keyId: String, blob: Data) throws {
        let update = [kSecValueData as String: blob] as [String: Any]
        let status = SecItemUpdate(item(keyId) as CFDictionary, update as CFDictionary)
        if status != errSecItemNotFound {
            try check(status)
            return
        }
        var add = item(keyId)
        add[kSecValueData as String] = blob
        add[kSecAttrAccessible as String] = kSecAttrAccessibleWhenUnlockedThisDeviceOnly
        try check(SecItemAdd(add as CFDictionary, nil))
    }

    func delete(keyId: String) throws {
        let status = SecItemDelete(item(keyId) as CFDictionary)
        if status != errSecItemNotFound { try check(status) }
    }

    private func item(_ keyId: String) -> [String: Any] {
        [
            kSecClass as String: kSecClassGenericPassword,
            kSecAttrService as String: service,
            kSecAttrAccount as String: keyId,
        ]
    }

    private func check(_ status: OSStatus) throws {
        switch status {
        case errSecSuccess:
            return
        case errSecInteractionNotAllowed:
            // Locked device: the item is not readable now.
            throw SecureStoreError.Unavailable
        default:
            let text = SecCopyErrorMessageString(status, nil) as String? ?? "status \(status)"
            throw SecureStoreError.Io(detail: "Keychain: \(text)")
        }
    }
}
