// Body bytes -> records (spec §4 "records", "format: ndjson", validation).
#pragma once
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.h"
#include "json/json.h"
#include "json/value.h"
#include "util/arena.h"

namespace sluiced::run {

// One decoded item in input order: a record, or an NDJSON line that failed
// to parse (line > 0, `error` set, `text` the line without trailing \r).
struct Item {
    json::Value record;
    std::size_t line = 0;
    std::string_view error;
    std::string_view text;
};

struct DecodeOutcome {
    bool ok = true;
    std::string error;            // run error when !ok
    bool records_missing = false; // `records` path missing or null (warn)
};

// NDJSON (spec §4): the next physical line of `text` at `pos`, without its
// '\n' and a trailing '\r'; advances `pos` past it. Call while pos < size.
inline std::string_view next_line(std::string_view text, std::size_t& pos) {
    std::size_t nl = text.find('\n', pos);
    std::size_t end = nl == std::string_view::npos ? text.size() : nl;
    std::string_view line = text.substr(pos, end - pos);
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    pos = nl == std::string_view::npos ? text.size() : nl + 1;
    return line;
}

// JSON white space (RFC 8259): space, tab, CR, LF.
inline bool is_json_ws(char c) { return c == ' ' || c == '\t' || c == '\r' || c == '\n'; }

// True when `s` is empty or JSON white space only (a line that is no record).
inline bool blank(std::string_view s) {
    for (char c : s)
        if (!is_json_ws(c)) return false;
    return true;
}

// Decodes one response body into DOM records (the path for runs that need
// the document or every record at once; other runs stream each page, see
// Run::stream_page and json::ArrayReader). `body` must outlive the items
// (views into it). json: the whole body is validated first; then `records`
// (a path program or nullptr) selects the records. ndjson: one record per
// non-blank line. `doc` receives the whole decoded document (json format;
// null for ndjson), for pagination paths.
DecodeOutcome decode_body(std::string_view body, const config::HttpSource& source, Arena& arena,
                          std::vector<Item>& items, json::Value& doc);

}  // namespace sluiced::run
