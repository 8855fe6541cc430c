// The dashboard's static files, embedded at build time (scripts/gen-assets.sh writes
// Generated/DashboardAssets.swift from dashboard/): served at "/" (index.html) and
// "/<relative path>", with a strong ETag from the content hash (304 on If-None-Match),
// Cache-Control, and the gzip copy when the client accepts gzip.
import ProtoWire

/// One embedded file, as the generator wrote it.
struct EmbeddedAsset: Sendable {
    let path: String
    let contentType: String
    let etag: String
    let base64: String
    let gzipBase64: String?
}

/// A file ready to serve: bytes decoded once, at first use.
struct Asset: Sendable {
    let contentType: String
    let etag: String
    let bytes: [UInt8]
    let gzipped: [UInt8]?
    /// index.html must be revalidated (it names the other files); the rest may be cached
    /// briefly and revalidated by ETag.
    let cacheControl: String
}

enum DashboardAssets {
    /// Keyed by the request path ("/" and "/index.html" both name index.html).
    static let byPath: [String: Asset] = {
        var table: [String: Asset] = [:]
        for file in embedded {
            let asset = Asset(contentType: file.contentType, etag: file.etag, bytes: Base64.decode(file.base64) ?? [],
                              gzipped: file.gzipBase64.flatMap { Base64.decode($0) },
                              cacheControl: file.path.hasSuffix(".html") ? "no-cache" : "public, max-age=300")
            table["/" + file.path] = asset
            if file.path == "index.html" { table["/"] = asset }
        }
        return table
    }()

    /// The response for `GET path`, given the request's If-None-Match and Accept-Encoding.
    static func response(path: String, head: Bool, ifNoneMatch: String?, acceptEncoding: String?) -> HTTPResponse? {
        guard let asset = byPath[path] else { return nil }
        var fields = [("etag", asset.etag), ("cache-control", asset.cacheControl), ("vary", "accept-encoding")]
        if let tags = ifNoneMatch, tags.split(separator: ",").contains(where: { $0.trimmingCharacters == asset.etag || $0.trimmingCharacters == "*" }) {
            return HTTPResponse(status: 304, fields: fields, body: [])
        }
        fields.append(("content-type", asset.contentType))
        fields.append(("x-content-type-options", "nosniff"))
        if let gzipped = asset.gzipped, acceptsGzip(acceptEncoding) {
            fields.append(("content-encoding", "gzip"))
            return HTTPResponse(status: 200, fields: fields, body: gzipped, headOnly: head)
        }
        return HTTPResponse(status: 200, fields: fields, body: asset.bytes, headOnly: head)
    }

    /// Whether an Accept-Encoding value allows gzip (not with q=0).
    static func acceptsGzip(_ value: String?) -> Bool {
        guard let value else { return false }
        for item in value.lowercased().split(separator: ",") {
            let parts = item.split(separator: ";").map { $0.trimmingCharacters }
            guard parts.first == "gzip" || parts.first == "*" else { continue }
            if parts.dropFirst().contains(where: { $0.replacingSpaces.hasPrefix("q=0") && !$0.contains(where: { "123456789".contains($0) }) }) {
                return false
            }
            return true
        }
        return false
    }
}

extension Substring {
    var trimmingCharacters: String {
        var s = self
        while let c = s.first, c == " " || c == "\t" { s = s.dropFirst() }
        while let c = s.last, c == " " || c == "\t" { s = s.dropLast() }
        return String(s)
    }
}

extension String {
    var replacingSpaces: String { String(filter { $0 != " " }) }
}
