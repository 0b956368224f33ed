#include "daemon/metrics_server.h"

#include <arpa/inet.h>
#include <netinet/in.h>

#include <cstring>

namespace sluiced::daemon {

namespace {
constexpr std::size_t kMaxHead = 8192;
constexpr std::uint64_t kIdleTimeoutMs = 10000;

std::string response(int code, std::string_view reason, std::string_view content_type, std::string_view body,
                     bool head_only, std::string_view extra_headers = {}) {
    std::string out = "HTTP/1.1 " + std::to_string(code) + " " + std::string(reason) + "\r\n";
    out += "Content-Type: " + std::string(content_type) + "\r\n";
    out += "Content-Length: " + std::to_string(body.size()) + "\r\n";
    out += extra_headers;
    out += "Connection: close\r\n\r\n";
    if (!head_only) out += body;
    return out;
}
}  // namespace

bool parse_listen_address(std::string_view text, sockaddr_storage& out, std::string& error) {
    std::memset(&out, 0, sizeof out);
    std::string host;
    std::string_view port_text;
    if (!text.empty() && text[0] == '[') {
        auto close = text.find(']');
        if (close == std::string_view::npos || close + 1 >= text.size() || text[close + 1] != ':') {
            error = "expected [IPV6]:PORT";
            return false;
        }
        host = std::string(text.substr(1, close - 1));
        port_text = text.substr(close + 2);
    } else {
        auto colon = text.rfind(':');
        if (colon == std::string_view::npos) {
            error = "expected ADDR:PORT";
            return false;
        }
        host = std::string(text.substr(0, colon));
        port_text = text.substr(colon + 1);
        if (host.find(':') != std::string::npos) {
            error = "write an IPv6 address in brackets: [ADDR]:PORT";
            return false;
        }
    }
    if (port_text.empty() || port_text.size() > 5) {
        error = "invalid port `" + std::string(port_text) + "`";
        return false;
    }
    int port = 0;
    for (char c : port_text) {
        if (c < '0' || c > '9') {
            error = "invalid port `" + std::string(port_text) + "`";
            return false;
        }
        port = port * 10 + (c - '0');
    }
    if (port < 1 || port > 65535) {
        error = "port out of range: " + std::string(port_text);
        return false;
    }
    if (host.empty()) host = "0.0.0.0";
    if (host == "localhost") host = "127.0.0.1";
    auto* v4 = reinterpret_cast<sockaddr_in*>(&out);
    if (uv_ip4_addr(host.c_str(), port, v4) == 0 && text[0] != '[') return true;
    auto* v6 = reinterpret_cast<sockaddr_in6*>(&out);
    if (text[0] == '[' && uv_ip6_addr(host.c_str(), port, v6) == 0) return true;
    std::memset(&out, 0, sizeof out);
    error = "invalid address `" + host + "` (a numeric IPv4 address, [IPv6], or localhost)";
    return false;
}

struct MetricsServer::Conn {
    MetricsServer* server = nullptr;
    uv_tcp_t tcp{};
    uv_timer_t timer{};
    uv_write_t write_req{};
    std::string in, out;
    int handles = 0;
    bool finishing = false;
};

MetricsServer::MetricsServer(uv_loop_t* loop, std::function<std::string()> render)
    : loop_(loop), render_(std::move(render)) {}

MetricsServer::~MetricsServer() = default;

bool MetricsServer::listen(const sockaddr_storage& addr, std::string& error) {
    int rc = uv_tcp_init(loop_, &tcp_);
    if (rc != 0) {
        error = uv_strerror(rc);
        return false;
    }
    ++open_handles_;
    tcp_.data = this;
    listening_ = true;
    rc = uv_tcp_bind(&tcp_, reinterpret_cast<const sockaddr*>(&addr), 0);
    if (rc == 0) rc = uv_listen(reinterpret_cast<uv_stream_t*>(&tcp_), 128, &MetricsServer::on_connection);
    if (rc != 0) {
        error = uv_strerror(rc);
        return false;
    }
    return true;
}

std::string MetricsServer::respond(std::string_view head) const {
    auto eol = head.find_first_of("\r\n");
    std::string_view line = head.substr(0, eol);
    auto sp1 = line.find(' ');
    auto sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
    if (sp1 == std::string_view::npos || sp2 == std::string_view::npos || line.substr(sp2 + 1).rfind("HTTP/", 0) != 0)
        return response(400, "Bad Request", "text/plain; charset=utf-8", "bad request\n", false);
    std::string_view method = line.substr(0, sp1);
    std::string_view target = line.substr(sp1 + 1, sp2 - sp1 - 1);
    auto q = target.find_first_of("?#");
    std::string_view path = target.substr(0, q);
    bool head_only = method == "HEAD";
    bool known = path == "/metrics" || path == "/healthz";
    if (method != "GET" && !head_only) {
        if (!known) return response(404, "Not Found", "text/plain; charset=utf-8", "not found\n", false);
        return response(405, "Method Not Allowed", "text/plain; charset=utf-8", "method not allowed\n", false,
                        "Allow: GET, HEAD\r\n");
    }
    if (path == "/metrics")
        return response(200, "OK", "text/plain; version=0.0.4; charset=utf-8", render_(), head_only);
    if (path == "/healthz") return response(200, "OK", "text/plain; charset=utf-8", "ok\n", head_only);
    return response(404, "Not Found", "text/plain; charset=utf-8", "not found\n", head_only);
}

void MetricsServer::on_connection(uv_stream_t* stream, int status) {
    auto* self = static_cast<MetricsServer*>(stream->data);
    if (status < 0 || self->closing_) return;
    auto* c = new Conn;
    c->server = self;
    ++self->open_handles_;
    uv_tcp_init(self->loop_, &c->tcp);
    c->tcp.data = c;
    ++c->handles;
    if (uv_accept(stream, reinterpret_cast<uv_stream_t*>(&c->tcp)) != 0) {
        self->conns_.insert(c);
        self->finish_conn(c);
        return;
    }
    uv_timer_init(self->loop_, &c->timer);
    c->timer.data = c;
    ++c->handles;
    self->conns_.insert(c);
    uv_timer_start(
        &c->timer, [](uv_timer_t* t) { auto* c = static_cast<Conn*>(t->data); c->server->finish_conn(c); },
        kIdleTimeoutMs, 0);
    uv_read_start(
        reinterpret_cast<uv_stream_t*>(&c->tcp),
        [](uv_handle_t*, size_t suggested, uv_buf_t* buf) {
            buf->base = new char[suggested];
            buf->len = suggested;
        },
        [](uv_stream_t* s, ssize_t n, const uv_buf_t* buf) {
            auto* c = static_cast<Conn*>(s->data);
            if (n > 0 && !c->finishing && c->out.empty()) c->in.append(buf->base, std::size_t(n));
            delete[] buf->base;
            if (c->finishing || !c->out.empty()) return;
            if (n < 0) return c->server->finish_conn(c);
            std::string_view in = c->in;
            bool complete = in.find("\r\n\r\n") != std::string_view::npos || in.find("\n\n") != std::string_view::npos;
            if (!complete && in.size() <= kMaxHead) return;
            if (!complete)
                c->out = response(431, "Request Header Fields Too Large", "text/plain; charset=utf-8",
                                  "request head too large\n", false);
            else
                c->out = c->server->respond(in);
            uv_read_stop(s);
            uv_buf_t b = uv_buf_init(c->out.data(), unsigned(c->out.size()));
            c->write_req.data = c;
            if (uv_write(&c->write_req, s, &b, 1, [](uv_write_t* req, int) {
                    auto* c = static_cast<Conn*>(req->data);
                    c->server->finish_conn(c);
                }) != 0)
                c->server->finish_conn(c);
        });
}

void MetricsServer::finish_conn(Conn* c) {
    if (c->finishing) return;
    c->finishing = true;
    conns_.erase(c);
    auto closed = [](uv_handle_t* h) {
        auto* c = static_cast<Conn*>(h->data);
        if (--c->handles > 0) return;
        MetricsServer* s = c->server;
        delete c;
        s->handle_closed();
    };
    bool timer = c->handles == 2;
    uv_close(reinterpret_cast<uv_handle_t*>(&c->tcp), closed);
    if (timer) uv_close(reinterpret_cast<uv_handle_t*>(&c->timer), closed);
}

void MetricsServer::handle_closed() {
    if (--open_handles_ == 0 && closing_ && on_closed_) {
        auto cb = std::move(on_closed_);
        on_closed_ = nullptr;
        cb();
    }
}

void MetricsServer::close(std::function<void()> on_closed) {
    if (closing_) return;
    closing_ = true;
    on_closed_ = std::move(on_closed);
    ++open_handles_;  // held until the end of this function
    if (listening_) {
        listening_ = false;
        uv_close(reinterpret_cast<uv_handle_t*>(&tcp_), [](uv_handle_t* h) {
            static_cast<MetricsServer*>(h->data)->handle_closed();
        });
    }
    auto conns = conns_;
    for (Conn* c : conns) finish_conn(c);
    handle_closed();
}

}  // namespace sluiced::daemon
