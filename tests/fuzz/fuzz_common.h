// Shared helpers of the libFuzzer targets (tests/fuzz/README in
// docs/reliability.md "Fuzzing"). A violated invariant aborts with a message,
// which libFuzzer reports as a crash and saves as crash-<sha1>.
#pragma once
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "json/json.h"
#include "util/arena.h"

#define FUZZ_CHECK(cond)                                                                      \
    do {                                                                                      \
        if (!(cond)) {                                                                        \
            std::fprintf(stderr, "FUZZ_CHECK failed: %s (%s:%d)\n", #cond, __FILE__, __LINE__); \
            std::abort();                                                                     \
        }                                                                                     \
    } while (0)

namespace fuzz {

// Whatever encode() produced must read back as JSON that encodes to the same
// text (encode is a fixed point on its own output).
inline void check_encoded(const std::string& text) {
    sluiced::Arena arena(4096);
    sluiced::json::Value v;
    std::string err;
    if (!sluiced::json::parse(text, arena, v, err)) {
        std::fprintf(stderr, "encoded text does not parse: %s\n  text: %s\n", err.c_str(), text.c_str());
        std::abort();
    }
    std::string again;
    FUZZ_CHECK(sluiced::json::encode(v, again));
    FUZZ_CHECK(again == text);
}

inline bool parse_error_well_formed(const std::string& err) {
    return err.rfind("invalid JSON at byte ", 0) == 0 || err.rfind("invalid UTF-8 at byte ", 0) == 0;
}

}  // namespace fuzz
