import FknSDK
import Foundation
#if canImport(FoundationNetworking)
import FoundationNetworking
#endif

/// The app's `ServerChannel`: one `POST {server}/v1/device` per message
/// (`application/cbor`) with URLSession. The SDK calls it on its worker
/// thread and waits for the answer, so it blocks (on a semaphore) until
/// URLSession's completion handler, which runs on URLSession's own queue,
/// hands the answer over. Never call it on the main thread.
///
/// The server may be unknown when the app makes its `TwoPartyDevice` (the
/// channel is given to the device first, the enrollment URI comes later):
/// then `server` is nil until `RequestsModel` sets it from the URI or from
/// the enrolled device; until then every exchange fails as unreachable.
/// Production servers sit behind TLS (`https://`); the sample also takes
/// `http://` for a server on the developer's laptop.
public final class HTTPServerChannel: ServerChannel, @unchecked Sendable {
    // @unchecked: `current` is guarded by `lock`; URLSession is thread-safe.
    private let lock = NSLock()
    private var current: String?
    private let session: URLSession

    /// `server`: the base URL (`http://127.0.0.1:8710`), or nil for now.
    public init(server: String? = nil, timeout: TimeInterval = 30) {
        current = server
        let configuration = URLSessionConfiguration.ephemeral
        configuration.timeoutIntervalForRequest = timeout
        configuration.timeoutIntervalForResource = 2 * timeout
        session = URLSession(configuration: configuration)
    }

    /// The server's base URL the messages go to.
    public var server: String? {
        get { lock.lock(); defer { lock.unlock() }; return current }
        set { lock.lock(); current = newValue; lock.unlock() }
    }

    public func exchange(request: Data) throws -> Data {
        guard var base = server else { throw ServerChannelError.Unreachable }
        while base.hasSuffix("/") { base.removeLast() }
        guard let url = URL(string: base + "/v1/device") else { throw ServerChannelError.Unreachable }
        var post = URLRequest(url: url)
        post.httpMethod = "POST"
        post.setValue("application/cbor", forHTTPHeaderField: "Content-Type")
        post.httpBody = request
        let answer = Answer()
        let done = DispatchSemaphore(value: 0)
        session.dataTask(with: post) { data, response, error in
            answer.result = Self.outcome(data, response, error)
            done.signal()
        }.resume()
        done.wait()
        return try (answer.result ?? .failure(.Unreachable)).get()
    }

    /// The body of a 200 answer, or the `ServerChannelError` the SDK maps to
    /// `TwoPartyFault.serverUnreachable`, `.serverTimeout` or `.serverHttpStatus`.
    private static func outcome(_ data: Data?, _ response: URLResponse?, _ error: Error?) -> Result<Data, ServerChannelError> {
        if let error {
            // NSError's domain and code: URLError bridging differs between Darwin and Linux.
            let e = error as NSError
            return .failure(e.domain == NSURLErrorDomain && e.code == NSURLErrorTimedOut ? .Timeout : .Unreachable)
        }
        guard let http = response as? HTTPURLResponse else { return .failure(.Unreachable) }
        guard http.statusCode == 200 else { return .failure(.HttpStatus(status: UInt16(clamping: http.statusCode))) }
        return .success(data ?? Data())
    }

    /// Carries the outcome from URLSession's queue to the waiting thread;
    /// the semaphore orders the write before the read.
    private final class Answer: @unchecked Sendable {
        var result: Result<Data, ServerChannelError>?
    }
}
