#include "source/backoff.h"

#include <algorithm>
#include <random>

namespace sluiced::source {

std::int64_t backoff_cap_ms(const config::Retry& retry, int attempt) {
    std::int64_t cap = std::max<std::int64_t>(retry.max_backoff_ms, 0);
    std::int64_t wait = std::max<std::int64_t>(retry.backoff_ms, 0);
    for (int i = 1; i < attempt && wait < cap; ++i) wait = wait > cap / 2 ? cap : wait * 2;
    return std::min(wait, cap);
}

std::int64_t backoff_ms(const config::Retry& retry, int attempt, std::uint64_t random) {
    std::uint64_t cap = std::uint64_t(backoff_cap_ms(retry, attempt));
    return std::int64_t(random % (cap + 1));
}

std::uint64_t random_u64() {
    thread_local std::mt19937_64 gen{std::random_device{}()};
    return gen();
}

}  // namespace sluiced::source
