// `${...}` interpolation (spec §1).
#include "config_helpers.h"

#include <cstdlib>

#include "config/interpolate.h"

using namespace cfgtest;
using sluiced::config::interpolate;
using sluiced::config::InterpolationContext;

namespace {

struct Env {
    Env() {
        ::setenv("SLUICED_T_SET", "value", 1);
        ::setenv("SLUICED_T_EMPTY", "", 1);
        ::unsetenv("SLUICED_T_UNSET");
    }
};

std::string expand(const std::string& in, const InterpolationContext& ctx = {}) {
    std::string out, err;
    bool ok = interpolate(in, ctx, out, nullptr, err);
    return ok ? out : "ERROR: " + err;
}

}  // namespace

TEST_CASE("interpolation table") {
    Env env;
    struct Case {
        const char* in;
        const char* out;
    };
    const Case cases[] = {
        {"plain", "plain"},
        {"${SLUICED_T_SET}", "value"},
        {"a-${SLUICED_T_SET}-b", "a-value-b"},
        {"${SLUICED_T_SET}${SLUICED_T_SET}", "valuevalue"},
        {"${SLUICED_T_EMPTY}", ""},
        {"${SLUICED_T_UNSET:-dflt}", "dflt"},
        {"${SLUICED_T_EMPTY:-dflt}", "dflt"},
        {"${SLUICED_T_SET:-dflt}", "value"},
        {"${SLUICED_T_UNSET:-}", ""},
        {"${SLUICED_T_UNSET:-a b:c}", "a b:c"},
        {"$$", "$"},
        {"$${SLUICED_T_SET}", "${SLUICED_T_SET}"},
        {"$$$$", "$$"},
        {"^a$", "^a$"},
        {"$x", "$x"},
        {"a $ b", "a $ b"},
        {"$", "$"},
        {".price > 5 && .currency == \"$\"", ".price > 5 && .currency == \"$\""},
        {"${SLUICED_T_UNSET}", "ERROR: environment variable `SLUICED_T_UNSET` is not set (use "
                               "`${SLUICED_T_UNSET:-default}` for a default)"},
        {"x${SLUICED_T_SET", "ERROR: unterminated `${` (write `$$` for a literal `$`)"},
        {"${}", "ERROR: invalid variable name `` in `${}`"},
        {"${1A}", "ERROR: invalid variable name `1A` in `${1A}`"},
        {"${A B}", "ERROR: invalid variable name `A B` in `${A B}`"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.in);
        CHECK(expand(c.in) == c.out);
    }
}

TEST_CASE("the env overlay takes precedence over the environment") {
    Env env;
    std::map<std::string, std::string> overlay{{"SLUICED_T_SET", "over"}, {"SLUICED_T_UNSET", "x"}};
    InterpolationContext ctx;
    ctx.overlay = &overlay;
    CHECK(expand("${SLUICED_T_SET}/${SLUICED_T_UNSET}", ctx) == "over/x");
    CHECK(expand("${SLUICED_T_EMPTY:-d}", ctx) == "d");
}

TEST_CASE("offset map points substituted text at its `${`") {
    Env env;
    std::string out, err;
    std::vector<std::uint32_t> map;
    REQUIRE(interpolate("a${SLUICED_T_SET}b$$c", {}, out, &map, err));
    CHECK(out == "avalueb$c");
    REQUIRE(map.size() == out.size() + 1);
    CHECK(map[0] == 0);
    CHECK(map[1] == 1);
    CHECK(map[5] == 1);
    CHECK(map[6] == 17);  // b
    CHECK(map[7] == 18);  // $ from $$
    CHECK(map[8] == 20);  // c
    CHECK(map[9] == 21);  // end
}

TEST_CASE("${file:PATH} relative to the YAML file, one trailing newline removed") {
    TempDir dir;
    dir.write("secrets/token", "s3cret\n");
    dir.write("two", "a\n\n");
    dir.write("crlf", "x\r\n");
    dir.write("none", "raw");
    InterpolationContext ctx;
    ctx.dir = dir.path;
    CHECK(expand("Bearer ${file:secrets/token}", ctx) == "Bearer s3cret");
    CHECK(expand("${file:two}", ctx) == "a\n");
    CHECK(expand("${file:crlf}", ctx) == "x");
    CHECK(expand("${file:none}", ctx) == "raw");
    CHECK(expand("${file:" + dir.path + "/none}", {}) == "raw");
    CHECK(strip(expand("${file:missing}", ctx), dir.path) ==
          "ERROR: cannot read `missing` for `${file:missing}`: No such file or directory");
}

TEST_CASE("${cred:NAME} reads $CREDENTIALS_DIRECTORY") {
    TempDir dir;
    dir.write("api", "tok\n");
    ::setenv("CREDENTIALS_DIRECTORY", dir.path.c_str(), 1);
    CHECK(expand("${cred:api}") == "tok");
    CHECK(strip(expand("${cred:nope}"), dir.path) ==
          "ERROR: cannot read credential `nope` (`nope`): No such file or directory");
    CHECK(expand("${cred:../x}") == "ERROR: invalid credential name `../x` in `${cred:../x}`");
    ::unsetenv("CREDENTIALS_DIRECTORY");
    CHECK(expand("${cred:api}") ==
          "ERROR: `${cred:api}`: $CREDENTIALS_DIRECTORY is not set (systemd LoadCredential=)");
}

TEST_CASE("interpolation in a configuration: values yes, keys no; errors at the value") {
    Env env;
    ::setenv("SLUICED_T_URL", "https://api.example.com/v1", 1);
    ::setenv("SLUICED_T_EVERY", "45s", 1);
    auto r = load_text("pipelines:\n"
                       "  a:\n"
                       "    schedule: { every: \"${SLUICED_T_EVERY}\" }\n"
                       "    source:\n"
                       "      http:\n"
                       "        url: ${SLUICED_T_URL}/users\n"
                       "        headers: { X-Key: \"${SLUICED_T_SET}\" }\n"
                       "        query:\n"
                       "          ${SLUICED_T_SET}: y\n"
                       "        auth: { bearer: \"${SLUICED_T_UNSET:-anon}\" }\n"
                       "    stages:\n"
                       "      - filter: '.a =~ \"^x$\"'\n"
                       "    sink: { stdout: {} }\n");
    CHECK(r.all() == "");
    REQUIRE(r.cfg.pipelines.size() == 1);
    const auto& p = r.cfg.pipelines[0];
    CHECK(p.schedule.every_ms == 45000);
    CHECK(p.source.url == "https://api.example.com/v1/users");
    REQUIRE(p.source.headers.size() == 1);
    CHECK(p.source.headers[0].name == "X-Key");
    CHECK(p.source.headers[0].literal == "value");
    REQUIRE(p.source.query.size() == 1);
    CHECK(p.source.query[0].name == "${SLUICED_T_SET}");
    CHECK(p.source.auth.bearer == "anon");
    CHECK(p.stages[0].filter->text == ".a =~ \"^x$\"");

    r = load_text("pipelines:\n"
                  "  a:\n"
                  "    schedule: { every: 1m }\n"
                  "    source:\n"
                  "      http:\n"
                  "        url: \"https://h/${SLUICED_T_UNSET}\"\n"
                  "        query: { k: '${SLUICED_T_UNSET2}' }\n"
                  "    sink: { file: { path: \"${SLUICED_T_UNSET}/x\" } }\n");
    CHECK(r.all() ==
          "p.yaml:6:14: error: environment variable `SLUICED_T_UNSET` is not set (use `${SLUICED_T_UNSET:-default}` "
          "for a default)\n"
          "p.yaml:7:21: error: environment variable `SLUICED_T_UNSET2` is not set (use "
          "`${SLUICED_T_UNSET2:-default}` for a default)\n"
          "p.yaml:8:27: error: environment variable `SLUICED_T_UNSET` is not set (use `${SLUICED_T_UNSET:-default}` "
          "for a default)\n");
}

TEST_CASE("load() uses the env overlay") {
    std::map<std::string, std::string> overlay{{"SLUICED_T_HOST", "overlay.example"}};
    sluiced::config::LoadOptions opts;
    opts.env_overlay = &overlay;
    ::unsetenv("SLUICED_T_HOST");
    auto r = load_text("pipelines:\n"
                       "  a:\n"
                       "    source: { http: { url: 'https://${SLUICED_T_HOST}/' } }\n"
                       "    sink: { stdout: {} }\n",
                       {.require_schedule = false, .env_overlay = &overlay});
    REQUIRE(r.ok);
    CHECK(r.cfg.pipelines[0].source.url == "https://overlay.example/");
}

TEST_CASE("${file:} in a configuration is relative to that file's folder") {
    TempDir dir;
    dir.write("conf/token.txt", "abc\n");
    std::string p = dir.write("conf/p.yaml",
                              "pipelines:\n"
                              "  a:\n"
                              "    source: { http: { url: 'https://h/', auth: { bearer: '${file:token.txt}' } } }\n"
                              "    sink: { stdout: {} }\n");
    auto r = load_paths(dir, {p}, {.require_schedule = false});
    REQUIRE(r.ok);
    CHECK(r.cfg.pipelines[0].source.auth.bearer == "abc");
}
