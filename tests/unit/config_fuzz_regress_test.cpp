// Regression tests for inputs found by the libFuzzer targets (tests/fuzz/,
// docs/reliability.md "Fuzzing"). Each case is the minimized input.
#include "config_helpers.h"

using cfgtest::load_text;

TEST_CASE("fuzz_config: a stray top-level `,` is a syntax error, not an endless loop") {
    // yaml-cpp 0.7 returns an endless stream of empty documents for these
    // (jbeder/yaml-cpp#1040); `sluiced check` hung, growing without bound.
    auto r = load_text(",");
    CHECK(r.all() == "p.yaml:1:1: error: YAML syntax error: unexpected `,`\n");
    r = load_text("  ,\n");
    CHECK(r.all() == "p.yaml:1:3: error: YAML syntax error: unexpected `,`\n");
    r = load_text("pipelines: {}\n---\n,\n");
    CHECK(r.all() == "p.yaml:3:1: error: YAML syntax error: unexpected `,`\n");
    // the input the fuzzer found
    r = load_text(",a: &x 1\nb: *x\n<<5\n---\nx:0 C {\x10""c: 1}\nd: !\xd3!sttrur\xbe\xff\xff\xff--\nx: 1\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].find("YAML syntax error") != std::string::npos);
}

TEST_CASE("fuzz_config: empty documents are still counted normally") {
    CHECK(load_text("---\n---\n---\n").ok);
    CHECK(load_text("---\n...\n---\n...\n").ok);
    CHECK(load_text("pipelines: {}\n---\n---\n").ok);
    auto r = load_text("pipelines: {}\n---\n---\ntests: []\n");
    CHECK(r.all() ==
          "p.yaml:3:1: error: a file holds one YAML document; found another one (split it into separate files)\n");
}
