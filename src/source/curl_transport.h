// The real Transport (transport.h): libcurl easy handles on a CurlMulti
// (net/curl_multi.h), retry waits on uv timers of the same loop. Spec §4:
// compression (gzip, deflate zlib-wrapped or raw, br, zstd as libcurl
// offers), at most 5 redirects, http/https only (redirects included), proxy
// environment variables as curl reads them, TLS options, max_body counted on
// decoded bytes, basic auth (also from URL userinfo). Error texts: see
// curl_errors.h. Loop thread only.
#pragma once
#include <cstdint>
#include <functional>
#include <unordered_set>

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

private:
    struct Transfer;
    struct Timer;

    void finish(Transfer* t, CURLcode rc);
    void fail_later(std::string error, std::function<void(Response)> done);

    net::CurlMulti& multi_;
    std::unordered_set<Transfer*> transfers_;
    std::unordered_set<Timer*> timers_;
};

}  // namespace sluiced::source
