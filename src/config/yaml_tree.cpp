#include "config/yaml_tree.h"

#include <yaml-cpp/eventhandler.h>
#include <yaml-cpp/exceptions.h>
#include <yaml-cpp/mark.h>
#include <yaml-cpp/parser.h>

#include <sstream>

#include "config/diagnostics.h"

namespace sluiced::config {

const char* Node::kind_name() const {
    switch (kind) {
        case Kind::Null: return "null";
        case Kind::Scalar: return "a string";
        case Kind::Seq: return "a sequence";
        case Kind::Map: return "a mapping";
        case Kind::Alias: return "an alias";
    }
    return "?";
}

const Node* Node::get(std::string_view key) const {
    if (kind != Kind::Map) return nullptr;
    for (const auto& [k, v] : entries)
        if (k.kind == Kind::Scalar && k.value == key) return &v;
    return nullptr;
}

namespace {

bool is_space(char c) { return c == ' ' || c == '\t'; }
bool is_break_or_space(char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

// Skips node properties (`&anchor`, `!tag`) starting at `j`.
std::size_t skip_properties(const std::string& s, std::size_t j) {
    while (j < s.size() && (s[j] == '&' || s[j] == '!')) {
        while (j < s.size() && !is_break_or_space(s[j])) ++j;
        while (j < s.size() && is_break_or_space(s[j])) ++j;
    }
    return j;
}

// The tag as written in the source, starting from a node's position.
std::string tag_text(const std::string& s, std::size_t j, const std::string& fallback) {
    while (j < s.size() && s[j] == '&') {
        while (j < s.size() && !is_break_or_space(s[j])) ++j;
        while (j < s.size() && is_break_or_space(s[j])) ++j;
    }
    if (j < s.size() && s[j] == '!') {
        std::size_t e = j;
        while (e < s.size() && !is_break_or_space(s[e]) && s[e] != ',' && s[e] != '}' && s[e] != ']') ++e;
        return s.substr(j, e - j);
    }
    return fallback;
}

bool null_word_at(const std::string& s, std::size_t j, std::string& word) {
    for (std::string_view w : {"null", "Null", "NULL", "~"}) {
        if (s.compare(j, w.size(), w) == 0) {
            std::size_t e = j + w.size();
            if (e < s.size() && !is_break_or_space(s[e]) && s[e] != ',' && s[e] != '}' && s[e] != ']' &&
                s[e] != '#')
                continue;
            // `null: x` here is the next key, not this value.
            std::size_t k = e;
            while (k < s.size() && is_space(s[k])) ++k;
            if (k < s.size() && s[k] == ':' && (k + 1 == s.size() || is_break_or_space(s[k + 1]))) return false;
            word = std::string(w);
            return true;
        }
    }
    return false;
}

// Whether the quoted scalar opening at s[j] is closed before the end.
bool quote_closed(const std::string& s, std::size_t j) {
    if (j >= s.size()) return true;
    char q = s[j];
    for (std::size_t k = j + 1; k < s.size(); ++k) {
        if (q == '"' && s[k] == '\\') {
            ++k;
            continue;
        }
        if (s[k] == q) {
            if (q == '\'' && k + 1 < s.size() && s[k + 1] == '\'') {
                ++k;
                continue;
            }
            return true;
        }
    }
    return false;
}

class Builder : public YAML::EventHandler {
public:
    Builder(const YamlFile& file) : file_(file) {}

    Node root;
    bool have_root = false;
    // yaml-cpp accepts a quoted scalar left open at the end of the input.
    bool unterminated = false;
    Mark unterminated_mark;
    Mark doc_mark;
    int doc_pos = -1;  // byte offset of the document start

    void OnDocumentStart(const YAML::Mark& m) override {
        doc_mark = to_mark(m);
        doc_pos = m.pos;
    }
    void OnDocumentEnd() override {}

    void OnNull(const YAML::Mark& m, YAML::anchor_t) override {
        Node n = make(m, Node::Kind::Null);
        std::string word;
        if (n.pos >= 0 && static_cast<std::size_t>(n.pos) <= file_.source.size() &&
            null_word_at(file_.source, skip_properties(file_.source, static_cast<std::size_t>(n.pos)), word)) {
            n.value = word;
        } else {
            n.empty = true;
        }
        add(std::move(n));
    }

    void OnAlias(const YAML::Mark& m, YAML::anchor_t) override { add(make(m, Node::Kind::Alias)); }

    void OnScalar(const YAML::Mark& m, const std::string& tag, YAML::anchor_t,
                  const std::string& value) override {
        Node n = make(m, Node::Kind::Scalar);
        n.value = value;
        const std::string& s = file_.source;
        std::size_t j = skip_properties(s, static_cast<std::size_t>(std::max(0, n.pos)));
        if (tag == "?") {
            n.style = Node::Style::Plain;
        } else {
            char c = j < s.size() ? s[j] : '\0';
            n.style = c == '\'' ? Node::Style::Single
                    : c == '"'  ? Node::Style::Double
                    : c == '|'  ? Node::Style::Literal
                    : c == '>'  ? Node::Style::Folded
                                : Node::Style::Plain;
            if (tag != "!" || has_explicit_tag(n)) n.tag = tag_text(s, static_cast<std::size_t>(n.pos), tag);
            if ((n.style == Node::Style::Single || n.style == Node::Style::Double) && !unterminated &&
                !quote_closed(s, j))
                unterminated_mark = n.mark, unterminated = true;
        }
        add(std::move(n));
    }

    void OnSequenceStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t,
                         YAML::EmitterStyle::value) override {
        Node n = make(m, Node::Kind::Seq);
        check_collection_tag(n, tag);
        stack_.push_back({std::move(n), false, Node{}});
    }
    void OnSequenceEnd() override { close(); }

    void OnMapStart(const YAML::Mark& m, const std::string& tag, YAML::anchor_t,
                    YAML::EmitterStyle::value) override {
        Node n = make(m, Node::Kind::Map);
        check_collection_tag(n, tag);
        stack_.push_back({std::move(n), false, Node{}});
    }
    void OnMapEnd() override { close(); }

private:
    struct Frame {
        Node node;
        bool has_key;
        Node key;
    };

    Mark to_mark(const YAML::Mark& m) const { return Mark{file_.path, m.line + 1, m.column + 1}; }

    Node make(const YAML::Mark& m, Node::Kind k) const {
        Node n;
        n.kind = k;
        n.mark = to_mark(m);
        n.pos = m.pos;
        return n;
    }

    bool has_explicit_tag(const Node& n) const {
        std::string t = tag_text(file_.source, static_cast<std::size_t>(std::max(0, n.pos)), "");
        return !t.empty();
    }

    void check_collection_tag(Node& n, const std::string& tag) {
        if (tag != "?") n.tag = tag_text(file_.source, static_cast<std::size_t>(std::max(0, n.pos)), tag);
    }

    void close() {
        Node n = std::move(stack_.back().node);
        stack_.pop_back();
        add(std::move(n));
    }

    void add(Node n) {
        if (stack_.empty()) {
            root = std::move(n);
            have_root = true;
            return;
        }
        Frame& f = stack_.back();
        if (f.node.kind == Node::Kind::Seq) {
            f.node.items.push_back(std::move(n));
        } else if (!f.has_key) {
            // A key written `null`/`~` followed by `:` is that text (the
            // value-side check in OnNull cannot tell a key from a value).
            if (n.kind == Node::Kind::Null && n.empty && n.pos >= 0) {
                std::size_t j = skip_properties(file_.source, static_cast<std::size_t>(n.pos));
                for (std::string_view w : {"null", "Null", "NULL", "~"}) {
                    if (file_.source.compare(j, w.size(), w) == 0) {
                        std::size_t e = j + w.size();
                        while (e < file_.source.size() && is_space(file_.source[e])) ++e;
                        if (e < file_.source.size() && file_.source[e] == ':') {
                            n.value = std::string(w);
                            n.empty = false;
                        }
                        break;
                    }
                }
            }
            f.key = std::move(n);
            f.has_key = true;
        } else {
            if (n.kind == Node::Kind::Null && n.empty) {
                n.mark = f.key.mark;
                n.pos = f.key.pos;
            }
            f.node.entries.emplace_back(std::move(f.key), std::move(n));
            f.key = Node{};
            f.has_key = false;
        }
    }

    const YamlFile& file_;
    std::vector<Frame> stack_;
};

void error(std::vector<Diagnostic>& diags, const Mark& m, std::string msg) {
    Diagnostic d;
    d.mark = m;
    d.has_mark = true;
    d.message = std::move(msg);
    diags.push_back(std::move(d));
}

std::string alias_text(const std::string& s, int pos) {
    std::size_t j = static_cast<std::size_t>(std::max(0, pos));
    std::size_t e = j;
    while (e < s.size() && !is_break_or_space(s[e]) && s[e] != ',' && s[e] != '}' && s[e] != ']') ++e;
    return s.substr(j, e - j);
}

void check(const YamlFile& file, Node& n, std::vector<Diagnostic>& diags) {
    if (!n.tag.empty()) {
        error(diags, n.mark, "YAML tags are not supported (" + quoted(n.tag) + ")");
        n.bad = true;
        return;
    }
    switch (n.kind) {
        case Node::Kind::Alias:
            error(diags, n.mark, "aliases are not supported (" + quoted(alias_text(file.source, n.pos)) +
                                     "); write the value out");
            n.bad = true;
            return;
        case Node::Kind::Seq:
            for (Node& item : n.items) check(file, item, diags);
            return;
        case Node::Kind::Map: {
            std::vector<const Node*> seen;
            for (auto& [k, v] : n.entries) {
                if (k.kind == Node::Kind::Null && !k.empty) {
                    k.kind = Node::Kind::Scalar;  // `null: x` -> key "null"
                    k.style = Node::Style::Plain;
                }
                if (!k.tag.empty()) {
                    error(diags, k.mark, "YAML tags are not supported (" + quoted(k.tag) + ")");
                    k.bad = v.bad = true;
                    continue;
                }
                if (k.kind == Node::Kind::Alias) {
                    error(diags, k.mark, "aliases are not supported (" + quoted(alias_text(file.source, k.pos)) +
                                             "); write the value out");
                    k.bad = v.bad = true;
                    continue;
                }
                if (k.kind != Node::Kind::Scalar) {
                    error(diags, k.mark,
                          k.kind == Node::Kind::Null ? "empty mapping key" : "mapping keys must be strings");
                    k.bad = v.bad = true;
                    continue;
                }
                if (k.style == Node::Style::Plain && k.value == "<<") {
                    error(diags, k.mark, "merge keys (`<<`) are not supported; write the keys out");
                    k.bad = v.bad = true;
                    continue;
                }
                for (const Node* prev : seen) {
                    if (prev->value == k.value) {
                        error(diags, k.mark,
                              "duplicate key " + quoted(k.value) + " (first at line " +
                                  std::to_string(prev->mark.line) + ", column " +
                                  std::to_string(prev->mark.column) + ")");
                        k.bad = v.bad = true;
                        break;
                    }
                }
                if (!k.bad) seen.push_back(&k);
                if (!v.bad) check(file, v, diags);
            }
            return;
        }
        default: return;
    }
}

}  // namespace

bool parse_yaml(YamlFile& file, std::vector<Diagnostic>& diags) {
    std::istringstream in(file.source);
    file.root = Node{};
    file.root.mark = Mark{file.path, 1, 1};
    std::size_t before = diags.size();
    try {
        YAML::Parser parser(in);
        int docs = 0;
        int prev_doc_pos = -1;
        for (;;) {
            Builder b(file);
            if (!parser.HandleNextDocument(b)) break;
            ++docs;
            // yaml-cpp 0.7 (Debian 12) loops forever on a stray `,` at the
            // top level (jbeder/yaml-cpp#1040): every call returns one more
            // null document without consuming input. Two documents cannot
            // start at the same byte, and each one after the first takes a
            // 3-byte `---` or `...` marker (found by tests/fuzz/fuzz_config).
            if ((docs > 1 && b.doc_pos == prev_doc_pos) ||
                static_cast<std::size_t>(docs) > file.source.size() / 3 + 2) {
                diags.resize(before);
                Diagnostic d;
                d.mark = b.doc_mark;
                d.has_mark = true;
                unsigned char c = b.doc_pos >= 0 && static_cast<std::size_t>(b.doc_pos) < file.source.size()
                                      ? static_cast<unsigned char>(file.source[static_cast<std::size_t>(b.doc_pos)])
                                      : 0;
                d.message = c > 0x20 && c < 0x7f ? "YAML syntax error: unexpected `" + std::string(1, char(c)) + "`"
                                                 : std::string("YAML syntax error: unexpected character");
                diags.push_back(std::move(d));
                return false;
            }
            prev_doc_pos = b.doc_pos;
            if (b.unterminated) {
                diags.resize(before);
                Diagnostic d;
                d.mark = b.unterminated_mark;
                d.has_mark = true;
                d.message = "YAML syntax error: quoted scalar not closed before the end of the file";
                diags.push_back(std::move(d));
                return false;
            }
            if (docs == 1) {
                if (b.have_root) file.root = std::move(b.root);
            } else if (b.have_root && !(b.root.kind == Node::Kind::Null && b.root.empty)) {
                error(diags, b.doc_mark,
                      "a file holds one YAML document; found another one (split it into separate files)");
            }
        }
    } catch (const YAML::Exception& e) {
        diags.resize(before);
        Diagnostic d;
        if (!e.mark.is_null()) {
            d.mark = Mark{file.path, e.mark.line + 1, e.mark.column + 1};
            d.has_mark = true;
        }
        d.message = "YAML syntax error: " + e.msg;
        diags.push_back(std::move(d));
        return false;
    }
    check(file, file.root, diags);
    return true;
}

Mark value_mark(const YamlFile& f, const Node& n, std::size_t offset) {
    const std::string& s = f.source;
    const std::string& v = n.value;
    if (n.kind != Node::Kind::Scalar || n.pos < 0 || static_cast<std::size_t>(n.pos) > s.size()) return n.mark;
    std::size_t j = static_cast<std::size_t>(n.pos);
    int line = n.mark.line, col = n.mark.column;
    auto adv = [&] {
        if (s[j] == '\n') {
            ++line;
            col = 1;
        } else {
            ++col;
        }
        ++j;
    };
    std::size_t start = skip_properties(s, j);
    while (j < start && j < s.size()) adv();
    const bool block = n.style == Node::Style::Literal || n.style == Node::Style::Folded;
    std::size_t indent = 0;
    if (n.style == Node::Style::Single || n.style == Node::Style::Double) {
        if (j < s.size()) adv();
    } else if (block) {
        while (j < s.size() && s[j] != '\n') adv();
        if (j < s.size()) adv();
        std::size_t k = j;
        for (;;) {
            std::size_t sp = 0;
            while (k < s.size() && s[k] == ' ') ++k, ++sp;
            if (k < s.size() && (s[k] == '\n' || s[k] == '\r')) {
                ++k;
                continue;
            }
            indent = sp;
            break;
        }
        for (std::size_t c = 0; c < indent && j < s.size() && s[j] == ' '; ++c) adv();
    }
    auto hexval = [&](std::size_t from, std::size_t len) {
        unsigned long cp = 0;
        for (std::size_t k = from; k < from + len && k < s.size(); ++k) {
            char h = s[k];
            int d = h >= '0' && h <= '9' ? h - '0' : h >= 'a' && h <= 'f' ? h - 'a' + 10 : h >= 'A' && h <= 'F' ? h - 'A' + 10 : 0;
            cp = cp * 16 + static_cast<unsigned long>(d);
        }
        return cp;
    };
    std::size_t i = 0;
    while (i < offset && j < s.size()) {
        char c = s[j];
        if (n.style == Node::Style::Double && c == '\\' && j + 1 < s.size()) {
            char e = s[j + 1];
            if (e == '\n' || e == '\r') {
                adv();
                while (j < s.size() && (s[j] == '\n' || s[j] == '\r')) adv();
                while (j < s.size() && is_space(s[j])) adv();
                continue;
            }
            std::size_t len = 2, produced = 1;
            if (e == 'x' || e == 'u' || e == 'U') {
                std::size_t digits = e == 'x' ? 2 : e == 'u' ? 4 : 8;
                unsigned long cp = hexval(j + 2, digits);
                len = 2 + digits;
                produced = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
            } else if (e == 'N' || e == '_') {
                produced = e == 'N' ? 2 : 2;
            } else if (e == 'L' || e == 'P') {
                produced = 3;
            }
            for (std::size_t k = 0; k < len && j < s.size(); ++k) adv();
            i += produced;
            continue;
        }
        if (n.style == Node::Style::Single && c == '\'' && j + 1 < s.size() && s[j + 1] == '\'') {
            adv();
            adv();
            ++i;
            continue;
        }
        if (c == '\r') {
            adv();
            continue;
        }
        if (c == '\n') {
            adv();
            if (block) {
                for (std::size_t k = 0; k < indent && j < s.size() && s[j] == ' '; ++k) adv();
            } else {
                while (j < s.size() && is_space(s[j])) adv();
            }
            if (i < v.size() && (v[i] == '\n' || v[i] == ' ')) ++i;
            continue;
        }
        if (i < v.size() && c == v[i]) {
            adv();
            ++i;
            continue;
        }
        if (is_space(c)) {
            adv();
            continue;
        }
        adv();
        ++i;
    }
    return Mark{f.path, line, col};
}

}  // namespace sluiced::config
