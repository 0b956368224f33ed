// json::parse -> encode -> parse round trip: no crash, well-formed errors,
// accepted input is valid UTF-8, encode(parse(x)) parses back to a value
// equal() to the first and encodes to the same text. On a top-level array,
// json::ArrayReader gives the same verdict and error as parse, element by
// element (next) and without decoding (skip_rest), and the same elements.
#include <cstdint>
#include <string>
#include <vector>

#include "fuzz_common.h"

using namespace sluiced;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    std::string_view text(reinterpret_cast<const char*>(data), size);
    Arena arena(4096);
    json::Value v;
    std::string err;
    bool ok = json::parse(text, arena, v, err);
    std::size_t first = text.find_first_not_of(" \t\r\n");
    if (first != std::string_view::npos && text[first] == '[') {
        json::ArrayReader reader(text);
        Arena rec(4096);
        std::string rerr;
        json::Value e;
        std::uint32_t n = 0;
        json::ArrayReader::Step step;
        while ((step = reader.next(rec, e, rerr)) == json::ArrayReader::Step::Element) {
            if (ok) {
                FUZZ_CHECK(n < v.size);
                std::string a, b;
                FUZZ_CHECK(json::encode(e, a) && json::encode(v.items[n], b));
                FUZZ_CHECK(a == b);
            }
            ++n;
            rec.reset();
        }
        bool rok = step == json::ArrayReader::Step::End;
        json::ArrayReader skipper(text);
        std::string serr;
        std::size_t count = 0;
        bool sok = skipper.skip_rest(serr, &count);
        if (rok != ok || sok != ok || (!ok && (rerr != err || serr != err))) {
            std::fprintf(stderr, "parse %d `%s` but ArrayReader %d `%s`, skip_rest %d `%s`\n", ok, err.c_str(), rok,
                         rerr.c_str(), sok, serr.c_str());
            std::abort();
        }
        if (ok) FUZZ_CHECK(n == v.size && count == v.size);
    }
    if (!ok) {
        FUZZ_CHECK(fuzz::parse_error_well_formed(err));
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

    return 0;
}
