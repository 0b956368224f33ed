#include "config/reader.h"

#include "json/json.h"
#include "log/log.h"

#include <limits>

#include "config/diagnostics.h"
#include "config/units.h"
#include "expr/expr.h"

namespace sluiced::config {

namespace {

std::string what_suffix(std::string_view what) {
    return what.empty() ? std::string() : " for `" + std::string(what) + "`";
}

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

}  // namespace

bool is_json_number(std::string_view s) {
    std::size_t i = 0, n = s.size();
    auto digit = [&](std::size_t k) { return k < n && s[k] >= '0' && s[k] <= '9'; };
    if (i < n && s[i] == '-') ++i;
    if (!digit(i)) return false;
    if (s[i] == '0') {
        ++i;
    } else {
        while (digit(i)) ++i;
    }
    if (i < n && s[i] == '.') {
        ++i;
        if (!digit(i)) return false;
        while (digit(i)) ++i;
    }
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '+' || s[i] == '-')) ++i;
        if (!digit(i)) return false;
        while (digit(i)) ++i;
    }
    return i == n;
}

std::string yaml_literal(std::string_view p) {
    if (p == "true" || p == "True" || p == "TRUE") return "true";
    if (p == "false" || p == "False" || p == "FALSE") return "false";
    if (p == "null" || p == "Null" || p == "NULL" || p == "~") return "null";
    return "";
}


bool valid_pipeline_name(std::string_view s) {
    if (s.empty()) return false;
    for (std::size_t i = 0; i < s.size(); ++i) {
        char c = s[i];
        bool ok = (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || (i > 0 && (c == '_' || c == '-'));
        if (!ok) return false;
    }
    return true;
}

Reader::Reader(const YamlFile& file, const LoadOptions& opts, std::vector<Diagnostic>& diags)
    : file_(file), opts_(opts), diags_(diags) {
    ictx_.dir = file.dir;
    ictx_.overlay = opts.env_overlay;
}

void Reader::read_file(Configuration& out, std::vector<PipelineRef>& refs) {
    const Node& root = file_.root;
    if (root.bad) return;
    if (root.is_null()) return;  // empty file (or `~`)
    if (!root.is_map()) {
        error(root.mark, std::string("expected a mapping with `pipelines` and/or `tests` at the top level, got ") +
                             root.kind_name());
        return;
    }
    check_keys(root, {"pipelines", "tests"});
    if (const Node* p = root.get("pipelines")) pipelines(*p, out);
    if (const Node* t = root.get("tests")) tests(*t, out, refs);
}

void Reader::error(const Mark& m, std::string message) {
    Diagnostic d;
    d.mark = m;
    d.has_mark = true;
    d.message = std::move(message);
    diags_.push_back(std::move(d));
}

bool Reader::expect_map(const Node& n, std::string_view what) {
    if (n.bad) return false;
    if (n.is_map()) return true;
    if (n.is_null() && n.empty)
        error(n.mark, "missing value" + what_suffix(what) + " (expected a mapping)");
    else
        error(n.mark, "expected a mapping" + what_suffix(what) + ", got " + n.kind_name());
    return false;
}

bool Reader::expect_seq(const Node& n, std::string_view what) {
    if (n.bad) return false;
    if (n.is_seq()) return true;
    if (n.is_null() && n.empty)
        error(n.mark, "missing value" + what_suffix(what) + " (expected a sequence)");
    else
        error(n.mark, "expected a sequence" + what_suffix(what) + ", got " + n.kind_name());
    return false;
}

void Reader::check_keys(const Node& map, std::initializer_list<std::string_view> known) {
    if (!map.is_map()) return;
    for (const auto& [k, v] : map.entries) {
        if (k.bad || !k.is_scalar()) continue;
        bool ok = false;
        for (std::string_view kn : known)
            if (k.value == kn) ok = true;
        if (ok) continue;
        error(k.mark, "unknown key " + quoted(k.value) + did_you_mean(suggest(k.value, known)));
    }
}

const std::pair<Node, Node>* Reader::entry(const Node& map, std::string_view key) const {
    if (!map.is_map()) return nullptr;
    for (const auto& e : map.entries)
        if (!e.first.bad && e.first.is_scalar() && e.first.value == key) return &e;
    return nullptr;
}

bool Reader::require(const Node& map, std::string_view key) {
    if (entry(map, key)) return true;
    // A duplicate or otherwise reported key still counts as present.
    for (const auto& e : map.entries)
        if (e.first.is_scalar() && e.first.value == key) return false;
    // A misspelt key (`shedule`) was reported as unknown with a suggestion.
    for (const auto& e : map.entries)
        if (e.first.is_scalar() && suggest(e.first.value, {key}) == key) return false;
    error(map.mark, "missing required key `" + std::string(key) + "`");
    return false;
}

bool Reader::interpolated(const Node& n) {
    if (!n.interp_done) {
        n.interp_done = true;
        std::string err;
        n.interp_ok = interpolate(n.value, ictx_, n.interp, &n.interp_map, err);
        if (!n.interp_ok) error(n.mark, err);
    }
    return n.interp_ok;
}

bool Reader::str(const Node& n, std::string_view what, std::string& out) {
    if (n.bad) return false;
    if (n.is_scalar()) {
        if (!interpolated(n)) return false;
        out = n.interp;
        return true;
    }
    if (n.is_null() && n.empty)
        error(n.mark, "missing value" + what_suffix(what));
    else
        error(n.mark, "expected a string" + what_suffix(what) + ", got " + n.kind_name());
    return false;
}

bool Reader::nonempty_str(const Node& n, std::string_view what, std::string& out) {
    if (!str(n, what, out)) return false;
    if (out.empty()) {
        error(n.mark, "`" + std::string(what) + "` must not be empty");
        return false;
    }
    return true;
}

bool Reader::duration(const Node& n, std::string_view what, std::int64_t& ms, bool positive) {
    std::string s;
    if (!str(n, what, s)) return false;
    std::int64_t v = 0;
    if (!parse_duration(s, v)) {
        error(n.mark, "invalid duration " + quoted(s) + what_suffix(what) +
                          " (expected e.g. 250ms, 30s, 5m, 1h, 1h30m)");
        return false;
    }
    if (positive && v <= 0) {
        error(n.mark, "`" + std::string(what) + "` must be greater than 0");
        return false;
    }
    // Beyond ten years a schedule or timeout is a typo, and fire times past
    // year 9999 cannot be written in RFC 3339.
    constexpr std::int64_t kMaxMs = 3650LL * 24 * 3600 * 1000;
    if (v > kMaxMs) {
        error(n.mark, "duration " + quoted(s) + what_suffix(what) + " is too long (at most 3650d, ten years)");
        return false;
    }
    ms = v;
    return true;
}

bool Reader::size(const Node& n, std::string_view what, std::uint64_t& bytes, bool positive) {
    std::string s;
    if (!str(n, what, s)) return false;
    std::uint64_t v = 0;
    if (!parse_size(s, v)) {
        error(n.mark, "invalid size " + quoted(s) + what_suffix(what) +
                          " (expected e.g. 512, 64KiB, 8MiB, 1GiB, 10MB)");
        return false;
    }
    if (positive && v == 0) {
        error(n.mark, "`" + std::string(what) + "` must be greater than 0");
        return false;
    }
    bytes = v;
    return true;
}

bool Reader::integer(const Node& n, std::string_view what, std::int64_t& v, std::int64_t min,
                     std::int64_t max) {
    std::string s;
    if (!str(n, what, s)) return false;
    std::size_t i = 0;
    bool neg = false;
    if (i < s.size() && (s[i] == '-' || s[i] == '+')) neg = s[i++] == '-';
    std::int64_t x = 0;
    bool ok = i < s.size();
    for (; ok && i < s.size(); ++i) {
        if (s[i] < '0' || s[i] > '9') {
            ok = false;
            break;
        }
        int d = s[i] - '0';
        if (x > (std::numeric_limits<std::int64_t>::max() - d) / 10) {
            ok = false;
            break;
        }
        x = x * 10 + d;
    }
    if (!ok) {
        error(n.mark, "expected an integer" + what_suffix(what) + ", got " + quoted(s));
        return false;
    }
    if (neg) x = -x;
    if (x < min || x > max) {
        std::string range = max == std::numeric_limits<std::int64_t>::max()
                                ? "at least " + std::to_string(min)
                                : "between " + std::to_string(min) + " and " + std::to_string(max);
        error(n.mark, "`" + std::string(what) + "` must be " + range + ", got " + s);
        return false;
    }
    v = x;
    return true;
}

bool Reader::boolean(const Node& n, std::string_view what, bool& v) {
    std::string s;
    if (!str(n, what, s)) return false;
    std::string lit = n.plain() ? yaml_literal(s) : "";
    if (lit == "true" || lit == "false") {
        v = lit == "true";
        return true;
    }
    error(n.mark, "expected true or false" + what_suffix(what) + ", got " + quoted(s));
    return false;
}

bool Reader::choice(const Node& n, std::string_view what, std::initializer_list<std::string_view> values,
                    std::string& out) {
    std::string s;
    if (!str(n, what, s)) return false;
    for (std::string_view v : values)
        if (s == v) {
            out = s;
            return true;
        }
    std::string list;
    std::size_t k = 0;
    for (std::string_view v : values) {
        if (k) list += (k + 1 == values.size()) ? " or " : ", ";
        list += v;
        ++k;
    }
    error(n.mark, "invalid value " + quoted(s) + what_suffix(what) + " (expected " + list + ")" +
                      did_you_mean(suggest(s, values)));
    return false;
}

bool Reader::url(const Node& n, std::string_view what, std::string& out) {
    std::string s;
    if (!str(n, what, s)) return false;
    std::size_t sep = s.find("://");
    std::string scheme = sep == std::string::npos ? "" : s.substr(0, sep);
    for (char& c : scheme) c = lower(c);
    if (sep == std::string::npos) {
        error(n.mark, "invalid URL " + quoted(log::redact_url(s)) + what_suffix(what) + " (expected http://... or https://...)");
        return false;
    }
    if (scheme != "http" && scheme != "https") {
        error(n.mark, "unsupported URL scheme " + quoted(s.substr(0, sep)) + what_suffix(what) +
                          " (only http and https)");
        return false;
    }
    for (char c : s) {
        if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) {
            error(n.mark, "invalid URL " + quoted(log::redact_url(s)) + what_suffix(what) + " (white space or control character)");
            return false;
        }
    }
    std::size_t a = sep + 3;
    std::size_t e = s.find_first_of("/?#", a);
    std::string authority = s.substr(a, e == std::string::npos ? std::string::npos : e - a);
    std::size_t at = authority.rfind('@');
    std::string hostport = at == std::string::npos ? authority : authority.substr(at + 1);
    std::string host = hostport, port;
    if (!hostport.empty() && hostport[0] == '[') {
        std::size_t rb = hostport.find(']');
        if (rb == std::string::npos) {
            error(n.mark, "invalid URL " + quoted(log::redact_url(s)) + what_suffix(what) + " (unclosed `[` in the host)");
            return false;
        }
        host = hostport.substr(0, rb + 1);
        if (rb + 1 < hostport.size()) {
            if (hostport[rb + 1] != ':') {
                error(n.mark, "invalid URL " + quoted(log::redact_url(s)) + what_suffix(what));
                return false;
            }
            port = hostport.substr(rb + 2);
        }
    } else {
        std::size_t colon = hostport.rfind(':');
        if (colon != std::string::npos) {
            host = hostport.substr(0, colon);
            port = hostport.substr(colon + 1);
        }
    }
    if (host.empty()) {
        error(n.mark, "invalid URL " + quoted(log::redact_url(s)) + what_suffix(what) + " (no host)");
        return false;
    }
    if (!port.empty()) {
        bool ok = port.size() <= 5;
        long p = 0;
        for (char c : port) {
            if (c < '0' || c > '9') ok = false;
            else p = p * 10 + (c - '0');
        }
        if (!ok || p < 1 || p > 65535) {
            error(n.mark, "invalid URL " + quoted(log::redact_url(s)) + what_suffix(what) + " (bad port " + quoted(port) + ")");
            return false;
        }
    }
    out = s;
    return true;
}

bool Reader::expression(const Node& n, std::string_view what, bool path, Expr& out) {
    std::string text;
    if (!str(n, what, text)) return false;
    auto source_offset = [&](std::size_t off) -> std::size_t {
        if (n.interp_map.empty()) return off;
        if (off >= n.interp_map.size()) return n.interp_map.back();
        return n.interp_map[off];
    };
    out.text = text;
    out.mark = value_mark(file_, n, source_offset(0));
    expr::CompileError err;
    out.program = path ? expr::compile_path(text, err) : expr::compile(text, err);
    if (!out.program) {
        Diagnostic d;
        d.mark = value_mark(file_, n, source_offset(std::min(err.offset, text.size())));
        d.has_mark = true;
        d.message = err.message.empty() ? "invalid expression" : err.message;
        d.expr_text = text;
        d.caret = std::min(err.offset, text.size());
        d.has_expr = true;
        diags_.push_back(std::move(d));
        return false;
    }
    return true;
}

void Reader::json_rec(const Node& n, std::string& out, bool& ok) {
    if (n.bad) {
        ok = false;
        return;
    }
    switch (n.kind) {
        case Node::Kind::Null: out += "null"; return;
        case Node::Kind::Alias: ok = false; return;
        case Node::Kind::Scalar: {
            if (!interpolated(n)) {
                ok = false;
                return;
            }
            if (n.plain()) {
                std::string lit = yaml_literal(n.interp);
                if (!lit.empty()) {
                    out += lit;
                    return;
                }
                if (is_json_number(n.interp)) {
                    out += n.interp;
                    return;
                }
            }
            json::encode_string(n.interp, out);
            return;
        }
        case Node::Kind::Seq: {
            out += '[';
            bool first = true;
            for (const Node& item : n.items) {
                if (!first) out += ',';
                first = false;
                json_rec(item, out, ok);
            }
            out += ']';
            return;
        }
        case Node::Kind::Map: {
            out += '{';
            bool first = true;
            for (const auto& [k, v] : n.entries) {
                if (k.bad) {
                    ok = false;
                    continue;
                }
                if (!first) out += ',';
                first = false;
                json::encode_string(k.value, out);
                out += ':';
                json_rec(v, out, ok);
            }
            out += '}';
            return;
        }
    }
}

bool Reader::json(const Node& n, std::string_view what, std::string& out) {
    if (n.bad) return false;
    if (n.is_null() && n.empty) {
        error(n.mark, "missing value" + what_suffix(what));
        return false;
    }
    out.clear();
    bool ok = true;
    json_rec(n, out, ok);
    return ok;
}

std::string Reader::canonical(const Node& n) {
    std::string out;
    switch (n.kind) {
        case Node::Kind::Null: out += n.empty ? "~" : "null"; break;
        case Node::Kind::Alias: out += "*"; break;
        case Node::Kind::Scalar: {
            std::string text = n.value;
            if (n.interp_done && n.interp_ok) {
                text = n.interp;
            } else if (!n.interp_done) {
                std::string tmp, err;
                if (interpolate(n.value, ictx_, tmp, nullptr, err)) text = tmp;
            }
            out += n.plain() ? "p" : "q";
            json::encode_string(text, out);
            break;
        }
        case Node::Kind::Seq:
            out += '[';
            for (const Node& item : n.items) {
                out += canonical(item);
                out += ',';
            }
            out += ']';
            break;
        case Node::Kind::Map:
            out += '{';
            for (const auto& [k, v] : n.entries) {
                json::encode_string(k.value, out);
                out += ':';
                out += canonical(v);
                out += ',';
            }
            out += '}';
            break;
    }
    return out;
}

}  // namespace sluiced::config
