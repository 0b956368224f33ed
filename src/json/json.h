// JSON decode and encode for sluiced (spec §4 decoding, §6.4 output).
#pragma once
#include <string>
#include <string_view>

#include "json/value.h"

namespace sluiced {
class Arena;
}

namespace sluiced::json {

// Parses one complete JSON text strictly (RFC 8259; no trailing commas,
// leading zeros, comments, or text after the value; invalid UTF-8 and
// escaped lone surrogates rejected). Number and string tokens keep their
// input text (views into `text`, which must outlive the Value). Duplicate
// keys: last value wins at the first key's position.
// Returns false and sets `error` on failure, leaving `out` unchanged:
//   "invalid JSON at byte N: <reason>"  (e.g. "expected ',' or ']'")
//   "invalid UTF-8 at byte N"            (the whole input is checked first)
// N is the 0-based byte offset in `text` of the offending byte (of the
// opening quote for an unterminated string; text.size() at end of input).
// Further rules: whitespace is only space, tab, CR, LF; empty input and a
// leading byte order mark are errors; nesting deeper than 1024 arrays or
// objects is an error (the parser is iterative: no stack overflow); inputs
// over 4 GiB are rejected. Objects with escaped keys may use a little extra
// arena memory (decoded keys, for duplicate detection). Thread-safe: the
// scratch stacks are thread-local.
bool parse(std::string_view text, Arena& arena, Value& out, std::string& error);

// parse() for text already known to be valid UTF-8 (valid_utf8(), e.g. of
// a whole NDJSON body before its lines are parsed): skips that check; the
// result is the same as parse()'s. On other text, invalid UTF-8 goes
// through unnoticed.
bool parse_valid(std::string_view text, Arena& arena, Value& out, std::string& error);

// Reads the elements of a top-level JSON array one at a time (spec §4;
// the one-pass path of issue 6): each element is checked exactly as parse()
// checks it and decoded into the caller's arena, so a big response is
// validated and decoded in a single pass, one record at a time. The text is
// valid only once next() returned End: callers must keep every effect of
// the records (output, events) pending until then. Errors are parse()'s
// texts and byte offsets into the whole text, so a reader gives the same
// verdict and error as parse() on the same text.
class ArrayReader {
public:
    enum class Step { Element, End, Error };
    // `text` (outlives the reader) starts, after white space, with '['
    // (otherwise next() reports "expected '['" at that byte).
    // `utf8_checked`: the caller found the whole text valid UTF-8 already
    // (valid_utf8()); the reader then does not check it again.
    explicit ArrayReader(std::string_view text, bool utf8_checked = false)
        : begin_(text.data()), p_(text.data()), end_(text.data() + text.size()), utf8_checked_(utf8_checked) {}
    // A reader on `text` whose next element starts at `offset` (after white
    // space), just past a ',' of the top-level array: it reads on from there
    // exactly as a reader that came through the elements before would. For
    // the second half of a page split over two threads; it does not check
    // the UTF-8 of the text (the caller checks all of it first), and its
    // results count only once the first half's reader confirms the ',' at
    // offset - 1 separates two elements of the top-level array.
    static ArrayReader element_at(std::string_view text, std::size_t offset) {
        ArrayReader r(text);
        r.p_ += offset;
        r.state_ = 4;  // kElement
        return r;
    }
    // Byte offset just past the last element read (or of the next element,
    // for element_at before its first next()).
    std::size_t offset() const { return std::size_t(p_ - begin_); }
    // Element: the next element, decoded into `arena` (it may be reset after
    // the element is used). End: the array closed and nothing but white space
    // follows: the whole text is valid. Error: `error` set; further calls
    // return Error again (without touching `error`).
    Step next(Arena& arena, Value& out, std::string& error);
    // Checks the rest of the text without decoding it (after the caller
    // stopped needing records). True when the whole text is valid; adds the
    // number of elements it passed over to `*elements` when given.
    bool skip_rest(std::string& error, std::size_t* elements = nullptr);

private:
    template <bool Build>
    Step step(Arena* arena, Value& out, std::string& error);
    const char* begin_;
    const char* p_;
    const char* end_;
    bool utf8_checked_ = false;
    int state_ = 0;
};

// Checks that `s` is valid UTF-8 (simdjson's validator).
bool valid_utf8(std::string_view s);

// Appends the minified JSON text of `v` to `out` (spec §6.4): raw tokens as
// written, computed numbers shortest round-trip in ECMAScript layout,
// computed strings escaped minimally. Returns false (and appends nothing
// meaningful) when a computed number is not finite; `out` is then to be
// truncated by the caller.
bool encode(const Value& v, std::string& out);

// Appends a computed double in ECMAScript Number-to-String layout
// (`3`, `0.1`, `1e+21`, `1.5e-7`, `0` for -0). Precondition: finite.
void encode_double(double d, std::string& out);

// Appends `s` (decoded UTF-8) as a JSON string literal with quotes, escaping
// only `"`, `\` and U+0000..U+001F (`\b \f \n \r \t`, else `\u00xx`).
void encode_string(std::string_view s, std::string& out);

// Appends the decoded UTF-8 of JSON string content (between the quotes,
// escapes valid) to `out`; surrogate pairs are combined. Escapes the parser
// would reject (lone surrogates) decode to U+FFFD.
void unescape(std::string_view raw, std::string& out);

// Deep equality (spec §6.2 `==`): numbers by exact decimal value, strings by
// decoded text, objects as key sets (order ignored).
bool equal(const Value& a, const Value& b, Arena& arena);

// Compares two numbers by exact decimal value: <0, 0, >0. NumText by its
// decimal value (`1.10` == `1.1`, `-0` == `0`, `1e400` > `1e399`), NumInt
// exactly, NumDouble by the value of its shortest round-trip text (§6.2), so
// number_double(0.1) == number_text("0.1"). Limits: exponents written with
// |e| >= 10^18 saturate there; non-finite doubles (record errors, not
// expected here) order as -inf < every finite number < +inf < NaN.
int compare_numbers(const Value& a, const Value& b);

}  // namespace sluiced::json
