// Response decoding (spec §4): run::decode_body in json and ndjson formats,
// with and without a `records` path; json::ArrayReader (the one-pass path
// of a run) against decode_body on top-level arrays: the same verdict,
// error and records; and number text
// (compare_numbers, number_as_double) over every number decoded. The first
// input byte picks the format (bit 7) and the records path; the rest is the
// body.
#include <cmath>
#include <cstdint>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "expr/expr.h"
#include "fuzz_common.h"
#include "run/decode.h"

using namespace sluiced;

namespace {

const char* const kPaths[] = {".", ".data", ".a.b[0]", ".items[-1]", R"(.["odd key"])", ".results.records"};
constexpr std::size_t kNumPaths = sizeof kPaths / sizeof kPaths[0];

struct Sources {
    std::vector<config::HttpSource> json, ndjson;
    Sources() {
        for (std::size_t i = 0; i <= kNumPaths; ++i) {
            config::HttpSource s;
            if (i < kNumPaths) {
                expr::CompileError err;
                auto prog = expr::compile_path(kPaths[i], err);
                if (!prog) std::abort();
                s.records = config::Expr{kPaths[i], {}, prog};
            }
            json.push_back(s);
            s.format = config::HttpSource::Format::Ndjson;
            ndjson.push_back(s);
        }
    }
};

int sign(int x) { return (x > 0) - (x < 0); }

// Every number of `v`, in order.
void numbers(const json::Value& v, std::vector<json::Value>& out, int depth = 0) {
    if (depth > 2000) return;
    if (v.is_number()) out.push_back(v);
    else if (v.is_array())
        for (std::uint32_t i = 0; i < v.size; ++i) numbers(v.items[i], out, depth + 1);
    else if (v.is_object())
        for (std::uint32_t i = 0; i < v.size; ++i) numbers(v.members[i].value, out, depth + 1);
}

// Exact decimal order must agree with the order of the (correctly rounded)
// doubles wherever those differ, and be antisymmetric.
void check_numbers(const std::vector<json::Value>& nums) {
    std::size_t n = nums.size() < 64 ? nums.size() : 64;
    for (std::size_t i = 0; i < n; ++i) {
        FUZZ_CHECK(json::compare_numbers(nums[i], nums[i]) == 0);
        double di = json::number_as_double(nums[i]);
        FUZZ_CHECK(!std::isnan(di));
        if (std::isfinite(di)) {
            // a computed double equal to a NumText's rounding compares as
            // that double's shortest text: same sign relation as the text.
            json::Value d = json::Value::number_double(di);
            FUZZ_CHECK(sign(json::compare_numbers(d, nums[i])) == -sign(json::compare_numbers(nums[i], d)));
        }
        std::size_t j = i + 1 < n ? i + 1 : 0;
        int ab = json::compare_numbers(nums[i], nums[j]);
        int ba = json::compare_numbers(nums[j], nums[i]);
        FUZZ_CHECK(sign(ab) == -sign(ba));
        double dj = json::number_as_double(nums[j]);
        if (di < dj) FUZZ_CHECK(ab < 0);
        if (di > dj) FUZZ_CHECK(ab > 0);
    }
}

}  // namespace

namespace {

struct Decoded {
    run::DecodeOutcome outcome;
    std::vector<std::string> texts;  // encoded records; "!" + error for a bad NDJSON line
    std::vector<json::Value> numbers;
};

Decoded decode(std::string_view body, const config::HttpSource& src, Arena& arena) {
    Decoded d;
    std::vector<run::Item> items;
    json::Value doc;
    d.outcome = run::decode_body(body, src, arena, items, doc);
    if (!d.outcome.ok) {
        FUZZ_CHECK(!d.outcome.error.empty());
        FUZZ_CHECK(items.empty());
    }
    for (const run::Item& it : items) {
        if (!it.error.empty()) {
            FUZZ_CHECK(it.line > 0);
            d.texts.push_back("!" + std::string(it.error));
            continue;
        }
        const json::Value& rec = it.record;
        std::string out;
        FUZZ_CHECK(json::encode(rec, out));
        fuzz::check_encoded(out);
        d.texts.push_back(out);
        numbers(rec, d.numbers);
    }
    return d;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Sources sources;
    if (size == 0) return 0;
    std::uint8_t sel = data[0];
    std::string body(reinterpret_cast<const char*>(data) + 1, size - 1);
    const auto& set = (sel & 0x80) ? sources.ndjson : sources.json;
    const config::HttpSource& src = set[(sel & 0x7f) % set.size()];

    Arena arena(4096);
    Decoded eager = decode(body, src, arena);
    check_numbers(eager.numbers);
    std::size_t first = body.find_first_not_of(" \t\r\n");
    if (!(sel & 0x80) && !src.records && first != std::string::npos && body[first] == '[') {
        // The one-pass reader: same verdict, error and records as decode_body.
        json::ArrayReader reader(body);
        Arena rec_arena(4096);
        std::vector<std::string> texts;
        std::string err;
        json::Value rec;
        json::ArrayReader::Step step;
        while ((step = reader.next(rec_arena, rec, err)) == json::ArrayReader::Step::Element) {
            std::string out;
            FUZZ_CHECK(json::encode(rec, out));
            texts.push_back(out);
            rec_arena.reset();
        }
        bool ok = step == json::ArrayReader::Step::End;
        FUZZ_CHECK(ok == eager.outcome.ok);
        if (ok) FUZZ_CHECK(texts == eager.texts);
        else FUZZ_CHECK("response is not valid JSON: " + err == eager.outcome.error);
    }
    return 0;
}
