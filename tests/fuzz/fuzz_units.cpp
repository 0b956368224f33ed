// Durations and sizes (spec §1): parse_duration / parse_size never crash;
// a parsed duration formats (format_duration) to text that parses back to
// the same value.
#include <cstdint>
#include <string>

#include "config/units.h"
#include "fuzz_common.h"

using namespace sluiced;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 256) return 0;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    std::int64_t ms = -1;
    if (config::parse_duration(text, ms)) {
        FUZZ_CHECK(ms >= 0);
        std::string canon = config::format_duration(ms);
        std::int64_t again = -1;
        if (!config::parse_duration(canon, again) || again != ms) {
            std::fprintf(stderr, "format_duration(%lld) = `%s` does not parse back\n", (long long)ms, canon.c_str());
            std::abort();
        }
    }
    std::uint64_t bytes = 0;
    (void)config::parse_size(text, bytes);
    return 0;
}
