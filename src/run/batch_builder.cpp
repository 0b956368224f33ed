#include "run/batch_builder.h"

#include "json/json.h"
#include "stage/stage.h"

namespace sluiced::run {

namespace {

// `text` with every invalid UTF-8 sequence replaced by U+FFFD, so that a
// dead letter carrying an unparsable NDJSON line stays valid UTF-8 JSON.
std::string valid_utf8_text(std::string_view text) {
    if (json::valid_utf8(text)) return std::string(text);
    std::string out;
    std::size_t i = 0;
    while (i < text.size()) {
        unsigned char c = (unsigned char)text[i];
        std::size_t n = c < 0x80 ? 1 : (c >> 5) == 6 ? 2 : (c >> 4) == 14 ? 3 : (c >> 3) == 30 ? 4 : 0;
        if (n && i + n <= text.size() && json::valid_utf8(text.substr(i, n))) {
            out.append(text.substr(i, n));
            i += n;
        } else {
            out += "\xEF\xBF\xBD";
            ++i;
        }
    }
    return out;
}

}  // namespace

BatchBuilder::BatchBuilder(const stage::Chain& chain, const config::Pipeline& cfg, double now, bool keep_all_errors,
                           bool dead_letters)
    : chain_(chain), cfg_(cfg), rec_arena_(64 * 1024), ctx_{rec_arena_, now}, keep_all_errors_(keep_all_errors),
      build_dead_letters_(dead_letters) {}

void BatchBuilder::take(const json::Value& record) {
    json::Value result, failed_input;
    std::string_view err;
    std::size_t stage_index = 0;
    stage::Outcome oc = chain_.apply(record, ctx_, result, err, stage_index, failed_input);
    if (oc == stage::Outcome::Keep) {
        std::size_t mark = batch.size();
        if (json::encode(result, batch)) {
            batch.push_back('\n');
            ++out;
            return;
        }
        batch.resize(mark);
        err = "a computed number is not finite";
        stage_index = chain_.size() ? chain_.size() - 1 : 0;
        failed_input = record;
        oc = stage::Outcome::Error;
    }
    if (oc == stage::Outcome::Drop) return;
    record_failed(stage_index, false, err);
    if (cfg_.on_error == config::Pipeline::OnError::Fail) {
        stopped = true;
        stop_error = "record error at stage " + std::to_string(stage_index) + ": " + std::string(err);
        return;
    }
    dead_letter(stage_index, 0, err, failed_input, {});
}

void BatchBuilder::line_failed(std::size_t line, std::string_view error, std::string_view text) {
    record_failed(line, true, error);
    if (cfg_.on_error == config::Pipeline::OnError::Fail) {
        stopped = true;
        stop_error = "record error: " + std::string(error);
        return;
    }
    dead_letter(0, line, error, {}, text);
}

std::vector<std::string_view> BatchBuilder::output_parts() const {
    std::vector<std::string_view> parts;
    for (const std::string& s : earlier)
        if (!s.empty()) parts.push_back(s);
    if (!batch.empty()) parts.push_back(batch);
    return parts;
}

std::string BatchBuilder::take_output() {
    if (earlier.empty()) return std::move(batch);
    std::string all;
    for (std::string_view p : output_parts()) all += p;
    return all;
}

void BatchBuilder::append(BatchBuilder& later) {
    if (stopped) return;
    if (!later.earlier.empty() || !later.batch.empty()) {
        earlier.push_back(std::move(batch));
        batch.clear();
        for (std::string& s : later.earlier) earlier.push_back(std::move(s));
        earlier.push_back(std::move(later.batch));
    }
    dead_letters += later.dead_letters;
    for (RecordError& e : later.errors) {
        if (!keep_all_errors_ && errors.size() >= kKeptErrors) break;
        errors.push_back(std::move(e));
    }
    out += later.out;
    failed += later.failed;
    dead_lettered += later.dead_lettered;
    stopped = later.stopped;
    stop_error = std::move(later.stop_error);
}

void BatchBuilder::record_failed(std::size_t index_or_line, bool is_line, std::string_view error) {
    ++failed;
    if (!keep_all_errors_ && errors.size() >= kKeptErrors) return;
    errors.push_back({index_or_line, is_line, std::string(error)});
}

// One dead-letter object (spec §5.4): keys pipeline, stage, line (NDJSON
// parse failures only), error, record. `line` 0 means a stage error at
// `stage` with `record`; otherwise `stage` is null and the record is the
// line's text as a string.
void BatchBuilder::dead_letter(std::size_t stage, std::size_t line, std::string_view error, const json::Value& record,
                               std::string_view line_text) {
    if (!build_dead_letters_) return;
    std::string& o = dead_letters;
    o += "{\"pipeline\":";
    json::encode_string(cfg_.name, o);
    if (line) {
        o += ",\"stage\":null,\"line\":";
        o += std::to_string(line);
    } else {
        o += ",\"stage\":";
        o += std::to_string(stage);
    }
    o += ",\"error\":";
    json::encode_string(error, o);
    o += ",\"record\":";
    if (line) {
        json::encode_string(valid_utf8_text(line_text), o);
    } else {
        std::size_t mark = o.size();
        if (!json::encode(record, o)) {
            o.resize(mark);
            o += "null";
        }
    }
    o += "}\n";
    ++dead_lettered;
}

}  // namespace sluiced::run
