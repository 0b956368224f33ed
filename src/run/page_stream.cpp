#include "run/page_stream.h"

#include <algorithm>
#include <atomic>
#include <cstring>
#include <exception>
#include <memory>
#include <system_error>
#include <thread>
#include <utility>
#include <vector>

#include "json/json.h"
#include "run/batch_builder.h"
#include "run/decode.h"
#include "util/cpus.h"

namespace sluiced::run {

namespace {

char first_token(std::string_view s) {
    for (char c : s)
        if (!is_json_ws(c)) return c;
    return 0;
}

bool two_threads(std::size_t size, std::size_t split_bytes, const BatchBuilder& batch) {
    return split_bytes && size >= split_bytes && !batch.stopped && usable_cpus() > 1;
}

// The second thread of a split page. What it throws (bad_alloc) is kept and
// rethrown by join(), as if the calling thread had thrown it; on every other
// way out of the caller (an exception, an early return) the destructor sets
// `cancel` and joins, so the thread never outlives the locals it uses.
// Declare it after everything its function refers to.
class Worker {
public:
    explicit Worker(std::atomic<bool>& cancel) : cancel_(cancel) {}
    Worker(const Worker&) = delete;
    Worker& operator=(const Worker&) = delete;
    ~Worker() {
        cancel_.store(true, std::memory_order_relaxed);
        if (thread_.joinable()) thread_.join();
    }
    // False when no thread could be started (the caller goes on alone).
    template <class F>
    bool start(F fn) {
        try {
            thread_ = std::thread([this, fn] {
                try {
                    fn();
                } catch (...) {
                    error_ = std::current_exception();
                }
            });
            return true;
        } catch (const std::system_error&) {
            return false;
        }
    }
    void join() {
        if (thread_.joinable()) thread_.join();
        if (error_) std::rethrow_exception(std::exchange(error_, nullptr));
    }

private:
    std::atomic<bool>& cancel_;
    std::thread thread_;
    std::exception_ptr error_;
};

// ---- NDJSON ----

std::size_t count_newlines(std::string_view s) {
    std::size_t n = 0;
    for (const char *p = s.data(), *end = p + s.size(); p < end; ++n) {
        p = static_cast<const char*>(std::memchr(p, '\n', std::size_t(end - p)));
        if (!p) break;
        ++p;
    }
    return n;
}

// The lines of `text`, numbered from first_line, into `batch`. Returns the
// number of non-blank lines. Takes records while !batch.stopped and !*cancel.
std::uint64_t ndjson_lines(std::string_view text, std::size_t first_line, BatchBuilder& batch,
                           const std::atomic<bool>* cancel = nullptr) {
    const bool utf8 = json::valid_utf8(text);  // then each line skips its own check
    std::string err;
    json::Value record;
    Arena& arena = batch.record_arena();
    std::uint64_t records = 0;
    std::size_t pos = 0, line = first_line - 1;
    while (pos < text.size()) {
        std::string_view l = next_line(text, pos);
        ++line;
        if (blank(l)) continue;
        ++records;
        if (batch.stopped || (cancel && cancel->load(std::memory_order_relaxed))) continue;
        arena.reset();
        if (utf8 ? json::parse_valid(l, arena, record, err) : json::parse(l, arena, record, err))
            batch.take(record);
        else
            batch.line_failed(line, "line " + std::to_string(line) + ": " + err, l);
    }
    return records;
}

PageOutcome stream_ndjson(std::string_view body, BatchBuilder& batch, std::size_t split_bytes) {
    PageOutcome o;
    std::size_t split = two_threads(body.size(), split_bytes, batch) ? body.find('\n', body.size() / 2)
                                                                       : std::string_view::npos;
    if (split == std::string_view::npos || split + 1 >= body.size()) {
        o.records = ndjson_lines(body, 1, batch);
        return o;
    }
    // Lines are independent: the first thread takes the lines up to and
    // including the newline at `split`, the second the rest, numbered on.
    std::string_view first = body.substr(0, split + 1), second = body.substr(split + 1);
    std::unique_ptr<BatchBuilder> later = batch.sibling();
    std::atomic<bool> cancel{false};
    std::uint64_t later_records = 0;
    Worker worker(cancel);
    if (!worker.start([&] {
            std::size_t line = 1 + count_newlines(first);
            later_records = ndjson_lines(second, line, *later, &cancel);
        })) {
        o.records = ndjson_lines(body, 1, batch);
        return o;
    }
    o.records = ndjson_lines(first, 1, batch);
    if (batch.stopped) cancel.store(true, std::memory_order_relaxed);
    worker.join();
    o.records += later_records;
    o.threads = 2;
    batch.append(*later);
    return o;
}

// ---- JSON arrays ----

// A ',' between two objects near the middle of `body`, as in `},{` (white
// space allowed): a guess at a separator of the top-level array, which the
// first thread confirms or refutes when it gets there. npos if none within
// a window after the middle.
std::size_t guess_separator(std::string_view body) {
    constexpr std::size_t kWindow = 1u << 20;
    std::size_t i = body.size() / 2, stop = std::min(body.size(), i + kWindow);
    while (i < stop) {
        const void* hit = std::memchr(body.data() + i, '}', stop - i);
        if (!hit) return std::string_view::npos;
        std::size_t j = std::size_t(static_cast<const char*>(hit) - body.data()) + 1;
        while (j < body.size() && is_json_ws(body[j])) ++j;
        if (j < body.size() && body[j] == ',') {
            std::size_t k = j + 1;
            while (k < body.size() && is_json_ws(body[k])) ++k;
            if (k < body.size() && body[k] == '{') return j;
        }
        i = j;
    }
    return std::string_view::npos;
}

// Reads elements from `reader` into `batch` until the end, an error, or a
// stop (then the rest is only checked). Counts elements into `records`.
// With `cancel`, returns Error early (no error text) once it is set.
json::ArrayReader::Step array_elements(json::ArrayReader& reader, BatchBuilder& batch, std::uint64_t& records,
                                       std::string& error, const std::atomic<bool>* cancel = nullptr) {
    json::Value record;
    Arena& arena = batch.record_arena();
    for (;;) {
        if (batch.stopped) {
            std::size_t more = 0;
            bool ok = reader.skip_rest(error, &more);
            records += more;
            return ok ? json::ArrayReader::Step::End : json::ArrayReader::Step::Error;
        }
        if (cancel && cancel->load(std::memory_order_relaxed)) return json::ArrayReader::Step::Error;
        arena.reset();
        json::ArrayReader::Step step = reader.next(arena, record, error);
        if (step != json::ArrayReader::Step::Element) return step;
        ++records;
        batch.take(record);
    }
}

PageOutcome stream_array(std::string_view body, BatchBuilder& batch, std::size_t split_bytes) {
    PageOutcome o;
    std::string error;
    std::size_t sep = std::string_view::npos;
    bool utf8_checked = false;
    if (two_threads(body.size(), split_bytes, batch)) {
        // The whole text is checked first: the second thread reads (and puts
        // through the stages) only bytes known to be valid UTF-8. Invalid
        // text is left to one reader, which reports it.
        utf8_checked = json::valid_utf8(body);
        if (utf8_checked) sep = guess_separator(body);
    }
    json::ArrayReader reader(body, utf8_checked);
    // The page's outcome once a reader ended at `step` (End: valid).
    auto verdict = [&](json::ArrayReader::Step step, const std::string& err) {
        if (step != json::ArrayReader::Step::End) {
            o.ok = false;
            o.error = "response is not valid JSON: " + err;
        }
        return o;
    };
    auto alone = [&] { return verdict(array_elements(reader, batch, o.records, error), error); };
    if (sep == std::string_view::npos) return alone();
    // A second thread reads from the guessed separator on, speculatively;
    // this thread reads from the start. When this thread's reader arrives
    // at that ',' between two elements, everything after it is exactly what
    // the second thread read (same records, same first error); if it goes
    // past it, the guess was inside a value and the second thread's work is
    // dropped.
    std::unique_ptr<BatchBuilder> later = batch.sibling();
    std::atomic<bool> cancel{false};
    std::uint64_t later_records = 0;
    std::string later_error;
    json::ArrayReader::Step later_step = json::ArrayReader::Step::Error;
    Worker worker(cancel);
    if (!worker.start([&] {
            json::ArrayReader r = json::ArrayReader::element_at(body, sep + 1);
            later_step = array_elements(r, *later, later_records, later_error, &cancel);
        }))
        return alone();  // no thread to be had: one is enough
    auto finish_alone = [&](json::ArrayReader::Step step) {
        cancel.store(true, std::memory_order_relaxed);
        worker.join();
        if (step == json::ArrayReader::Step::Element) step = array_elements(reader, batch, o.records, error);
        return verdict(step, error);
    };
    json::Value record;
    Arena& arena = batch.record_arena();
    for (;;) {
        arena.reset();
        json::ArrayReader::Step step = reader.next(arena, record, error);
        if (step != json::ArrayReader::Step::Element) return finish_alone(step);
        ++o.records;
        batch.take(record);
        if (batch.stopped) return finish_alone(json::ArrayReader::Step::Element);
        std::size_t at = reader.offset();
        if (at > sep) return finish_alone(json::ArrayReader::Step::Element);  // went past the guess
        while (at < sep && is_json_ws(body[at])) ++at;
        if (at != sep) continue;
        // The guess is a separator of the top-level array.
        worker.join();
        o.records += later_records;
        o.threads = 2;
        batch.append(*later);
        return verdict(later_step, later_error);
    }
}

}  // namespace

PageOutcome stream_page(std::string_view body, const config::HttpSource& source, BatchBuilder& batch,
                        std::size_t split_bytes) {
    if (source.format == config::HttpSource::Format::Ndjson) return stream_ndjson(body, batch, split_bytes);
    if (first_token(body) == '[') return stream_array(body, batch, split_bytes);
    // An object or scalar (one record), or null (none): decoded whole.
    PageOutcome o;
    std::vector<Item> items;
    json::Value doc;
    Arena& arena = batch.record_arena();
    arena.reset();
    DecodeOutcome d = decode_body(body, source, arena, items, doc);
    if (!d.ok) {
        o.ok = false;
        o.error = d.error;
        return o;
    }
    o.records = items.size();
    for (const Item& it : items) {
        if (batch.stopped) break;
        batch.take(it.record);
    }
    return o;
}

}  // namespace sluiced::run
