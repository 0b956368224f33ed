// Structured event logging (spec §10): one event per line on stderr, never
// stdout. Formats: json (one object per line: ts, level, event, msg,
// pipeline, fields...), text (human), journal (sd_journal_send).
// Secrets: callers pass URLs through redact_url() and header/query values
// through redact_param(); auth values are never passed at all.
#pragma once
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace sluiced::log {

enum class Level { Debug = 0, Info = 1, Warn = 2, Error = 3 };
enum class Format { Json, Text, Journal };

// Sets the process-wide format and minimum level. Default: Json, Info.
void configure(Format format, Level min_level);
Level min_level();
bool parse_level(std::string_view s, Level& out);
bool parse_format(std::string_view s, Format& out);
// Default format per spec §9: text when stderr is a terminal, journal when
// stderr is the journal's stream (JOURNAL_STREAM), json otherwise.
Format default_format();

// One event, built with chained calls and written when emit() is called
// (or on destruction if not yet emitted). Field values are copied.
//   log::Event(Level::Info, "run_finished", "run finished")
//       .pipeline("users").num("records_out", 12).emit();
class Event {
public:
    Event(Level level, std::string_view event, std::string_view msg);
    ~Event();
    Event(const Event&) = delete;
    Event& operator=(const Event&) = delete;

    Event& pipeline(std::string_view name);
    Event& str(std::string_view key, std::string_view value);
    Event& num(std::string_view key, std::int64_t value);
    Event& real(std::string_view key, double value);
    Event& boolean(std::string_view key, bool value);
    Event& null(std::string_view key);
    Event& strings(std::string_view key, const std::vector<std::string>& values);
    // `json` must be valid JSON text (written as is in json format).
    Event& raw(std::string_view key, std::string_view json);
    void emit();

private:
    struct Field {
        std::string key;
        std::string json;  // the value as JSON text
        std::string text;  // the value for text/journal formats
    };
    Level level_;
    std::string event_, msg_, pipeline_;
    std::vector<Field> fields_;
    bool emitted_ = false;
};

// Convenience for one-line messages without fields.
void write(Level level, std::string_view event, std::string_view msg);

// Secret redaction (spec §10).
// True when a header or query parameter name is sensitive: Authorization,
// Proxy-Authorization, Cookie, Set-Cookie, or a name containing token, key,
// secret, password, auth, signature, credential or session (case-insensitive).
bool sensitive_name(std::string_view name);
// Removes userinfo and replaces values of sensitive query parameters by ***.
// Works on absolute and relative URLs; text that is not a URL is returned as is.
std::string redact_url(std::string_view url);
// Redacts every http(s) URL found inside a free text (error messages).
std::string redact_text(std::string_view text);

}  // namespace sluiced::log
