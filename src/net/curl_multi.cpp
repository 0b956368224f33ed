#include "net/curl_multi.h"

#include <cassert>
#include <cstdint>
#include <cstdio>
#include <utility>
#include <vector>

#include "net/curl_global.h"

namespace sluiced::net {

struct CurlMulti::Socket {
    uv_poll_t poll{};
    curl_socket_t fd = CURL_SOCKET_BAD;
    CurlMulti* owner = nullptr;
    int events = 0;  // UV_READABLE / UV_WRITABLE curl asked for
};

CurlMulti::CurlMulti(uv_loop_t* loop) : loop_(loop) {
    ensure_curl_global_init();
    multi_ = curl_multi_init();
    if (!multi_) {
        std::fputs("sluiced: curl_multi_init failed\n", stderr);
        std::abort();
    }
    uv_timer_init(loop_, &timer_);
    timer_.data = this;
    curl_multi_setopt(multi_, CURLMOPT_SOCKETFUNCTION, &CurlMulti::on_curl_socket);
    curl_multi_setopt(multi_, CURLMOPT_SOCKETDATA, this);
    curl_multi_setopt(multi_, CURLMOPT_TIMERFUNCTION, &CurlMulti::on_curl_timer);
    curl_multi_setopt(multi_, CURLMOPT_TIMERDATA, this);
}

CurlMulti::~CurlMulti() {
    // Destroying before on_closed would leave uv handles pointing into freed
    // memory: a programming error, not a runtime condition.
    assert(closed_ && "CurlMulti destroyed before close() completed");
    if (multi_) curl_multi_cleanup(multi_);
}

bool CurlMulti::add(CURL* easy, std::function<void(CURLcode)> done) {
    if (closing_ || !easy || transfers_.count(easy)) return false;
    if (curl_multi_add_handle(multi_, easy) != CURLM_OK) return false;
    transfers_.emplace(easy, std::move(done));
    return true;
}

void CurlMulti::set_max_connects(long n) {
    if (!multi_) return;
    // 7.88 reads -1 as "the default"; 0 would mean "no limit" there.
    curl_multi_setopt(multi_, CURLMOPT_MAXCONNECTS, n > 0 ? n : -1L);
}

void CurlMulti::cancel(CURL* easy) {
    auto it = transfers_.find(easy);
    if (it == transfers_.end()) return;
    transfers_.erase(it);
    curl_multi_remove_handle(multi_, easy);
}

void CurlMulti::close(std::function<void()> on_closed) {
    if (closing_) return;
    closing_ = true;
    on_closed_ = std::move(on_closed);
    for (auto& [easy, done] : transfers_) curl_multi_remove_handle(multi_, easy);
    transfers_.clear();
    // Cleanup may still report sockets to remove; on_curl_socket closes them
    // without touching the dying multi handle.
    CURLM* multi = multi_;
    multi_ = nullptr;
    curl_multi_cleanup(multi);
    std::vector<Socket*> left(sockets_.begin(), sockets_.end());
    for (Socket* s : left) close_socket(s);
    uv_timer_stop(&timer_);
    ++closing_handles_;
    uv_close(reinterpret_cast<uv_handle_t*>(&timer_), &CurlMulti::on_timer_closed);
}

int CurlMulti::on_curl_socket(CURL*, curl_socket_t s, int what, void* userp, void* socketp) {
    auto* self = static_cast<CurlMulti*>(userp);
    auto* sock = static_cast<Socket*>(socketp);
    if (what == CURL_POLL_REMOVE) {
        if (sock) {
            self->close_socket(sock);
            if (self->multi_) curl_multi_assign(self->multi_, s, nullptr);
        }
        return 0;
    }
    if (!sock) {
        sock = new Socket;
        sock->fd = s;
        sock->owner = self;
        if (uv_poll_init_socket(self->loop_, &sock->poll, s) != 0) {
            delete sock;
            return -1;  // curl aborts the transfers using this socket
        }
        sock->poll.data = sock;
        self->sockets_.insert(sock);
        if (self->multi_) curl_multi_assign(self->multi_, s, sock);
    }
    int events = 0;
    if (what & CURL_POLL_IN) events |= UV_READABLE;
    if (what & CURL_POLL_OUT) events |= UV_WRITABLE;
    // uv_poll_start takes the fd out of epoll and puts it back even when
    // nothing changes: skip it then.
    if (sock->events == events && uv_is_active(reinterpret_cast<uv_handle_t*>(&sock->poll))) return 0;
    sock->events = events;
    uv_poll_start(&sock->poll, events, &CurlMulti::on_uv_poll);
    return 0;
}

int CurlMulti::on_curl_timer(CURLM*, long timeout_ms, void* userp) {
    auto* self = static_cast<CurlMulti*>(userp);
    if (self->closing_) return 0;
    if (timeout_ms < 0) {
        uv_timer_stop(&self->timer_);
    } else {
        // 0 means "act now"; calling socket_action from inside this callback
        // is not allowed, so let the loop come round after 1 ms.
        if (timeout_ms == 0) timeout_ms = 1;
        uv_timer_start(&self->timer_, &CurlMulti::on_uv_timer, std::uint64_t(timeout_ms), 0);
    }
    return 0;
}

void CurlMulti::on_uv_poll(uv_poll_t* handle, int status, int events) {
    auto* sock = static_cast<Socket*>(handle->data);
    int flags = 0;
    // On POLLERR libuv reports an error and no events. CURL_CSELECT_ERR
    // alone makes curl fail with "select/poll returned error" (as a send
    // error, even mid-body); with the directions it waited for, curl does the
    // read or write and reports the socket's own error ("Connection reset
    // by peer", "Connection refused").
    if (status < 0) {
        flags |= CURL_CSELECT_ERR;
        events |= sock->events;
    }
    if (events & UV_READABLE) flags |= CURL_CSELECT_IN;
    if (events & UV_WRITABLE) flags |= CURL_CSELECT_OUT;
    sock->owner->socket_action(sock->fd, flags);
}

void CurlMulti::on_uv_timer(uv_timer_t* handle) {
    static_cast<CurlMulti*>(handle->data)->socket_action(CURL_SOCKET_TIMEOUT, 0);
}

void CurlMulti::socket_action(curl_socket_t s, int flags) {
    if (!multi_) return;
    int running = 0;
    curl_multi_socket_action(multi_, s, flags, &running);
    check_multi_info();
}

void CurlMulti::check_multi_info() {
    int pending = 0;
    while (multi_ && !closing_) {
        CURLMsg* msg = curl_multi_info_read(multi_, &pending);
        if (!msg) break;
        if (msg->msg != CURLMSG_DONE) continue;
        // msg dies with curl_multi_remove_handle: copy first.
        CURL* easy = msg->easy_handle;
        CURLcode result = msg->data.result;
        curl_multi_remove_handle(multi_, easy);
        auto it = transfers_.find(easy);
        if (it == transfers_.end()) continue;
        auto done = std::move(it->second);
        transfers_.erase(it);
        // May add, cancel or close: state is consistent at this point.
        if (done) done(result);
    }
}

void CurlMulti::close_socket(Socket* sock) {
    if (!sockets_.erase(sock)) return;
    // uv_close stops the poll itself (and takes the fd out of epoll); a
    // uv_poll_stop first would make that a second, failing epoll_ctl.
    ++closing_handles_;
    uv_close(reinterpret_cast<uv_handle_t*>(&sock->poll), &CurlMulti::on_socket_closed);
}

void CurlMulti::on_socket_closed(uv_handle_t* handle) {
    auto* sock = static_cast<Socket*>(handle->data);
    CurlMulti* owner = sock->owner;
    delete sock;
    owner->handle_closed();
}

void CurlMulti::on_timer_closed(uv_handle_t* handle) {
    static_cast<CurlMulti*>(handle->data)->handle_closed();
}

void CurlMulti::handle_closed() {
    --closing_handles_;
    if (closing_ && !closed_ && closing_handles_ == 0) {
        closed_ = true;
        auto cb = std::move(on_closed_);
        if (cb) cb();
    }
}

}  // namespace sluiced::net
