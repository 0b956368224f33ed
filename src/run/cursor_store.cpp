#include "run/cursor_store.h"

#include <dirent.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstdlib>
#include <cstring>

namespace sluiced::run {

namespace {
std::string errtext(int e) { return std::strerror(e); }

bool mkdir_p(const std::string& dir, std::string& error) {
    std::string cur;
    std::size_t i = 0;
    while (i <= dir.size()) {
        std::size_t j = dir.find('/', i);
        if (j == std::string::npos) j = dir.size();
        cur = dir.substr(0, j);
        if (!cur.empty() && ::mkdir(cur.c_str(), 0755) != 0 && errno != EEXIST) {
            error = "mkdir " + cur + ": " + errtext(errno);
            return false;
        }
        i = j + 1;
    }
    struct stat st {};
    if (::stat(dir.c_str(), &st) != 0 || !S_ISDIR(st.st_mode)) {
        error = dir + ": " + errtext(ENOTDIR);
        return false;
    }
    return true;
}

std::string path_of(const std::string& dir, const std::string& pipeline) { return dir + "/" + pipeline + ".cursor"; }
}  // namespace

std::string resolve_state_dir(const std::string& option) {
    if (!option.empty()) return option;
    if (const char* sd = std::getenv("STATE_DIRECTORY"); sd && *sd) {
        std::string first(sd);
        auto colon = first.find(':');
        if (colon != std::string::npos) first = first.substr(0, colon);
        return first + "/state";
    }
    return "/var/lib/sluiced/state";
}

// Removes `.NAME.cursor.tmp-PID` files of processes that are gone: a crash
// between the temporary file and its rename leaves one behind.
static void remove_stale_temps(const std::string& dir, const std::string& pipeline) {
    const std::string prefix = "." + pipeline + ".cursor.tmp-";
    DIR* d = ::opendir(dir.c_str());
    if (!d) return;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        if (name.compare(0, prefix.size(), prefix) != 0) continue;
        char* end = nullptr;
        long pid = std::strtol(name.c_str() + prefix.size(), &end, 10);
        if (!end || *end || pid <= 0) continue;
        if (pid != long(::getpid()) && ::kill(pid_t(pid), 0) != 0 && errno == ESRCH)
            ::unlink((dir + "/" + name).c_str());
    }
    ::closedir(d);
}

bool read_cursor(const std::string& dir, const std::string& pipeline, std::optional<std::string>& json,
                 std::string& error) {
    json.reset();
    remove_stale_temps(dir, pipeline);
    std::string p = path_of(dir, pipeline);
    int fd = ::open(p.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        if (errno == ENOENT) return true;
        error = p + ": " + errtext(errno);
        return false;
    }
    std::string text;
    char buf[4096];
    for (;;) {
        ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = p + ": " + errtext(errno);
            ::close(fd);
            return false;
        }
        if (n == 0) break;
        text.append(buf, std::size_t(n));
    }
    ::close(fd);
    while (!text.empty() && (text.back() == '\n' || text.back() == '\r')) text.pop_back();
    if (!text.empty()) json = text;
    return true;
}

bool write_cursor(const std::string& dir, const std::string& pipeline, const std::string& json, std::string& error) {
    if (!mkdir_p(dir, error)) return false;
    std::string p = path_of(dir, pipeline);
    std::string tmp = dir + "/." + pipeline + ".cursor.tmp-" + std::to_string(::getpid());
    int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0) {
        error = tmp + ": " + errtext(errno);
        return false;
    }
    std::string data = json + "\n";
    std::size_t off = 0;
    while (off < data.size()) {
        ssize_t n = ::write(fd, data.data() + off, data.size() - off);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = "write " + tmp + ": " + errtext(errno);
            ::close(fd);
            ::unlink(tmp.c_str());
            return false;
        }
        off += std::size_t(n);
    }
    if (::fsync(fd) != 0) {
        error = "fsync " + tmp + ": " + errtext(errno);
        ::close(fd);
        ::unlink(tmp.c_str());
        return false;
    }
    ::close(fd);
    if (::rename(tmp.c_str(), p.c_str()) != 0) {
        error = "rename " + p + ": " + errtext(errno);
        ::unlink(tmp.c_str());
        return false;
    }
    int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (dfd >= 0) {
        ::fsync(dfd);
        ::close(dfd);
    }
    return true;
}

bool remove_cursor(const std::string& dir, const std::string& pipeline, std::string& error) {
    std::string p = path_of(dir, pipeline);
    if (::unlink(p.c_str()) != 0 && errno != ENOENT) {
        error = p + ": " + errtext(errno);
        return false;
    }
    return true;
}

std::vector<std::pair<std::string, std::string>> list_cursors(const std::string& dir) {
    std::vector<std::pair<std::string, std::string>> out;
    DIR* d = ::opendir(dir.c_str());
    if (!d) return out;
    while (dirent* e = ::readdir(d)) {
        std::string name = e->d_name;
        const std::string ext = ".cursor";
        if (name.size() <= ext.size() || name[0] == '.' || name.compare(name.size() - ext.size(), ext.size(), ext) != 0)
            continue;
        std::string pipeline = name.substr(0, name.size() - ext.size());
        std::optional<std::string> json;
        std::string err;
        if (read_cursor(dir, pipeline, json, err) && json) out.emplace_back(pipeline, *json);
    }
    ::closedir(d);
    std::sort(out.begin(), out.end());
    return out;
}

}  // namespace sluiced::run
