// Plain configuration structs of a sluiced configuration (spec §1–§8).
// Produced by config/loader.h with every default filled in; hold no sockets,
// files or other runtime resources (Vector's config-vs-build split).
// Durations are milliseconds, sizes bytes.
#pragma once
#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

namespace sluiced::expr {
class Program;
}

namespace sluiced::config {

// A position in a configuration file, 1-based line and column (bytes).
struct Mark {
    std::string file;
    int line = 0;
    int column = 0;
};

// A compiled expression with the text and place it came from (spec §6).
struct Expr {
    std::string text;
    Mark mark;
    std::shared_ptr<const expr::Program> program;
};

// A header or query value: a literal string, or `{ expr: ... }` (spec §4).
struct ParamValue {
    std::string name;
    std::string literal;
    std::optional<Expr> expr;
};

struct Schedule {
    enum class Kind { None, Every, Cron } kind = Kind::None;
    std::int64_t every_ms = 0;
    std::string cron;         // as written (macros kept)
    std::string tz = "UTC";   // "UTC", "local" or an IANA zone name
    std::int64_t jitter_ms = 0;
    Mark mark;
};

struct Retry {
    int attempts = 3;
    std::int64_t backoff_ms = 500;
    std::int64_t max_backoff_ms = 30000;
};

struct Tls {
    bool verify = true;
    std::string ca_file, cert_file, key_file;
};

struct OAuth2 {
    std::string token_url, client_id, client_secret, audience;
    std::vector<std::string> scopes;
};

struct Auth {
    enum class Kind { None, Bearer, Basic, OAuth2 } kind = Kind::None;
    std::string bearer;
    std::string user, password;
    OAuth2 oauth2;
};

struct Paginate {
    enum class Kind { None, NextUrl, LinkHeader, Cursor, Page, Offset } kind = Kind::None;
    std::optional<Expr> next_url;      // NextUrl: a path
    std::string link_rel;              // LinkHeader
    std::string param;                 // Cursor, Page, Offset
    std::optional<Expr> cursor_from;   // Cursor: a path
    std::int64_t page_start = 1;       // Page
    std::string limit_param;           // Offset
    std::int64_t limit = 100;          // Offset
    int max_pages = 100;
};

struct Incremental {
    bool enabled = false;
    Expr cursor;
    std::string param;
    std::optional<std::string> initial;
};

struct RateLimit {
    bool enabled = false;
    int requests = 0;
    std::int64_t per_ms = 0;
};

struct HttpSource {
    std::string url;
    std::string method = "GET";
    std::vector<ParamValue> headers;   // in file order
    std::vector<ParamValue> query;     // in file order
    std::optional<std::string> body;
    Auth auth;
    std::int64_t timeout_ms = 30000;
    std::int64_t connect_timeout_ms = 10000;
    std::uint64_t max_body = 64ull << 20;
    Retry retry;
    Tls tls;
    enum class Format { Json, Ndjson } format = Format::Json;
    std::optional<Expr> records;       // a path
    Paginate paginate;
    Incremental incremental;
    RateLimit rate_limit;
};

// One field of a `map` or `set` mapping (spec §5.2, §5.3).
struct MapField {
    std::string key;
    Mark mark;
    enum class Kind { Expr, Literal, Nested } kind = Kind::Expr;
    std::optional<config::Expr> expr;      // Kind::Expr
    std::string literal_json;              // Kind::Literal: JSON text (true/false/null/number)
    std::vector<MapField> nested;          // Kind::Nested
};

struct Stage {
    enum class Kind { Filter, Map, Set, Drop } kind = Kind::Filter;
    Mark mark;
    std::optional<Expr> filter;
    std::vector<MapField> fields;          // Map, Set
    std::vector<Expr> drop_paths;          // Drop: each a path
};

struct Sink {
    enum class Kind { Stdout, File } kind = Kind::Stdout;
    std::string path;
    enum class Mode { Append, Replace } mode = Mode::Append;
    enum class Format { Ndjson, Json } format = Format::Ndjson;
    bool rotate = false;
    std::uint64_t rotate_max_bytes = 0;
    int rotate_keep = 0;
    enum class Fsync { Batch, Never } fsync = Fsync::Batch;
    Mark mark;
};

struct Pipeline {
    std::string name;
    Mark mark;
    Schedule schedule;
    HttpSource source;
    std::vector<Stage> stages;
    Sink sink;
    std::optional<Sink> dead_letter;
    enum class OnError { Drop, Fail } on_error = OnError::Drop;
    // Canonical text of the whole pipeline definition (after interpolation);
    // equal texts mean an unchanged pipeline on reload (spec §10).
    std::string fingerprint;
};

struct ScriptedResponse {
    int status = 200;
    std::vector<std::pair<std::string, std::string>> headers;
    std::string body;
};

struct ExpectedRequest {
    std::optional<std::string> method, url, body;
    std::vector<std::pair<std::string, std::string>> headers;
};

// A `tests:` case (spec §8). JSON values are kept as JSON text.
struct TestCase {
    std::string name;
    std::string pipeline;
    Mark mark;
    std::optional<std::string> response;            // response or response_file content
    std::vector<ScriptedResponse> responses;         // scripted exchange
    bool scripted = false;
    std::optional<std::string> expect_json;          // JSON array text
    std::optional<std::string> expect_dead_letter_json;
    bool expect_error_set = false;
    std::optional<std::string> expect_error;         // substring; nullopt with set = null
    std::optional<int> expect_requests_count;
    std::optional<std::vector<ExpectedRequest>> expect_requests;
    std::optional<std::string> state_json;
    std::optional<std::string> expect_state_json;
    std::vector<std::pair<std::string, std::string>> env;
};

struct Configuration {
    std::vector<Pipeline> pipelines;   // in file order, files in argument order
    std::vector<TestCase> tests;
};

}  // namespace sluiced::config
