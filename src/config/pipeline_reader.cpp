// `pipelines:` -> Pipeline structs (spec §2–§5, §7).
#include <limits>

#include "schedule/cron.h"
#include "schedule/time_zone.h"
#include "config/diagnostics.h"
#include "config/reader.h"
#include "config/units.h"

namespace sluiced::config {

namespace {

constexpr std::int64_t kIntMax = std::numeric_limits<std::int64_t>::max();

bool is_tchar(char c) {
    if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')) return true;
    for (char t : std::string_view("!#$%&'*+-.^_`|~"))
        if (c == t) return true;
    return false;
}

// Keys of `map` among `keys` that are present, in file order.
std::vector<const std::pair<Node, Node>*> present(const Node& map, std::initializer_list<std::string_view> keys) {
    std::vector<const std::pair<Node, Node>*> out;
    if (!map.is_map()) return out;
    for (const auto& e : map.entries) {
        if (e.first.bad || !e.first.is_scalar()) continue;
        for (std::string_view k : keys)
            if (e.first.value == k) out.push_back(&e);
    }
    return out;
}

std::string list_keys(std::initializer_list<std::string_view> keys) {
    std::string s;
    std::size_t i = 0;
    for (std::string_view k : keys) {
        if (i) s += (i + 1 == keys.size()) ? " or " : ", ";
        s += "`" + std::string(k) + "`";
        ++i;
    }
    return s;
}

}  // namespace

void Reader::pipelines(const Node& n, Configuration& out) {
    if (n.bad) return;
    if (n.is_null()) return;  // `pipelines:` with nothing: zero pipelines
    if (!expect_map(n, "pipelines")) return;
    for (const auto& [k, v] : n.entries) {
        if (k.bad) continue;
        Pipeline p;
        p.name = k.value;
        p.mark = k.mark;
        if (!valid_pipeline_name(k.value))
            error(k.mark, "invalid pipeline name " + quoted(k.value) + " (names match [a-z0-9][a-z0-9_-]*)");
        pipeline(k, v, p);
        out.pipelines.push_back(std::move(p));
    }
}

void Reader::pipeline(const Node& key, const Node& n, Pipeline& p) {
    if (!expect_map(n, key.value)) return;
    check_keys(n, {"schedule", "source", "stages", "sink", "dead_letter", "on_error"});
    if (const Node* s = n.get("schedule")) {
        schedule(*s, p.schedule);
    } else if (opts_.require_schedule) {
        require(n, "schedule");
    }
    if (require(n, "source")) source(*n.get("source"), p.source);
    if (const Node* s = n.get("stages")) stages(*s, p.stages);
    if (require(n, "sink")) sink(*n.get("sink"), "sink", p.sink);
    if (const Node* d = n.get("dead_letter")) {
        Sink dl;
        sink(*d, "dead_letter", dl);
        p.dead_letter = std::move(dl);
    }
    if (const Node* e = n.get("on_error")) {
        std::string v;
        if (choice(*e, "on_error", {"drop", "fail"}, v))
            p.on_error = v == "fail" ? Pipeline::OnError::Fail : Pipeline::OnError::Drop;
    }
    p.fingerprint = canonical(n);
}

void Reader::schedule(const Node& n, Schedule& s) {
    s.mark = n.mark;
    if (!expect_map(n, "schedule")) return;
    check_keys(n, {"every", "cron", "tz", "jitter"});
    auto modes = present(n, {"every", "cron"});
    if (modes.empty()) {
        error(n.mark, "`schedule` needs `every` or `cron`");
        return;
    }
    if (modes.size() > 1) {
        error(modes[1]->first.mark, "`every` and `cron` are mutually exclusive");
        return;
    }
    const auto* tz = entry(n, "tz");
    if (const Node* e = n.get("every")) {
        s.kind = Schedule::Kind::Every;
        duration(*e, "every", s.every_ms, true);
        if (tz) error(tz->first.mark, "`tz` applies to `cron` schedules only");
    } else if (const Node* c = n.get("cron")) {
        s.kind = Schedule::Kind::Cron;
        std::string text, why;
        if (str(*c, "cron", text)) {
            schedule::CronSpec spec;
            std::size_t offset = 0;
            if (!schedule::parse_cron(text, spec, why, offset))
                error(c->mark, "invalid cron expression " + quoted(text) + ": " + why);
            else
                s.cron = text;
        }
        if (tz) {
            std::string zone;
            if (str(tz->second, "tz", zone)) {
                std::string why;
                if (schedule::valid_tz(zone, why))
                    s.tz = zone;
                else
                    error(tz->second.mark, why);
            }
        }
    }
    if (const auto* j = entry(n, "jitter")) {
        std::int64_t ms = 0;
        if (duration(j->second, "jitter", ms, false)) {
            s.jitter_ms = ms;
            if (s.kind == Schedule::Kind::Every && s.every_ms > 0 && ms >= s.every_ms)
                error(j->second.mark, "`jitter` (" + format_duration(ms) + ") must be shorter than `every` (" +
                                          format_duration(s.every_ms) + ")");
        }
    }
}

void Reader::source(const Node& n, HttpSource& h) {
    if (!expect_map(n, "source")) return;
    check_keys(n, {"http"});
    if (!require(n, "http")) return;
    http(*n.get("http"), h);
}

void Reader::http(const Node& n, HttpSource& h) {
    if (!expect_map(n, "http")) return;
    check_keys(n, {"url", "method", "headers", "query", "body", "auth", "timeout", "connect_timeout", "max_body",
                   "retry", "tls", "format", "records", "paginate", "incremental", "rate_limit"});
    if (require(n, "url")) url(*n.get("url"), "url", h.url);
    if (const Node* m = n.get("method")) choice(*m, "method", {"GET", "POST", "PUT"}, h.method);
    if (const Node* v = n.get("headers")) params(*v, "headers", h.headers, true);
    if (const Node* v = n.get("query")) params(*v, "query", h.query, false);
    if (const auto* b = entry(n, "body")) {
        std::string body;
        if (str(b->second, "body", body)) h.body = body;
        if (h.method != "POST" && h.method != "PUT")
            error(b->first.mark, "`body` needs `method: POST` or `method: PUT`");
    }
    if (const Node* a = n.get("auth")) auth(*a, h.auth);
    if (const Node* v = n.get("timeout")) duration(*v, "timeout", h.timeout_ms, true);
    if (const Node* v = n.get("connect_timeout")) duration(*v, "connect_timeout", h.connect_timeout_ms, true);
    if (const Node* v = n.get("max_body")) size(*v, "max_body", h.max_body, true);
    if (const Node* r = n.get("retry"); r && expect_map(*r, "retry")) {
        check_keys(*r, {"attempts", "backoff", "max_backoff"});
        std::int64_t a = 0;
        if (const Node* v = r->get("attempts"); v && integer(*v, "attempts", a, 1, 1000))
            h.retry.attempts = static_cast<int>(a);
        if (const Node* v = r->get("backoff")) duration(*v, "backoff", h.retry.backoff_ms, false);
        if (const Node* v = r->get("max_backoff")) duration(*v, "max_backoff", h.retry.max_backoff_ms, false);
    }
    if (const Node* t = n.get("tls"); t && expect_map(*t, "tls")) {
        check_keys(*t, {"verify", "ca_file", "cert_file", "key_file"});
        if (const Node* v = t->get("verify")) boolean(*v, "verify", h.tls.verify);
        if (const Node* v = t->get("ca_file")) nonempty_str(*v, "ca_file", h.tls.ca_file);
        if (const Node* v = t->get("cert_file")) nonempty_str(*v, "cert_file", h.tls.cert_file);
        if (const auto* k = entry(*t, "key_file")) {
            nonempty_str(k->second, "key_file", h.tls.key_file);
            if (!t->get("cert_file")) error(k->first.mark, "`key_file` needs `cert_file`");
        }
    }
    if (const Node* f = n.get("format")) {
        std::string v;
        if (choice(*f, "format", {"json", "ndjson"}, v))
            h.format = v == "ndjson" ? HttpSource::Format::Ndjson : HttpSource::Format::Json;
    }
    if (const auto* r = entry(n, "records")) {
        Expr e;
        if (expression(r->second, "records", true, e)) h.records = std::move(e);
        if (h.format == HttpSource::Format::Ndjson)
            error(r->first.mark, "`records` applies to `format: json` only");
    }
    if (const Node* p = n.get("paginate")) paginate(*p, h.paginate);
    if (const Node* inc = n.get("incremental"); inc && expect_map(*inc, "incremental")) {
        check_keys(*inc, {"cursor", "param", "initial"});
        h.incremental.enabled = true;
        if (require(*inc, "cursor")) expression(*inc->get("cursor"), "cursor", false, h.incremental.cursor);
        if (require(*inc, "param")) nonempty_str(*inc->get("param"), "param", h.incremental.param);
        if (const Node* v = inc->get("initial")) {
            std::string s;
            if (str(*v, "initial", s)) h.incremental.initial = s;
        }
    }
    if (const Node* rl = n.get("rate_limit"); rl && expect_map(*rl, "rate_limit")) {
        check_keys(*rl, {"requests", "per"});
        h.rate_limit.enabled = true;
        std::int64_t r = 0;
        if (require(*rl, "requests") && integer(*rl->get("requests"), "requests", r, 1, 1000000))
            h.rate_limit.requests = static_cast<int>(r);
        if (require(*rl, "per")) duration(*rl->get("per"), "per", h.rate_limit.per_ms, true);
    }
}

void Reader::params(const Node& n, std::string_view what, std::vector<ParamValue>& out, bool header_names) {
    if (!expect_map(n, what)) return;
    for (const auto& [k, v] : n.entries) {
        if (k.bad) continue;
        ParamValue pv;
        pv.name = k.value;
        if (header_names) {
            bool ok = !k.value.empty();
            for (char c : k.value) ok = ok && is_tchar(c);
            if (!ok) {
                error(k.mark, "invalid header name " + quoted(k.value));
                continue;
            }
        }
        if (v.bad) continue;
        if (v.is_map()) {
            check_keys(v, {"expr"});
            if (require(v, "expr")) {
                Expr e;
                if (expression(*v.get("expr"), "expr", false, e)) pv.expr = std::move(e);
            }
        } else if (v.is_scalar()) {
            if (!str(v, k.value, pv.literal)) continue;
        } else {
            if (v.is_null() && v.empty)
                error(v.mark, "missing value for `" + k.value + "`");
            else
                error(v.mark, "expected a string or `{ expr: ... }` for `" + k.value + "`, got " + v.kind_name());
            continue;
        }
        out.push_back(std::move(pv));
    }
}

void Reader::auth(const Node& n, Auth& a) {
    if (!expect_map(n, "auth")) return;
    check_keys(n, {"bearer", "basic", "oauth2"});
    auto kinds = present(n, {"bearer", "basic", "oauth2"});
    if (kinds.empty()) {
        error(n.mark, "`auth` needs one of `bearer`, `basic` or `oauth2`");
        return;
    }
    if (kinds.size() > 1) {
        error(kinds[1]->first.mark, "`auth` takes only one of `bearer`, `basic` or `oauth2`");
        return;
    }
    const std::string& kind = kinds[0]->first.value;
    const Node& v = kinds[0]->second;
    if (kind == "bearer") {
        a.kind = Auth::Kind::Bearer;
        str(v, "bearer", a.bearer);
    } else if (kind == "basic") {
        a.kind = Auth::Kind::Basic;
        if (!expect_map(v, "basic")) return;
        check_keys(v, {"user", "password"});
        if (require(v, "user")) str(*v.get("user"), "user", a.user);
        if (const Node* p = v.get("password")) str(*p, "password", a.password);
    } else {
        a.kind = Auth::Kind::OAuth2;
        if (!expect_map(v, "oauth2")) return;
        check_keys(v, {"token_url", "client_id", "client_secret", "scopes", "audience"});
        if (require(v, "token_url")) url(*v.get("token_url"), "token_url", a.oauth2.token_url);
        if (require(v, "client_id")) str(*v.get("client_id"), "client_id", a.oauth2.client_id);
        if (require(v, "client_secret")) str(*v.get("client_secret"), "client_secret", a.oauth2.client_secret);
        if (const Node* s = v.get("scopes"); s && expect_seq(*s, "scopes")) {
            for (const Node& item : s->items) {
                std::string scope;
                if (nonempty_str(item, "scopes", scope)) a.oauth2.scopes.push_back(scope);
            }
        }
        if (const Node* au = v.get("audience")) str(*au, "audience", a.oauth2.audience);
    }
}

void Reader::paginate(const Node& n, Paginate& p) {
    if (!expect_map(n, "paginate")) return;
    const std::initializer_list<std::string_view> kModes = {"next_url", "link_header", "cursor", "page",
                                                                      "offset"};
    check_keys(n, {"next_url", "link_header", "cursor", "page", "offset", "max_pages"});
    std::int64_t mp = 0;
    if (const Node* v = n.get("max_pages"); v && integer(*v, "max_pages", mp, 1, 1000000))
        p.max_pages = static_cast<int>(mp);
    auto modes = present(n, kModes);
    if (modes.empty()) {
        error(n.mark, "`paginate` needs one of " + list_keys(kModes));
        return;
    }
    if (modes.size() > 1) {
        error(modes[1]->first.mark, "`paginate` takes only one of " + list_keys(kModes));
        return;
    }
    const std::string& mode = modes[0]->first.value;
    const Node& v = modes[0]->second;
    if (mode == "next_url") {
        p.kind = Paginate::Kind::NextUrl;
        Expr e;
        if (expression(v, "next_url", true, e)) p.next_url = std::move(e);
    } else if (mode == "link_header") {
        p.kind = Paginate::Kind::LinkHeader;
        nonempty_str(v, "link_header", p.link_rel);
    } else if (mode == "cursor") {
        p.kind = Paginate::Kind::Cursor;
        if (!expect_map(v, "cursor")) return;
        check_keys(v, {"param", "from"});
        if (require(v, "param")) nonempty_str(*v.get("param"), "param", p.param);
        if (require(v, "from")) {
            Expr e;
            if (expression(*v.get("from"), "from", true, e)) p.cursor_from = std::move(e);
        }
    } else if (mode == "page") {
        p.kind = Paginate::Kind::Page;
        if (!expect_map(v, "page")) return;
        check_keys(v, {"param", "start"});
        if (require(v, "param")) nonempty_str(*v.get("param"), "param", p.param);
        if (const Node* s = v.get("start")) integer(*s, "start", p.page_start, 0, kIntMax);
    } else {
        p.kind = Paginate::Kind::Offset;
        if (!expect_map(v, "offset")) return;
        check_keys(v, {"param", "limit_param", "limit"});
        if (require(v, "param")) nonempty_str(*v.get("param"), "param", p.param);
        if (const Node* lp = v.get("limit_param")) nonempty_str(*lp, "limit_param", p.limit_param);
        if (const Node* l = v.get("limit")) integer(*l, "limit", p.limit, 1, kIntMax);
    }
}

void Reader::stages(const Node& n, std::vector<Stage>& out) {
    if (n.is_null() && !n.empty) return;  // `stages: null`: none
    if (!expect_seq(n, "stages")) return;
    const std::initializer_list<std::string_view> kKinds = {"filter", "map", "set", "drop"};
    for (const Node& item : n.items) {
        Stage st;
        st.mark = item.mark;
        if (!expect_map(item, "stage")) continue;
        check_keys(item, kKinds);
        auto kinds = present(item, kKinds);
        if (kinds.empty()) {
            if (item.entries.empty()) error(item.mark, "a stage needs one of " + list_keys(kKinds));
            continue;
        }
        if (kinds.size() > 1) {
            error(kinds[1]->first.mark,
                  "a stage has exactly one of " + list_keys(kKinds) + "; write a list item for each");
            continue;
        }
        const std::string& kind = kinds[0]->first.value;
        const Node& v = kinds[0]->second;
        if (kind == "filter") {
            st.kind = Stage::Kind::Filter;
            Expr e;
            if (expression(v, "filter", false, e)) st.filter = std::move(e);
        } else if (kind == "map" || kind == "set") {
            st.kind = kind == "map" ? Stage::Kind::Map : Stage::Kind::Set;
            fields(v, kind, st.fields);
        } else {
            st.kind = Stage::Kind::Drop;
            if (expect_seq(v, "drop")) {
                for (const Node& path : v.items) {
                    Expr e;
                    if (expression(path, "drop", true, e)) st.drop_paths.push_back(std::move(e));
                }
            }
        }
        out.push_back(std::move(st));
    }
}

void Reader::fields(const Node& n, std::string_view what, std::vector<MapField>& out) {
    if (!expect_map(n, what)) return;
    for (const auto& [k, v] : n.entries) {
        if (k.bad || v.bad) continue;
        MapField f;
        f.key = k.value;
        f.mark = k.mark;
        switch (v.kind) {
            case Node::Kind::Map:
                f.kind = MapField::Kind::Nested;
                fields(v, k.value, f.nested);
                break;
            case Node::Kind::Seq:
                error(v.mark, "a sequence is not allowed as the value of `" + k.value +
                                  "`; write an array expression such as '[.a, .b]'");
                continue;
            case Node::Kind::Null:
                if (v.empty) {
                    error(v.mark, "missing value for `" + k.value + "`");
                    continue;
                }
                f.kind = MapField::Kind::Literal;
                f.literal_json = "null";
                break;
            case Node::Kind::Scalar: {
                std::string text;
                if (!str(v, k.value, text)) continue;
                if (v.plain()) {
                    std::string lit = yaml_literal(text);
                    if (!lit.empty() || is_json_number(text)) {
                        f.kind = MapField::Kind::Literal;
                        f.literal_json = lit.empty() ? text : lit;
                        break;
                    }
                }
                f.kind = MapField::Kind::Expr;
                Expr e;
                if (!expression(v, k.value, false, e)) continue;
                f.expr = std::move(e);
                break;
            }
            case Node::Kind::Alias: continue;
        }
        out.push_back(std::move(f));
    }
}

void Reader::sink(const Node& n, std::string_view what, Sink& s) {
    s.mark = n.mark;
    if (!expect_map(n, what)) return;
    check_keys(n, {"stdout", "file"});
    auto kinds = present(n, {"stdout", "file"});
    if (kinds.empty()) {
        if (n.entries.empty()) error(n.mark, "`" + std::string(what) + "` needs `stdout` or `file`");
        return;
    }
    if (kinds.size() > 1) {
        error(kinds[1]->first.mark, "`" + std::string(what) + "` takes only one of `stdout` or `file`");
        return;
    }
    const Node& v = kinds[0]->second;
    if (kinds[0]->first.value == "stdout") {
        s.kind = Sink::Kind::Stdout;
        if (v.is_null() || v.bad) return;  // `stdout:` / `stdout: null` mean `stdout: {}`
        if (!v.is_map()) {
            error(v.mark, std::string("expected `{}` for `stdout`, got ") + v.kind_name());
            return;
        }
        check_keys(v, {});
        return;
    }
    s.kind = Sink::Kind::File;
    if (!expect_map(v, "file")) return;
    check_keys(v, {"path", "mode", "format", "rotate", "fsync"});
    if (require(v, "path")) nonempty_str(*v.get("path"), "path", s.path);
    if (const Node* m = v.get("mode")) {
        std::string x;
        if (choice(*m, "mode", {"append", "replace"}, x))
            s.mode = x == "replace" ? Sink::Mode::Replace : Sink::Mode::Append;
    }
    if (const Node* f = v.get("format")) {
        std::string x;
        if (choice(*f, "format", {"ndjson", "json"}, x)) {
            s.format = x == "json" ? Sink::Format::Json : Sink::Format::Ndjson;
            if (s.format == Sink::Format::Json && s.mode != Sink::Mode::Replace)
                error(f->mark, "`format: json` needs `mode: replace`");
        }
    }
    if (const auto* r = entry(v, "rotate")) {
        if (s.mode == Sink::Mode::Replace) {
            error(r->first.mark, "`rotate` applies to `mode: append` only");
        } else if (expect_map(r->second, "rotate")) {
            const Node& rn = r->second;
            check_keys(rn, {"max_bytes", "keep"});
            s.rotate = true;
            s.rotate_keep = 5;
            if (require(rn, "max_bytes")) size(*rn.get("max_bytes"), "max_bytes", s.rotate_max_bytes, true);
            std::int64_t keep = 0;
            if (const Node* k = rn.get("keep"); k && integer(*k, "keep", keep, 1, 10000))
                s.rotate_keep = static_cast<int>(keep);
        }
    }
    if (const Node* f = v.get("fsync")) {
        std::string x;
        if (choice(*f, "fsync", {"batch", "never"}, x)) s.fsync = x == "never" ? Sink::Fsync::Never : Sink::Fsync::Batch;
    }
}

}  // namespace sluiced::config
