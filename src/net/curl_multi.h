// libcurl's multi interface driven by a libuv loop (curl's
// docs/examples/multi-uv.c): one uv_poll_t per socket curl asks us to watch
// (CURLMOPT_SOCKETFUNCTION), one uv_timer_t for curl's timeout
// (CURLMOPT_TIMERFUNCTION), curl_multi_socket_action on every event and
// curl_multi_info_read after every action. No threads: every method and
// callback runs on the loop's thread.
//
// Ownership: the loop owns uv handles until their close callback, where they
// are freed. The caller owns the easy handles it adds; CurlMulti removes an
// easy handle from the multi before reporting it done (or on cancel), so the
// caller may curl_easy_cleanup() or re-add it from inside `done`.
//
// Shutdown: close(), then run the loop until `on_closed` fires; only then may
// the CurlMulti be destroyed and uv_loop_close() succeed.
#pragma once
#include <curl/curl.h>
#include <uv.h>

#include <functional>
#include <unordered_map>
#include <unordered_set>

namespace sluiced::net {

class CurlMulti {
public:
    // `loop` must outlive this object. Initialises libcurl globally if needed.
    explicit CurlMulti(uv_loop_t* loop);
    ~CurlMulti();  // requires close() to have completed (on_closed called)
    CurlMulti(const CurlMulti&) = delete;
    CurlMulti& operator=(const CurlMulti&) = delete;

    // Starts a configured easy handle. `done` is called exactly once, later,
    // from the loop (never from inside add()), with the transfer's result,
    // after the handle was removed from the multi -- unless the transfer is
    // cancelled or the multi closed first. Returns false (and never calls
    // `done`) when the handle cannot be added: already added, or closing.
    bool add(CURL* easy, std::function<void(CURLcode)> done);

    // Stops a transfer added with add(): removed from the multi, its `done`
    // dropped without being called. Unknown handles are ignored. Must not be
    // called from inside a libcurl callback (write/header/...) of that
    // handle; calling it from another transfer's `done` is fine.
    void cancel(CURL* easy);

    // Transfers in flight.
    std::size_t active() const { return transfers_.size(); }

    // The size of the multi's cache of idle connections kept for reuse
    // (CURLMOPT_MAXCONNECTS). libcurl's default is four times the handles
    // added at the moment a connection is given back: after a burst of
    // transfers most of their connections are closed (and reopened by the
    // next burst), and each give-back over the limit walks the whole cache
    // for the oldest. The daemon sets it from its pipeline count. 0 or less:
    // libcurl's default.
    void set_max_connects(long n);

    // Drops every transfer in flight (their `done` are not called; the
    // caller still owns and must clean up their easy handles), cleans up the
    // multi handle and closes every uv handle. `on_closed` runs from the loop
    // once the last close callback has run. Calling it twice is a no-op
    // apart from the first `on_closed`.
    void close(std::function<void()> on_closed);

    uv_loop_t* loop() const { return loop_; }

private:
    struct Socket;  // a uv_poll_t bound to one curl socket

    static int on_curl_socket(CURL* easy, curl_socket_t s, int what, void* userp, void* socketp);
    static int on_curl_timer(CURLM* multi, long timeout_ms, void* userp);
    static void on_uv_poll(uv_poll_t* handle, int status, int events);
    static void on_uv_timer(uv_timer_t* handle);
    static void on_socket_closed(uv_handle_t* handle);
    static void on_timer_closed(uv_handle_t* handle);

    void socket_action(curl_socket_t s, int flags);
    void check_multi_info();
    void close_socket(Socket* sock);
    void handle_closed();

    uv_loop_t* loop_;
    CURLM* multi_ = nullptr;
    uv_timer_t timer_{};
    std::unordered_map<CURL*, std::function<void(CURLcode)>> transfers_;
    std::unordered_set<Socket*> sockets_;  // polled and not yet closing
    int closing_handles_ = 0;              // uv_close() called, callback pending
    bool closing_ = false;
    bool closed_ = false;
    std::function<void()> on_closed_;
};

}  // namespace sluiced::net
