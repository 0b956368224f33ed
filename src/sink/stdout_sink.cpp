#include "sink/stdout_sink.h"

#include "sink/fs_util.h"

namespace sluiced::sink {

StdoutSink::StdoutSink(int fd) : fd_(fd) {}

bool StdoutSink::open(std::string&) { return true; }

bool StdoutSink::write_batch(std::string_view ndjson, std::size_t, std::string& error) {
    bytes_written_ = 0;
    if (ndjson.empty()) return true;
    std::string_view tail = ndjson.back() == '\n' ? std::string_view() : std::string_view("\n");
    std::size_t written = 0;
    int err = fs::write_all2(fd_, ndjson, tail, written);
    bytes_written_ = written;
    if (err) {
        error = "write " + name_ + ": " + fs::errno_text(err);
        return false;
    }
    return true;
}

}  // namespace sluiced::sink
