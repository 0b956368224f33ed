// `tests:` cases (spec §8).
#include "config_helpers.h"

using namespace cfgtest;

namespace {

const std::string kPipes = "pipelines:\n  orders:\n    schedule: { every: 1m }\n" + std::string(kSourceSink);

}  // namespace

TEST_CASE("a response test") {
    auto r = load_text(kPipes +
                       "tests:\n"
                       "  - name: keeps only active users\n"
                       "    pipeline: orders\n"
                       "    response: '[{\"name\":\"a\"}]'\n"
                       "    expect:\n"
                       "      - { name: a, age: 1, ok: true, none: null, s: \"1\", f: 1.50, q: 'x\"y', n: [1, b] }\n");
    CHECK(r.all() == "");
    REQUIRE(r.cfg.tests.size() == 1);
    const auto& t = r.cfg.tests[0];
    CHECK(t.name == "keeps only active users");
    CHECK(t.pipeline == "orders");
    CHECK(t.mark.line == 10);
    CHECK(t.response == std::optional<std::string>("[{\"name\":\"a\"}]"));
    CHECK_FALSE(t.scripted);
    CHECK(t.expect_json ==
          std::optional<std::string>(
              "[{\"name\":\"a\",\"age\":1,\"ok\":true,\"none\":null,\"s\":\"1\",\"f\":1.50,\"q\":\"x\\\"y\",\"n\":[1,\"b\"]}]"));
    CHECK_FALSE(t.expect_error_set);
    CHECK_FALSE(t.expect_requests_count);
}

TEST_CASE("a scripted test") {
    auto r = load_text(kPipes +
                       "tests:\n"
                       "  - name: second page after a 429\n"
                       "    pipeline: orders\n"
                       "    responses:\n"
                       "      - { status: 200, headers: { Link: '<?page=2>; rel=\"next\"' }, body: '[{\"id\":1}]' }\n"
                       "      - { status: 429, headers: { Retry-After: \"0\" } }\n"
                       "      - { body: [ { id: 2 } ] }\n"
                       "    expect: [ { id: 1 }, { id: 2 } ]\n"
                       "    expect_requests: 3\n"
                       "    expect_dead_letter: []\n"
                       "    expect_error: null\n"
                       "    state: 5\n"
                       "    expect_state: \"2024-01-01\"\n"
                       "    env: { TOKEN: abc, N: 1 }\n");
    CHECK(r.all() == "");
    REQUIRE(r.cfg.tests.size() == 1);
    const auto& t = r.cfg.tests[0];
    CHECK(t.scripted);
    REQUIRE(t.responses.size() == 3);
    CHECK(t.responses[0].status == 200);
    REQUIRE(t.responses[0].headers.size() == 1);
    CHECK(t.responses[0].headers[0].first == "Link");
    CHECK(t.responses[0].headers[0].second == "<?page=2>; rel=\"next\"");
    CHECK(t.responses[0].body == "[{\"id\":1}]");
    CHECK(t.responses[1].status == 429);
    CHECK(t.responses[1].body == "");
    CHECK(t.responses[2].status == 200);
    CHECK(t.responses[2].body == "[{\"id\":2}]");
    CHECK(t.expect_json == std::optional<std::string>("[{\"id\":1},{\"id\":2}]"));
    CHECK(t.expect_requests_count == std::optional<int>(3));
    CHECK(t.expect_dead_letter_json == std::optional<std::string>("[]"));
    CHECK(t.expect_error_set);
    CHECK_FALSE(t.expect_error);
    CHECK(t.state_json == std::optional<std::string>("5"));
    CHECK(t.expect_state_json == std::optional<std::string>("\"2024-01-01\""));
    CHECK(t.env == std::vector<std::pair<std::string, std::string>>{{"TOKEN", "abc"}, {"N", "1"}});
}

TEST_CASE("expect_requests as a list, expect_error as a string") {
    auto r = load_text(kPipes +
                       "tests:\n"
                       "  - name: t\n"
                       "    pipeline: orders\n"
                       "    response: ''\n"
                       "    expect_requests:\n"
                       "      - { method: GET, url: 'https://h/x?page=1', headers: { Accept: '*/*' } }\n"
                       "      - { body: '{}' }\n"
                       "    expect_error: \"status 500\"\n");
    CHECK(r.all() == "");
    const auto& t = r.cfg.tests.at(0);
    REQUIRE(t.expect_requests);
    REQUIRE(t.expect_requests->size() == 2);
    CHECK((*t.expect_requests)[0].method == std::optional<std::string>("GET"));
    CHECK((*t.expect_requests)[0].url == std::optional<std::string>("https://h/x?page=1"));
    CHECK((*t.expect_requests)[0].headers.size() == 1);
    CHECK_FALSE((*t.expect_requests)[0].body);
    CHECK((*t.expect_requests)[1].body == std::optional<std::string>("{}"));
    CHECK(t.expect_error_set);
    CHECK(t.expect_error == std::optional<std::string>("status 500"));
    CHECK(t.response == std::optional<std::string>(""));
}

TEST_CASE("response_file is relative to the YAML file; a missing one is an error") {
    TempDir dir;
    dir.write("conf/fixtures/users.json", "[1,2]\n");
    std::string p = dir.write("conf/p.yaml", kPipes +
                                                 "tests:\n"
                                                 "  - { name: a, pipeline: orders, response_file: fixtures/users.json }\n"
                                                 "  - { name: b, pipeline: orders, response_file: fixtures/nope.json }\n");
    auto r = load_paths(dir, {p});
    CHECK(r.all() ==
          "conf/p.yaml:11:49: error: cannot read response file `conf/fixtures/nope.json`: No such file or directory\n");
    REQUIRE(r.cfg.tests.size() == 2);
    CHECK(r.cfg.tests[0].response == std::optional<std::string>("[1,2]\n"));
}

TEST_CASE("test validation") {
    auto r = load_text(kPipes +
                       "tests:\n"
                       "  - name: a\n"
                       "    pipeline: ordres\n"
                       "    response: '[]'\n"
                       "    expct: []\n"
                       "  - pipeline: orders\n"
                       "  - { name: c, pipeline: orders, response: '', responses: [] }\n"
                       "  - { name: d, pipeline: orders, response: '', expect: { a: 1 } }\n"
                       "  - { name: e, pipeline: orders, responses: [ { status: 99 } ] }\n"
                       "  - { name: f, pipeline: orders, response: '', expect_requests: many }\n"
                       "  - { name: g, pipeline: orders, response: '', env: { 'BAD NAME': x } }\n"
                       "  - just a string\n");
    CHECK(r.all() ==
          "p.yaml:11:15: error: unknown pipeline `ordres` (did you mean `orders`?)\n"
          "p.yaml:13:5: error: unknown key `expct` (did you mean `expect`?)\n"
          "p.yaml:14:5: error: missing required key `name`\n"
          "p.yaml:14:5: error: a test needs one of `response`, `response_file` or `responses`\n"
          "p.yaml:15:48: error: a test takes only one of `response`, `response_file` or `responses`\n"
          "p.yaml:16:56: error: expected a sequence for `expect`, got a mapping\n"
          "p.yaml:17:57: error: `status` must be between 100 and 599, got 99\n"
          "p.yaml:18:65: error: expected an integer for `expect_requests`, got `many`\n"
          "p.yaml:19:55: error: invalid environment variable name `BAD NAME`\n"
          "p.yaml:20:5: error: expected a mapping for `test`, got a string\n");
}

TEST_CASE("a test may name a pipeline of another file") {
    TempDir dir;
    dir.write("c/1.yaml", "tests:\n  - { name: t, pipeline: orders, response: '[]' }\n");
    dir.write("c/2.yaml", kPipes);
    auto r = load_paths(dir, {dir.path + "/c"});
    CHECK(r.all() == "");
    CHECK(r.cfg.tests.size() == 1);
}

TEST_CASE("YAML values as JSON text") {
    auto r = load_text(kPipes +
                       "tests:\n"
                       "  - name: j\n"
                       "    pipeline: orders\n"
                       "    response: '[]'\n"
                       "    expect:\n"
                       "      - [true, True, FALSE, ~, Null, 0, -0, 1e5, 01, 0x1F, .5, +1, 'true', \"null\", \"a\\tb\\u0001\"]\n"
                       "      - { \"k\\\"ey\": { nested: [] } }\n"
                       "      - 12345678901234567890\n"
                       "      - |\n"
                       "        two\n"
                       "        lines\n");
    CHECK(r.all() == "");
    CHECK(r.cfg.tests.at(0).expect_json ==
          std::optional<std::string>("[[true,true,false,null,null,0,-0,1e5,\"01\",\"0x1F\",\".5\",\"+1\",\"true\","
                                     "\"null\",\"a\\tb\\u0001\"],{\"k\\\"ey\":{\"nested\":[]}},12345678901234567890,"
                                     "\"two\\nlines\\n\"]"));
}
