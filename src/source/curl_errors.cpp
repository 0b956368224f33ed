#include "source/curl_errors.h"

#include <cctype>
#include <cerrno>

#include "log/log.h"

namespace sluiced::source {

namespace {

// curl's own message, made safe to log and to follow a colon.
std::string detail(const CurlFailure& f) {
    std::string d = f.error_buffer;
    while (!d.empty() && (d.back() == '\n' || d.back() == '\r' || d.back() == ' ' || d.back() == '.')) d.pop_back();
    if (d.empty()) d = curl_easy_strerror(f.code);
    // Keep acronyms ("TLS", "SSL") as they are.
    if (d.size() > 1 && std::isupper((unsigned char)d[0]) && std::islower((unsigned char)d[1]))
        d[0] = char(std::tolower((unsigned char)d[0]));
    return log::redact_text(d);
}

}  // namespace

TransportError describe_curl_failure(const CurlFailure& f) {
    if (f.body_too_large)
        return {"response body exceeds max_body (" + std::to_string(f.max_body) + " bytes)", false};
    switch (f.code) {
        case CURLE_COULDNT_CONNECT:
            if (f.os_errno == ECONNREFUSED) return {"connection refused", true};
            return {"could not connect: " + detail(f), true};
        case CURLE_COULDNT_RESOLVE_HOST:
        case CURLE_COULDNT_RESOLVE_PROXY:
            return {detail(f), true};
        case CURLE_OPERATION_TIMEDOUT:
            if (!f.connected && f.connect_timeout_ms > 0 && f.connect_timeout_ms < f.timeout_ms)
                return {"connect timed out after " + std::to_string(f.connect_timeout_ms) + " ms", true};
            return {"timed out after " + std::to_string(f.timeout_ms) + " ms", true};
        case CURLE_GOT_NOTHING:
            return {"server closed the connection without a response", true};
        case CURLE_PARTIAL_FILE:
            return {"response body incomplete: " + detail(f), true};
        case CURLE_RECV_ERROR:
            return {"receive failed: " + detail(f), true};
        case CURLE_SEND_ERROR:
            return {"send failed: " + detail(f), true};
        case CURLE_HTTP2:
        case CURLE_HTTP2_STREAM:
        case CURLE_HTTP3:
        case CURLE_QUIC_CONNECT_ERROR:
            return {detail(f), true};
        case CURLE_TOO_MANY_REDIRECTS:
            return {"too many redirects (max 5)", false};
        case CURLE_UNSUPPORTED_PROTOCOL:
            if (f.redirect_count > 0) {
                std::string t = "redirect to a non-http(s) URL refused";
                if (!f.redirect_target.empty()) t += ": " + log::redact_url(f.redirect_target);
                return {t, false};
            }
            return {"unsupported protocol: " + detail(f), false};
        case CURLE_PEER_FAILED_VERIFICATION:
            return {"TLS certificate verification failed: " + detail(f), false};
        case CURLE_SSL_CACERT_BADFILE:
            return {"TLS CA file could not be read: " + detail(f), false};
        case CURLE_SSL_CERTPROBLEM:
            return {"TLS client certificate problem: " + detail(f), false};
        case CURLE_SSL_CONNECT_ERROR:
        case CURLE_SSL_CIPHER:
        case CURLE_SSL_ENGINE_NOTFOUND:
        case CURLE_SSL_ENGINE_SETFAILED:
        case CURLE_SSL_ENGINE_INITFAILED:
        case CURLE_SSL_ISSUER_ERROR:
        case CURLE_SSL_CRL_BADFILE:
        case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
        case CURLE_SSL_INVALIDCERTSTATUS:
            return {"TLS handshake failed: " + detail(f), false};
        case CURLE_BAD_CONTENT_ENCODING:
            return {"could not decode the response body: " + detail(f), false};
        case CURLE_URL_MALFORMAT:
            return {"malformed URL: " + detail(f), false};
        case CURLE_OUT_OF_MEMORY:
            // libcurl < 8.6 reports response headers past its limit (100 KB
            // for one header, 300 KB in all) as out of memory, without text.
            if (f.connected) return {"response headers too large or out of memory: " + detail(f), false};
            return {detail(f), false};
#if LIBCURL_VERSION_NUM >= 0x080600
        case CURLE_TOO_LARGE:
            return {"response headers too large: " + detail(f), false};
#endif
        default:
            return {detail(f), false};
    }
}

}  // namespace sluiced::source
