#include "sink/file_append.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <utility>

#include "log/log.h"
#include "sink/fs_util.h"
#include "sink/json_complete.h"

namespace sluiced::sink {
namespace {

constexpr std::size_t kScanChunk = 64 * 1024;

// pread exactly `n` bytes at `off`; returns 0 or errno (EIO on early EOF).
int pread_all(int fd, char* buf, std::size_t n, off_t off) {
    std::size_t got = 0;
    while (got < n) {
        ssize_t r = ::pread(fd, buf + got, n - got, off + off_t(got));
        if (r > 0) {
            got += std::size_t(r);
        } else if (r == 0) {
            return EIO;
        } else if (errno != EINTR) {
            return errno;
        }
    }
    return 0;
}

int ftruncate_retry(int fd, off_t size) {
    for (;;) {
        if (::ftruncate(fd, size) == 0) return 0;
        if (errno != EINTR) return errno;
    }
}

}  // namespace

FileAppendSink::FileAppendSink(std::string path, std::string pipeline, Rotate rotate, bool fsync)
    : path_(std::move(path)), dir_(fs::parent_dir(path_)), pipeline_(std::move(pipeline)), rotate_(rotate),
      fsync_(fsync) {}

int FileAppendSink::open_target(bool create, bool& created, std::string& error) {
    created = false;
    if (create) {
        // The file exists on every batch but the first: open it as it is
        // (one call), and take the creating path below only when it is
        // missing. The result is the same as opening with O_CREAT|O_EXCL
        // first, one failing call less.
        int fd = fs::open_retry(path_.c_str(), O_RDWR | O_APPEND);
        if (fd >= 0) return fd;
        if (errno != ENOENT) {
            // EACCES and the rest: as below.
            int err = errno;
            if (err == EACCES) {
                fd = fs::open_retry(path_.c_str(), O_WRONLY | O_APPEND);
                if (fd >= 0) return fd;
            }
            error = path_ + ": " + fs::errno_text(err);
            return -1;
        }
    }
    for (int attempt = 0; attempt < 2; ++attempt) {
        int fd = fs::open_retry(path_.c_str(), O_RDWR | O_APPEND | (create ? O_CREAT | O_EXCL : 0));
        if (fd >= 0) {
            created = create;
            return fd;
        }
        int err = errno;
        if (create && err == EEXIST) {
            fd = fs::open_retry(path_.c_str(), O_RDWR | O_APPEND);
            if (fd >= 0) return fd;
            err = errno;
        }
        if (err == EACCES) {
            // Write-only files (no read permission) can still be appended
            // to; they just can't be checked for a partial last line.
            fd = fs::open_retry(path_.c_str(), O_WRONLY | O_APPEND);
            if (fd >= 0) return fd;
        }
        if (err == ENOENT) {
            if (!create) return -1;  // no file yet: fine for open()
            if (attempt == 0) {
                if (!fs::mkdir_p(dir_, error)) return -1;
                continue;
            }
        }
        error = path_ + ": " + fs::errno_text(err);
        return -1;
    }
    return -1;
}

bool FileAppendSink::open(std::string& error) {
    if (!fs::mkdir_p(dir_, error)) return false;
    error.clear();
    bool created = false;
    fs::Fd fd(open_target(false, created, error));
    if (!fd) {
        if (!error.empty()) return false;
        opened_ = true;  // the file does not exist yet: nothing to repair
        return true;
    }
    if (!repair(fd.get(), error)) return false;
    opened_ = true;
    return true;
}

bool FileAppendSink::repair(int fd, std::string& error) {
    struct stat st{};
    if (::fstat(fd, &st) != 0) {
        error = path_ + ": " + fs::errno_text(errno);
        return false;
    }
    bool changed = false;
    return repair(fd, st, changed, error);
}

bool FileAppendSink::repair(int fd, const struct stat& st, bool& changed, std::string& error) {
    changed = false;
    if (!S_ISREG(st.st_mode) || st.st_size == 0) return true;
    const off_t size = st.st_size;
    char last = 0;
    int err = pread_all(fd, &last, 1, size - 1);
    if (err == EBADF) return true;  // opened write-only: can't check
    if (err) {
        error = "read " + path_ + ": " + fs::errno_text(err);
        return false;
    }
    if (last == '\n') return true;

    // Find the start of the partial line: just after the last '\n'.
    off_t line_start = 0;
    std::string chunk;
    for (off_t end = size; end > 0;) {
        const off_t begin = end > off_t(kScanChunk) ? end - off_t(kScanChunk) : 0;
        chunk.resize(std::size_t(end - begin));
        if ((err = pread_all(fd, chunk.data(), chunk.size(), begin))) {
            error = "read " + path_ + ": " + fs::errno_text(err);
            return false;
        }
        auto nl = chunk.rfind('\n');
        if (nl != std::string::npos) {
            line_start = begin + off_t(nl) + 1;
            break;
        }
        end = begin;
    }
    std::string tail(std::size_t(size - line_start), '\0');
    if ((err = pread_all(fd, tail.data(), tail.size(), line_start))) {
        error = "read " + path_ + ": " + fs::errno_text(err);
        return false;
    }

    std::int64_t removed = 0;
    bool newline_added = false;
    changed = true;
    if (is_complete_json_container(tail)) {
        std::size_t written = 0;
        if ((err = fs::write_all(fd, "\n", 1, written))) {
            ftruncate_retry(fd, size);
            error = "write " + path_ + ": " + fs::errno_text(err);
            return false;
        }
        newline_added = true;
    } else {
        if ((err = ftruncate_retry(fd, line_start))) {
            error = "truncate " + path_ + ": " + fs::errno_text(err);
            return false;
        }
        removed = std::int64_t(tail.size());
    }
    if (fsync_ && (err = fs::sync_fd(fd, true, false))) {
        error = "fsync " + path_ + ": " + fs::errno_text(err);
        return false;
    }
    log::Event(log::Level::Warn, "partial_line_repaired",
               newline_added ? "kept a complete last line without newline, newline added"
                             : "cut a partial last line")
        .pipeline(pipeline_)
        .str("path", path_)
        .num("bytes_removed", removed)
        .boolean("newline_added", newline_added)
        .emit();
    return true;
}

bool FileAppendSink::rotate_files(std::string& error) {
    auto numbered = [&](int i) { return path_ + "." + std::to_string(i); };
    auto fail = [&](const std::string& what, int err) {
        error = what + ": " + fs::errno_text(err);
        return false;
    };
    if (rotate_.keep <= 0) {
        if (::unlink(path_.c_str()) != 0 && errno != ENOENT) return fail("unlink " + path_, errno);
    } else {
        std::string oldest = numbered(rotate_.keep);
        if (::unlink(oldest.c_str()) != 0 && errno != ENOENT) return fail("unlink " + oldest, errno);
        for (int i = rotate_.keep - 1; i >= 1; --i) {
            std::string from = numbered(i), to = numbered(i + 1);
            if (::rename(from.c_str(), to.c_str()) != 0 && errno != ENOENT)
                return fail("rename " + from + " to " + to, errno);
        }
        std::string first = numbered(1);
        if (::rename(path_.c_str(), first.c_str()) != 0 && errno != ENOENT)
            return fail("rename " + path_ + " to " + first, errno);
    }
    if (fsync_ && !fs::sync_dir(dir_, error)) return false;
    log::Event(log::Level::Info, "file_rotated", "rotated the output file")
        .pipeline(pipeline_)
        .str("path", path_)
        .num("keep", rotate_.keep)
        .emit();
    return true;
}

bool FileAppendSink::write_batch(std::string_view ndjson, std::size_t records, std::string& error) {
    return write_batch_parts(&ndjson, 1, records, error);
}

bool FileAppendSink::write_batch_parts(const std::string_view* parts_in, std::size_t n_in, std::size_t records,
                                       std::string& error) {
    // The non-empty parts, then a '\n' if the last one lacks it.
    constexpr std::size_t kMaxParts = 64;
    std::string_view parts[kMaxParts + 1];
    std::size_t n = 0;
    std::uint64_t total = 0;
    for (std::size_t i = 0; i < n_in; ++i) {
        if (parts_in[i].empty()) continue;
        if (n == kMaxParts) return Sink::write_batch_parts(parts_in, n_in, records, error);  // joined
        parts[n++] = parts_in[i];
        total += parts_in[i].size();
    }
    bytes_written_ = 0;
    if (!opened_ && !open(error)) return false;

    bool created = false;
    fs::Fd fd(open_target(true, created, error));
    if (!fd) return false;
    struct stat st{};
    if (::fstat(fd.get(), &st) != 0) {
        error = path_ + ": " + fs::errno_text(errno);
        return false;
    }
    const bool regular = S_ISREG(st.st_mode);

    if (n == 0) {
        if (created && fsync_ && !fs::sync_dir(dir_, error)) return false;
        return true;
    }

    off_t size = regular ? st.st_size : 0;
    const bool as_we_left_it =
        last_.valid && st.st_dev == last_.dev && st.st_ino == last_.ino && st.st_size == last_.size;
    last_.valid = false;
    if (regular && size > 0 && !as_we_left_it) {
        // Ends with '\n'? If not, repair as at start (one pread normally).
        bool changed = false;
        if (!repair(fd.get(), st, changed, error)) return false;
        if (changed) {
            if (::fstat(fd.get(), &st) != 0) {
                error = path_ + ": " + fs::errno_text(errno);
                return false;
            }
            size = st.st_size;
        }
    }

    std::uint64_t batch_size = total;
    if (parts[n - 1].back() != '\n') {
        parts[n++] = "\n";
        batch_size += 1;
    }

    if (regular && rotate_.enabled && size > 0 && std::uint64_t(size) + batch_size > rotate_.max_bytes) {
        fd.reset();
        if (!rotate_files(error)) return false;
        fd.reset(open_target(true, created, error));
        if (!fd) return false;
        if (::fstat(fd.get(), &st) != 0) {
            error = path_ + ": " + fs::errno_text(errno);
            return false;
        }
        size = st.st_size;
        created = true;  // a new directory entry to make durable
    }

    // Takes the file back to `size` after a failed batch; appends the
    // truncate's own failure to `error`.
    auto roll_back = [&] {
        if (!regular) return;
        if (int e = ftruncate_retry(fd.get(), size)) {
            error += " (truncate " + path_ + ": " + fs::errno_text(e) + ")";
            return;
        }
        if (fsync_) fs::sync_fd(fd.get(), true, false);
    };

    std::size_t written = 0;
    if (int err = fs::write_allv(fd.get(), parts, n, written)) {
        error = "write " + path_ + ": " + fs::errno_text(err);
        roll_back();
        return false;
    }
    if (fsync_) {
        if (int err = fs::sync_fd(fd.get(), true, !regular)) {
            error = "fsync " + path_ + ": " + fs::errno_text(err);
            roll_back();
            return false;
        }
        if (created && !fs::sync_dir(dir_, error)) {
            roll_back();
            return false;
        }
    }
    bytes_written_ = batch_size;
    if (regular) last_ = {true, st.st_dev, st.st_ino, size + off_t(batch_size)};
    return true;
}

}  // namespace sluiced::sink
