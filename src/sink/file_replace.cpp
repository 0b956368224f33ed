#include "sink/file_replace.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <utility>

#include "log/log.h"
#include "sink/fs_util.h"

namespace sluiced::sink {

FileReplaceSink::FileReplaceSink(std::string path, std::string pipeline, bool json_array, bool fsync)
    : path_(std::move(path)), dir_(fs::parent_dir(path_)), name_(fs::base_name(path_)),
      pipeline_(std::move(pipeline)), json_array_(json_array), fsync_(fsync) {
    tmp_prefix_ = "." + name_ + ".sluiced-tmp-";
    tmp_path_ = (dir_ == "/" ? "/" : dir_ + "/") + tmp_prefix_ + std::to_string(::getpid());
}

std::string FileReplaceSink::to_json_array(std::string_view ndjson, std::size_t records) {
    if (!ndjson.empty() && ndjson.back() == '\n') ndjson.remove_suffix(1);
    if (ndjson.empty()) return "[]\n";
    std::string out;
    out.reserve(ndjson.size() + records + 8);
    out += "[\n";
    std::size_t start = 0;
    for (;;) {
        auto nl = ndjson.find('\n', start);
        out.append(ndjson.substr(start, nl == std::string_view::npos ? std::string_view::npos : nl - start));
        if (nl == std::string_view::npos) break;
        out += ",\n";
        start = nl + 1;
    }
    out += "\n]\n";
    return out;
}

bool FileReplaceSink::remove_leftovers(std::string& error) {
    DIR* d = ::opendir(dir_.c_str());
    if (!d) {
        error = dir_ + ": " + fs::errno_text(errno);
        return false;
    }
    const pid_t self = ::getpid();
    while (dirent* e = ::readdir(d)) {
        std::string_view n(e->d_name);
        if (n.size() <= tmp_prefix_.size() || n.substr(0, tmp_prefix_.size()) != tmp_prefix_) continue;
        std::string_view digits = n.substr(tmp_prefix_.size());
        if (digits.size() > 9 || digits.find_first_not_of("0123456789") != std::string_view::npos) continue;
        const long pid = std::strtol(std::string(digits).c_str(), nullptr, 10);
        const bool ours = pid == long(self);
        const bool dead = pid > 0 && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH;
        if (!ours && !dead && pid > 0) continue;  // a live process's temporary file
        if (::unlinkat(::dirfd(d), e->d_name, 0) == 0) {
            log::Event(log::Level::Info, "temp_file_removed", "removed a temporary file left by a crash")
                .pipeline(pipeline_)
                .str("path", (dir_ == "/" ? "/" : dir_ + "/") + std::string(n))
                .emit();
        }
    }
    ::closedir(d);
    return true;
}

bool FileReplaceSink::open(std::string& error) {
    if (!fs::mkdir_p(dir_, error)) return false;
    struct stat st{};
    if (::stat(path_.c_str(), &st) == 0 && S_ISDIR(st.st_mode)) {
        error = path_ + ": " + fs::errno_text(EISDIR);
        return false;
    }
    if (!remove_leftovers(error)) return false;
    opened_ = true;
    return true;
}

bool FileReplaceSink::write_direct(std::string_view a, std::string_view b, std::string& error) {
    fs::Fd fd(fs::open_retry(path_.c_str(), O_WRONLY | O_TRUNC));
    if (!fd) {
        error = path_ + ": " + fs::errno_text(errno);
        return false;
    }
    std::size_t written = 0;
    int err = fs::write_all2(fd.get(), a, b, written);
    bytes_written_ = written;
    if (err) {
        error = "write " + path_ + ": " + fs::errno_text(err);
        return false;
    }
    if (fsync_ && (err = fs::sync_fd(fd.get(), true, true))) {
        error = "fsync " + path_ + ": " + fs::errno_text(err);
        return false;
    }
    return true;
}

bool FileReplaceSink::write_batch(std::string_view ndjson, std::size_t records, std::string& error) {
    bytes_written_ = 0;
    if (!opened_ && !open(error)) return false;

    std::string array;
    std::string_view body = ndjson, tail;
    if (json_array_) {
        array = to_json_array(ndjson, records);
        body = array;
    } else if (!ndjson.empty() && ndjson.back() != '\n') {
        tail = "\n";
    }

    struct stat st{};
    const bool exists = ::stat(path_.c_str(), &st) == 0;
    if (exists && S_ISDIR(st.st_mode)) {
        error = path_ + ": " + fs::errno_text(EISDIR);
        return false;
    }
    if (exists && !S_ISREG(st.st_mode)) return write_direct(body, tail, error);

    int raw = fs::open_retry(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    if (raw < 0 && errno == ENOENT) {
        if (!fs::mkdir_p(dir_, error)) return false;
        raw = fs::open_retry(tmp_path_.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
    }
    if (raw < 0) {
        error = path_ + ": " + fs::errno_text(errno);
        return false;
    }
    fs::Fd fd(raw);
    auto fail = [&](const std::string& what, int err) {
        error = what + " " + path_ + ": " + fs::errno_text(err);
        fd.reset();
        ::unlink(tmp_path_.c_str());
        return false;
    };
    if (exists) ::fchmod(fd.get(), st.st_mode & 07777);  // best effort: keep the target's mode

    std::size_t written = 0;
    if (int err = fs::write_all2(fd.get(), body, tail, written)) return fail("write", err);
    if (fsync_) {
        if (int err = fs::sync_fd(fd.get(), true, false)) return fail("fsync", err);
    }
    // close(2) can report a delayed write error (NFS); EINTR still closed it.
    if (::close(fd.release()) != 0 && errno != EINTR) return fail("close", errno);
    if (::rename(tmp_path_.c_str(), path_.c_str()) != 0) return fail("rename", errno);
    if (fsync_ && !fs::sync_dir(dir_, error)) return false;
    bytes_written_ = body.size() + tail.size();
    return true;
}

}  // namespace sluiced::sink
