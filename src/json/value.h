// json::Value: the record model of sluiced (spec §6.4).
//
// A Value is a 16-byte trivially-copyable handle. Its payload lives either in
// the response body it was decoded from (raw token text: numbers and strings
// keep their exact input text) or in the batch's Arena (computed values,
// arrays and objects). Values never own memory; they stay valid as long as
// the body buffers and the Arena of their batch.
//
// Numbers:  NumText   -> `text` is valid JSON number text (from input, a
//                        literal, YAML, or to_number of a string); printed as is.
//           NumInt    -> exact int64 result of integer arithmetic.
//           NumDouble -> computed double; printed shortest round-trip in
//                        ECMAScript layout (see json/encode.h).
// Strings:  StrJson   -> `text` is the content between the quotes exactly as
//                        in the input, escapes included (already validated).
//                        If it contains no backslash it equals the decoded text.
//           StrPlain  -> `text` is decoded UTF-8 (computed strings); escaped
//                        on output.
// Objects keep key order; keys are Strings with the same two forms.
#pragma once
#include <cstdint>
#include <string_view>

namespace sluiced {
class Arena;
}

namespace sluiced::json {

enum class Kind : std::uint8_t { Null, Bool, Number, String, Array, Object };

enum class Form : std::uint8_t {
    None = 0,
    NumText,
    NumInt,
    NumDouble,
    StrJson,
    StrPlain,
};

struct Member;

struct Value {
    Kind kind = Kind::Null;
    Form form = Form::None;
    bool flag = false;         // Bool: the value. StrJson: text contains a backslash.
    std::uint32_t size = 0;    // text length (Number/String), item count (Array/Object)
    union {
        const char* text;      // NumText, StrJson, StrPlain
        std::int64_t i;        // NumInt
        double d;              // NumDouble
        const Value* items;    // Array
        const Member* members; // Object
    };

    Value() : text(nullptr) {}

    // ---- constructors (no allocation) ----
    static Value null() { return Value(); }
    static Value boolean(bool b) { Value v; v.kind = Kind::Bool; v.flag = b; return v; }
    static Value number_text(std::string_view t) {
        Value v; v.kind = Kind::Number; v.form = Form::NumText; v.text = t.data(); v.size = std::uint32_t(t.size()); return v;
    }
    static Value number_int(std::int64_t n) { Value v; v.kind = Kind::Number; v.form = Form::NumInt; v.i = n; return v; }
    static Value number_double(double d) { Value v; v.kind = Kind::Number; v.form = Form::NumDouble; v.d = d; return v; }
    // `raw` is JSON string content (between the quotes) as in the input.
    static Value string_json(std::string_view raw, bool has_escape) {
        Value v; v.kind = Kind::String; v.form = Form::StrJson; v.flag = has_escape; v.text = raw.data(); v.size = std::uint32_t(raw.size()); return v;
    }
    // `s` is decoded UTF-8 text (the caller guarantees it outlives the Value).
    static Value string_plain(std::string_view s) {
        Value v; v.kind = Kind::String; v.form = Form::StrPlain; v.text = s.data(); v.size = std::uint32_t(s.size()); return v;
    }
    static Value array(const Value* items, std::uint32_t n) { Value v; v.kind = Kind::Array; v.items = items; v.size = n; return v; }
    static Value object(const Member* m, std::uint32_t n) { Value v; v.kind = Kind::Object; v.members = m; v.size = n; return v; }

    // ---- queries ----
    bool is_null() const { return kind == Kind::Null; }
    bool is_bool() const { return kind == Kind::Bool; }
    bool is_number() const { return kind == Kind::Number; }
    bool is_string() const { return kind == Kind::String; }
    bool is_array() const { return kind == Kind::Array; }
    bool is_object() const { return kind == Kind::Object; }
    bool as_bool() const { return flag; }
    // Raw text of a NumText/StrJson/StrPlain value.
    std::string_view raw() const { return {text, size}; }
};

struct Member {
    Value key;   // always Kind::String
    Value value;
};

// Decoded text of a String value: the raw text when it has no escapes,
// else the unescaped text written into `arena` (one allocation of at most
// the raw size). Precondition: v.is_string().
std::string_view string_text(const Value& v, Arena& arena);

// Object member lookup by decoded key; nullptr when absent or when `object`
// is not an object. Linear scan (objects keep order; duplicates were merged
// at decode time, else the first match wins). Escaped keys are compared
// while decoding, without allocating: `arena` is currently unused.
const Value* find_member(const Value& object, std::string_view key, Arena& arena);

// The double value of a Number (NumText parsed with from_chars, correctly
// rounded; text above the double range gives +-inf, text below the smallest
// subnormal gives +-0). NaN for a non-Number.
double number_as_double(const Value& v);

}  // namespace sluiced::json
