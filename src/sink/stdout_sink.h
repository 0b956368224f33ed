// `sink: { stdout: {} }` (spec §7): NDJSON lines on standard output.
#pragma once
#include "sink/sink.h"

namespace sluiced::sink {

// Writes each batch to `fd` (1 by default; tests pass a pipe) with a write(2)
// loop -- never iostreams or stdio, so nothing waits in a user-space buffer
// and log output (stderr) can't interleave inside a line. Short writes,
// EINTR and EAGAIN (a non-blocking stdout) are retried. The fd is not owned.
// Errors read "write stdout: Broken pipe". No fsync (a terminal or pipe
// can't be synced; a redirected regular file is the shell's business).
class StdoutSink final : public Sink {
public:
    explicit StdoutSink(int fd = 1);
    bool open(std::string& error) override;
    bool write_batch(std::string_view ndjson, std::size_t records, std::string& error) override;
    bool write_batch_parts(const std::string_view* parts, std::size_t n, std::size_t records,
                           std::string& error) override;
    std::uint64_t bytes_written() const override { return bytes_written_; }
    const std::string& target() const override { return name_; }

private:
    int fd_;
    std::string name_ = "stdout";
    std::uint64_t bytes_written_ = 0;
};

}  // namespace sluiced::sink
