// Pipelines: keys, defaults, validation (spec §2–§5, §7).
#include "config_helpers.h"

using namespace cfgtest;
using namespace sluiced::config;

namespace {

// One pipeline `a` with the given extra lines (4-space indent) plus a source
// and sink unless the extra lines define them.
std::string pipeline(const std::string& body) {
    std::string s = "pipelines:\n  a:\n" + body;
    if (body.find("    source:") == std::string::npos)
        s += "    source: { http: { url: 'https://h/' } }\n";
    if (body.find("    sink:") == std::string::npos) s += "    sink: { stdout: {} }\n";
    return s;
}

Result load_schedule(const std::string& sched) { return load_text(pipeline("    schedule: " + sched + "\n")); }

}  // namespace

TEST_CASE("a full pipeline fills every struct field") {
    ::setenv("SLUICED_T_TOKEN", "tok", 1);
    auto r = load_text(
        "pipelines:\n"
        "  active-users:\n"
        "    schedule: { cron: \"30 6 * * *\", tz: Europe/Berlin, jitter: 1m }\n"
        "    source:\n"
        "      http:\n"
        "        url: https://user:pw@api.example.com/v1/users\n"
        "        method: POST\n"
        "        headers: { Accept: application/json, X-Since: { expr: 'format_time(now() - 3600)' } }\n"
        "        query: { limit: \"100\", n: 5 }\n"
        "        body: '{\"q\": \"x\"}'\n"
        "        auth: { oauth2: { token_url: 'https://auth/t', client_id: id, client_secret: "
        "\"${SLUICED_T_TOKEN}\", scopes: [read:orders, b], audience: 'https://api' } }\n"
        "        timeout: 20s\n"
        "        connect_timeout: 2s\n"
        "        max_body: 8MiB\n"
        "        retry: { attempts: 5, backoff: 1s, max_backoff: 1m }\n"
        "        tls: { verify: false, ca_file: /ca.pem, cert_file: /c.pem, key_file: /k.pem }\n"
        "        format: json\n"
        "        records: .data.items\n"
        "        paginate: { cursor: { param: cursor, from: .meta.next }, max_pages: 7 }\n"
        "        incremental: { cursor: .updated_at, param: since, initial: \"2024-01-01T00:00:00Z\" }\n"
        "        rate_limit: { requests: 10, per: 1s }\n"
        "    stages:\n"
        "      - filter: .status == \"active\"\n"
        "      - map:\n"
        "          name: .name\n"
        "          loc: { city: .address.city }\n"
        "      - set: { seen: true }\n"
        "      - drop: [.password, '.[\"odd key\"]']\n"
        "    sink:\n"
        "      file: { path: /var/lib/x.ndjson, mode: append, format: ndjson, rotate: { max_bytes: 64MiB, keep: 10 }, "
        "fsync: never }\n"
        "    dead_letter: { file: { path: /var/lib/dl.ndjson } }\n"
        "    on_error: fail\n");
    CHECK(r.all() == "");
    REQUIRE(r.cfg.pipelines.size() == 1);
    const Pipeline& p = r.cfg.pipelines[0];
    CHECK(p.name == "active-users");
    CHECK(p.mark.line == 2);
    CHECK(p.mark.column == 3);
    CHECK(p.schedule.kind == Schedule::Kind::Cron);
    CHECK(p.schedule.cron == "30 6 * * *");
    CHECK(p.schedule.tz == "Europe/Berlin");
    CHECK(p.schedule.jitter_ms == 60000);
    const HttpSource& h = p.source;
    CHECK(h.url == "https://user:pw@api.example.com/v1/users");
    CHECK(h.method == "POST");
    REQUIRE(h.headers.size() == 2);
    CHECK(h.headers[0].name == "Accept");
    CHECK(h.headers[0].literal == "application/json");
    CHECK_FALSE(h.headers[0].expr);
    CHECK(h.headers[1].name == "X-Since");
    REQUIRE(h.headers[1].expr);
    CHECK(h.headers[1].expr->text == "format_time(now() - 3600)");
    CHECK(h.headers[1].expr->program != nullptr);
    REQUIRE(h.query.size() == 2);
    CHECK(h.query[1].literal == "5");
    CHECK(h.body == std::optional<std::string>("{\"q\": \"x\"}"));
    CHECK(h.auth.kind == Auth::Kind::OAuth2);
    CHECK(h.auth.oauth2.token_url == "https://auth/t");
    CHECK(h.auth.oauth2.client_id == "id");
    CHECK(h.auth.oauth2.client_secret == "tok");
    CHECK(h.auth.oauth2.scopes == std::vector<std::string>{"read:orders", "b"});
    CHECK(h.auth.oauth2.audience == "https://api");
    CHECK(h.timeout_ms == 20000);
    CHECK(h.connect_timeout_ms == 2000);
    CHECK(h.max_body == (8u << 20));
    CHECK(h.retry.attempts == 5);
    CHECK(h.retry.backoff_ms == 1000);
    CHECK(h.retry.max_backoff_ms == 60000);
    CHECK_FALSE(h.tls.verify);
    CHECK(h.tls.ca_file == "/ca.pem");
    CHECK(h.tls.key_file == "/k.pem");
    CHECK(h.format == HttpSource::Format::Json);
    REQUIRE(h.records);
    CHECK(h.records->text == ".data.items");
    CHECK(h.paginate.kind == Paginate::Kind::Cursor);
    CHECK(h.paginate.param == "cursor");
    CHECK(h.paginate.cursor_from->text == ".meta.next");
    CHECK(h.paginate.max_pages == 7);
    CHECK(h.incremental.enabled);
    CHECK(h.incremental.cursor.text == ".updated_at");
    CHECK(h.incremental.param == "since");
    CHECK(h.incremental.initial == std::optional<std::string>("2024-01-01T00:00:00Z"));
    CHECK(h.rate_limit.enabled);
    CHECK(h.rate_limit.requests == 10);
    CHECK(h.rate_limit.per_ms == 1000);
    REQUIRE(p.stages.size() == 4);
    CHECK(p.stages[0].kind == Stage::Kind::Filter);
    CHECK(p.stages[0].filter->text == ".status == \"active\"");
    CHECK(p.stages[1].kind == Stage::Kind::Map);
    REQUIRE(p.stages[1].fields.size() == 2);
    CHECK(p.stages[1].fields[1].kind == MapField::Kind::Nested);
    CHECK(p.stages[1].fields[1].nested[0].key == "city");
    CHECK(p.stages[2].kind == Stage::Kind::Set);
    CHECK(p.stages[2].fields[0].literal_json == "true");
    CHECK(p.stages[3].kind == Stage::Kind::Drop);
    REQUIRE(p.stages[3].drop_paths.size() == 2);
    CHECK(p.stages[3].drop_paths[1].text == ".[\"odd key\"]");
    CHECK(p.sink.kind == Sink::Kind::File);
    CHECK(p.sink.path == "/var/lib/x.ndjson");
    CHECK(p.sink.rotate);
    CHECK(p.sink.rotate_max_bytes == (64u << 20));
    CHECK(p.sink.rotate_keep == 10);
    CHECK(p.sink.fsync == Sink::Fsync::Never);
    REQUIRE(p.dead_letter);
    CHECK(p.dead_letter->path == "/var/lib/dl.ndjson");
    CHECK(p.on_error == Pipeline::OnError::Fail);
    CHECK_FALSE(p.fingerprint.empty());
}

TEST_CASE("defaults") {
    auto r = load_text(pipeline("    schedule: { every: 30s }\n"));
    REQUIRE(r.ok);
    const Pipeline& p = r.cfg.pipelines[0];
    CHECK(p.schedule.kind == Schedule::Kind::Every);
    CHECK(p.schedule.every_ms == 30000);
    CHECK(p.schedule.jitter_ms == 0);
    CHECK(p.source.method == "GET");
    CHECK(p.source.timeout_ms == 30000);
    CHECK(p.source.connect_timeout_ms == 10000);
    CHECK(p.source.max_body == (64ull << 20));
    CHECK(p.source.retry.attempts == 3);
    CHECK(p.source.retry.backoff_ms == 500);
    CHECK(p.source.retry.max_backoff_ms == 30000);
    CHECK(p.source.tls.verify);
    CHECK(p.source.paginate.kind == Paginate::Kind::None);
    CHECK_FALSE(p.source.incremental.enabled);
    CHECK_FALSE(p.source.rate_limit.enabled);
    CHECK(p.sink.kind == Sink::Kind::Stdout);
    CHECK_FALSE(p.dead_letter);
    CHECK(p.on_error == Pipeline::OnError::Drop);
}

TEST_CASE("missing schedule: an error for run, not with require_schedule = false") {
    std::string text = "pipelines:\n"
                       "  a:\n"
                       "    source: { http: { url: 'https://h/' } }\n"
                       "    sink: { stdout: {} }\n";
    auto r = load_text(text);
    CHECK(r.all() == "p.yaml:3:5: error: missing required key `schedule`\n");
    r = load_text(text, {.require_schedule = false});
    CHECK(r.ok);
    CHECK(r.cfg.pipelines[0].schedule.kind == Schedule::Kind::None);
    // Present schedules are still validated.
    r = load_text("pipelines:\n  a:\n    schedule: { every: x }\n    source: { http: { url: 'https://h/' } }\n"
                  "    sink: { stdout: {} }\n",
                  {.require_schedule = false});
    CHECK(r.errors.size() == 1);
}

TEST_CASE("missing keys are reported at the mapping that lacks them") {
    auto r = load_text("pipelines:\n  a: {}\n  b:\n    schedule: { every: 1m }\n");
    CHECK(r.all() ==
          "p.yaml:2:6: error: missing required key `schedule`\n"
          "p.yaml:2:6: error: missing required key `source`\n"
          "p.yaml:2:6: error: missing required key `sink`\n"
          "p.yaml:4:5: error: missing required key `source`\n"
          "p.yaml:4:5: error: missing required key `sink`\n");
    r = load_text("pipelines:\n  a:\n");
    CHECK(r.all() == "p.yaml:2:3: error: missing value for `a` (expected a mapping)\n");
    r = load_text(pipeline("    schedule: { every: 1m }\n    source:\n      http:\n        method: GET\n"));
    CHECK(r.all() == "p.yaml:6:9: error: missing required key `url`\n");
    r = load_text(pipeline("    schedule: { every: 1m }\n    source: {}\n"));
    CHECK(r.all() == "p.yaml:4:13: error: missing required key `http`\n");
}

TEST_CASE("unknown keys with suggestions, not inside user maps") {
    auto r = load_text("pipelines:\n"
                       "  a:\n"
                       "    shedule: { every: 30s }\n"
                       "    source: { http: { url: 'https://h/' } }\n"
                       "    sink: { stdout: {} }\n");
    CHECK(r.all() == "p.yaml:3:5: error: unknown key `shedule` (did you mean `schedule`?)\n");
    r = load_text(pipeline("    schedule: { every: 1m, Jitter: 1s, evry: 2m, cronn: x, zzz: 1 }\n"));
    CHECK(r.all() ==
          "p.yaml:3:28: error: unknown key `Jitter` (did you mean `jitter`?)\n"
          "p.yaml:3:40: error: unknown key `evry` (did you mean `every`?)\n"
          "p.yaml:3:50: error: unknown key `cronn` (did you mean `cron`?)\n"
          "p.yaml:3:60: error: unknown key `zzz`\n");
    r = load_text(pipeline("    schedule: { every: 1m }\n"
                           "    source:\n"
                           "      http:\n"
                           "        url: https://h/\n"
                           "        headers: { Anything-Goes: x, shedule: y }\n"
                           "        query: { whatever: '1', timeout: '2' }\n"
                           "        tiemout: 5s\n"
                           "    stages:\n"
                           "      - map: { anykey: .x, nested: { deep: .y } }\n"
                           "      - set: { schedule: .z }\n"
                           "      - fitler: .x\n"));
    CHECK(r.all() == "p.yaml:9:9: error: unknown key `tiemout` (did you mean `timeout`?)\n"
                     "p.yaml:13:9: error: unknown key `fitler` (did you mean `filter`?)\n");
}

TEST_CASE("pipeline names") {
    for (const char* good : {"a", "0", "active-users", "a_b", "x9-_", "9lives"}) {
        CAPTURE(good);
        CHECK(load_text(std::string("pipelines:\n  ") + good + ":\n" + "    schedule: { every: 1m }\n" + kSourceSink).ok);
    }
    for (const char* bad : {"Users", "-a", "_a", "a.b", "a b", "\"\"", "über", "a/b"}) {
        CAPTURE(bad);
        auto r = load_text(std::string("pipelines:\n  ") + bad + ":\n" + "    schedule: { every: 1m }\n" + kSourceSink);
        REQUIRE(r.errors.size() == 1);
        CHECK(r.errors[0].rfind("p.yaml:2:3: error: invalid pipeline name `", 0) == 0);
        CHECK(r.errors[0].find("(names match [a-z0-9][a-z0-9_-]*)") != std::string::npos);
    }
}

TEST_CASE("schedules") {
    CHECK(load_schedule("{ every: 30s }").ok);
    CHECK(load_schedule("{ every: 1m, jitter: 10s }").ok);
    CHECK(load_schedule("{ every: 1m, jitter: 0s }").ok);
    CHECK(load_schedule("{ cron: \"*/5 * * * *\" }").ok);
    CHECK(load_schedule("{ cron: \"0 3 * * 1-5\", tz: local }").ok);
    CHECK(load_schedule("{ cron: \"30 6 * * *\", tz: Europe/Berlin, jitter: 1m }").ok);
    CHECK(load_schedule("{ cron: \"30 6 * * *\", tz: UTC }").ok);
    CHECK(load_schedule("{ cron: \"@daily\" }").ok);
    CHECK(load_schedule("{ cron: \"0 */10 * * * *\" }").ok);

    CHECK(load_schedule("{ every: 1m, jitter: 1m }").all() ==
          "p.yaml:3:36: error: `jitter` (1m) must be shorter than `every` (1m)\n");
    CHECK(load_schedule("{ every: 0s }").all() == "p.yaml:3:24: error: `every` must be greater than 0\n");
    CHECK(load_schedule("{ every: 30 }").all() ==
          "p.yaml:3:24: error: invalid duration `30` for `every` (expected e.g. 250ms, 30s, 5m, 1h, 1h30m)\n");
    CHECK(load_schedule("{ jitter: 1s }").all() == "p.yaml:3:15: error: `schedule` needs `every` or `cron`\n");
    CHECK(load_schedule("{ every: 1m, cron: '* * * * *' }").all() ==
          "p.yaml:3:28: error: `every` and `cron` are mutually exclusive\n");
    CHECK(load_schedule("{ every: 1m, tz: UTC }").all() ==
          "p.yaml:3:28: error: `tz` applies to `cron` schedules only\n");
    CHECK(load_schedule("{ cron: '0 3 * * *', tz: Mars/Olympus }").all() ==
          "p.yaml:3:40: error: unknown time zone `Mars/Olympus` (expected UTC, local or an IANA name such as "
          "Europe/Berlin)\n");
    CHECK(load_schedule("{ cron: '0 3 * * *', tz: ../../etc/passwd }").errors.size() == 1);
    CHECK(load_schedule("{ cron: '0 3 * * *', tz: zone.tab }").errors.size() == 1);
    CHECK(load_schedule("{ cron: '0 3 * * *', tz: Europe }").errors.size() == 1);
    CHECK(load_schedule("30s").all() == "p.yaml:3:15: error: expected a mapping for `schedule`, got a string\n");
}

TEST_CASE("cron syntax") {
    for (const char* good : {"* * * * *", "0 0 1 1 0", "59 23 31 12 7", "*/15 9-17 * * mon-fri", "0 0 * jan,JUL sun",
                             "1,2,3 4-6/2 */3 1-12 0-6", "0 12 * * 1/2", "5/10 * * * *", "0 0 0 * * *",
                             "  0\t3 * * *  ", "@hourly", "@daily", "@weekly", "@monthly", "@yearly", "@annually",
                             "@midnight", "0 0 L * *"}) {
        if (std::string(good) == "0 0 L * *") continue;
        CAPTURE(good);
        CHECK(load_schedule(std::string("{ cron: '") + good + "' }").ok);
    }
    struct Bad {
        const char* cron;
        const char* why;
    };
    const Bad bad[] = {
        {"* * * *", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 4"},
        {"* * * * * * *", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 7"},
        {"60 * * * *", "value 60 out of range 0-59 in the minute field"},
        {"* 24 * * *", "value 24 out of range 0-23 in the hour field"},
        {"* * 0 * *", "value 0 out of range 1-31 in the day-of-month field"},
        {"* * 32 * *", "value 32 out of range 1-31 in the day-of-month field"},
        {"* * * 13 *", "value 13 out of range 1-12 in the month field"},
        {"* * * * 8", "value 8 out of range 0-7 in the day-of-week field"},
        {"* * * foo *", "invalid value `foo` in the month field"},
        {"* * * * mon-xyz", "invalid value `xyz` in the day-of-week field"},
        {"* * * mon * ", "invalid value `mon` in the month field"},
        {"5-1 * * * *", "range `5-1` goes backwards in the minute field"},
        {"*/0 * * * *", "step `0` out of range 1-60 in the minute field"},
        {"*/x * * * *", "invalid step `x` in the minute field"},
        {"1,,2 * * * *", "empty list item in the minute field"},
        {"? * * * *", "invalid value `?` in the minute field"},
        {"60 * * * * *", "value 60 out of range 0-59 in the second field"},
        {"@reboot", "unknown macro `@reboot` (expected @hourly, @daily, @midnight, @weekly, @monthly, @yearly or "
                    "@annually)"},
        {"", "expected 5 fields (minute hour day-of-month month day-of-week) or 6 (seconds first), got 0"},
    };
    for (const Bad& b : bad) {
        CAPTURE(b.cron);
        auto r = load_schedule(std::string("{ cron: '") + b.cron + "' }");
        CHECK(r.all() == std::string("p.yaml:3:23: error: invalid cron expression `") + b.cron + "`: " + b.why + "\n");
    }
}

TEST_CASE("source validation") {
    auto http = [](const std::string& extra) {
        return load_text(pipeline("    schedule: { every: 1m }\n    source:\n      http:\n" + extra));
    };
    CHECK(http("        url: http://localhost:8080/x\n").ok);
    CHECK(http("        url: HTTPS://h\n").ok);
    CHECK(http("        url: 'https://u:p@h/x?y=1#f'\n").ok);
    CHECK(http("        url: 'http://[::1]:80/'\n").ok);
    CHECK(http("        url: ftp://h/x\n").all() ==
          "p.yaml:6:14: error: unsupported URL scheme `ftp` for `url` (only http and https)\n");
    CHECK(http("        url: h/x\n").all() ==
          "p.yaml:6:14: error: invalid URL `h/x` for `url` (expected http://... or https://...)\n");
    CHECK(http("        url: 'https:///x'\n").all() == "p.yaml:6:14: error: invalid URL `https:///x` for `url` (no host)\n");
    CHECK(http("        url: 'https://h:99999/'\n").all() ==
          "p.yaml:6:14: error: invalid URL `https://h:99999/` for `url` (bad port `99999`)\n");
    CHECK(http("        url: 'https://h/a b'\n").all() ==
          "p.yaml:6:14: error: invalid URL `https://h/a b` for `url` (white space or control character)\n");

    std::string u = "        url: https://h/\n";
    CHECK(http(u + "        method: DELETE\n").all() ==
          "p.yaml:7:17: error: invalid value `DELETE` for `method` (expected GET, POST or PUT)\n");
    CHECK(http(u + "        body: x\n").all() == "p.yaml:7:9: error: `body` needs `method: POST` or `method: PUT`\n");
    CHECK(http(u + "        method: PUT\n        body: x\n").ok);
    CHECK(http(u + "        headers: { 'Bad Name': x }\n").all() == "p.yaml:7:20: error: invalid header name `Bad Name`\n");
    CHECK(http(u + "        headers: { A: [x] }\n").all() ==
          "p.yaml:7:23: error: expected a string or `{ expr: ... }` for `A`, got a sequence\n");
    CHECK(http(u + "        headers: { A: { exp: now() } }\n").all() ==
          "p.yaml:7:25: error: unknown key `exp` (did you mean `expr`?)\n");
    CHECK(http(u + "        query: { a: { expr: 'nope(' } }\n").errors.size() == 1);
    CHECK(http(u + "        auth: {}\n").all() == "p.yaml:7:15: error: `auth` needs one of `bearer`, `basic` or `oauth2`\n");
    CHECK(http(u + "        auth: { bearer: x, basic: { user: u } }\n").all() ==
          "p.yaml:7:28: error: `auth` takes only one of `bearer`, `basic` or `oauth2`\n");
    CHECK(http(u + "        auth: { basic: { password: p } }\n").all() ==
          "p.yaml:7:24: error: missing required key `user`\n");
    CHECK(http(u + "        auth: { oauth2: { token_url: 'ftp://x', client_id: a } }\n").all() ==
          "p.yaml:7:25: error: missing required key `client_secret`\n"
              "p.yaml:7:38: error: unsupported URL scheme `ftp` for `token_url` (only http and https)\n");
    CHECK(http(u + "        timeout: 0ms\n").all() == "p.yaml:7:18: error: `timeout` must be greater than 0\n");
    CHECK(http(u + "        connect_timeout: soon\n").all() ==
          "p.yaml:7:26: error: invalid duration `soon` for `connect_timeout` (expected e.g. 250ms, 30s, 5m, 1h, 1h30m)\n");
    CHECK(http(u + "        max_body: 64mb\n").all() ==
          "p.yaml:7:19: error: invalid size `64mb` for `max_body` (expected e.g. 512, 64KiB, 8MiB, 1GiB, 10MB)\n");
    CHECK(http(u + "        max_body: 10MB\n").cfg.pipelines[0].source.max_body == 10000000);
    CHECK(http(u + "        retry: { attempts: 0 }\n").all() ==
          "p.yaml:7:28: error: `attempts` must be between 1 and 1000, got 0\n");
    CHECK(http(u + "        retry: { attempts: two }\n").all() ==
          "p.yaml:7:28: error: expected an integer for `attempts`, got `two`\n");
    CHECK(http(u + "        tls: { verify: yes }\n").all() ==
          "p.yaml:7:24: error: expected true or false for `verify`, got `yes`\n");
    CHECK(http(u + "        tls: { verify: 'false' }\n").errors.size() == 1);
    CHECK(http(u + "        tls: { key_file: /k }\n").all() == "p.yaml:7:16: error: `key_file` needs `cert_file`\n");
    CHECK(http(u + "        format: xml\n").all() ==
          "p.yaml:7:17: error: invalid value `xml` for `format` (expected json or ndjson)\n");
    CHECK(http(u + "        format: ndjson\n        records: .items\n").all() ==
          "p.yaml:8:9: error: `records` applies to `format: json` only\n");
    CHECK(http(u + "        records: 'upper(.x)'\n").errors.size() == 1);
    CHECK(http(u + "        rate_limit: { requests: 0, per: 1s }\n").errors.size() == 1);
    CHECK(http(u + "        rate_limit: { requests: 5 }\n").all() == "p.yaml:7:21: error: missing required key `per`\n");
    CHECK(http(u + "        incremental: { param: since }\n").all() ==
          "p.yaml:7:22: error: missing required key `cursor`\n");
    CHECK(http(u + "        incremental: { cursor: .ts, param: since, initial: 17 }\n").cfg.pipelines[0]
              .source.incremental.initial == std::optional<std::string>("17"));
}

TEST_CASE("pagination modes") {
    auto pg = [](const std::string& p) {
        return load_text(pipeline("    schedule: { every: 1m }\n    source:\n      http:\n        url: https://h/\n"
                                  "        paginate: " + p + "\n"));
    };
    auto r = pg("{ next_url: .links.next }");
    REQUIRE(r.ok);
    CHECK(r.cfg.pipelines[0].source.paginate.kind == Paginate::Kind::NextUrl);
    CHECK(r.cfg.pipelines[0].source.paginate.max_pages == 100);
    r = pg("{ link_header: next, max_pages: 3 }");
    REQUIRE(r.ok);
    CHECK(r.cfg.pipelines[0].source.paginate.link_rel == "next");
    CHECK(r.cfg.pipelines[0].source.paginate.max_pages == 3);
    r = pg("{ page: { param: page } }");
    REQUIRE(r.ok);
    CHECK(r.cfg.pipelines[0].source.paginate.page_start == 1);
    r = pg("{ page: { param: p, start: 0 } }");
    REQUIRE(r.ok);
    CHECK(r.cfg.pipelines[0].source.paginate.page_start == 0);
    r = pg("{ offset: { param: offset, limit_param: limit, limit: 50 } }");
    REQUIRE(r.ok);
    CHECK(r.cfg.pipelines[0].source.paginate.limit == 50);
    CHECK(r.cfg.pipelines[0].source.paginate.limit_param == "limit");
    CHECK(pg("{ max_pages: 2 }").all() ==
          "p.yaml:7:19: error: `paginate` needs one of `next_url`, `link_header`, `cursor`, `page` or `offset`\n");
    CHECK(pg("{ next_url: .n, link_header: next }").all() ==
          "p.yaml:7:35: error: `paginate` takes only one of `next_url`, `link_header`, `cursor`, `page` or `offset`\n");
    CHECK(pg("{ next_url: .n, max_pages: 0 }").all() ==
          "p.yaml:7:46: error: `max_pages` must be between 1 and 1000000, got 0\n");
    CHECK(pg("{ cursor: { param: c } }").all() == "p.yaml:7:29: error: missing required key `from`\n");
    CHECK(pg("{ next_url: 'a + b' }").errors.size() == 1);  // a path is required
    CHECK(pg("{ nexturl: .n }").all() ==
          "p.yaml:7:19: error: `paginate` needs one of `next_url`, `link_header`, `cursor`, `page` or `offset`\n"
              "p.yaml:7:21: error: unknown key `nexturl` (did you mean `next_url`?)\n");
}

TEST_CASE("stages") {
    auto st = [](const std::string& s) { return load_text(pipeline("    schedule: { every: 1m }\n    stages:\n" + s)); };
    CHECK(st("      - {}\n").all() == "p.yaml:5:9: error: a stage needs one of `filter`, `map`, `set` or `drop`\n");
    CHECK(st("      - filter: .a\n        drop: [.b]\n").all() ==
          "p.yaml:6:9: error: a stage has exactly one of `filter`, `map`, `set` or `drop`; write a list item for each\n");
    CHECK(st("      - .a\n").all() == "p.yaml:5:9: error: expected a mapping for `stage`, got a string\n");
    CHECK(st("      - drop: .a\n").all() == "p.yaml:5:15: error: expected a sequence for `drop`, got a string\n");
    CHECK(st("      - filter:\n").all() == "p.yaml:5:9: error: missing value for `filter`\n");
    CHECK(st("      - map: .a\n").all() == "p.yaml:5:14: error: expected a mapping for `map`, got a string\n");
    CHECK(load_text(pipeline("    schedule: { every: 1m }\n    stages: a\n")).all() ==
          "p.yaml:4:13: error: expected a sequence for `stages`, got a string\n");
    CHECK(load_text(pipeline("    schedule: { every: 1m }\n    stages: []\n")).ok);
}

TEST_CASE("map and set: plain literals vs expressions (spec §5.2)") {
    auto r = load_text(pipeline("    schedule: { every: 1m }\n"
                                "    stages:\n"
                                "      - map:\n"
                                "          t: true\n"
                                "          f: false\n"
                                "          n: null\n"
                                "          tilde: ~\n"
                                "          i: 42\n"
                                "          neg: -1.50\n"
                                "          e: 1e3\n"
                                "          qt: 'true'\n"
                                "          qn: \"1\"\n"
                                "          s: '\"crm\"'\n"
                                "          path: .a.b\n"
                                "          call: upper(.name)\n"
                                "          hex: 0x1F\n"
                                "          nested: { deep: { x: 1 }, y: .y }\n"
                                "          empty: {}\n"));
    // 0x1F is not JSON number text, so it is an expression (and not a valid one).
    REQUIRE(r.errors.size() == 1);
    CHECK(r.errors[0].rfind("p.yaml:18:", 0) == 0);

    r = load_text(pipeline("    schedule: { every: 1m }\n"
                           "    stages:\n"
                           "      - map:\n"
                           "          t: true\n"
                           "          f: false\n"
                           "          n: null\n"
                           "          tilde: ~\n"
                           "          i: 42\n"
                           "          neg: -1.50\n"
                           "          e: 1e3\n"
                           "          qt: 'true'\n"
                           "          qn: \"1\"\n"
                           "          s: '\"crm\"'\n"
                           "          path: .a.b\n"
                           "          call: upper(.name)\n"
                           "          nested: { deep: { x: 1 }, y: .y }\n"
                           "          empty: {}\n"));
    CHECK(r.all() == "");
    REQUIRE(r.cfg.pipelines.size() == 1);
    const auto& f = r.cfg.pipelines[0].stages[0].fields;
    REQUIRE(f.size() == 14);
    auto lit = [&](std::size_t i, const char* key, const char* json) {
        CAPTURE(key);
        CHECK(f[i].key == key);
        CHECK(f[i].kind == MapField::Kind::Literal);
        CHECK(f[i].literal_json == json);
    };
    auto ex = [&](std::size_t i, const char* key, const char* text) {
        CAPTURE(key);
        CHECK(f[i].key == key);
        CHECK(f[i].kind == MapField::Kind::Expr);
        REQUIRE(f[i].expr);
        CHECK(f[i].expr->text == text);
        CHECK(f[i].expr->program != nullptr);
    };
    lit(0, "t", "true");
    lit(1, "f", "false");
    lit(2, "n", "null");
    lit(3, "tilde", "null");
    lit(4, "i", "42");
    lit(5, "neg", "-1.50");
    lit(6, "e", "1e3");
    ex(7, "qt", "true");
    ex(8, "qn", "1");
    ex(9, "s", "\"crm\"");
    ex(10, "path", ".a.b");
    ex(11, "call", "upper(.name)");
    CHECK(f[12].kind == MapField::Kind::Nested);
    REQUIRE(f[12].nested.size() == 2);
    CHECK(f[12].nested[0].kind == MapField::Kind::Nested);
    CHECK(f[12].nested[0].nested[0].literal_json == "1");
    CHECK(f[12].nested[1].kind == MapField::Kind::Expr);
    CHECK(f[13].kind == MapField::Kind::Nested);
    CHECK(f[13].nested.empty());
    CHECK(f[4].mark.line == 10);
    CHECK(f[4].mark.column == 11);

    r = load_text(pipeline("    schedule: { every: 1m }\n"
                           "    stages:\n"
                           "      - set:\n"
                           "          list: [1, 2]\n"
                           "          none:\n"));
    CHECK(r.all() ==
          "p.yaml:6:17: error: a sequence is not allowed as the value of `list`; write an array expression such as "
          "'[.a, .b]'\n"
          "p.yaml:7:11: error: missing value for `none`\n");
}

TEST_CASE("sinks") {
    auto sk = [](const std::string& s) { return load_text(pipeline("    schedule: { every: 1m }\n    sink: " + s + "\n")); };
    CHECK(sk("{ stdout: {} }").ok);
    CHECK(sk("{ stdout: }").ok);
    CHECK(sk("{ stdout: null }").ok);
    CHECK(sk("{ stdout: { pretty: true } }").all() == "p.yaml:4:23: error: unknown key `pretty`\n");
    CHECK(sk("{ stdout: yes }").all() == "p.yaml:4:21: error: expected `{}` for `stdout`, got a string\n");
    CHECK(sk("{}").all() == "p.yaml:4:11: error: `sink` needs `stdout` or `file`\n");
    CHECK(sk("{ stdout: {}, file: { path: /x } }").all() ==
          "p.yaml:4:25: error: `sink` takes only one of `stdout` or `file`\n");
    CHECK(sk("{ stdot: {} }").all() == "p.yaml:4:13: error: unknown key `stdot` (did you mean `stdout`?)\n");
    CHECK(sk("{ file: { mode: append } }").all() == "p.yaml:4:19: error: missing required key `path`\n");
    CHECK(sk("{ file: { path: '' } }").all() == "p.yaml:4:27: error: `path` must not be empty\n");
    CHECK(sk("{ file: { path: /x, mode: replace, format: json } }").ok);
    CHECK(sk("{ file: { path: /x, format: json } }").all() == "p.yaml:4:39: error: `format: json` needs `mode: replace`\n");
    CHECK(sk("{ file: { path: /x, mode: append, format: json } }").errors.size() == 1);
    CHECK(sk("{ file: { path: /x, mode: replace, rotate: { max_bytes: 1MiB } } }").all() ==
          "p.yaml:4:46: error: `rotate` applies to `mode: append` only\n");
    auto r = sk("{ file: { path: /x, rotate: { max_bytes: 1MiB } } }");
    REQUIRE(r.ok);
    CHECK(r.cfg.pipelines[0].sink.rotate_keep == 5);
    CHECK(sk("{ file: { path: /x, rotate: { keep: 3 } } }").all() == "p.yaml:4:39: error: missing required key `max_bytes`\n");
    CHECK(sk("{ file: { path: /x, rotate: { max_bytes: 0 } } }").all() ==
          "p.yaml:4:52: error: `max_bytes` must be greater than 0\n");
    CHECK(sk("{ file: { path: /x, fsync: always } }").all() ==
          "p.yaml:4:38: error: invalid value `always` for `fsync` (expected batch or never)\n");
    CHECK(sk("{ file: { path: /x, mode: overwrite } }").all() ==
          "p.yaml:4:37: error: invalid value `overwrite` for `mode` (expected append or replace)\n");
    CHECK(sk("stdout").all() == "p.yaml:4:11: error: expected a mapping for `sink`, got a string\n");
    r = load_text(pipeline("    schedule: { every: 1m }\n    dead_letter: { stdout: {} }\n    on_error: skip\n"));
    CHECK(r.all() == "p.yaml:5:15: error: invalid value `skip` for `on_error` (expected drop or fail)\n");
    r = load_text(pipeline("    schedule: { every: 1m }\n    dead_letter: { fil: {} }\n"));
    CHECK(r.all() == "p.yaml:4:20: error: unknown key `fil` (did you mean `file`?)\n");
}

TEST_CASE("fingerprint: equal definitions, equal texts; any change differs") {
    auto fp = [](const std::string& body) {
        auto r = load_text("pipelines:\n  a:\n" + body);
        REQUIRE(r.ok);
        return r.cfg.pipelines[0].fingerprint;
    };
    std::string base = "    schedule: { every: 30s }\n" + std::string(kSourceSink);
    std::string same_block = "    schedule:\n      every: 30s\n" + std::string(kSourceSink);
    CHECK(fp(base) == fp(same_block));  // layout does not matter
    CHECK(fp(base) != fp("    schedule: { every: 31s }\n" + std::string(kSourceSink)));
    // Quoting matters where it changes meaning (map literals vs expressions).
    std::string m1 = base + "    stages: [ { map: { a: 1 } } ]\n";
    std::string m2 = base + "    stages: [ { map: { a: '1' } } ]\n";
    CHECK(fp(m1) != fp(m2));
    // After interpolation: a changed variable changes the fingerprint.
    ::setenv("SLUICED_T_FP", "a", 1);
    std::string v = "    schedule: { every: 30s }\n    source: { http: { url: 'https://h/${SLUICED_T_FP}' } }\n"
                    "    sink: { stdout: {} }\n";
    std::string f1 = fp(v);
    ::setenv("SLUICED_T_FP", "b", 1);
    CHECK(fp(v) != f1);
    ::setenv("SLUICED_T_FP", "a", 1);
    CHECK(fp(v) == f1);
}
