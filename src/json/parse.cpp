// Strict RFC 8259 parser (spec §4 "decoding").
//
// Iterative (explicit frame stack, nesting limited to kMaxDepth), so hostile
// input can never overflow the machine stack. Number and string tokens are
// views into the input; arrays and objects are collected on a thread-local
// scratch stack and copied into the Arena once their size is known.
//
// Error offsets are 0-based byte offsets into the input.
#include <simdjson.h>

#include <cstddef>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#if defined(__SSE2__)
#include <emmintrin.h>
#endif

#include "json/detail.h"
#include "json/json.h"
#include "util/arena.h"

namespace sluiced::json {
namespace {

constexpr std::size_t kMaxDepth = 1024;     // deeper nesting is an error
constexpr std::uint32_t kSmallObject = 32;  // up to this many members: pairwise duplicate check
constexpr std::size_t kScratchKeep = 1u << 20;  // scratch capacity kept between parses

static_assert(sizeof(Member) == 2 * sizeof(Value), "Member must be a key Value followed by a value Value");

struct Frame {
    std::uint32_t start;  // index in Scratch::vals of the first item / key
    bool object;
};

struct Scratch {
    std::vector<Value> vals;  // pending items; objects push key, value, key, value...
    std::vector<Frame> frames;
    std::vector<std::string_view> keys;  // decoded keys of the object being closed
    std::vector<std::uint32_t> table;    // open-addressing hash table for big objects
};
thread_local Scratch t_scratch;

struct Tables {
    bool ws[256] = {};
    bool str_special[256] = {};  // '"', '\\' and control characters
    constexpr Tables() {
        ws[' '] = ws['\t'] = ws['\n'] = ws['\r'] = true;
        for (int c = 0; c < 0x20; ++c) str_special[c] = true;
        str_special['"'] = str_special['\\'] = true;
    }
};
constexpr Tables kTables;

inline bool is_digit(char c) { return static_cast<unsigned char>(c - '0') < 10; }

// Writes a token Value (NumText or StrJson) to `out` with one 16-byte store.
// The callers read `out` back at once as a whole (to push it on the scratch
// stack); field-by-field stores followed by that 16-byte load stall the
// CPU's store forwarding on every token (it was the parser's hottest spot).
inline void put_token(Value& out, Kind kind, Form form, bool flag, const char* text, std::size_t size) {
#if defined(__SSE2__)
    static_assert(sizeof(Value) == 16 && offsetof(Value, size) == 4 && offsetof(Value, text) == 8,
                  "Value layout assumed by put_token");
    std::uint64_t head = std::uint64_t(std::uint8_t(kind)) | std::uint64_t(std::uint8_t(form)) << 8 |
                         std::uint64_t(flag) << 16 | std::uint64_t(std::uint32_t(size)) << 32;
    _mm_storeu_si128(reinterpret_cast<__m128i*>(&out),
                     _mm_set_epi64x(static_cast<long long>(reinterpret_cast<std::uintptr_t>(text)),
                                    static_cast<long long>(head)));
#else
    out = kind == Kind::String ? Value::string_json({text, size}, flag) : Value::number_text({text, size});
    (void)form;
#endif
}

// Build = true: a DOM in the arena. Build = false: checks only (no
// allocation), for ArrayReader::skip_rest.
template <bool Build>
class Parser {
public:
    Parser(std::string_view text, Arena* arena, std::string& error)
        : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), arena_(arena), error_(error) {}
    // A parser positioned at `p` inside the text [begin, end), for a value
    // nested `depth` containers deep (error offsets stay relative to begin).
    Parser(const char* begin, const char* p, const char* end, std::size_t depth, Arena* arena, std::string& error)
        : begin_(begin), p_(p), end_(end), arena_(arena), error_(error), depth_base_(depth) {}

    // The whole text is one value (white space around it allowed).
    bool run(Value& out);
    // One value starting at p_ (after white space); p_ ends just past it.
    bool value(Value& out);
    const char* pos() const { return p_; }
    void skip_white() { skip_ws(); }
    bool error_at(const char* at, const char* reason) { return fail(at, reason); }

private:
    bool fail(const char* at, const char* reason) {
        error_ = "invalid JSON at byte ";
        error_ += std::to_string(at - begin_);
        error_ += ": ";
        error_ += reason;
        return false;
    }

    void skip_ws() {
        if (p_ != end_ && static_cast<unsigned char>(*p_) > ' ') return;  // minified input
        while (p_ != end_ && kTables.ws[static_cast<unsigned char>(*p_)]) ++p_;
    }

    // Advances p_ to the first '"', '\\' or control character (or end_).
    void scan_string() {
        const char* p = p_;
#if defined(__SSE2__)
        const __m128i quote = _mm_set1_epi8('"');
        const __m128i bslash = _mm_set1_epi8('\\');
        const __m128i ctl = _mm_set1_epi8(0x1F);
        while (end_ - p >= 16) {
            __m128i x = _mm_loadu_si128(reinterpret_cast<const __m128i*>(p));
            __m128i m = _mm_or_si128(_mm_or_si128(_mm_cmpeq_epi8(x, quote), _mm_cmpeq_epi8(x, bslash)),
                                     _mm_cmpeq_epi8(_mm_max_epu8(x, ctl), ctl));
            int mask = _mm_movemask_epi8(m);
            if (mask != 0) {
                p_ = p + __builtin_ctz(static_cast<unsigned>(mask));
                return;
            }
            p += 16;
        }
#endif
        while (p != end_ && !kTables.str_special[static_cast<unsigned char>(*p)]) ++p;
        p_ = p;
    }

    bool parse_escape();
    // Inlined into the main loop: the token Value then stays in registers
    // on its way to the scratch stack (a call made it a store and a reload).
    [[gnu::always_inline]] inline bool parse_string(Value& out);
    [[gnu::always_inline]] inline bool parse_number(Value& out);
    bool parse_literal(const char* word, std::size_t n);
    [[gnu::always_inline]] inline bool parse_key();
    Value finish_array(std::uint32_t start);
    Value finish_object(std::uint32_t start);
    std::uint32_t merge_duplicates(Value* kv, std::uint32_t n);

    const char* begin_;
    const char* p_;
    const char* end_;
    Arena* arena_;  // Build only
    std::string& error_;
    std::size_t depth_base_ = 0;            // containers around the value being parsed
};

template <bool Build>
bool Parser<Build>::parse_escape() {
    // *p_ == '\\'
    if (end_ - p_ < 2) return fail(p_, "unterminated string");
    switch (p_[1]) {
        case '"': case '\\': case '/': case 'b': case 'f': case 'n': case 'r': case 't':
            p_ += 2;
            return true;
        case 'u': break;
        default: return fail(p_, "invalid escape in string");
    }
    std::int32_t cp = end_ - p_ >= 6 ? detail::hex4(p_ + 2) : -1;
    if (cp < 0) return fail(p_, "invalid \\u escape in string");
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        std::int32_t lo = -1;
        if (end_ - p_ >= 12 && p_[6] == '\\' && p_[7] == 'u') lo = detail::hex4(p_ + 8);
        if (lo < 0xDC00 || lo > 0xDFFF) return fail(p_, "lone surrogate in \\u escape");
        p_ += 12;
        return true;
    }
    if (cp >= 0xDC00 && cp <= 0xDFFF) return fail(p_, "lone surrogate in \\u escape");
    p_ += 6;
    return true;
}

template <bool Build>
bool Parser<Build>::parse_string(Value& out) {
    // *p_ == '"'
    const char* open = p_;
    const char* start = ++p_;
    bool esc = false;
    for (;;) {
        scan_string();
        if (p_ == end_) return fail(open, "unterminated string");
        char c = *p_;
        if (c == '"') break;
        if (c == '\\') {
            esc = true;
            if (!parse_escape()) return false;
            continue;
        }
        return fail(p_, "control character in string");
    }
    put_token(out, Kind::String, Form::StrJson, esc, start, std::size_t(p_ - start));
    ++p_;
    return true;
}

template <bool Build>
bool Parser<Build>::parse_number(Value& out) {
    const char* s = p_;
    if (*p_ == '-') ++p_;
    if (p_ == end_ || !is_digit(*p_)) return fail(p_, "expected digit in number");
    if (*p_ == '0') {
        ++p_;
        if (p_ != end_ && is_digit(*p_)) return fail(p_ - 1, "leading zero in number");
    } else {
        while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && *p_ == '.') {
        ++p_;
        if (p_ == end_ || !is_digit(*p_)) return fail(p_, "expected digit after '.'");
        while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    if (p_ != end_ && (*p_ == 'e' || *p_ == 'E')) {
        ++p_;
        if (p_ != end_ && (*p_ == '+' || *p_ == '-')) ++p_;
        if (p_ == end_ || !is_digit(*p_)) return fail(p_, "expected digit in exponent");
        while (p_ != end_ && is_digit(*p_)) ++p_;
    }
    put_token(out, Kind::Number, Form::NumText, false, s, std::size_t(p_ - s));
    return true;
}

template <bool Build>
bool Parser<Build>::parse_literal(const char* word, std::size_t n) {
    if (std::size_t(end_ - p_) < n || std::memcmp(p_, word, n) != 0) return fail(p_, "invalid literal");
    p_ += n;
    return true;
}

template <bool Build>
bool Parser<Build>::parse_key() {
    // p_ is past white space
    if (p_ == end_) return fail(p_, "unexpected end of input");
    if (*p_ != '"') return fail(p_, "expected string key");
    Value k;
    if (!parse_string(k)) return false;
    if constexpr (Build) t_scratch.vals.push_back(k);
    skip_ws();
    if (p_ == end_) return fail(p_, "unexpected end of input");
    if (*p_ != ':') return fail(p_, "expected ':'");
    ++p_;
    return true;
}

template <bool Build>
Value Parser<Build>::finish_array(std::uint32_t start) {
    auto& vals = t_scratch.vals;
    auto n = std::uint32_t(vals.size() - start);
    Value* items = arena_->alloc<Value>(n);
    std::memcpy(static_cast<void*>(items), vals.data() + start, n * sizeof(Value));
    return Value::array(items, n);
}

template <bool Build>
Value Parser<Build>::finish_object(std::uint32_t start) {
    auto& vals = t_scratch.vals;
    auto n = std::uint32_t((vals.size() - start) / 2);
    std::uint32_t m = merge_duplicates(vals.data() + start, n);
    Member* members = arena_->alloc<Member>(m);
    std::memcpy(static_cast<void*>(members), vals.data() + start, m * sizeof(Member));
    return Value::object(members, m);
}

// Merges duplicate keys (by decoded text) in place: kv holds n key/value
// pairs; keeps each key at its first position with the last value. Returns
// the number of distinct keys.
template <bool Build>
std::uint32_t Parser<Build>::merge_duplicates(Value* kv, std::uint32_t n) {
    if (n < 2) return n;
    if (n <= kSmallObject) {
        // Fast path: keys without escapes whose (size, first, last byte)
        // all differ cannot repeat. Typical records end here.
        std::uint64_t fp[kSmallObject];
        bool maybe_dup = false;
        for (std::uint32_t i = 0; i < n && !maybe_dup; ++i) {
            const Value& k = kv[2 * i];
            if (k.flag) {
                maybe_dup = true;
                break;
            }
            std::uint64_t f = k.size;
            if (k.size) f |= std::uint64_t(static_cast<unsigned char>(k.text[0])) << 32 |
                             std::uint64_t(static_cast<unsigned char>(k.text[k.size - 1])) << 40;
            for (std::uint32_t j = 0; j < i; ++j)
                if (fp[j] == f) {
                    maybe_dup = true;
                    break;
                }
            fp[i] = f;
        }
        if (!maybe_dup) return n;
    }
    auto& keys = t_scratch.keys;
    keys.resize(n);
    for (std::uint32_t i = 0; i < n; ++i) {
        const Value& k = kv[2 * i];
        keys[i] = k.flag ? string_text(k, *arena_) : k.raw();
    }
    std::uint32_t m = 0;
    auto keep = [&](std::uint32_t i) {
        if (m != i) {
            kv[2 * m] = kv[2 * i];
            kv[2 * m + 1] = kv[2 * i + 1];
            keys[m] = keys[i];
        }
        ++m;
    };
    if (n <= kSmallObject) {
        for (std::uint32_t i = 0; i < n; ++i) {
            std::string_view k = keys[i];
            std::uint32_t j = 0;
            while (j < m && keys[j] != k) ++j;
            if (j < m) kv[2 * j + 1] = kv[2 * i + 1];
            else keep(i);
        }
        return m;
    }
    std::size_t cap = 64;
    while (cap < 2 * std::size_t(n)) cap <<= 1;
    auto& table = t_scratch.table;
    table.assign(cap, UINT32_MAX);
    std::size_t mask = cap - 1;
    std::hash<std::string_view> hasher;
    for (std::uint32_t i = 0; i < n; ++i) {
        std::string_view k = keys[i];
        std::size_t h = hasher(k) & mask;
        bool dup = false;
        while (table[h] != UINT32_MAX) {
            if (keys[table[h]] == k) {
                kv[2 * table[h] + 1] = kv[2 * i + 1];
                dup = true;
                break;
            }
            h = (h + 1) & mask;
        }
        if (!dup) {
            table[h] = m;
            keep(i);
        }
    }
    return m;
}

template <bool Build>
bool Parser<Build>::run(Value& out) {
    skip_ws();
    if (p_ == end_) return fail(p_, "empty input");
    if (!value(out)) return false;
    skip_ws();
    if (p_ != end_) return fail(p_, "unexpected text after the value");
    return true;
}

template <bool Build>
bool Parser<Build>::value(Value& out) {
    auto& vals = t_scratch.vals;
    auto& frames = t_scratch.frames;
    vals.clear();
    frames.clear();
    for (;;) {
        // ---- a value starts here ----
        skip_ws();
        if (p_ == end_) return fail(p_, "unexpected end of input");
        Value v;
        switch (*p_) {
            case '{':
                if (frames.size() + depth_base_ >= kMaxDepth) return fail(p_, "nesting deeper than 1024 levels");
                ++p_;
                skip_ws();
                if (p_ != end_ && *p_ == '}') {
                    ++p_;
                    v = Value::object(nullptr, 0);
                    break;
                }
                frames.push_back({std::uint32_t(vals.size()), true});
                if (!parse_key()) return false;
                continue;
            case '[':
                if (frames.size() + depth_base_ >= kMaxDepth) return fail(p_, "nesting deeper than 1024 levels");
                ++p_;
                skip_ws();
                if (p_ != end_ && *p_ == ']') {
                    ++p_;
                    v = Value::array(nullptr, 0);
                    break;
                }
                frames.push_back({std::uint32_t(vals.size()), false});
                continue;
            case '"':
                if (!parse_string(v)) return false;
                break;
            case 't':
                if (!parse_literal("true", 4)) return false;
                v = Value::boolean(true);
                break;
            case 'f':
                if (!parse_literal("false", 5)) return false;
                v = Value::boolean(false);
                break;
            case 'n':
                if (!parse_literal("null", 4)) return false;
                break;
            case '-': case '0': case '1': case '2': case '3': case '4':
            case '5': case '6': case '7': case '8': case '9':
                if (!parse_number(v)) return false;
                break;
            default:
                return fail(p_, "expected a value");
        }
        // ---- a value is complete: close containers as far as possible ----
        for (;;) {
            if (frames.empty()) {
                out = v;
                return true;
            }
            if constexpr (Build) vals.push_back(v);
            skip_ws();
            if (p_ == end_) return fail(p_, "unexpected end of input");
            const Frame f = frames.back();
            char c = *p_;
            if (c == ',') {
                ++p_;
                if (f.object) {
                    skip_ws();
                    if (!parse_key()) return false;
                }
                break;  // next value
            }
            if (f.object) {
                if (c != '}') return fail(p_, "expected ',' or '}'");
                ++p_;
                if constexpr (Build) v = finish_object(f.start);
            } else {
                if (c != ']') return fail(p_, "expected ',' or ']'");
                ++p_;
                if constexpr (Build) v = finish_array(f.start);
            }
            if constexpr (Build) vals.resize(f.start);
            frames.pop_back();
        }
    }
}

void trim_scratch() {
    auto& s = t_scratch;
    if (s.vals.capacity() > kScratchKeep) std::vector<Value>().swap(s.vals);
    if (s.keys.capacity() > kScratchKeep) std::vector<std::string_view>().swap(s.keys);
    if (s.table.capacity() > kScratchKeep) std::vector<std::uint32_t>().swap(s.table);
}

// What parse() checks of the whole text before its first token: the size
// limit and, unless `utf8_checked`, that it is UTF-8. Sets `error` as parse().
bool precheck(std::string_view text, bool utf8_checked, std::string& error) {
    if (text.size() > UINT32_MAX) {
        error = "invalid JSON at byte 0: input larger than 4 GiB";
        return false;
    }
    if (!utf8_checked && !simdjson::validate_utf8(text.data(), text.size())) {
        error = "invalid UTF-8 at byte " + std::to_string(detail::utf8_error_offset(text));
        return false;
    }
    return true;
}

}  // namespace

bool parse(std::string_view text, Arena& arena, Value& out, std::string& error) {
    if (!precheck(text, false, error)) return false;
    Parser<true> parser(text, &arena, error);
    bool ok = parser.run(out);
    trim_scratch();
    return ok;
}

bool parse_valid(std::string_view text, Arena& arena, Value& out, std::string& error) {
    Parser<true> parser(text, &arena, error);
    bool ok = parser.run(out);
    trim_scratch();
    return ok;
}

namespace {
enum ReaderState { kStart = 0, kAfterElement, kEnd, kError, kElement };  // kElement: see element_at
}

template <bool Build>
ArrayReader::Step ArrayReader::step(Arena* arena, Value& out, std::string& error) {
    if (state_ == kEnd) return Step::End;
    if (state_ == kError) return Step::Error;
    Parser<false> at(begin_, p_, end_, 0, nullptr, error);  // white space and error texts
    auto failed = [&](const char* where, const char* reason) {
        at.error_at(where, reason);
        state_ = kError;
        trim_scratch();
        return Step::Error;
    };
    auto close = [&](const char* after) {  // just past the closing ']'
        Parser<false> tail(begin_, after, end_, 0, nullptr, error);
        tail.skip_white();
        if (tail.pos() != end_) return failed(tail.pos(), "unexpected text after the value");
        p_ = end_;
        state_ = kEnd;
        trim_scratch();
        return Step::End;
    };
    if (state_ == kStart) {
        if (!precheck({begin_, std::size_t(end_ - begin_)}, utf8_checked_, error)) {
            state_ = kError;
            return Step::Error;
        }
        at.skip_white();
        const char* q = at.pos();
        if (q == end_) return failed(q, "empty input");
        if (*q != '[') return failed(q, "expected '['");
        Parser<false> in(begin_, q + 1, end_, 0, nullptr, error);
        in.skip_white();
        q = in.pos();
        if (q == end_) return failed(q, "unexpected end of input");
        if (*q == ']') return close(q + 1);
        p_ = q;
    } else if (state_ == kElement) {
        // p_ is just past a ',': the element follows (value() reports
        // "unexpected end of input" or "expected a value" as after any ',').
    } else {  // kAfterElement
        at.skip_white();
        const char* q = at.pos();
        if (q == end_) return failed(q, "unexpected end of input");
        if (*q == ']') return close(q + 1);
        if (*q != ',') return failed(q, "expected ',' or ']'");
        p_ = q + 1;
    }
    Parser<Build> ps(begin_, p_, end_, 1, arena, error);
    if (!ps.value(out)) {
        state_ = kError;
        trim_scratch();
        return Step::Error;
    }
    p_ = ps.pos();
    state_ = kAfterElement;
    return Step::Element;
}

ArrayReader::Step ArrayReader::next(Arena& arena, Value& out, std::string& error) {
    return step<true>(&arena, out, error);
}

bool ArrayReader::skip_rest(std::string& error, std::size_t* elements) {
    Value ignored;
    for (;;) {
        Step s = step<false>(nullptr, ignored, error);
        if (s != Step::Element) return s == Step::End;
        if (elements) ++*elements;
    }
}

}  // namespace sluiced::json
