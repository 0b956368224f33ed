// Records -> batch (spec §5, §5.4): puts decoded records through a pipeline's
// stage chain and collects the output lines, dead letters and record errors
// of one run, or of one part of a page when a big page is split over two
// threads (run/page_stream.h). Nothing here is written or logged: the run
// does that once the batch is known good (spec §4: a response is validated
// in full before any record of it is used).
#pragma once
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "config/pipeline_config.h"
#include "expr/expr.h"
#include "json/value.h"
#include "util/arena.h"

namespace sluiced::stage {
class Chain;
}

namespace sluiced::run {

// A record error kept for the record_failed event and `tap` (spec §5.4, §10).
struct RecordError {
    std::size_t index_or_line;  // stage index, or the NDJSON line (is_line)
    bool is_line;
    std::string error;
};

class BatchBuilder {
public:
    // `chain` and `cfg` outlive the builder. `now`: now() of the run, epoch
    // seconds. `keep_all_errors`: keep the text of every record error (for
    // `tap`); otherwise only the first kKeptErrors are kept (all are counted).
    // `dead_letters`: build dead-letter lines (a dead_letter sink or
    // `test`'s capture); otherwise they are only counted.
    BatchBuilder(const stage::Chain& chain, const config::Pipeline& cfg, double now, bool keep_all_errors,
                 bool dead_letters);
    BatchBuilder(const BatchBuilder&) = delete;
    BatchBuilder& operator=(const BatchBuilder&) = delete;

    static constexpr std::size_t kKeptErrors = 5;

    // An empty builder with the same chain and settings, for a later part
    // of the batch built by another thread (then append()).
    std::unique_ptr<BatchBuilder> sibling() const {
        return std::make_unique<BatchBuilder>(chain_, cfg_, ctx_.now, keep_all_errors_, build_dead_letters_);
    }

    // The arena a record is decoded into before take(); reset it between
    // records (take() evaluates in it too).
    Arena& record_arena() { return rec_arena_; }

    // Puts one record through the stages: its NDJSON line goes to `batch`,
    // or it is a record error (dead letter; with `on_error: fail`, stopped
    // becomes true and later records must not be taken).
    void take(const json::Value& record);
    // An NDJSON line that is not JSON: `error` is "line N: ...", `text` the
    // line without its trailing \r.
    void line_failed(std::size_t line, std::string_view error, std::string_view text);
    // The output as views, in order (empty parts left out).
    std::vector<std::string_view> output_parts() const;
    // The output as one string (moves `batch` when there is nothing else).
    std::string take_output();

    // Appends a later part of the same batch (a second thread's half).
    // When this part stopped, the later part's records were never taken:
    // only its verdict matters to the caller, and nothing of it is added.
    void append(BatchBuilder& later);

    // The output lines (NDJSON) are the strings of `earlier`, in order, then
    // `batch`, where take() appends. append() moves parts into `earlier`
    // instead of copying them (a split page's halves are written with one
    // writev, see Sink::write_batch_parts).
    std::vector<std::string> earlier;
    std::string batch;
    std::string dead_letters;   // dead-letter lines, NDJSON
    std::vector<RecordError> errors;
    std::uint64_t out = 0;            // lines in `batch`
    std::uint64_t failed = 0;         // record errors
    std::uint64_t dead_lettered = 0;  // record errors dead-lettered
    bool stopped = false;             // a record error with `on_error: fail`
    std::string stop_error;           // ... the run's error then

private:
    void record_failed(std::size_t index_or_line, bool is_line, std::string_view error);
    void dead_letter(std::size_t stage, std::size_t line, std::string_view error, const json::Value& record,
                     std::string_view line_text);

    const stage::Chain& chain_;
    const config::Pipeline& cfg_;
    Arena rec_arena_;
    expr::Context ctx_;
    bool keep_all_errors_;
    bool build_dead_letters_;
};

}  // namespace sluiced::run
