// Small POSIX file-system helpers shared by the sinks (spec §7).
// Every function reports failure through `error` as "OP PATH: errno text"
// (or "PATH: errno text" where noted) and never throws.
#pragma once
#include <sys/types.h>

#include <cstddef>
#include <string>
#include <string_view>

namespace sluiced::sink::fs {

// strerror text of `err` ("No space left on device"), thread-safe.
std::string errno_text(int err);

// The directory part of `path`: "a/b/c" -> "a/b", "c" -> ".", "/c" -> "/".
std::string parent_dir(std::string_view path);
// The last component of `path`: "a/b/c" -> "c".
std::string base_name(std::string_view path);

// mkdir -p: creates `dir` and its missing parents (mode 0777 & ~umask).
// An existing directory is fine; an existing non-directory is ENOTDIR.
// Error: "mkdir DIR: errno text" naming the component that failed.
bool mkdir_p(const std::string& dir, std::string& error);

// Writes all of [data, data+size) with write(2), retrying short writes and
// EINTR, and waiting with poll(2) on EAGAIN (non-blocking descriptors).
// Returns 0 on success or the errno of the failing call; `written` counts
// the bytes that reached the descriptor either way.
int write_all(int fd, const char* data, std::size_t size, std::size_t& written);
// The same for two buffers, using writev(2) so both usually go in one call.
int write_all2(int fd, std::string_view a, std::string_view b, std::size_t& written);
// The same for `n` buffers in order (writev(2) first, one call when the
// kernel takes them all; then buffer by buffer).
int write_allv(int fd, const std::string_view* parts, std::size_t n, std::size_t& written);

// fdatasync (data = true) or fsync of `fd`. Returns 0 or errno. EINTR is
// retried. EINVAL and EROFS ("this descriptor can't be synced": pipes,
// character devices such as /dev/full or a tty) are success when
// `special_ok` is set; the sinks set it for files that are not regular.
int sync_fd(int fd, bool data, bool special_ok);

// Opens the directory `dir` and fsyncs it so renames / creations inside it
// are durable. EINVAL from fsync (file systems that don't support it) is
// success. Error: "fsync DIR: errno text".
bool sync_dir(const std::string& dir, std::string& error);

// RAII owner of a file descriptor.
class Fd {
public:
    Fd() = default;
    explicit Fd(int fd) : fd_(fd) {}
    ~Fd();
    Fd(Fd&& o) noexcept : fd_(o.fd_) { o.fd_ = -1; }
    Fd& operator=(Fd&& o) noexcept;
    Fd(const Fd&) = delete;
    Fd& operator=(const Fd&) = delete;
    int get() const { return fd_; }
    explicit operator bool() const { return fd_ >= 0; }
    void reset(int fd = -1);
    // Gives up ownership without closing.
    int release() {
        int fd = fd_;
        fd_ = -1;
        return fd;
    }

private:
    int fd_ = -1;
};

// open(2) with O_CLOEXEC added and EINTR retried. Returns -1 with errno set.
int open_retry(const char* path, int flags, mode_t mode = 0666);

}  // namespace sluiced::sink::fs
