// Helpers shared by the sink unit tests: a scratch directory under /tmp,
// whole-file read/write, and capture of the log lines written to stderr.
#pragma once
#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

namespace sink_test {

// A fresh directory /tmp/sluiced-sink-XXXXXX, removed (recursively) at scope end.
class TempDir {
public:
    TempDir() {
        char tmpl[] = "/tmp/sluiced-sink-XXXXXX";
        if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        path_ = tmpl;
    }
    ~TempDir() { remove_all(path_); }
    const std::string& path() const { return path_; }
    std::string operator/(const std::string& name) const { return path_ + "/" + name; }

    static void remove_all(const std::string& p) {
        struct stat st{};
        if (::lstat(p.c_str(), &st) != 0) return;
        if (S_ISDIR(st.st_mode)) {
            if (DIR* d = ::opendir(p.c_str())) {
                while (dirent* e = ::readdir(d)) {
                    std::string n = e->d_name;
                    if (n != "." && n != "..") remove_all(p + "/" + n);
                }
                ::closedir(d);
            }
            ::rmdir(p.c_str());
        } else {
            ::unlink(p.c_str());
        }
    }

private:
    std::string path_;
};

inline bool exists(const std::string& p) {
    struct stat st{};
    return ::lstat(p.c_str(), &st) == 0;
}

inline std::string read_file(const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::ostringstream ss;
    ss << in.rdbuf();
    return ss.str();
}

inline void write_file(const std::string& p, const std::string& content) {
    std::ofstream out(p, std::ios::binary | std::ios::trunc);
    out << content;
}

// Sorted names in a directory, without . and ..
inline std::vector<std::string> list_dir(const std::string& p) {
    std::vector<std::string> names;
    if (DIR* d = ::opendir(p.c_str())) {
        while (dirent* e = ::readdir(d)) {
            std::string n = e->d_name;
            if (n != "." && n != "..") names.push_back(n);
        }
        ::closedir(d);
    }
    std::sort(names.begin(), names.end());
    return names;
}

// Redirects fd 2 into a temporary file while alive; text() returns what was
// written so far.
class StderrCapture {
public:
    StderrCapture() {
        std::fflush(stderr);
        char tmpl[] = "/tmp/sluiced-sink-log-XXXXXX";
        fd_ = ::mkstemp(tmpl);
        path_ = tmpl;
        saved_ = ::dup(2);
        ::dup2(fd_, 2);
    }
    ~StderrCapture() {
        restore();
        ::close(fd_);
        ::unlink(path_.c_str());
    }
    std::string text() {
        std::fflush(stderr);
        return read_file(path_);
    }
    void restore() {
        if (saved_ >= 0) {
            std::fflush(stderr);
            ::dup2(saved_, 2);
            ::close(saved_);
            saved_ = -1;
        }
    }

private:
    int fd_ = -1, saved_ = -1;
    std::string path_;
};

}  // namespace sink_test
