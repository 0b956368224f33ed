// A Transport serving scripted responses in order, for `sluiced test`
// (spec §8): no network, retry waits not slept. Completions are queued and
// run by drain(), never from inside send()/wait().
#pragma once
#include <deque>
#include <functional>
#include <vector>

#include "config/pipeline_config.h"
#include "source/transport.h"

namespace sluiced::source {

class ScriptedTransport : public Transport {
public:
    explicit ScriptedTransport(std::vector<config::ScriptedResponse> responses);
    ~ScriptedTransport() override;

    // Answers with the next scripted response. A request beyond the script
    // is answered with a non-retryable error and counted.
    void send(const Request& request, std::function<void(Response)> done) override;
    // Completes at once (on the next drain step).
    void wait(std::int64_t ms, std::function<void()> done) override;

    // Runs queued completions until none is left.
    void drain();

    const std::vector<Request>& requests() const { return requests_; }
    int unexpected_requests() const { return unexpected_; }
    std::size_t unused_responses() const { return responses_.size() - next_; }

private:
    std::vector<config::ScriptedResponse> responses_;
    std::size_t next_ = 0;
    std::vector<Request> requests_;
    int unexpected_ = 0;
    std::deque<std::function<void()>> queue_;
};

}  // namespace sluiced::source
