// `sink: { file: { path: P, mode: append } }` (spec §7), the default mode.
//
// Each write_batch():
//   1. opens P (O_RDWR|O_APPEND|O_CREAT, 0666 & ~umask), creating missing
//      parent directories; the file is opened per batch, so a file moved
//      away or deleted between runs (logrotate) is simply recreated;
//   2. checks that the file ends with '\n' and repairs it as at start if not
//      (a partial line left by an earlier failure that could not be rolled
//      back, or by another writer) -- one pread of the last byte;
//   3. rotates when enabled (below);
//   4. writes the whole batch from the caller's buffer with one write(2)
//      call (more only for short writes / batches over 2 GiB);
//   5. with fsync: batch, fdatasync()s the file (and fsyncs the directory
//      when the file was created or rotated) before returning true.
// On any error in 4 or 5 the file is ftruncate()d back to its size before
// the batch, so no part of the failed batch stays, and the error names the
// path and errno text ("write P: No space left on device"). If even the
// truncate fails, the error says so and the next batch/start repairs the
// partial line.
//
// An empty batch creates a missing file (and its directories) and
// otherwise changes nothing: no rotation, no write.
//
// Rotation (rotate: { max_bytes: M, keep: K }): before a batch that would
// take a non-empty file past M bytes (size + batch > M), P.K is deleted,
// P.(K-1) .. P.1 are renamed one up, P becomes P.1, and the batch goes to a
// new, empty P. A batch is never split, so a batch larger than M makes a
// file of its own (and the next batch rotates it away). Backups numbered
// above K (from a larger earlier `keep`) are left alone. K = 0 keeps no
// backup: P is deleted. With fsync: batch the directory is fsynced after
// rotating.
//
// Targets that are not regular files (/dev/null, /dev/full, a FIFO, a tty)
// are written as they are: no repair, no rotation, no truncate (nothing
// can be taken back), and EINVAL/EROFS from fsync count as success.
//
// Partial-line repair (open() and step 2): when the file does not end with
// '\n', the bytes after the last '\n' (or the whole file without one) are
// the partial line. If they are a complete JSON object or array (optionally
// with surrounding spaces/tabs/CRs) a '\n' is appended; otherwise they are
// cut with ftruncate. Either way a warn event `partial_line_repaired` is
// logged with pipeline, path, bytes_removed (0 when kept) and
// newline_added; the repair is fsynced with fsync: batch.
#pragma once
#include <sys/types.h>
#include <sys/stat.h>

#include <string>

#include "sink/sink.h"

namespace sluiced::sink {

class FileAppendSink final : public Sink {
public:
    struct Rotate {
        bool enabled = false;
        std::uint64_t max_bytes = 0;
        int keep = 0;
    };

    FileAppendSink(std::string path, std::string pipeline, Rotate rotate, bool fsync);
    bool open(std::string& error) override;
    bool write_batch(std::string_view ndjson, std::size_t records, std::string& error) override;
    bool write_batch_parts(const std::string_view* parts, std::size_t n, std::size_t records,
                           std::string& error) override;
    std::uint64_t bytes_written() const override { return bytes_written_; }
    const std::string& target() const override { return path_; }

private:
    // Opens (creating if `create`) the target; on ENOENT creates the parent
    // directories and tries again. Sets `created` when the file is new.
    int open_target(bool create, bool& created, std::string& error);
    bool repair(int fd, std::string& error);
    // The same with the file's fstat already at hand; `changed` says whether
    // the file was repaired (its size changed).
    bool repair(int fd, const struct stat& st, bool& changed, std::string& error);
    bool rotate_files(std::string& error);

    std::string path_, dir_, pipeline_;
    Rotate rotate_;
    bool fsync_;
    bool opened_ = false;
    std::uint64_t bytes_written_ = 0;
    // The file as our last batch left it (ending in '\n'). When the next
    // batch finds the same file (device, inode) at the same size, nobody
    // appended to it since and its last byte is not read again.
    struct LastWrite {
        bool valid = false;
        dev_t dev = 0;
        ino_t ino = 0;
        off_t size = 0;
    } last_;
};

}  // namespace sluiced::sink
