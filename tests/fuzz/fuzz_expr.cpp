// Expression compile + evaluate (spec §6). Input: the expression text; when
// it holds a newline, the text after the first one is also tried as a record
// (so `tests/expr/*.test` blocks make good seeds). Each compiled program is
// evaluated against a fixed set of records; results that encode must be
// valid JSON. Paths also go through lookup() and remove_path().
#include <cstdint>
#include <string>
#include <vector>

#include "expr/expr.h"
#include "fuzz_common.h"

using namespace sluiced;

namespace {

const char* const kRecords[] = {
    "null",
    "{}",
    R"({"a":1,"b":"x","c":[1,2,3],"d":{"e":null,"f":[{"g":true}]},"s":"Hello, Wörld \u00e9\ud83d\ude00 ","n":-0.5e1})",
    R"({"id":12345678901234567890,"price":"19.99","tags":["a","b","a"],"t":"2024-03-10T02:30:00.5+01:00","ts":1700000000.25})",
    R"([1,"two",3.0,null,[4],{"five":5}])",
    R"("just a string")",
    R"({"k k":{"":0},"\u0061":"escaped key","a":"dup"})",
    R"({"big":1e308,"small":-1e-320,"int":9223372036854775807,"neg":-9223372036854775808,"zero":-0})",
};

struct Fixed {
    Arena arena{1 << 16};
    std::vector<json::Value> records;
    Fixed() {
        for (const char* r : kRecords) {
            json::Value v;
            std::string err;
            if (!json::parse(r, arena, v, err)) {
                std::fprintf(stderr, "bad fixed record %s: %s\n", r, err.c_str());
                std::abort();
            }
            records.push_back(v);
        }
    }
};

void run_program(const expr::Program& prog, const json::Value& rec, Arena& arena) {
    expr::Context ctx{arena, 1700000000.25};
    expr::Result r = expr::eval(prog, rec, ctx);
    if (!r.ok()) return;
    std::string out;
    if (json::encode(r.value, out)) fuzz::check_encoded(out);
    if (expr::is_path(prog)) {
        expr::PathLookup l = expr::lookup(prog, rec, arena);
        if (!l.present) FUZZ_CHECK(r.value.is_null());
        json::Value removed = expr::remove_path(prog, rec, arena);
        std::string text;
        if (json::encode(removed, text)) fuzz::check_encoded(text);
    }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Fixed fixed;
    if (size > 4096) return 0;  // expressions are one line of a config file
    std::string_view all(reinterpret_cast<const char*>(data), size);
    std::string_view text = all, record_text;
    if (std::size_t nl = all.find('\n'); nl != std::string_view::npos) {
        text = all.substr(0, nl);
        record_text = all.substr(nl + 1);
        if (std::size_t nl2 = record_text.find('\n'); nl2 != std::string_view::npos)
            record_text = record_text.substr(0, nl2);
    }
    Arena arena(4096);
    expr::CompileError perr;
    auto path = expr::compile_path(text, perr);
    if (path) FUZZ_CHECK(expr::is_path(*path));
    else FUZZ_CHECK(!perr.message.empty() && perr.offset <= text.size());

    expr::CompileError err;
    auto prog = expr::compile(text, err);
    if (!prog) {
        FUZZ_CHECK(!err.message.empty());
        FUZZ_CHECK(err.offset <= text.size());
        FUZZ_CHECK(path == nullptr);  // a valid path is a valid expression
        return 0;
    }
    for (const json::Value& rec : fixed.records) {
        run_program(*prog, rec, arena);
        if (path) run_program(*path, rec, arena);
    }
    json::Value extra;
    std::string jerr;
    if (!record_text.empty() && json::parse(record_text, arena, extra, jerr)) {
        run_program(*prog, extra, arena);
        if (path) run_program(*path, extra, arena);
    }
    return 0;
}
