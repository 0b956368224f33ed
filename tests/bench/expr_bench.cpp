// W4 of the benchmark (issue 6): the stage chain alone. Parses a W1 file
// (a JSON array of records) into memory once, then times the benchmark
// pipeline's filter + map + encode per record, as the run does it
// (stage::Chain::apply, json::encode into one batch string).
//
//   bench_expr [--repeat N] INPUT
//
// Prints one JSON line: {"records":..,"kept":..,"ns_per_record":..,
// "records_per_s":..,"output_bytes":..}.
//
// Instructions per record (stable on a noisy machine):
//   valgrind --tool=callgrind --collect-atstart=no --toggle-collect=bench_loop \
//       bench_expr --repeat 1 SMALL_W1.json
// then Ir / records (run_bench.py --callgrind does this).
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>

#include "config/pipeline_config.h"
#include "expr/expr.h"
#include "json/json.h"
#include "stage/stage.h"
#include "util/arena.h"

using namespace sluiced;

namespace {

config::Expr make_expr(const char* text) {
    expr::CompileError err;
    auto p = expr::compile(text, err);
    if (!p) throw std::runtime_error(std::string("compile error in `") + text + "`: " + err.message);
    config::Expr e;
    e.text = text;
    e.program = p;
    return e;
}

config::MapField field(const char* key, const char* text) {
    config::MapField f;
    f.key = key;
    f.kind = config::MapField::Kind::Expr;
    f.expr = make_expr(text);
    return f;
}

// Same stages as run_bench.py's PIPELINE.
std::vector<config::Stage> bench_stages() {
    std::vector<config::Stage> s(2);
    s[0].kind = config::Stage::Kind::Filter;
    s[0].filter = make_expr(".status == \"active\"");
    s[1].kind = config::Stage::Kind::Map;
    s[1].fields.push_back(field("id", ".id"));
    s[1].fields.push_back(field("name", "upper(.name)"));
    s[1].fields.push_back(field("city", ".address.city"));
    s[1].fields.push_back(field("adult", ".age >= 18"));
    s[1].fields.push_back(field("score", ".score"));
    s[1].fields.push_back(field("big", ".big"));
    return s;
}

}  // namespace

// Not inlined, C name: the callgrind toggle point.
extern "C" __attribute__((noinline)) std::size_t bench_loop(const stage::Chain& chain, const json::Value& records,
                                                             expr::Context& ctx, std::string& batch) {
    std::size_t kept = 0;
    for (std::uint32_t i = 0; i < records.size; ++i) {
        json::Value out, failed_input;
        std::string_view err;
        std::size_t failed_stage = 0;
        if (chain.apply(records.items[i], ctx, out, err, failed_stage, failed_input) == stage::Outcome::Keep) {
            json::encode(out, batch);
            batch.push_back('\n');
            ++kept;
        }
    }
    return kept;
}

int main(int argc, char** argv) {
    int repeat = 5;
    int a = 1;
    if (a + 1 < argc && std::strcmp(argv[a], "--repeat") == 0) {
        repeat = std::atoi(argv[a + 1]);
        a += 2;
    }
    if (argc - a != 1 || repeat < 1) {
        std::fprintf(stderr, "usage: bench_expr [--repeat N] INPUT\n");
        return 2;
    }
    std::ifstream in(argv[a], std::ios::binary);
    std::stringstream ss;
    ss << in.rdbuf();
    std::string text = ss.str();
    Arena doc_arena(1 << 20);
    json::Value doc;
    std::string err;
    if (!json::parse(text, doc_arena, doc, err) || !doc.is_array()) {
        std::fprintf(stderr, "bench_expr: %s is not a JSON array: %s\n", argv[a], err.c_str());
        return 1;
    }
    auto stages = bench_stages();
    stage::Chain chain(stages);
    std::string batch;
    double best = 1e300;
    std::size_t kept = 0;
    for (int r = 0; r < repeat; ++r) {
        Arena arena(1 << 20);  // a run's arena
        expr::Context ctx{arena, 0};
        batch.clear();
        auto t0 = std::chrono::steady_clock::now();
        kept = bench_loop(chain, doc, ctx, batch);
        double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        if (s < best) best = s;
    }
    double n = doc.size ? double(doc.size) : 1.0;
    std::printf("{\"records\":%u,\"kept\":%zu,\"ns_per_record\":%.1f,\"records_per_s\":%.0f,\"output_bytes\":%zu}\n",
                doc.size, kept, best * 1e9 / n, n / best, batch.size());
    return 0;
}
