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
// A lazy record (line == 0, `text` set) holds only its validated JSON text:
// materialize() decodes it when it is used, into a per-record arena, so a
// big response never has all its records decoded at once.
struct Item {
    json::Value record;
    std::size_t line = 0;
    std::string_view error;
    std::string_view text;
    bool lazy() const { return line == 0 && text.data() != nullptr; }
};

struct DecodeOutcome {
    bool ok = true;
    std::string error;            // run error when !ok
    bool records_missing = false; // `records` path missing or null (warn)
};

// Decodes one response body. `body` must outlive the items (views into it).
// json: the whole body is validated first; then `records` (a path program or
// nullptr) selects the records. ndjson: one record per non-blank line.
// `doc` receives the whole decoded document (json format; null for ndjson),
// for pagination paths.
//
// `allow_lazy`: the caller handles lazy items (materialize()). Records are
// then made lazy when nothing needs the decoded document or the records
// before the stages: format ndjson, or json without `records` whose value
// is an array, in both cases without `incremental` (its cursor reads every
// record) and, for json, without `next_url` / `cursor` pagination (they read
// `doc`, which is then null). Validation (spec §4) is unchanged: the whole
// body is checked before any item is returned.
DecodeOutcome decode_body(std::string_view body, const config::HttpSource& source, Arena& arena,
                          std::vector<Item>& items, json::Value& doc, bool allow_lazy = false);

// The record of `item`: item.record, or for a lazy item its text decoded
// into `arena` (an arena that may be reset once the record is used).
// Returns false with `error` only if the text is not valid JSON, which
// decode_body has ruled out.
inline bool materialize(const Item& item, Arena& arena, json::Value& out, std::string& error) {
    if (!item.lazy()) {
        out = item.record;
        return true;
    }
    return json::parse_valid(item.text, arena, out, error);
}

}  // namespace sluiced::run
