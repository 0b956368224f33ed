#include "sink/sink.h"

#include "sink/file_append.h"
#include "sink/file_replace.h"
#include "sink/stdout_sink.h"

namespace sluiced::sink {

Sink::~Sink() = default;

bool Sink::write_batch_parts(const std::string_view* parts, std::size_t n, std::size_t records, std::string& error) {
    if (n == 1) return write_batch(parts[0], records, error);
    std::string joined;
    std::size_t total = 0;
    for (std::size_t i = 0; i < n; ++i) total += parts[i].size();
    joined.reserve(total);
    for (std::size_t i = 0; i < n; ++i) joined += parts[i];
    return write_batch(joined, records, error);
}

std::unique_ptr<Sink> make_sink(const config::Sink& cfg, const std::string& pipeline) {
    if (cfg.kind == config::Sink::Kind::Stdout) return std::make_unique<StdoutSink>();
    const bool fsync = cfg.fsync == config::Sink::Fsync::Batch;
    if (cfg.mode == config::Sink::Mode::Replace) {
        return std::make_unique<FileReplaceSink>(cfg.path, pipeline, cfg.format == config::Sink::Format::Json, fsync);
    }
    FileAppendSink::Rotate rotate;
    rotate.enabled = cfg.rotate;
    rotate.max_bytes = cfg.rotate_max_bytes;
    rotate.keep = cfg.rotate_keep;
    return std::make_unique<FileAppendSink>(cfg.path, pipeline, rotate, fsync);
}

}  // namespace sluiced::sink
