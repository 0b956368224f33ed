#include "source/scripted_transport.h"

#include <utility>

namespace sluiced::source {

ScriptedTransport::ScriptedTransport(std::vector<config::ScriptedResponse> responses)
    : responses_(std::move(responses)) {}

ScriptedTransport::~ScriptedTransport() = default;

void ScriptedTransport::send(const Request& request, std::function<void(Response)> done) {
    requests_.push_back(request);
    Response r;
    r.effective_url = request.url;
    if (next_ >= responses_.size()) {
        ++unexpected_;
        r.error = "request " + std::to_string(requests_.size()) + " goes beyond the scripted responses";
        r.retryable = false;
    } else {
        const auto& s = responses_[next_++];
        r.status = s.status;
        r.headers = s.headers;
        r.body = s.body;
        r.received_bytes = s.body.size();
        if (r.body.size() > request.max_body) {
            r.error = "response body exceeds max_body (" + std::to_string(request.max_body) + " bytes)";
            r.body.clear();
        }
    }
    queue_.push_back([done = std::move(done), r = std::move(r)]() mutable { done(std::move(r)); });
}

void ScriptedTransport::wait(std::int64_t, std::function<void()> done) { queue_.push_back(std::move(done)); }

void ScriptedTransport::drain() {
    while (!queue_.empty()) {
        auto f = std::move(queue_.front());
        queue_.pop_front();
        f();
    }
}

}  // namespace sluiced::source
