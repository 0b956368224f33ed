#include "sink/json_complete.h"

#include <cstddef>
#include <vector>

namespace sluiced::sink {
namespace {

constexpr std::size_t kMaxDepth = 10000;

struct Scanner {
    std::string_view s;
    std::size_t p = 0;

    bool at_end() const { return p >= s.size(); }
    unsigned char peek() const { return static_cast<unsigned char>(s[p]); }

    void skip_ws() {
        while (p < s.size() && (s[p] == ' ' || s[p] == '\t' || s[p] == '\r' || s[p] == '\n')) ++p;
    }

    static bool is_hex(unsigned char c) {
        return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
    }
    static bool is_digit(unsigned char c) { return c >= '0' && c <= '9'; }

    // One UTF-8 sequence starting at p (first byte >= 0x80); no overlongs,
    // no surrogates, nothing above U+10FFFF.
    bool utf8() {
        unsigned char c = peek();
        std::size_t len;
        unsigned char lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF) {
            len = 2;
        } else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0) lo = 0xA0;
            if (c == 0xED) hi = 0x9F;
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0) lo = 0x90;
            if (c == 0xF4) hi = 0x8F;
        } else {
            return false;
        }
        if (s.size() - p < len) return false;
        unsigned char c1 = static_cast<unsigned char>(s[p + 1]);
        if (c1 < lo || c1 > hi) return false;
        for (std::size_t i = 2; i < len; ++i) {
            unsigned char ci = static_cast<unsigned char>(s[p + i]);
            if (ci < 0x80 || ci > 0xBF) return false;
        }
        p += len;
        return true;
    }

    // At '"'.
    bool string() {
        ++p;
        while (!at_end()) {
            unsigned char c = peek();
            if (c == '"') {
                ++p;
                return true;
            }
            if (c < 0x20) return false;
            if (c == '\\') {
                ++p;
                if (at_end()) return false;
                unsigned char e = peek();
                if (e == 'u') {
                    if (s.size() - p < 5) return false;
                    for (std::size_t i = 1; i <= 4; ++i)
                        if (!is_hex(static_cast<unsigned char>(s[p + i]))) return false;
                    p += 5;
                } else if (e == '"' || e == '\\' || e == '/' || e == 'b' || e == 'f' || e == 'n' || e == 'r' ||
                           e == 't') {
                    ++p;
                } else {
                    return false;
                }
            } else if (c >= 0x80) {
                if (!utf8()) return false;
            } else {
                ++p;
            }
        }
        return false;
    }

    bool number() {
        if (peek() == '-') ++p;
        if (at_end()) return false;
        if (peek() == '0') {
            ++p;
        } else if (is_digit(peek())) {
            while (!at_end() && is_digit(peek())) ++p;
        } else {
            return false;
        }
        if (!at_end() && peek() == '.') {
            ++p;
            if (at_end() || !is_digit(peek())) return false;
            while (!at_end() && is_digit(peek())) ++p;
        }
        if (!at_end() && (peek() == 'e' || peek() == 'E')) {
            ++p;
            if (!at_end() && (peek() == '+' || peek() == '-')) ++p;
            if (at_end() || !is_digit(peek())) return false;
            while (!at_end() && is_digit(peek())) ++p;
        }
        return true;
    }

    bool literal(std::string_view word) {
        if (s.substr(p, word.size()) != word) return false;
        p += word.size();
        return true;
    }
};

}  // namespace

bool is_complete_json_container(std::string_view text) {
    Scanner sc{text};
    // Top-level whitespace excludes '\n' (the caller's text is one line, but
    // be strict anyway): only spaces, tabs and CRs may surround the value.
    auto skip_edge = [&] {
        while (!sc.at_end() && (sc.peek() == ' ' || sc.peek() == '\t' || sc.peek() == '\r')) ++sc.p;
    };
    skip_edge();
    if (sc.at_end() || (sc.peek() != '{' && sc.peek() != '[')) return false;

    std::vector<char> stack;  // '{' or '['
    enum class State { Value, Key, AfterValue } state = State::Value;
    for (;;) {
        switch (state) {
            case State::Value: {
                sc.skip_ws();
                if (sc.at_end()) return false;
                unsigned char c = sc.peek();
                if (c == '{' || c == '[') {
                    if (stack.size() >= kMaxDepth) return false;
                    stack.push_back(char(c));
                    ++sc.p;
                    sc.skip_ws();
                    if (sc.at_end()) return false;
                    if (sc.peek() == (c == '{' ? '}' : ']')) {
                        stack.pop_back();
                        ++sc.p;
                        state = State::AfterValue;
                    } else {
                        state = c == '{' ? State::Key : State::Value;
                    }
                    continue;
                }
                bool ok;
                if (c == '"') ok = sc.string();
                else if (c == '-' || Scanner::is_digit(c)) ok = sc.number();
                else if (c == 't') ok = sc.literal("true");
                else if (c == 'f') ok = sc.literal("false");
                else if (c == 'n') ok = sc.literal("null");
                else ok = false;
                if (!ok) return false;
                state = State::AfterValue;
                continue;
            }
            case State::Key: {
                sc.skip_ws();
                if (sc.at_end() || sc.peek() != '"' || !sc.string()) return false;
                sc.skip_ws();
                if (sc.at_end() || sc.peek() != ':') return false;
                ++sc.p;
                state = State::Value;
                continue;
            }
            case State::AfterValue: {
                if (stack.empty()) {
                    skip_edge();
                    return sc.at_end();
                }
                sc.skip_ws();
                if (sc.at_end()) return false;
                unsigned char c = sc.peek();
                if (c == ',') {
                    ++sc.p;
                    state = stack.back() == '{' ? State::Key : State::Value;
                    continue;
                }
                if ((c == '}' && stack.back() == '{') || (c == ']' && stack.back() == '[')) {
                    stack.pop_back();
                    ++sc.p;
                    continue;  // still AfterValue
                }
                return false;
            }
        }
    }
}

}  // namespace sluiced::sink
