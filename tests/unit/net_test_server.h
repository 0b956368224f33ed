// Test helper: runs tests/e2e/http_server.py with scripted routes (JSON, see
// that file) in a child process on 127.0.0.1, for loopback tests of
// net/ and source/. Header-only; shared by unit_net and unit_source.
#pragma once
#include <curl/curl.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <netinet/in.h>
#include <unistd.h>
#include <uv.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

extern char** environ;

namespace sluiced::testing {

class PyHttpServer {
public:
    // `extra_args` are added to the command line (e.g. --tls-cert C --tls-key K,
    // which makes url() https).
    explicit PyHttpServer(const std::string& routes_json, std::vector<std::string> extra_args = {}) {
        char tmpl[] = "/tmp/sluiced-net-test-XXXXXX";
        if (!mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
        dir_ = tmpl;
        std::ofstream(dir_ + "/routes.json") << routes_json;
        std::string script = std::string(SLUICED_SOURCE_DIR) + "/tests/e2e/http_server.py";
        std::string routes = dir_ + "/routes.json", port_file = dir_ + "/port";
        std::vector<const char*> argv = {"python3", script.c_str(), "--routes", routes.c_str(), "--port-file",
                                         port_file.c_str()};
        for (const auto& a : extra_args) {
            argv.push_back(a.c_str());
            if (a == "--tls-cert") scheme_ = "https";
        }
        argv.push_back(nullptr);
        if (posix_spawnp(&pid_, "python3", nullptr, nullptr, const_cast<char**>(argv.data()), environ) != 0)
            throw std::runtime_error("cannot start python3");
        auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
        while (std::chrono::steady_clock::now() < deadline) {
            std::ifstream f(port_file);
            if (f >> port_) return;
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
        }
        stop();
        throw std::runtime_error("test http server did not start");
    }
    ~PyHttpServer() { stop(); }
    PyHttpServer(const PyHttpServer&) = delete;
    PyHttpServer& operator=(const PyHttpServer&) = delete;

    int port() const { return port_; }
    std::string url(const std::string& path) const {
        return scheme_ + "://127.0.0.1:" + std::to_string(port_) + path;
    }

    // The recorded requests as the server's JSON text (GET /__requests),
    // fetched with a blocking easy handle.
    std::string requests_json() const {
        std::string out;
        CURL* e = curl_easy_init();
        std::string u = url("/__requests");
        curl_easy_setopt(e, CURLOPT_URL, u.c_str());
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYPEER, 0L);
        curl_easy_setopt(e, CURLOPT_SSL_VERIFYHOST, 0L);
        curl_easy_setopt(e, CURLOPT_WRITEFUNCTION, +[](char* d, size_t s, size_t n, void* p) {
            static_cast<std::string*>(p)->append(d, s * n);
            return s * n;
        });
        curl_easy_setopt(e, CURLOPT_WRITEDATA, &out);
        curl_easy_perform(e);
        curl_easy_cleanup(e);
        return out;
    }

private:
    void stop() {
        if (pid_ > 0) {
            kill(pid_, SIGTERM);
            int st = 0;
            waitpid(pid_, &st, 0);
            pid_ = -1;
        }
        if (!dir_.empty()) {
            std::remove((dir_ + "/routes.json").c_str());
            std::remove((dir_ + "/port").c_str());
            rmdir(dir_.c_str());
            dir_.clear();
        }
    }

    pid_t pid_ = -1;
    int port_ = 0;
    std::string dir_;
    std::string scheme_ = "http";
};

// A loopback port with nothing listening (bound, then closed).
inline int closed_port() {
    int fd = socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    a.sin_port = 0;
    bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof a);
    socklen_t len = sizeof a;
    getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len);
    close(fd);
    return ntohs(a.sin_port);
}

inline std::int64_t now_ms() {
    using namespace std::chrono;
    return duration_cast<milliseconds>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace sluiced::testing
