#include "source/link_header.h"
#include "util/ascii.h"

#include <cctype>

namespace sluiced::source {

namespace {

bool ows(char c) { return c == ' ' || c == '\t'; }

bool rel_matches(std::string_view rels, std::string_view rel) {
    std::size_t i = 0;
    while (i < rels.size()) {
        while (i < rels.size() && (rels[i] == ' ' || rels[i] == '\t')) ++i;
        std::size_t j = i;
        while (j < rels.size() && rels[j] != ' ' && rels[j] != '\t') ++j;
        if (j > i && iequals(rels.substr(i, j - i), rel)) return true;
        i = j;
    }
    return false;
}

}  // namespace

std::optional<std::string> find_link_in(std::string_view v, std::string_view rel) {
    std::size_t i = 0, n = v.size();
    while (i < n) {
        while (i < n && (ows(v[i]) || v[i] == ',')) ++i;
        if (i >= n) break;
        if (v[i] != '<') {
            // Not a link-value: skip to the next comma outside quotes.
            bool q = false;
            while (i < n && (q || v[i] != ',')) {
                if (v[i] == '"') q = !q;
                else if (q && v[i] == '\\') ++i;
                ++i;
            }
            continue;
        }
        std::size_t close = v.find('>', i + 1);
        if (close == std::string_view::npos) break;
        std::string target(v.substr(i + 1, close - i - 1));
        i = close + 1;
        bool have_rel = false, matched = false;
        // Parameters until the next top-level comma.
        while (i < n) {
            while (i < n && ows(v[i])) ++i;
            if (i >= n || v[i] == ',') break;
            if (v[i] != ';') {  // garbage: skip a character
                ++i;
                continue;
            }
            ++i;
            while (i < n && ows(v[i])) ++i;
            std::size_t ns = i;
            while (i < n && v[i] != '=' && v[i] != ';' && v[i] != ',' && !ows(v[i])) ++i;
            std::string_view name = v.substr(ns, i - ns);
            while (i < n && ows(v[i])) ++i;
            std::string value;
            if (i < n && v[i] == '=') {
                ++i;
                while (i < n && ows(v[i])) ++i;
                if (i < n && v[i] == '"') {
                    ++i;
                    while (i < n && v[i] != '"') {
                        if (v[i] == '\\' && i + 1 < n) ++i;
                        value.push_back(v[i++]);
                    }
                    if (i < n) ++i;  // closing quote
                } else {
                    std::size_t vs = i;
                    while (i < n && v[i] != ';' && v[i] != ',' && !ows(v[i])) ++i;
                    value = std::string(v.substr(vs, i - vs));
                }
            }
            if (iequals(name, "rel") && !have_rel) {
                have_rel = true;
                matched = rel_matches(value, rel);
            }
        }
        if (matched) return target;
    }
    return std::nullopt;
}

std::optional<std::string> find_link(const HeaderList& headers, std::string_view rel) {
    for (const auto& [name, value] : headers) {
        if (!iequals(name, "link")) continue;
        if (auto t = find_link_in(value, rel)) return t;
    }
    return std::nullopt;
}

}  // namespace sluiced::source
