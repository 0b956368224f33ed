// Exponential backoff with full jitter between retries (spec §4; AWS
// Architecture Blog "Exponential Backoff And Jitter"). Milliseconds.
#pragma once
#include <cstdint>

#include "config/pipeline_config.h"

namespace sluiced::source {

// Upper bound of the wait after failed attempt `attempt` (1-based):
// min(max_backoff, backoff * 2^(attempt-1)), never negative, no overflow.
std::int64_t backoff_cap_ms(const config::Retry& retry, int attempt);

// Full jitter: uniform in [0, backoff_cap_ms(retry, attempt)], drawn from a
// 64-bit random value (pure: the same `random` gives the same wait).
std::int64_t backoff_ms(const config::Retry& retry, int attempt, std::uint64_t random);

// A 64-bit random value from a per-thread generator seeded once from
// std::random_device.
std::uint64_t random_u64();

}  // namespace sluiced::source
