#include "sink/stdout_sink.h"

#include "sink/fs_util.h"

namespace sluiced::sink {

StdoutSink::StdoutSink(int fd) : fd_(fd) {}

bool StdoutSink::open(std::string&) { return true; }

bool StdoutSink::write_batch(std::string_view ndjson, std::size_t records, std::string& error) {
    return write_batch_parts(&ndjson, 1, records, error);
}

bool StdoutSink::write_batch_parts(const std::string_view* parts, std::size_t n, std::size_t, std::string& error) {
    bytes_written_ = 0;
    std::string_view buf[65];
    std::size_t k = 0;
    char last = 0;
    for (std::size_t i = 0; i < n; ++i)
        if (!parts[i].empty()) {
            if (k == 64) return Sink::write_batch_parts(parts, n, 0, error);  // joined, then back here
            buf[k++] = parts[i];
            last = parts[i].back();
        }
    if (k == 0) return true;
    if (last != '\n') buf[k++] = "\n";
    std::size_t written = 0;
    int err = fs::write_allv(fd_, buf, k, written);
    bytes_written_ = written;
    if (err) {
        error = "write " + name_ + ": " + fs::errno_text(err);
        return false;
    }
    return true;
}

}  // namespace sluiced::sink
