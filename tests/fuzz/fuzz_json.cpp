// json::parse -> encode -> parse round trip: no crash, well-formed errors,
// accepted input is valid UTF-8, encode(parse(x)) parses back to a value
// equal() to the first and encodes to the same text. json::validate gives
// the same verdict and error as parse, and its array element spans parse
// (parse_valid) to the elements parse built.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.h"

using namespace sluiced;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    Arena arena(4096);
    json::Value v;
    std::string err, verr;
    std::vector<std::string_view> spans;
    bool ok = json::parse(text, arena, v, err);
    bool vok = json::validate(text, verr, &spans);
    if (ok != vok || (!ok && err != verr)) {
        std::fprintf(stderr, "parse %d `%s` but validate %d `%s`\n", ok, err.c_str(), vok, verr.c_str());
        std::abort();
    }
    if (!ok) {
        FUZZ_CHECK(fuzz::parse_error_well_formed(err));
        FUZZ_CHECK(spans.empty());
        return 0;
    }
    FUZZ_CHECK(json::valid_utf8(text));
    std::string out;
    FUZZ_CHECK(json::encode(v, out));  // parsed values are raw tokens: always encodable
    FUZZ_CHECK(out.size() <= text.size());  // minified, tokens as written
    json::Value w;
    if (!json::parse(out, arena, w, err)) {
        std::fprintf(stderr, "re-parse failed: %s\n", err.c_str());
        std::abort();
    }
    FUZZ_CHECK(json::equal(v, w, arena));
    FUZZ_CHECK(json::equal(w, v, arena));
    std::string again;
    FUZZ_CHECK(json::encode(w, again));
    FUZZ_CHECK(again == out);

    json::Value pv;
    FUZZ_CHECK(json::parse_valid(text, arena, pv, err));
    std::string pout;
    FUZZ_CHECK(json::encode(pv, pout) && pout == out);

    if (v.is_array()) {
        FUZZ_CHECK(spans.size() == v.size);
        for (std::size_t i = 0; i < spans.size(); ++i) {
            json::Value e;
            FUZZ_CHECK(json::parse_valid(spans[i], arena, e, err));
            std::string a, b;
            FUZZ_CHECK(json::encode(e, a) && json::encode(v.items[i], b));
            FUZZ_CHECK(a == b);
        }
    } else {
        FUZZ_CHECK(spans.empty());
    }
    return 0;
}
