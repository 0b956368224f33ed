// Sinks (spec §7): where a run's output goes. One Sink object per configured
// `sink:` / `dead_letter:` of a pipeline, built by make_sink() and reused for
// every run of that pipeline. Runs of one pipeline never overlap (spec §3),
// so a Sink is used by one thread at a time and is not internally locked.
//
// A batch is the output of one run as NDJSON: each record's minified JSON
// followed by '\n' (no '\n' inside a record). A batch is written
// all-or-nothing as far as the target allows:
//   - stdout: NDJSON to fd 1 with write(2) (no stdio buffering), one write
//     call for the whole batch when the kernel accepts it; nothing is
//     buffered past write_batch(). A pipe can't be rolled back, so a failed
//     stdout write may leave part of a batch (bytes_written() says how much).
//   - file, mode append (default): see file_append.h (whole lines, rotate,
//     partial-line repair at start, truncate back on error, fsync).
//   - file, mode replace: see file_replace.h (temp file + fsync + rename +
//     directory fsync; format json lays out `[\n{..},\n{..}\n]\n`).
//
// Errors never throw: they come back as text naming the operation, the path
// and the errno text, ready for the run's `run_failed` event:
//   "PATH: Is a directory"                      (opening the target)
//   "write PATH: No space left on device"       (writing a batch)
//   "fsync PATH: Input/output error"            (making it durable)
//   "rename PATH: ..."  "mkdir DIR: ..."  "truncate PATH: ..."
// The stdout sink calls its path "stdout". The run fails; the next run
// simply calls write_batch() again.
//
// Non-virtual-interface in the spirit of spdlog's base_sink: the run module
// only sees this class and make_sink().
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "config/pipeline_config.h"

namespace sluiced::sink {

class Sink {
public:
    virtual ~Sink();

    // Start-up work; call once before the first run (calling it again is
    // harmless). Creates missing parent directories. Append mode cuts a
    // partial last line left by a crash, logging warn `partial_line_repaired`
    // (fields pipeline, path, bytes_removed, newline_added) -- or, when that
    // last line is a complete JSON object or array, keeps it and adds the
    // missing '\n'. Replace mode removes temporary files left by a crash.
    // Does not create the target file itself. Returns false with `error`
    // ("PATH: errno text", "mkdir DIR: errno text", ...). write_batch()
    // calls open() itself when it has not succeeded yet.
    virtual bool open(std::string& error) = 0;

    // Writes one batch. `ndjson` is empty or ends with '\n' (a missing final
    // '\n' is added by the sink); `records` is its number of lines. Returns
    // true once the batch is written (and durable with fsync: batch);
    // false with `error` ("write PATH: No space left on device"), in which
    // case no part of the batch stays in a file target.
    virtual bool write_batch(std::string_view ndjson, std::size_t records, std::string& error) = 0;

    // write_batch() for a batch held in several buffers, written in order
    // as one batch (a page split over two threads leaves two; see
    // run/batch_builder.h). Together they are as `ndjson` above. The
    // default joins them and calls write_batch(); the append and stdout
    // sinks write them with writev(2), without the copy.
    virtual bool write_batch_parts(const std::string_view* parts, std::size_t n, std::size_t records,
                                   std::string& error);

    // Bytes of the last write_batch() that reached the target: the batch
    // size on success (for replace/json the array text), 0 when a file
    // batch failed and was rolled back, the partial count for stdout.
    virtual std::uint64_t bytes_written() const = 0;

    // Where the sink writes, for logs: the file path, or "stdout".
    virtual const std::string& target() const = 0;
};

// Builds the sink for `cfg` (the pipeline's `sink` or `dead_letter`).
// `pipeline` names the pipeline in log events. Does no I/O: call open().
// `format: json` is only honoured in replace mode (the config loader
// rejects it with append); an append sink always writes NDJSON.
std::unique_ptr<Sink> make_sink(const config::Sink& cfg, const std::string& pipeline);

}  // namespace sluiced::sink
