import CCrypto

/// SHA-256, the digest recorded beside every compiled job library and checked before the library
/// is loaded, so that a file changed after its build is never run. Security code is the reviewed
/// one: OpenSSL's libcrypto (EVP), with the SHA extensions where the processor has them.
package struct SHA256 {
    /// One EVP context; a class so that it is freed exactly once.
    private final class Context {
        let pointer: OpaquePointer

        init() {
            guard let context = EVP_MD_CTX_new(), EVP_DigestInit_ex(context, EVP_sha256(), nil) == 1 else {
                fatalError("libcrypto cannot start a SHA-256 digest")
            }
            pointer = context
        }

        deinit { EVP_MD_CTX_free(pointer) }
    }

    private let context = Context()

    package init() {}

    /// The digest of `bytes` as 64 lowercase hex digits.
    package static func hex<Bytes: Sequence>(of bytes: Bytes) -> String where Bytes.Element == UInt8 {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finish().map { ($0 < 16 ? "0" : "") + String($0, radix: 16) }.joined()
    }

    package mutating func update<Bytes: Sequence>(_ bytes: Bytes) where Bytes.Element == UInt8 {
        if bytes.withContiguousStorageIfAvailable({ update(UnsafeRawBufferPointer($0)) }) == nil {
            Array(bytes).withUnsafeBytes { update($0) }
        }
    }

    private func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, bytes.count > 0 else { return }
        EVP_DigestUpdate(context.pointer, base, bytes.count)
    }

    /// The 32-byte digest; the hasher is spent.
    package mutating func finish() -> [UInt8] {
        var digest = [UInt8](repeating: 0, count: 32)
        var length: UInt32 = 0
        EVP_DigestFinal_ex(context.pointer, &digest, &length)
        return digest
    }
}
