// Cron expressions (spec §3): parse_cron, then next_cron in UTC and in DST
// zones from instants around DST changes. Invariants: errors carry a message
// and an offset inside the text; a fire time is whole seconds, strictly
// after the start, before year 10000, and asking again from one
// millisecond before it gives it again.
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "schedule/cron.h"

using namespace sluiced;

namespace {

// 2024-03-10T06:59:59Z (just before the US spring-forward), 2024-11-03T05:30Z
// (inside the US fall-back hour), 2024-03-31T00:30Z (Europe), 1970-01-01,
// 2099-12-31T23:59:59Z.
constexpr std::int64_t kStarts[] = {1710053999000, 1730611800000, 1711845000000, 0, 4102444799000};
const char* const kZones[] = {"UTC", "America/New_York", "Europe/Berlin", "Australia/Lord_Howe"};
constexpr std::int64_t kYear10000 = 253402300800000;

void check_next(const schedule::CronSpec& spec, const char* tz, std::int64_t after) {
    std::int64_t t = schedule::next_cron(spec, tz, after);
    if (t == schedule::kCronNever) return;
    FUZZ_CHECK(t > after);
    FUZZ_CHECK(t % 1000 == 0);
    FUZZ_CHECK(t < kYear10000);
    if (t - 1 > after) FUZZ_CHECK(schedule::next_cron(spec, tz, t - 1) == t);
    std::int64_t u = schedule::next_cron(spec, tz, t);  // the one after
    FUZZ_CHECK(u == schedule::kCronNever || u > t);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 512) return 0;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    schedule::CronSpec spec;
    std::string err;
    std::size_t off = 0;
    if (!schedule::parse_cron(text, spec, err, off)) {
        FUZZ_CHECK(!err.empty());
        FUZZ_CHECK(off <= text.size());
        return 0;
    }
    // One zone and start per input (chosen from its bytes) keeps execs fast;
    // UTC always.
    std::uint32_t h = 2166136261u;
    for (std::size_t i = 0; i < size; ++i) h = (h ^ data[i]) * 16777619u;
    std::int64_t start = kStarts[h % 5];
    check_next(spec, "UTC", start);
    check_next(spec, kZones[1 + (h >> 8) % 3], start);
    return 0;
}
