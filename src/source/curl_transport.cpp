#include "source/curl_transport.h"
#include "util/ascii.h"

#include <sys/mman.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <charconv>
#include <cstdint>
#include <string>
#include <system_error>
#include <thread>
#include <utility>

#include "net/curl_global.h"
#include "source/curl_errors.h"
#include "util/cpus.h"

namespace sluiced::source {

namespace {

std::string_view trim_ows(std::string_view s) {
    while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
    while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
        s.remove_suffix(1);
    return s;
}

bool has_line_break(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

// A big body buffer (fresh, untouched memory from reserve()) is asked to be
// backed by transparent huge pages: one page fault per 2 MiB instead of per
// 4 KiB while the body arrives. Only a hint; no effect where THP is off.
void advise_huge_pages(std::string& buf) {
    constexpr std::uintptr_t kHuge = 2u << 20;
    if (buf.capacity() < 4 * kHuge) return;
    auto begin = reinterpret_cast<std::uintptr_t>(buf.data());
    std::uintptr_t lo = (begin + kHuge - 1) & ~(kHuge - 1);
    std::uintptr_t hi = (begin + buf.capacity()) & ~(kHuge - 1);
    if (hi > lo) ::madvise(reinterpret_cast<void*>(lo), hi - lo, MADV_HUGEPAGE);
}

// Faults a big reserved body buffer in on another core while the body
// arrives (MADV_POPULATE_WRITE, Linux 5.14+: it maps the pages without
// changing a byte, so it may run while the loop thread writes into them).
// Stopped and joined before the buffer moves or is freed. At most
// kMaxActive at once in the process (many big transfers at the same time
// fault their own pages, as without it).
class Prefaulter {
public:
    static constexpr std::size_t kMinBytes = 16u << 20;
    static constexpr std::size_t kStep = 2u << 20;
    static constexpr int kMaxActive = 2;

    void start(const std::string& buf) {
        if (buf.capacity() < kMinBytes || usable_cpus() < 2) return;
        if (active().fetch_add(1) >= kMaxActive) {
            active().fetch_sub(1);
            return;
        }
        counted_ = true;
        const std::uintptr_t page = std::uintptr_t(::sysconf(_SC_PAGESIZE));
        auto begin = reinterpret_cast<std::uintptr_t>(buf.data());
        std::uintptr_t lo = (begin + page - 1) & ~(page - 1);
        std::uintptr_t hi = (begin + buf.capacity()) & ~(page - 1);
        if (hi <= lo) return release();
        try {
            thread_ = std::thread([this, lo, hi] {
                for (std::uintptr_t p = lo; p < hi && !stop_.load(std::memory_order_relaxed); p += kStep) {
                    std::size_t n = std::min<std::uintptr_t>(kStep, hi - p);
                    if (::madvise(reinterpret_cast<void*>(p), n, 23 /* MADV_POPULATE_WRITE */) != 0) return;
                }
            });
        } catch (const std::system_error&) {
            release();  // no thread: the pages fault in as the body is written
        }
    }
    void stop() {
        stop_.store(true, std::memory_order_relaxed);
        if (thread_.joinable()) thread_.join();
        release();
    }
    ~Prefaulter() { stop(); }

private:
    static std::atomic<int>& active() {
        static std::atomic<int> n{0};
        return n;
    }
    void release() {
        if (counted_) active().fetch_sub(1);
        counted_ = false;
    }
    std::thread thread_;
    std::atomic<bool> stop_{false};
    bool counted_ = false;
};

}  // namespace

struct CurlTransport::Transfer {
    CurlTransport* owner = nullptr;
    CURL* easy = nullptr;
    curl_slist* headers = nullptr;
    std::string body;  // CURLOPT_POSTFIELDS points into it
    char errbuf[CURL_ERROR_SIZE] = {};
    Response response;
    std::uint64_t max_body = 0;
    std::uint64_t received = 0;      // decoded body bytes
    bool too_large = false;
    std::int64_t content_length = -1;  // of the current header block
    bool reserved = false;
    std::int64_t timeout_ms = 0, connect_timeout_ms = 0;
    std::function<void(Response)> done;
    Prefaulter prefault;  // of response.body, while it does not move

    // The easy handle is given back (CurlTransport::release) or cleaned up
    // before the Transfer dies: it may point at `headers` and `body`.
    ~Transfer() {
        prefault.stop();
        if (easy) curl_easy_cleanup(easy);
        if (headers) curl_slist_free_all(headers);
    }

    // One call per header line, of every header block (redirects, 1xx and a
    // proxy's CONNECT reply included): a status line starts a new block.
    static size_t on_header(char* data, size_t size, size_t n, void* userp) {
        auto* t = static_cast<Transfer*>(userp);
        const size_t len = size * n;
        std::string_view line(data, len);
        if (line.substr(0, 5) == "HTTP/") {
            t->response.headers.clear();
            t->content_length = -1;
            return len;
        }
        std::string_view content = trim_ows(line);
        if (content.empty()) return len;
        if ((line[0] == ' ' || line[0] == '\t') && !t->response.headers.empty()) {
            // Obsolete line folding: a continuation of the previous value.
            t->response.headers.back().second.append(" ").append(content);
            return len;
        }
        auto colon = line.find(':');
        if (colon == std::string_view::npos) return len;
        std::string_view name = line.substr(0, colon);
        std::string_view value = trim_ows(line.substr(colon + 1));
        if (iequals(name, "Content-Length")) {
            std::int64_t v = -1;
            auto r = std::from_chars(value.data(), value.data() + value.size(), v);
            if (r.ec == std::errc() && r.ptr == value.data() + value.size()) t->content_length = v;
        }
        t->response.headers.emplace_back(std::string(name), std::string(value));
        return len;
    }

    // Receives the decoded body (libcurl decodes Content-Encoding first).
    static size_t on_write(char* data, size_t size, size_t n, void* userp) {
        auto* t = static_cast<Transfer*>(userp);
        const size_t len = size * n;
        // received <= max_body holds here: the first excess stops the transfer.
        if (len > t->max_body - t->received) {
            t->received += len;
            t->too_large = true;
            return 0;  // CURLE_WRITE_ERROR: stop reading now
        }
        if (!t->reserved) {
            t->reserved = true;
            if (t->content_length > 0) {
                t->response.body.reserve(std::size_t(std::min<std::uint64_t>(t->content_length, t->max_body)));
                advise_huge_pages(t->response.body);
                t->prefault.start(t->response.body);
            }
        }
        if (len > t->response.body.capacity() - t->response.body.size()) t->prefault.stop();  // it will move
        t->received += len;
        t->response.body.append(data, len);
        return len;
    }
};

struct CurlTransport::Timer {
    uv_timer_t handle{};
    CurlTransport* owner = nullptr;
    std::function<void()> done;

    static void on_closed(uv_handle_t* h) { delete static_cast<Timer*>(h->data); }
    void close() {
        uv_timer_stop(&handle);
        uv_close(reinterpret_cast<uv_handle_t*>(&handle), &Timer::on_closed);
    }
};

CurlTransport::CurlTransport(net::CurlMulti& multi) : multi_(multi) {
    // One receive buffer per transfer in flight, reused (net/curl_global.h).
    net::cache_curl_receive_buffers(std::size_t(kBufferSize), kMaxIdleHandles);
}

CurlTransport::~CurlTransport() {
    cancel_all();
    for (CURL* easy : idle_) curl_easy_cleanup(easy);
    idle_.clear();
}

CURL* CurlTransport::acquire() {
    if (idle_.empty()) return curl_easy_init();
    CURL* easy = idle_.back();
    idle_.pop_back();
    return easy;
}

void CurlTransport::release(CURL* easy, bool reusable) {
    if (!easy) return;
    if (!reusable || idle_.size() >= kMaxIdleHandles) {
        curl_easy_cleanup(easy);
        return;
    }
    // Every option back to its default: nothing of this request (URL,
    // method, body, headers, credentials, callbacks and their data) can
    // reach the next one.
    curl_easy_reset(easy);
    idle_.push_back(easy);
}

void CurlTransport::cancel_all() {
    auto transfers = std::move(transfers_);
    transfers_.clear();
    for (Transfer* t : transfers) {
        multi_.cancel(t->easy);
        delete t;
    }
    auto timers = std::move(timers_);
    timers_.clear();
    for (Timer* t : timers) t->close();
}

void CurlTransport::wait(std::int64_t ms, std::function<void()> done) {
    auto* t = new Timer;
    t->owner = this;
    t->done = std::move(done);
    t->handle.data = t;
    uv_timer_init(multi_.loop(), &t->handle);
    timers_.insert(t);
    uv_timer_start(
        &t->handle,
        [](uv_timer_t* h) {
            auto* t = static_cast<Timer*>(h->data);
            t->owner->timers_.erase(t);
            auto done = std::move(t->done);
            t->close();
            if (done) done();
        },
        std::uint64_t(std::max<std::int64_t>(ms, 0)), 0);
}

void CurlTransport::fail_later(std::string error, std::function<void(Response)> done) {
    wait(0, [error = std::move(error), done = std::move(done)]() {
        Response r;
        r.error = error;
        done(std::move(r));
    });
}

void CurlTransport::send(const Request& req, std::function<void(Response)> done) {
    for (const auto& [name, value] : req.headers) {
        if (name.empty() || has_line_break(name) || has_line_break(value) ||
            name.find(':') != std::string::npos) {
            fail_later("invalid request header \"" + (has_line_break(name) ? std::string("?") : name) + "\"",
                       std::move(done));
            return;
        }
    }
    CURL* easy = acquire();
    if (!easy) {
        fail_later("could not create a curl handle", std::move(done));
        return;
    }
    auto* t = new Transfer;
    t->owner = this;
    t->easy = easy;
    t->max_body = req.max_body;
    t->timeout_ms = req.timeout_ms;
    t->connect_timeout_ms = req.connect_timeout_ms;
    t->done = std::move(done);

    curl_easy_setopt(easy, CURLOPT_PRIVATE, t);
    curl_easy_setopt(easy, CURLOPT_URL, req.url.c_str());
    curl_easy_setopt(easy, CURLOPT_ERRORBUFFER, t->errbuf);
    curl_easy_setopt(easy, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(easy, CURLOPT_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_REDIR_PROTOCOLS_STR, "http,https");
    curl_easy_setopt(easy, CURLOPT_FOLLOWLOCATION, 1L);
    curl_easy_setopt(easy, CURLOPT_MAXREDIRS, 5L);
    curl_easy_setopt(easy, CURLOPT_ACCEPT_ENCODING, "");  // every decoder libcurl has
    curl_easy_setopt(easy, CURLOPT_TIMEOUT_MS, long(req.timeout_ms));
    curl_easy_setopt(easy, CURLOPT_CONNECTTIMEOUT_MS, long(req.connect_timeout_ms));
    curl_easy_setopt(easy, CURLOPT_BUFFERSIZE, kBufferSize);
    curl_easy_setopt(easy, CURLOPT_USERAGENT, "sluiced/" SLUICED_VERSION);
    curl_easy_setopt(easy, CURLOPT_SUPPRESS_CONNECT_HEADERS, 1L);
    curl_easy_setopt(easy, CURLOPT_HEADERFUNCTION, &Transfer::on_header);
    curl_easy_setopt(easy, CURLOPT_HEADERDATA, t);
    curl_easy_setopt(easy, CURLOPT_WRITEFUNCTION, &Transfer::on_write);
    curl_easy_setopt(easy, CURLOPT_WRITEDATA, t);
    // Proxies: libcurl reads http_proxy/https_proxy/no_proxy... by default.

    if (req.method == "GET") {
        curl_easy_setopt(easy, CURLOPT_HTTPGET, 1L);
    } else if (req.method == "HEAD") {
        curl_easy_setopt(easy, CURLOPT_NOBODY, 1L);
    } else {
        if (req.has_body || req.method == "POST" || req.method == "PUT") {
            t->body = req.has_body ? req.body : std::string();
            curl_easy_setopt(easy, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(t->body.size()));
            curl_easy_setopt(easy, CURLOPT_POSTFIELDS, t->body.c_str());
        }
        if (req.method != "POST") curl_easy_setopt(easy, CURLOPT_CUSTOMREQUEST, req.method.c_str());
    }

    for (const auto& [name, value] : req.headers) {
        // "Name;" is curl's way to send a header with an empty value.
        std::string line = value.empty() ? name + ";" : name + ": " + value;
        t->headers = curl_slist_append(t->headers, line.c_str());
    }
    t->headers = curl_slist_append(t->headers, "Expect:");  // no 100-continue round trip
    curl_easy_setopt(easy, CURLOPT_HTTPHEADER, t->headers);

    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYPEER, req.tls.verify ? 1L : 0L);
    curl_easy_setopt(easy, CURLOPT_SSL_VERIFYHOST, req.tls.verify ? 2L : 0L);
    if (!req.tls.ca_file.empty()) curl_easy_setopt(easy, CURLOPT_CAINFO, req.tls.ca_file.c_str());
    if (!req.tls.cert_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLCERT, req.tls.cert_file.c_str());
    if (!req.tls.key_file.empty()) curl_easy_setopt(easy, CURLOPT_SSLKEY, req.tls.key_file.c_str());

    if (req.basic) {
        curl_easy_setopt(easy, CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
        curl_easy_setopt(easy, CURLOPT_USERNAME, req.basic_user.c_str());
        curl_easy_setopt(easy, CURLOPT_PASSWORD, req.basic_password.c_str());
    }

    transfers_.insert(t);
    if (!multi_.add(easy, [this, t](CURLcode rc) { finish(t, rc); })) {
        transfers_.erase(t);
        auto cb = std::move(t->done);
        delete t;  // curl_easy_cleanup: never pool a handle the multi refused
        fail_later("could not start the request", std::move(cb));
    }
}

void CurlTransport::finish(Transfer* t, CURLcode rc) {
    transfers_.erase(t);
    CURL* easy = t->easy;
    t->prefault.stop();
    Response r = std::move(t->response);
    r.received_bytes = t->received;
    long status = 0;
    curl_easy_getinfo(easy, CURLINFO_RESPONSE_CODE, &status);
    r.status = int(status);
    char* eff = nullptr;
    if (curl_easy_getinfo(easy, CURLINFO_EFFECTIVE_URL, &eff) == CURLE_OK && eff) r.effective_url = eff;
    if (rc != CURLE_OK) {
        CurlFailure f;
        f.code = rc;
        f.error_buffer = t->errbuf;
        curl_easy_getinfo(easy, CURLINFO_OS_ERRNO, &f.os_errno);
        f.body_too_large = t->too_large;
        f.max_body = t->max_body;
        f.timeout_ms = t->timeout_ms;
        f.connect_timeout_ms = t->connect_timeout_ms;
        curl_off_t connect_us = 0;
        curl_easy_getinfo(easy, CURLINFO_CONNECT_TIME_T, &connect_us);
        f.connected = connect_us > 0;
        curl_easy_getinfo(easy, CURLINFO_REDIRECT_COUNT, &f.redirect_count);
        if (const std::string* loc = r.header("Location")) f.redirect_target = *loc;
        TransportError e = describe_curl_failure(f);
        r.error = std::move(e.text);
        r.retryable = e.retryable;
        r.body.clear();
    }
    // Already removed from the multi: pool the handle when the transfer went
    // well and stayed small, else clean it up.
    bool reusable = rc == CURLE_OK;
    if (reusable) {
        curl_off_t body_bytes = 0;
        long header_bytes = 0;
        curl_easy_getinfo(easy, CURLINFO_SIZE_DOWNLOAD_T, &body_bytes);
        curl_easy_getinfo(easy, CURLINFO_HEADER_SIZE, &header_bytes);
        reusable = std::uint64_t(body_bytes) + std::uint64_t(header_bytes) <= kMaxPooledReceived &&
                   t->received <= kMaxPooledReceived;
    }
    t->easy = nullptr;
    release(easy, reusable);
    auto done = std::move(t->done);
    delete t;
    if (done) done(std::move(r));
}

}  // namespace sluiced::source
