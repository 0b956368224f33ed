// Event logging: formats events as json / text lines or journal entries.
// Lines are formatted here and handed whole to one spdlog stderr sink (pattern
// "%v"), so one event is one write and never reaches stdout.
#include "log/log.h"

#include "json/json.h"
#include "util/ascii.h"

#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cctype>
#include <cstdlib>
#include <ctime>
#include <memory>

#define SD_JOURNAL_SUPPRESS_LOCATION
#include <systemd/sd-journal.h>

namespace sluiced::log {
namespace {

Format g_format = Format::Json;
Level g_level = Level::Info;

spdlog::logger& stderr_logger() {
    static std::shared_ptr<spdlog::logger> logger = [] {
        auto sink = std::make_shared<spdlog::sinks::stderr_sink_mt>();
        auto l = std::make_shared<spdlog::logger>("sluiced", sink);
        l->set_pattern("%v");
        l->set_level(spdlog::level::trace);
        l->flush_on(spdlog::level::trace);
        return l;
    }();
    return *logger;
}

const char* level_name(Level l) {
    switch (l) {
        case Level::Debug: return "debug";
        case Level::Info: return "info";
        case Level::Warn: return "warn";
        case Level::Error: return "error";
    }
    return "info";
}


std::string now_rfc3339_ms() {
    using namespace std::chrono;
    auto now = system_clock::now();
    auto ms = duration_cast<milliseconds>(now.time_since_epoch()).count();
    std::time_t secs = std::time_t(ms / 1000);
    std::tm tm{};
    gmtime_r(&secs, &tm);
    char buf[64];
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, int(ms % 1000));
    return buf;
}

// Text format value: bare when it has no space, quote or '=', else quoted.
std::string text_value(std::string_view v) {
    bool plain = !v.empty();
    for (char c : v)
        if (c == ' ' || c == '"' || c == '=' || c == '\n' || c == '\t') { plain = false; break; }
    if (plain) return std::string(v);
    std::string out;
    json::encode_string(v, out);
    return out;
}

}  // namespace

void configure(Format format, Level min_level) {
    g_format = format;
    g_level = min_level;
}

Level min_level() { return g_level; }

bool parse_level(std::string_view s, Level& out) {
    if (s == "debug") out = Level::Debug;
    else if (s == "info") out = Level::Info;
    else if (s == "warn") out = Level::Warn;
    else if (s == "error") out = Level::Error;
    else return false;
    return true;
}

bool parse_format(std::string_view s, Format& out) {
    if (s == "json") out = Format::Json;
    else if (s == "text") out = Format::Text;
    else if (s == "journal") out = Format::Journal;
    else return false;
    return true;
}

Format default_format() {
    if (isatty(2)) return Format::Text;
    // JOURNAL_STREAM is "DEVICE:INODE" of the journal's stream socket; it
    // applies only when our stderr is that very socket (systemd.exec(5)).
    if (const char* js = std::getenv("JOURNAL_STREAM")) {
        unsigned long long dev = 0, ino = 0;
        struct stat st {};
        if (std::sscanf(js, "%llu:%llu", &dev, &ino) == 2 && fstat(2, &st) == 0 &&
            (unsigned long long)st.st_dev == dev && (unsigned long long)st.st_ino == ino)
            return Format::Journal;
    }
    return Format::Json;
}

Event::Event(Level level, std::string_view event, std::string_view msg)
    : level_(level), event_(event), msg_(msg) {}

Event::~Event() {
    if (!emitted_) emit();
}

Event& Event::pipeline(std::string_view name) {
    pipeline_ = name;
    return *this;
}

Event& Event::str(std::string_view key, std::string_view value) {
    Field f{std::string(key), {}, std::string(value)};
    json::encode_string(value, f.json);
    fields_.push_back(std::move(f));
    return *this;
}

Event& Event::num(std::string_view key, std::int64_t value) {
    auto t = std::to_string(value);
    fields_.push_back(Field{std::string(key), t, t});
    return *this;
}

Event& Event::real(std::string_view key, double value) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.17g", value);
    fields_.push_back(Field{std::string(key), buf, buf});
    return *this;
}

Event& Event::boolean(std::string_view key, bool value) {
    const char* t = value ? "true" : "false";
    fields_.push_back(Field{std::string(key), t, t});
    return *this;
}

Event& Event::null(std::string_view key) {
    fields_.push_back(Field{std::string(key), "null", "null"});
    return *this;
}

Event& Event::strings(std::string_view key, const std::vector<std::string>& values) {
    Field f{std::string(key), "[", {}};
    for (std::size_t i = 0; i < values.size(); ++i) {
        if (i) { f.json += ','; f.text += ','; }
        json::encode_string(values[i], f.json);
        f.text += values[i];
    }
    f.json += ']';
    fields_.push_back(std::move(f));
    return *this;
}

Event& Event::raw(std::string_view key, std::string_view json) {
    fields_.push_back(Field{std::string(key), std::string(json), std::string(json)});
    return *this;
}

void Event::emit() {
    if (emitted_) return;
    emitted_ = true;
    if (int(level_) < int(g_level)) return;
    if (g_format == Format::Journal) {
        static const int prio[] = {7, 6, 4, 3};
        std::vector<std::string> items;
        items.push_back("PRIORITY=" + std::to_string(prio[int(level_)]));
        items.push_back("MESSAGE=" + msg_);
        items.push_back("EVENT=" + event_);
        items.push_back("SYSLOG_IDENTIFIER=sluiced");
        if (!pipeline_.empty()) items.push_back("PIPELINE=" + pipeline_);
        for (auto& f : fields_) {
            std::string k;
            for (char c : f.key) k.push_back(c >= 'a' && c <= 'z' ? char(c - 32) : c);
            items.push_back(k + "=" + f.text);
        }
        std::vector<iovec> iov;
        for (auto& s : items) iov.push_back(iovec{s.data(), s.size()});
        if (sd_journal_sendv(iov.data(), int(iov.size())) >= 0) return;
        // journal unreachable: fall through to a json line on stderr
    }
    std::string line;
    line.reserve(256);
    if (g_format == Format::Text) {
        line += now_rfc3339_ms();
        line += ' ';
        std::string lv = level_name(level_);
        for (auto& c : lv) c = char(std::toupper((unsigned char)c));
        line += lv;
        line.append(6 - lv.size(), ' ');
        line += event_;
        if (!pipeline_.empty()) { line += " pipeline="; line += text_value(pipeline_); }
        for (auto& f : fields_) {
            line += ' ';
            line += f.key;
            line += '=';
            line += text_value(f.text);
        }
        if (!msg_.empty()) { line += " msg="; line += text_value(msg_); }
    } else {
        line += "{\"ts\":\"";
        line += now_rfc3339_ms();
        line += "\",\"level\":\"";
        line += level_name(level_);
        line += "\",\"event\":";
        json::encode_string(event_, line);
        line += ",\"msg\":";
        json::encode_string(msg_, line);
        if (!pipeline_.empty()) {
            line += ",\"pipeline\":";
            json::encode_string(pipeline_, line);
        }
        for (auto& f : fields_) {
            line += ',';
            json::encode_string(f.key, line);
            line += ':';
            line += f.json;
        }
        line += '}';
    }
    stderr_logger().log(spdlog::level::info, line);
}

void write(Level level, std::string_view event, std::string_view msg) { Event(level, event, msg).emit(); }

bool sensitive_name(std::string_view name) {
    static const char* exact[] = {"authorization", "proxy-authorization", "cookie", "set-cookie"};
    for (auto* e : exact)
        if (iequals(name, e)) return true;
    static const char* parts[] = {"token", "key", "secret", "password", "auth", "signature", "credential", "session"};
    for (auto* p : parts)
        if (icontains(name, p)) return true;
    return false;
}

std::string redact_url(std::string_view url) {
    std::string out;
    out.reserve(url.size());
    std::size_t pos = 0;
    auto scheme_end = url.find("://");
    if (scheme_end != std::string_view::npos && url.find_first_of("/?#") > scheme_end) {
        pos = scheme_end + 3;
        out.append(url.substr(0, pos));
        std::size_t auth_end = url.find_first_of("/?#", pos);
        if (auth_end == std::string_view::npos) auth_end = url.size();
        std::string_view authority = url.substr(pos, auth_end - pos);
        auto at = authority.rfind('@');
        if (at != std::string_view::npos) authority = authority.substr(at + 1);
        out.append(authority);
        pos = auth_end;
    }
    std::size_t q = url.find('?', pos);
    if (q == std::string_view::npos) {
        out.append(url.substr(pos));
        return out;
    }
    out.append(url.substr(pos, q + 1 - pos));
    std::size_t frag = url.find('#', q);
    std::string_view query = url.substr(q + 1, (frag == std::string_view::npos ? url.size() : frag) - q - 1);
    std::size_t i = 0;
    bool first = true;
    while (i <= query.size()) {
        std::size_t amp = query.find('&', i);
        if (amp == std::string_view::npos) amp = query.size();
        std::string_view part = query.substr(i, amp - i);
        if (!first) out.push_back('&');
        first = false;
        auto eq = part.find('=');
        std::string_view name = part.substr(0, eq);
        if (eq != std::string_view::npos && sensitive_name(name)) {
            out.append(name);
            out.append("=***");
        } else {
            out.append(part);
        }
        i = amp + 1;
        if (amp == query.size()) break;
    }
    if (frag != std::string_view::npos) out.append(url.substr(frag));
    return out;
}

std::string redact_text(std::string_view text) {
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        std::size_t a = text.find("http://", i);
        std::size_t b = text.find("https://", i);
        std::size_t s = std::min(a, b);
        if (s == std::string_view::npos) break;
        out.append(text.substr(i, s - i));
        std::size_t e = s;
        while (e < text.size() && !std::isspace((unsigned char)text[e]) && text[e] != '"' && text[e] != '\'' &&
               text[e] != '<' && text[e] != '>' && text[e] != '`')
            ++e;
        out += redact_url(text.substr(s, e - s));
        i = e;
    }
    out.append(text.substr(i));
    return out;
}

}  // namespace sluiced::log
