// `sink: { file: { path: P, mode: replace } }` (spec §7): every batch
// atomically replaces P.
//
// write_batch():
//   1. creates missing parent directories;
//   2. writes the batch to the temporary file `D/.NAME.sluiced-tmp-PID`
//      (D = P's directory, NAME = P's file name, PID = this process; hidden
//      so `*.ndjson` globs of readers don't see it), mode 0666 & ~umask, or
//      the mode of the existing P;
//   3. with fsync: batch, fsyncs it; renames it over P (readers see the old
//      or the new file, never half); with fsync: batch, fsyncs D.
//   Any failure removes the temporary file and leaves P untouched; errors
//   name P ("write P: No space left on device", "rename P: ...").
//   fsync: never skips both fsyncs (rename is still atomic for readers, but
//   a crash may lose the new content).
// An empty batch replaces P with an empty file (format ndjson) or with
// "[]\n" (format json).
//
// format json lays the batch out as one array, one record a line:
//   "[\n" REC1 ",\n" REC2 "\n]\n"       (and "[]\n" for no records)
//
// open() creates the parent directories, fails with "P: Is a directory"
// when P is a directory, and removes leftovers of crashed runs for this
// target only: `.NAME.sluiced-tmp-N` (N digits) whose process N no longer
// exists or is this process. A live process's temporary file (a concurrent
// `sluiced run --once` on the same target) is left alone.
//
// A P that exists but is not a regular file (a device, FIFO, /dev/stdout)
// can't be renamed over: the content is written into it directly (no
// temporary file, no atomicity). A symlink at P is replaced by the new
// regular file, as rename(2) does.
#pragma once
#include <string>

#include "sink/sink.h"

namespace sluiced::sink {

class FileReplaceSink final : public Sink {
public:
    FileReplaceSink(std::string path, std::string pipeline, bool json_array, bool fsync);
    bool open(std::string& error) override;
    bool write_batch(std::string_view ndjson, std::size_t records, std::string& error) override;
    std::uint64_t bytes_written() const override { return bytes_written_; }
    const std::string& target() const override { return path_; }

    // The temporary file name used by this process (for tests).
    const std::string& temp_path() const { return tmp_path_; }

    // Lays an NDJSON batch out as the `format: json` array text.
    static std::string to_json_array(std::string_view ndjson, std::size_t records);

private:
    bool remove_leftovers(std::string& error);
    bool write_direct(std::string_view a, std::string_view b, std::string& error);

    std::string path_, dir_, name_, pipeline_, tmp_prefix_, tmp_path_;
    bool json_array_;
    bool fsync_;
    bool opened_ = false;
    std::uint64_t bytes_written_ = 0;
};

}  // namespace sluiced::sink
