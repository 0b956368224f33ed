// YAML structure rules (spec §1): duplicates, merge keys, aliases, tags,
// syntax errors, documents.
#include "config_helpers.h"

using namespace cfgtest;

TEST_CASE("empty files and files without pipelines are valid") {
    CHECK(load_text("").ok);
    CHECK(load_text("# only a comment\n").ok);
    CHECK(load_text("---\n").ok);
    CHECK(load_text("pipelines: {}\n").ok);
    CHECK(load_text("pipelines:\n").ok);
    CHECK(load_text("tests: []\n").ok);
    auto r = load_text("pipelines: {}\ntests: []\n");
    CHECK(r.ok);
    CHECK(r.cfg.pipelines.empty());
    CHECK(r.cfg.tests.empty());
}

TEST_CASE("top level: only pipelines and tests") {
    auto r = load_text("pipelines: {}\npipeline: {}\nversion: 2\n");
    CHECK(r.all() ==
          "p.yaml:2:1: error: unknown key `pipeline` (did you mean `pipelines`?)\n"
          "p.yaml:3:1: error: unknown key `version`\n");
    r = load_text("- a\n- b\n");
    CHECK(r.all() ==
          "p.yaml:1:1: error: expected a mapping with `pipelines` and/or `tests` at the top level, got a sequence\n");
    r = load_text("just text\n");
    CHECK(r.errors.size() == 1);
    r = load_text("pipelines: [a]\n");
    CHECK(r.all() == "p.yaml:1:12: error: expected a mapping for `pipelines`, got a sequence\n");
    r = load_text("tests: {}\n");
    CHECK(r.all() == "p.yaml:1:8: error: expected a sequence for `tests`, got a mapping\n");
}

TEST_CASE("duplicate keys are reported at the second key") {
    auto r = load_text(
        "pipelines:\n"
        "  a:\n"
        "    source:\n"
        "      http:\n"
        "        url: https://h/x\n"
        "        url: https://h/y\n"
        "    sink: { stdout: {}, stdout: {} }\n"
        "    schedule: { every: 1m }\n",
        {});
    CHECK(r.all() ==
          "p.yaml:6:9: error: duplicate key `url` (first at line 5, column 9)\n"
          "p.yaml:7:25: error: duplicate key `stdout` (first at line 7, column 13)\n");
}

TEST_CASE("duplicate keys inside user maps are errors too") {
    auto r = load_text("pipelines:\n"
                       "  a:\n"
                       "    schedule: { every: 1m }\n"
                       "    source: { http: { url: 'https://h/', headers: { A: x, A: y } } }\n"
                       "    sink: { stdout: {} }\n");
    CHECK(r.all() == "p.yaml:4:59: error: duplicate key `A` (first at line 4, column 53)\n");
    // Quoting does not make a different key.
    r = load_text("pipelines: {}\n\"pipelines\": {}\n");
    CHECK(r.all() == "p.yaml:2:1: error: duplicate key `pipelines` (first at line 1, column 1)\n");
}

TEST_CASE("merge keys are errors") {
    auto r = load_text("pipelines:\n"
                       "  a:\n"
                       "    <<: { schedule: { every: 1m } }\n"
                       "    source: { http: { url: 'https://h/' } }\n"
                       "    sink: { stdout: {} }\n",
                       {.require_schedule = false});
    CHECK(r.all() == "p.yaml:3:5: error: merge keys (`<<`) are not supported; write the keys out\n");
    // A quoted "<<" is an ordinary (unknown) key.
    r = load_text("'<<': 1\n");
    CHECK(r.all() == "p.yaml:1:1: error: unknown key `<<`\n");
}

TEST_CASE("aliases are errors, at the alias; an anchor alone is harmless") {
    auto r = load_text("pipelines:\n"
                       "  a:\n"
                       "    schedule: &s { every: 1m }\n"
                       "    source: { http: { url: 'https://h/' } }\n"
                       "    sink: { stdout: {} }\n"
                       "  b:\n"
                       "    schedule: *s\n"
                       "    source: { http: { url: 'https://h/' } }\n"
                       "    sink: { stdout: {} }\n");
    CHECK(r.all() == "p.yaml:7:15: error: aliases are not supported (`*s`); write the value out\n");
}

TEST_CASE("tags are errors; quoted and plain scalars are not tagged") {
    auto r = load_text("pipelines:\n"
                       "  a:\n"
                       "    schedule: { every: !!str 1m }\n"
                       "    source: !http { http: { url: 'https://h/' } }\n"
                       "    sink: { stdout: ! {} }\n"
                       "    on_error: ! drop\n");
    CHECK(r.all() ==
          "p.yaml:3:24: error: YAML tags are not supported (`!!str`)\n"
          "p.yaml:4:13: error: YAML tags are not supported (`!http`)\n"
          "p.yaml:5:21: error: YAML tags are not supported (`!`)\n"
          "p.yaml:6:15: error: YAML tags are not supported (`!`)\n");
    r = load_text("pipelines:\n"
                  "  a:\n"
                  "    schedule: { every: \"1m\" }\n"
                  "    source: { http: { url: 'https://h/' } }\n"
                  "    sink: { stdout: {} }\n");
    CHECK(r.ok);
}

TEST_CASE("a YAML syntax error is reported at its mark and stops that file only") {
    TempDir dir;
    std::string bad = dir.write("a.yaml", "pipelines:\n  a: [\n  shedule: 1\n");
    std::string bad2 = dir.write("b.yaml", "pipelines:\n  x: \"unterminated\n");
    std::string other = dir.write("c.yaml", "pipelines: {}\nbogus: 1\n");
    auto r = load_paths(dir, {bad, bad2, other});
    REQUIRE(r.errors.size() == 3);
    CHECK(r.errors[0].rfind("a.yaml:", 0) == 0);
    CHECK(r.errors[0].find(": error: YAML syntax error: ") != std::string::npos);
    CHECK(r.errors[1] == "b.yaml:2:6: error: YAML syntax error: quoted scalar not closed before the end of the file");
    CHECK(r.errors[2] == "c.yaml:2:1: error: unknown key `bogus`");
}

TEST_CASE("syntax error position") {
    CHECK(load_text("a: 'it''s\n").all() ==
          "p.yaml:1:4: error: YAML syntax error: quoted scalar not closed before the end of the file\n");
    CHECK(load_text("pipelines: {}\ntests: [ { name: 'it''s', x: \"a\\\"b\" } ]\n").all().find("syntax") ==
          std::string::npos);
    auto r = load_text("pipelines:\n  a: {\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].find("YAML syntax error") != std::string::npos);
    r = load_text("a: b: c\n");
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].rfind("p.yaml:1:", 0) == 0);
}

TEST_CASE("more than one document is an error at the second") {
    auto r = load_text("pipelines: {}\n---\ntests: []\n");
    CHECK(r.all() ==
          "p.yaml:2:1: error: a file holds one YAML document; found another one (split it into separate files)\n");
    // A leading `---` and a trailing empty document are fine.
    CHECK(load_text("---\npipelines: {}\n").ok);
    CHECK(load_text("pipelines: {}\n---\n").ok);
    CHECK(load_text("pipelines: {}\n...\n").ok);
}

TEST_CASE("non-string keys") {
    auto r = load_text("? [a]\n: 1\n");
    CHECK(r.all() == "p.yaml:1:3: error: mapping keys must be strings\n");
}

TEST_CASE("all errors of a file are reported, in position order") {
    auto r = load_text("pipelines:\n"
                       "  Bad_Name:\n"
                       "    schedule: { every: 5x }\n"
                       "    source: { http: { url: 'gopher://h/', method: get } }\n"
                       "    sink: { stdout: {}, extra: 1 }\n"
                       "    on_eror: drop\n"
                       "  ok:\n"
                       "    schedule: { every: 1m, jitter: 2m }\n"
                       "    source: { http: { url: 'https://h/', timeout: 0s } }\n"
                       "    sink: { file: { path: /tmp/x, format: json } }\n");
    CHECK(r.all() ==
          "p.yaml:2:3: error: invalid pipeline name `Bad_Name` (names match [a-z0-9][a-z0-9_-]*)\n"
          "p.yaml:3:24: error: invalid duration `5x` for `every` (expected e.g. 250ms, 30s, 5m, 1h, 1h30m)\n"
          "p.yaml:4:28: error: unsupported URL scheme `gopher` for `url` (only http and https)\n"
          "p.yaml:4:51: error: invalid value `get` for `method` (expected GET, POST or PUT) (did you mean `GET`?)\n"
          "p.yaml:5:25: error: unknown key `extra`\n"
          "p.yaml:6:5: error: unknown key `on_eror` (did you mean `on_error`?)\n"
          "p.yaml:8:36: error: `jitter` (2m) must be shorter than `every` (1m)\n"
          "p.yaml:9:51: error: `timeout` must be greater than 0\n"
          "p.yaml:10:43: error: `format: json` needs `mode: replace`\n");
}
