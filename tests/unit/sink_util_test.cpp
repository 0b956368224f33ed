// fs_util, the JSON completeness check, the stdout sink and the factory.
#include <doctest/doctest.h>
#include <signal.h>
#include <unistd.h>

#include "sink/file_append.h"
#include "sink/file_replace.h"
#include "sink/fs_util.h"
#include "sink/json_complete.h"
#include "sink/stdout_sink.h"
#include "sink_test_util.h"

using namespace sluiced;
using namespace sluiced::sink;
using sink_test::TempDir;

TEST_CASE("fs: parent_dir and base_name") {
    CHECK(fs::parent_dir("a/b/c.ndjson") == "a/b");
    CHECK(fs::parent_dir("c.ndjson") == ".");
    CHECK(fs::parent_dir("/c.ndjson") == "/");
    CHECK(fs::parent_dir("/var/lib//x") == "/var/lib");
    CHECK(fs::base_name("a/b/c.ndjson") == "c.ndjson");
    CHECK(fs::base_name("c.ndjson") == "c.ndjson");
}

TEST_CASE("fs: errno_text") {
    CHECK(fs::errno_text(ENOSPC) == "No space left on device");
    CHECK(fs::errno_text(EISDIR) == "Is a directory");
}

TEST_CASE("fs: mkdir_p creates nested directories and reports a file in the way") {
    TempDir t;
    std::string err;
    CHECK(fs::mkdir_p(t / "a/b/c", err));
    CHECK(sink_test::exists(t / "a/b/c"));
    CHECK(fs::mkdir_p(t / "a/b/c", err));  // existing: fine
    CHECK(fs::mkdir_p(t / "a//d/", err));
    CHECK(sink_test::exists(t / "a/d"));
    sink_test::write_file(t / "f", "x");
    CHECK_FALSE(fs::mkdir_p(t / "f/g", err));
    CHECK(err == "mkdir " + (t / "f") + ": Not a directory");
    CHECK_FALSE(fs::mkdir_p(t / "f", err));
    CHECK(err == "mkdir " + (t / "f") + ": Not a directory");
}

TEST_CASE("fs: write_all2 writes both buffers") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    std::size_t n = 0;
    CHECK(fs::write_all2(p[1], "abc", "\n", n) == 0);
    CHECK(n == 4);
    CHECK(fs::write_all2(p[1], "de", "", n) == 0);
    CHECK(n == 2);
    ::close(p[1]);
    char buf[16];
    ssize_t r = ::read(p[0], buf, sizeof buf);
    ::close(p[0]);
    CHECK(std::string(buf, std::size_t(r)) == "abc\nde");
}

TEST_CASE("json completeness: complete objects and arrays") {
    CHECK(is_complete_json_container(R"({"a":1})"));
    CHECK(is_complete_json_container(R"([1,2,3])"));
    CHECK(is_complete_json_container(R"({})"));
    CHECK(is_complete_json_container(R"([])"));
    CHECK(is_complete_json_container(R"({"a":{"b":[true,false,null,-1.5e+3,0,"x\"y\\z\u00e9"]},"c":"]}"})"));
    CHECK(is_complete_json_container(" {\"a\": [ 1 , 2 ] }\r"));
    CHECK(is_complete_json_container("{\"é\":\"日本\"}"));
    CHECK(is_complete_json_container("[[[[[]]]]]"));
}

TEST_CASE("json completeness: partial or invalid text") {
    CHECK_FALSE(is_complete_json_container(""));
    CHECK_FALSE(is_complete_json_container("   "));
    CHECK_FALSE(is_complete_json_container(R"({"a":1)"));
    CHECK_FALSE(is_complete_json_container(R"({"a":)"));
    CHECK_FALSE(is_complete_json_container(R"({"a")"));
    CHECK_FALSE(is_complete_json_container(R"({"a":"x})"));
    CHECK_FALSE(is_complete_json_container(R"([1,2,)"));
    CHECK_FALSE(is_complete_json_container(R"([1,2,])"));
    CHECK_FALSE(is_complete_json_container(R"({"a":1,})"));
    CHECK_FALSE(is_complete_json_container(R"({"a":1}x)"));
    CHECK_FALSE(is_complete_json_container(R"({"a":1}{"b":2})"));
    CHECK_FALSE(is_complete_json_container(R"({"a":1])"));
    CHECK_FALSE(is_complete_json_container(R"({a:1})"));
    CHECK_FALSE(is_complete_json_container(R"([01])"));
    CHECK_FALSE(is_complete_json_container(R"([1.])"));
    CHECK_FALSE(is_complete_json_container(R"([tru])"));
    CHECK_FALSE(is_complete_json_container(R"(["\x"])"));
    CHECK_FALSE(is_complete_json_container(R"(["\u12"])"));
    CHECK_FALSE(is_complete_json_container("[\"a\tb\"]"));
    CHECK_FALSE(is_complete_json_container("[\"\xC3\"]"));          // truncated UTF-8
    CHECK_FALSE(is_complete_json_container("[\"\xED\xA0\x80\"]"));  // surrogate
    CHECK_FALSE(is_complete_json_container("123"));
    CHECK_FALSE(is_complete_json_container("\"str\""));
    CHECK_FALSE(is_complete_json_container("null"));
    CHECK_FALSE(is_complete_json_container(std::string(20000, '[') + std::string(20000, ']')));
}

TEST_CASE("stdout sink writes the batch to its fd and adds a missing final newline") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    StdoutSink s(p[1]);
    std::string err;
    CHECK(s.open(err));
    CHECK(s.target() == "stdout");
    CHECK(s.write_batch("{\"a\":1}\n{\"b\":2}\n", 2, err));
    CHECK(s.bytes_written() == 16);
    CHECK(s.write_batch("", 0, err));
    CHECK(s.bytes_written() == 0);
    CHECK(s.write_batch("[3]", 1, err));
    CHECK(s.bytes_written() == 4);
    ::close(p[1]);
    std::string got;
    char buf[256];
    ssize_t r;
    while ((r = ::read(p[0], buf, sizeof buf)) > 0) got.append(buf, std::size_t(r));
    ::close(p[0]);
    CHECK(got == "{\"a\":1}\n{\"b\":2}\n[3]\n");
}

TEST_CASE("stdout sink writes a batch in parts in order, empty parts skipped, one final newline") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    StdoutSink s(p[1]);
    std::string err;
    const std::string_view parts[] = {"{\"a\":1}\n", "", "{\"b\":2}\n[3]", ""};
    CHECK(s.write_batch_parts(parts, 4, 3, err));
    CHECK(s.bytes_written() == 20);
    const std::string_view none[] = {"", ""};
    CHECK(s.write_batch_parts(none, 2, 0, err));
    CHECK(s.bytes_written() == 0);
    std::vector<std::string> many(70, "[0]\n");  // more parts than one writev takes here
    std::vector<std::string_view> views(many.begin(), many.end());
    CHECK(s.write_batch_parts(views.data(), views.size(), 70, err));
    CHECK(s.bytes_written() == 280);
    ::close(p[1]);
    std::string got;
    char buf[4096];
    ssize_t r;
    while ((r = ::read(p[0], buf, sizeof buf)) > 0) got.append(buf, std::size_t(r));
    ::close(p[0]);
    std::string want = "{\"a\":1}\n{\"b\":2}\n[3]\n";
    for (int i = 0; i < 70; ++i) want += "[0]\n";
    CHECK(got == want);
}

TEST_CASE("fs::write_allv writes every part in order") {
    int p[2];
    REQUIRE(::pipe(p) == 0);
    const std::string_view parts[] = {"ab", "", "cde", "f"};
    std::size_t written = 0;
    CHECK(fs::write_allv(p[1], parts, 4, written) == 0);
    CHECK(written == 6);
    ::close(p[1]);
    char buf[16];
    ssize_t r = ::read(p[0], buf, sizeof buf);
    ::close(p[0]);
    CHECK(std::string(buf, std::size_t(r)) == "abcdef");
}

TEST_CASE("stdout sink reports a closed pipe") {
    auto old = ::signal(SIGPIPE, SIG_IGN);
    int p[2];
    REQUIRE(::pipe(p) == 0);
    ::close(p[0]);
    StdoutSink s(p[1]);
    std::string err;
    CHECK_FALSE(s.write_batch("{}\n", 1, err));
    CHECK(err == "write stdout: Broken pipe");
    ::close(p[1]);
    ::signal(SIGPIPE, old);
}

TEST_CASE("make_sink builds the configured sink") {
    config::Sink c;
    c.kind = config::Sink::Kind::Stdout;
    auto s = make_sink(c, "p");
    CHECK(dynamic_cast<StdoutSink*>(s.get()) != nullptr);

    c.kind = config::Sink::Kind::File;
    c.path = "/tmp/x.ndjson";
    s = make_sink(c, "p");
    CHECK(dynamic_cast<FileAppendSink*>(s.get()) != nullptr);
    CHECK(s->target() == "/tmp/x.ndjson");

    c.mode = config::Sink::Mode::Replace;
    s = make_sink(c, "p");
    CHECK(dynamic_cast<FileReplaceSink*>(s.get()) != nullptr);
}
