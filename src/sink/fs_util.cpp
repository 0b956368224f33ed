#include "sink/fs_util.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/stat.h>
#include <sys/uio.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstring>

namespace sluiced::sink::fs {
namespace {

// strerror_r comes in a GNU (returns char*) and an XSI (returns int) flavour.
[[maybe_unused]] const char* strerror_result(const char* r, const char*) { return r; }
[[maybe_unused]] const char* strerror_result(int r, const char* buf) { return r == 0 ? buf : nullptr; }

// Largest count one write(2) transfers on Linux.
constexpr std::size_t kMaxWrite = 0x7ffff000;

int wait_writable(int fd) {
    pollfd p{fd, POLLOUT, 0};
    for (;;) {
        int r = ::poll(&p, 1, -1);
        if (r >= 0) return 0;
        if (errno != EINTR) return errno;
    }
}

}  // namespace

std::string errno_text(int err) {
    char buf[256];
    const char* s = strerror_result(::strerror_r(err, buf, sizeof buf), buf);
    if (!s || !*s) return "Unknown error " + std::to_string(err);
    return s;
}

std::string parent_dir(std::string_view path) {
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return ".";
    auto dir = path.substr(0, slash);
    while (dir.size() > 1 && dir.back() == '/') dir.remove_suffix(1);
    if (dir.empty()) return "/";
    return std::string(dir);
}

std::string base_name(std::string_view path) {
    auto slash = path.rfind('/');
    if (slash == std::string_view::npos) return std::string(path);
    return std::string(path.substr(slash + 1));
}

bool mkdir_p(const std::string& dir, std::string& error) {
    if (dir.empty()) return true;
    struct stat st{};
    if (::stat(dir.c_str(), &st) == 0) {
        if (S_ISDIR(st.st_mode)) return true;
        error = "mkdir " + dir + ": " + errno_text(ENOTDIR);
        return false;
    }
    // Create each prefix ending before a '/', then the whole path.
    std::size_t pos = 0;
    while (true) {
        pos = dir.find('/', pos + 1);
        std::string part = pos == std::string::npos ? dir : dir.substr(0, pos);
        if (!part.empty() && part != "/" && part.back() != '/') {
            if (::mkdir(part.c_str(), 0777) != 0) {
                int err = errno;
                if (err != EEXIST || ::stat(part.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
                    error = "mkdir " + part + ": " + errno_text(err == EEXIST ? ENOTDIR : err);
                    return false;
                }
            }
        }
        if (pos == std::string::npos) break;
    }
    return true;
}

int write_all(int fd, const char* data, std::size_t size, std::size_t& written) {
    written = 0;
    while (written < size) {
        std::size_t chunk = size - written;
        if (chunk > kMaxWrite) chunk = kMaxWrite;
        ssize_t n = ::write(fd, data + written, chunk);
        if (n > 0) {
            written += std::size_t(n);
            continue;
        }
        if (n == 0) return EIO;  // should not happen for a non-empty write
        int err = errno;
        if (err == EINTR) continue;
        if (err == EAGAIN || err == EWOULDBLOCK) {
            if (int e = wait_writable(fd)) return e;
            continue;
        }
        return err;
    }
    return 0;
}

int write_all2(int fd, std::string_view a, std::string_view b, std::size_t& written) {
    const std::string_view parts[2] = {a, b};
    return write_allv(fd, parts, 2, written);
}

int write_allv(int fd, const std::string_view* parts, std::size_t n, std::size_t& written) {
    written = 0;
    std::size_t total = 0;
    for (std::size_t i = 0; i < n; ++i) total += parts[i].size();
    constexpr std::size_t kMaxIov = 64;  // well under IOV_MAX (1024)
    if (n >= 2 && n <= kMaxIov && total <= kMaxWrite) {
        iovec iov[kMaxIov];
        for (std::size_t i = 0; i < n; ++i) iov[i] = {const_cast<char*>(parts[i].data()), parts[i].size()};
        for (;;) {
            ssize_t w = ::writev(fd, iov, int(n));
            if (w >= 0) {
                written = std::size_t(w);
                break;
            }
            int err = errno;
            if (err == EINTR) continue;
            if (err == EAGAIN || err == EWOULDBLOCK) {
                if (int e = wait_writable(fd)) return e;
                continue;
            }
            return err;
        }
        if (written == total) return 0;
    }
    // The rest (or everything) buffer by buffer.
    std::size_t skip = written;
    for (std::size_t i = 0; i < n; ++i) {
        if (skip >= parts[i].size()) {
            skip -= parts[i].size();
            continue;
        }
        std::size_t w = 0;
        int e = write_all(fd, parts[i].data() + skip, parts[i].size() - skip, w);
        written += w;
        skip = 0;
        if (e) return e;
    }
    return 0;
}

int sync_fd(int fd, bool data, bool special_ok) {
    for (;;) {
        int r = data ? ::fdatasync(fd) : ::fsync(fd);
        if (r == 0) return 0;
        int err = errno;
        if (err == EINTR) continue;
        if (special_ok && (err == EINVAL || err == EROFS)) return 0;
        return err;
    }
}

bool sync_dir(const std::string& dir, std::string& error) {
    int fd = open_retry(dir.c_str(), O_RDONLY | O_DIRECTORY);
    if (fd < 0) {
        error = "fsync " + dir + ": " + errno_text(errno);
        return false;
    }
    Fd owner(fd);
    if (int err = sync_fd(fd, false, true)) {
        error = "fsync " + dir + ": " + errno_text(err);
        return false;
    }
    return true;
}

Fd::~Fd() { reset(); }

Fd& Fd::operator=(Fd&& o) noexcept {
    if (this != &o) {
        reset(o.fd_);
        o.fd_ = -1;
    }
    return *this;
}

void Fd::reset(int fd) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = fd;
}

int open_retry(const char* path, int flags, mode_t mode) {
    for (;;) {
        int fd = ::open(path, flags | O_CLOEXEC, mode);
        if (fd >= 0 || errno != EINTR) return fd;
    }
}

}  // namespace sluiced::sink::fs
