// The real Transport (transport.h): libcurl easy handles on a CurlMulti
// (net/curl_multi.h), retry waits on uv timers of the same loop. Spec §4:
// compression (gzip, deflate zlib-wrapped or raw, br, zstd as libcurl
// offers), at most 5 redirects, http/https only (redirects included), proxy
// environment variables as curl reads them, TLS options, max_body counted on
// decoded bytes, basic auth (also from URL userinfo). Error texts: see
// curl_errors.h. Loop thread only.
//
// Easy handles are reused: a finished transfer's handle is cleared with
// curl_easy_reset() (every option back to its default: URL, method, body,
// headers, auth, TLS files, callbacks) and kept in a small idle pool; the
// next send() takes it and sets every option it uses again. A request thus
// never sees another request's options. Handles whose transfer received
// much data, or that failed, are not pooled (a pooled handle keeps the
// memory its receive buffer touched). Connections, the DNS cache and TLS
// sessions are the multi handle's, shared by every transfer either way.
#pragma once
#include <cstdint>
#include <functional>
#include <unordered_set>
#include <vector>

#include "net/curl_multi.h"
#include "source/transport.h"

namespace sluiced::source {

class CurlTransport final : public Transport {
public:
    // `multi` must outlive this object (or be closed first: see cancel_all).
    explicit CurlTransport(net::CurlMulti& multi);
    // Calls cancel_all(). Run the loop afterwards so the timers' close
    // callbacks can free them.
    ~CurlTransport() override;
    CurlTransport(const CurlTransport&) = delete;
    CurlTransport& operator=(const CurlTransport&) = delete;

    void send(const Request& request, std::function<void(Response)> done) override;
    void wait(std::int64_t ms, std::function<void()> done) override;

    // Drops every request and wait in flight without calling their `done`;
    // frees their easy handles and closes their timers. Call it before
    // CurlMulti::close() at shutdown (either order works).
    void cancel_all();

    // Requests plus waits in flight.
    std::size_t in_flight() const { return transfers_.size() + timers_.size(); }

    // libcurl's receive buffer size (CURLOPT_BUFFERSIZE), bytes.
    static constexpr long kBufferSize = 512 * 1024;
    // Idle easy handles kept for reuse, at most.
    static constexpr std::size_t kMaxIdleHandles = 1024;
    // A handle whose transfer received more than this (headers and body as
    // counted by libcurl) is cleaned up instead of pooled.
    static constexpr std::uint64_t kMaxPooledReceived = 64 * 1024;

    // Idle handles in the pool (tests).
    std::size_t idle_handles() const { return idle_.size(); }

private:
    struct Transfer;
    struct Timer;

    void finish(Transfer* t, CURLcode rc);
    CURL* acquire();
    // Resets `easy` and pools it, or cleans it up.
    void release(CURL* easy, bool reusable);
    void fail_later(std::string error, std::function<void(Response)> done);

    net::CurlMulti& multi_;
    std::unordered_set<Transfer*> transfers_;
    std::unordered_set<Timer*> timers_;
    std::vector<CURL*> idle_;
};

}  // namespace sluiced::source
