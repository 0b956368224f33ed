#include "run/decode.h"

#include <algorithm>

#include "expr/expr.h"
#include "json/json.h"

namespace sluiced::run {

namespace {
const char* kind_name(json::Kind k) {
    static const char* names[] = {"null", "bool", "number", "string", "array", "object"};
    return names[int(k)];
}

// Room for `more` items without a reallocation per page (geometric growth).
void reserve_more(std::vector<Item>& items, std::size_t more) {
    std::size_t need = items.size() + more;
    if (need > items.capacity()) items.reserve(std::max(need, 2 * items.capacity()));
}

}  // namespace

DecodeOutcome decode_body(std::string_view body, const config::HttpSource& source, Arena& arena,
                          std::vector<Item>& items, json::Value& doc) {
    DecodeOutcome out;
    doc = json::Value::null();
    if (source.format == config::HttpSource::Format::Ndjson) {
        std::size_t pos = 0, line = 0;
        std::string err;
        while (pos < body.size()) {
            std::string_view text = next_line(body, pos);
            ++line;
            if (blank(text)) continue;
            Item it;
            if (json::parse(text, arena, it.record, err)) {
                items.push_back(it);
            } else {
                it.line = line;
                it.error = arena.copy("line " + std::to_string(line) + ": " + err);
                it.text = text;
                items.push_back(it);
            }
        }
        return out;
    }
    std::string err;
    if (!json::parse(body, arena, doc, err)) {
        out.ok = false;
        out.error = "response is not valid JSON: " + err;
        return out;
    }
    json::Value sel = doc;
    if (source.records) {
        expr::PathLookup l = expr::lookup(*source.records->program, doc, arena);
        if (!l.present || l.value.is_null()) {
            out.records_missing = true;
            return out;
        }
        sel = l.value;
        if (sel.is_array()) {
            reserve_more(items, sel.size);
            for (std::uint32_t i = 0; i < sel.size; ++i) items.push_back(Item{sel.items[i], 0, {}, {}});
        } else if (sel.is_object()) {
            items.push_back(Item{sel, 0, {}, {}});
        } else {
            out.ok = false;
            out.error = "records path " + source.records->text + " leads to a " + kind_name(sel.kind) +
                        ", not an array or object";
        }
        return out;
    }
    if (sel.is_array()) {
        reserve_more(items, sel.size);
        for (std::uint32_t i = 0; i < sel.size; ++i) items.push_back(Item{sel.items[i], 0, {}, {}});
    } else if (!sel.is_null()) {
        items.push_back(Item{sel, 0, {}, {}});
    }
    return out;
}

}  // namespace sluiced::run
