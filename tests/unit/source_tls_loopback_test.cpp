// CurlTransport TLS options against an https loopback server with a
// self-signed certificate made by the openssl command line tool.
#include <doctest/doctest.h>

#include <cstdlib>
#include <memory>

#include "net_test_server.h"
#include "source_loopback.h"

using namespace sluiced;
using namespace sluiced::testing;

namespace {

struct TlsServer {
    std::string dir, cert, key;
    std::unique_ptr<PyHttpServer> srv;
    bool ok = false;

    TlsServer() {
        char tmpl[] = "/tmp/sluiced-tls-test-XXXXXX";
        if (!mkdtemp(tmpl)) return;
        dir = tmpl;
        cert = dir + "/cert.pem";
        key = dir + "/key.pem";
        std::string cmd = "openssl req -x509 -newkey rsa:2048 -nodes -days 2 -subj /CN=127.0.0.1 "
                          "-addext subjectAltName=IP:127.0.0.1 -keyout " +
                          key + " -out " + cert + " >/dev/null 2>&1";
        if (std::system(cmd.c_str()) != 0) return;
        srv = std::make_unique<PyHttpServer>(R"({"/tls": [{"body": "secure"}]})",
                                             std::vector<std::string>{"--tls-cert", cert, "--tls-key", key});
        ok = true;
    }
    ~TlsServer() {
        srv.reset();
        std::remove(cert.c_str());
        std::remove(key.c_str());
        if (!dir.empty()) rmdir(dir.c_str());
    }
};

TlsServer& tls_server() {
    static TlsServer s;
    return s;
}

}  // namespace

TEST_CASE("TLS: an untrusted certificate fails verification and is not retried") {
    auto& s = tls_server();
    if (!s.ok) {
        MESSAGE("openssl not available: skipped");
        return;
    }
    auto run = run_fetch(get(s.srv->url("/tls")), fast_retry(3));
    CHECK(run.out.response.error.rfind("TLS certificate verification failed: ", 0) == 0);
    CHECK(run.out.response.error.find("self-signed") != std::string::npos);
    CHECK_FALSE(run.out.response.retryable);
    CHECK(run.out.attempts == 1);
}

TEST_CASE("TLS: ca_file trusts the certificate; verify: false skips checks") {
    auto& s = tls_server();
    if (!s.ok) return;
    Request req = get(s.srv->url("/tls"));
    req.tls.ca_file = s.cert;
    auto run = run_fetch(req, fast_retry(1));
    CHECK(run.out.response.error == "");
    CHECK(run.out.response.body == "secure");

    Request noverify = get(s.srv->url("/tls"));
    noverify.tls.verify = false;
    auto run2 = run_fetch(noverify, fast_retry(1));
    CHECK(run2.out.response.error == "");
    CHECK(run2.out.response.body == "secure");
}

TEST_CASE("TLS: an unreadable ca_file is a clear, non-retryable error") {
    auto& s = tls_server();
    if (!s.ok) return;
    Request req = get(s.srv->url("/tls"));
    req.tls.ca_file = "/nonexistent/ca.pem";
    auto run = run_fetch(req, fast_retry(3));
    CHECK(run.out.response.error == "TLS CA file could not be read: error setting certificate file: /nonexistent/ca.pem");
    CHECK_FALSE(run.out.response.retryable);
    CHECK(run.out.attempts == 1);
}
