// `tests:` -> TestCase structs (spec §8).
#include "config/diagnostics.h"
#include "config/interpolate.h"
#include "config/reader.h"

namespace sluiced::config {

void Reader::tests(const Node& n, Configuration& out, std::vector<PipelineRef>& refs) {
    if (n.bad) return;
    if (n.is_null()) return;  // `tests:` with nothing
    if (!expect_seq(n, "tests")) return;
    for (const Node& item : n.items) {
        TestCase t;
        t.mark = item.mark;
        if (!expect_map(item, "test")) continue;
        test(item, t, refs);
        out.tests.push_back(std::move(t));
    }
}

void Reader::test(const Node& n, TestCase& t, std::vector<PipelineRef>& refs) {
    check_keys(n, {"name", "pipeline", "response", "response_file", "responses", "expect", "expect_requests",
                   "expect_dead_letter", "expect_error", "state", "expect_state", "env"});
    if (require(n, "name")) nonempty_str(*n.get("name"), "name", t.name);
    if (require(n, "pipeline")) {
        const Node& p = *n.get("pipeline");
        if (nonempty_str(p, "pipeline", t.pipeline)) refs.push_back(PipelineRef{t.pipeline, p.mark, t.name});
    }

    // Exactly one way to give the response body.
    std::vector<const std::pair<Node, Node>*> bodies;
    for (const auto& e : n.entries)
        if (!e.first.bad && (e.first.value == "response" || e.first.value == "response_file" ||
                             e.first.value == "responses"))
            bodies.push_back(&e);
    if (bodies.empty()) {
        error(n.mark, "a test needs one of `response`, `response_file` or `responses`");
    } else if (bodies.size() > 1) {
        error(bodies[1]->first.mark, "a test takes only one of `response`, `response_file` or `responses`");
    } else {
        const std::string& k = bodies[0]->first.value;
        const Node& v = bodies[0]->second;
        if (k == "response") {
            std::string body;
            if (v.is_map() || v.is_seq() ? json(v, "response", body) : str(v, "response", body)) t.response = body;
        } else if (k == "response_file") {
            std::string path;
            if (nonempty_str(v, "response_file", path)) {
                std::string full = (path[0] == '/' || file().dir.empty()) ? path : file().dir + "/" + path;
                std::string content, err;
                if (config::read_file(full, content, err))
                    t.response = content;
                else
                    error(v.mark, "cannot read response file `" + full + "`: " + err);
            }
        } else if (expect_seq(v, "responses")) {
            t.scripted = true;
            for (const Node& r : v.items) {
                if (!expect_map(r, "responses")) continue;
                check_keys(r, {"status", "headers", "body"});
                ScriptedResponse sr;
                std::int64_t status = 200;
                if (const Node* s = r.get("status"); s && integer(*s, "status", status, 100, 599))
                    sr.status = static_cast<int>(status);
                if (const Node* h = r.get("headers"); h && expect_map(*h, "headers")) {
                    for (const auto& [hk, hv] : h->entries) {
                        if (hk.bad) continue;
                        std::string value;
                        if (str(hv, hk.value, value)) sr.headers.emplace_back(hk.value, value);
                    }
                }
                if (const Node* b = r.get("body")) {
                    if (b->is_map() || b->is_seq())
                        json(*b, "body", sr.body);
                    else
                        str(*b, "body", sr.body);
                }
                t.responses.push_back(std::move(sr));
            }
        }
    }

    if (const Node* e = n.get("expect"); e && expect_seq(*e, "expect")) {
        std::string j;
        if (json(*e, "expect", j)) t.expect_json = j;
    }
    if (const Node* e = n.get("expect_dead_letter"); e && expect_seq(*e, "expect_dead_letter")) {
        std::string j;
        if (json(*e, "expect_dead_letter", j)) t.expect_dead_letter_json = j;
    }
    if (const Node* e = n.get("expect_error")) {
        if (e->is_null() && !e->empty) {
            t.expect_error_set = true;  // `expect_error: null`: the run must succeed
        } else {
            std::string s;
            if (str(*e, "expect_error", s)) {
                t.expect_error_set = true;
                t.expect_error = s;
            }
        }
    }
    if (const Node* e = n.get("expect_requests")) {
        if (e->is_seq()) {
            std::vector<ExpectedRequest> reqs;
            for (const Node& r : e->items) {
                if (!expect_map(r, "expect_requests")) continue;
                check_keys(r, {"method", "url", "headers", "body"});
                ExpectedRequest er;
                std::string s;
                if (const Node* m = r.get("method"); m && str(*m, "method", s)) er.method = s;
                if (const Node* u = r.get("url"); u && str(*u, "url", s)) er.url = s;
                if (const Node* b = r.get("body"); b && str(*b, "body", s)) er.body = s;
                if (const Node* h = r.get("headers"); h && expect_map(*h, "headers")) {
                    for (const auto& [hk, hv] : h->entries) {
                        if (hk.bad) continue;
                        std::string value;
                        if (str(hv, hk.value, value)) er.headers.emplace_back(hk.value, value);
                    }
                }
                reqs.push_back(std::move(er));
            }
            t.expect_requests = std::move(reqs);
        } else if (e->is_scalar()) {
            std::int64_t count = 0;
            if (integer(*e, "expect_requests", count, 0, 1000000)) t.expect_requests_count = static_cast<int>(count);
        } else if (!e->bad) {
            error(e->mark, std::string("expected a count or a sequence for `expect_requests`, got ") + e->kind_name());
        }
    }
    if (const Node* s = n.get("state")) {
        std::string j;
        if (json(*s, "state", j)) t.state_json = j;
    }
    if (const Node* s = n.get("expect_state")) {
        std::string j;
        if (json(*s, "expect_state", j)) t.expect_state_json = j;
    }
    if (const Node* e = n.get("env"); e && expect_map(*e, "env")) {
        for (const auto& [k, v] : e->entries) {
            if (k.bad) continue;
            if (!valid_env_name(k.value)) {
                error(k.mark, "invalid environment variable name " + quoted(k.value));
                continue;
            }
            std::string value;
            if (str(v, k.value, value)) t.env.emplace_back(k.value, value);
        }
    }
}

}  // namespace sluiced::config
