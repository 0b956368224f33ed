// The --metrics-listen HTTP server (spec §10): HTTP/1.1 on a uv_tcp_t of the
// daemon's loop, one request per connection. `GET /metrics` -> 200 with the
// Prometheus text format (version 0.0.4), `GET /healthz` -> 200 "ok" (the
// loop answering is the health check), other paths 404, other methods 405;
// HEAD is GET without the body. The connection closes after the response.
// A request head over 8 KiB gets 431, a garbled one 400; a client silent for
// 10 s is dropped. Loop thread only.
#pragma once
#include <uv.h>

#include <functional>
#include <string>
#include <string_view>
#include <unordered_set>

namespace sluiced::daemon {

// Parses ADDR:PORT: `127.0.0.1:9850`, `[::1]:9850`, `0.0.0.0:9850`,
// `localhost:9850` (127.0.0.1) or `:9850` (every IPv4 address). Port 1..65535.
bool parse_listen_address(std::string_view text, sockaddr_storage& out, std::string& error);

class MetricsServer {
public:
    // `render` produces the /metrics body on each scrape.
    MetricsServer(uv_loop_t* loop, std::function<std::string()> render);
    ~MetricsServer();  // requires close() to have completed
    MetricsServer(const MetricsServer&) = delete;
    MetricsServer& operator=(const MetricsServer&) = delete;

    // Binds and listens. Returns false with `error` (libuv's text, such as
    // "address already in use").
    bool listen(const sockaddr_storage& addr, std::string& error);

    // Closes the listener and every open connection; `on_closed` runs once
    // every handle is closed (at once when none was open).
    void close(std::function<void()> on_closed);

    // Builds the response to a request head (exposed for tests).
    std::string respond(std::string_view head) const;

private:
    struct Conn;
    static void on_connection(uv_stream_t* server, int status);
    void finish_conn(Conn* c);
    void handle_closed();

    uv_loop_t* loop_;
    std::function<std::string()> render_;
    uv_tcp_t tcp_{};
    bool listening_ = false;
    bool closing_ = false;
    int open_handles_ = 0;
    std::unordered_set<Conn*> conns_;
    std::function<void()> on_closed_;
};

}  // namespace sluiced::daemon
