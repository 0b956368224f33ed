// File sink, append mode (spec §7): whole lines, partial-line repair,
// rotation, rollback on write errors, empty batches.
#include <doctest/doctest.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>

#include "log/log.h"
#include "sink/file_append.h"
#include "sink_test_util.h"

using namespace sluiced;
using namespace sluiced::sink;
using sink_test::exists;
using sink_test::read_file;
using sink_test::TempDir;
using sink_test::write_file;

namespace {

std::unique_ptr<Sink> append_sink(const std::string& path, bool rotate = false, std::uint64_t max = 0, int keep = 0,
                                  bool fsync = true) {
    config::Sink c;
    c.kind = config::Sink::Kind::File;
    c.path = path;
    c.mode = config::Sink::Mode::Append;
    c.rotate = rotate;
    c.rotate_max_bytes = max;
    c.rotate_keep = keep;
    c.fsync = fsync ? config::Sink::Fsync::Batch : config::Sink::Fsync::Never;
    return make_sink(c, "users");
}

}  // namespace

TEST_CASE("append: two batches append whole lines, directories created") {
    TempDir t;
    const std::string path = t / "out/sub/users.ndjson";
    auto s = append_sink(path);
    std::string err;
    REQUIRE(s->open(err));
    CHECK(exists(t / "out/sub"));
    CHECK_FALSE(exists(path));  // open() creates directories, not the file
    REQUIRE(s->write_batch("{\"a\":1}\n{\"a\":2}\n", 2, err));
    CHECK(s->bytes_written() == 16);
    REQUIRE(s->write_batch("{\"a\":3}\n", 1, err));
    CHECK(s->bytes_written() == 8);
    CHECK(read_file(path) == "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
}

TEST_CASE("append: fsync never writes the same bytes; write_batch opens lazily") {
    TempDir t;
    auto s = append_sink(t / "a/b.ndjson", false, 0, 0, false);
    std::string err;
    REQUIRE(s->write_batch("[1]\n", 1, err));
    REQUIRE(s->write_batch("[2]", 1, err));  // missing final newline added
    CHECK(s->bytes_written() == 4);
    CHECK(read_file(t / "a/b.ndjson") == "[1]\n[2]\n");
}

TEST_CASE("append: a file deleted between batches is recreated") {
    TempDir t;
    auto s = append_sink(t / "x.ndjson");
    std::string err;
    REQUIRE(s->write_batch("{}\n", 1, err));
    ::unlink((t / "x.ndjson").c_str());
    REQUIRE(s->write_batch("[]\n", 1, err));
    CHECK(read_file(t / "x.ndjson") == "[]\n");
}

TEST_CASE("append: a batch in parts is appended in order with one final newline") {
    TempDir t;
    const std::string path = t / "parts.ndjson";
    auto s = append_sink(path);
    std::string err;
    const std::string_view parts[] = {"", "{\"a\":1}\n", "{\"a\":2}\n{\"a\":3}"};
    REQUIRE(s->write_batch_parts(parts, 3, 3, err));
    CHECK(s->bytes_written() == 24);
    const std::string_view none[] = {"", ""};
    REQUIRE(s->write_batch_parts(none, 2, 0, err));
    CHECK(s->bytes_written() == 0);
    CHECK(read_file(path) == "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
}

TEST_CASE("append: a partial line written by someone else between batches is repaired") {
    // The sink skips re-reading its file's last byte only when the file is
    // the same one (device, inode) at the size its last batch left: any
    // outside append, or a replaced file of the same size, is checked.
    TempDir t;
    const std::string path = t / "o.ndjson";
    auto s = append_sink(path);
    std::string err;
    REQUIRE(s->write_batch("{\"a\":1}\n", 1, err));
    {
        FILE* f = std::fopen(path.c_str(), "a");
        REQUIRE(f);
        std::fputs("{\"x\":", f);  // an outside writer's partial line
        std::fclose(f);
    }
    REQUIRE(s->write_batch("{\"a\":2}\n", 1, err));
    CHECK(read_file(path) == "{\"a\":1}\n{\"a\":2}\n");
    // Replaced by a file of exactly the size we left, ending without '\n'.
    write_file(path + ".new", "{\"a\":1}\n{\"b\":22");
    REQUIRE(::rename((path + ".new").c_str(), path.c_str()) == 0);
    REQUIRE(s->write_batch("{\"a\":3}\n", 1, err));
    CHECK(read_file(path) == "{\"a\":1}\n{\"a\":3}\n");
}

TEST_CASE("append: empty batch creates a missing file and otherwise changes nothing") {
    TempDir t;
    const std::string path = t / "d/e.ndjson";
    auto s = append_sink(path);
    std::string err;
    REQUIRE(s->write_batch("", 0, err));
    CHECK(exists(path));
    CHECK(read_file(path).empty());
    CHECK(s->bytes_written() == 0);
    REQUIRE(s->write_batch("{\"a\":1}\n", 1, err));
    struct stat before{};
    ::stat(path.c_str(), &before);
    REQUIRE(s->write_batch("", 0, err));
    struct stat after{};
    ::stat(path.c_str(), &after);
    CHECK(read_file(path) == "{\"a\":1}\n");
    CHECK(before.st_ino == after.st_ino);
    CHECK(before.st_size == after.st_size);
}

TEST_CASE("append: partial last line is cut at start and logged") {
    log::configure(log::Format::Json, log::Level::Info);
    TempDir t;
    const std::string path = t / "p.ndjson";
    write_file(path, "{\"a\":1}\n{\"a\":2}\n{\"a\":");
    auto s = append_sink(path);
    std::string err;
    sink_test::StderrCapture cap;
    REQUIRE(s->open(err));
    std::string logs = cap.text();
    cap.restore();
    CHECK(read_file(path) == "{\"a\":1}\n{\"a\":2}\n");
    CHECK(logs.find("\"event\":\"partial_line_repaired\"") != std::string::npos);
    CHECK(logs.find("\"level\":\"warn\"") != std::string::npos);
    CHECK(logs.find("\"pipeline\":\"users\"") != std::string::npos);
    CHECK(logs.find("\"path\":\"" + path + "\"") != std::string::npos);
    CHECK(logs.find("\"bytes_removed\":5") != std::string::npos);
    CHECK(logs.find("\"newline_added\":false") != std::string::npos);
    REQUIRE(s->write_batch("{\"a\":3}\n", 1, err));
    CHECK(read_file(path) == "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
}

TEST_CASE("append: a complete object without newline is kept and gets its newline") {
    TempDir t;
    const std::string path = t / "p.ndjson";
    write_file(path, "{\"a\":1}\n{\"a\":2}");
    auto s = append_sink(path);
    std::string err;
    sink_test::StderrCapture cap;
    REQUIRE(s->open(err));
    std::string logs = cap.text();
    cap.restore();
    CHECK(read_file(path) == "{\"a\":1}\n{\"a\":2}\n");
    CHECK(logs.find("\"event\":\"partial_line_repaired\"") != std::string::npos);
    CHECK(logs.find("\"bytes_removed\":0") != std::string::npos);
    CHECK(logs.find("\"newline_added\":true") != std::string::npos);
    REQUIRE(s->write_batch("{\"a\":3}\n", 1, err));
    CHECK(read_file(path) == "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n");
}

TEST_CASE("append: repair cases") {
    TempDir t;
    const std::string path = t / "p.ndjson";
    std::string err;
    sink_test::StderrCapture cap;  // keep test output quiet

    SUBCASE("a complete array is kept") {
        write_file(path, "[1,2]");
        REQUIRE(append_sink(path)->open(err));
        CHECK(read_file(path) == "[1,2]\n");
    }
    SUBCASE("a whole file without newline that is junk is emptied") {
        write_file(path, "{\"a\":[1,2");
        REQUIRE(append_sink(path)->open(err));
        CHECK(read_file(path).empty());
    }
    SUBCASE("a scalar is not an object or array") {
        write_file(path, "{}\n12345");
        REQUIRE(append_sink(path)->open(err));
        CHECK(read_file(path) == "{}\n");
    }
    SUBCASE("an object followed by junk is cut") {
        write_file(path, "{}\n{\"a\":1}{\"b\"");
        REQUIRE(append_sink(path)->open(err));
        CHECK(read_file(path) == "{}\n");
    }
    SUBCASE("a file ending in newline is untouched") {
        write_file(path, "{}\n[]\n");
        REQUIRE(append_sink(path)->open(err));
        CHECK(read_file(path) == "{}\n[]\n");
        CHECK(cap.text().find("partial_line_repaired") == std::string::npos);
    }
    SUBCASE("a long partial line beyond the scan chunk") {
        std::string big = "{\"k\":\"" + std::string(200000, 'x');
        write_file(path, "[0]\n" + big);
        REQUIRE(append_sink(path)->open(err));
        CHECK(read_file(path) == "[0]\n");
    }
    SUBCASE("a partial line appearing between batches is repaired before the next batch") {
        auto s = append_sink(path);
        REQUIRE(s->write_batch("{}\n", 1, err));
        write_file(path, "{}\n{\"x");  // e.g. a failed rollback or another writer
        REQUIRE(s->write_batch("[]\n", 1, err));
        CHECK(read_file(path) == "{}\n[]\n");
    }
}

TEST_CASE("append: rotate keep=2 over 4 batches") {
    TempDir t;
    const std::string path = t / "r.ndjson";
    auto s = append_sink(path, true, 15, 2);
    std::string err;
    const std::string b1 = "{\"n\":1,\"x\":0}\n", b2 = "{\"n\":2,\"x\":0}\n", b3 = "{\"n\":3,\"x\":0}\n",
                      b4 = "{\"n\":4,\"x\":0}\n";
    REQUIRE(b1.size() == 14);
    sink_test::StderrCapture cap;
    REQUIRE(s->write_batch(b1, 1, err));  // empty file: no rotation
    CHECK(sink_test::list_dir(t.path()) == std::vector<std::string>{"r.ndjson"});
    REQUIRE(s->write_batch(b2, 1, err));  // 28 > 15: rotate
    CHECK(read_file(path) == b2);
    CHECK(read_file(path + ".1") == b1);
    REQUIRE(s->write_batch(b3, 1, err));
    CHECK(read_file(path) == b3);
    CHECK(read_file(path + ".1") == b2);
    CHECK(read_file(path + ".2") == b1);
    REQUIRE(s->write_batch(b4, 1, err));
    CHECK(read_file(path) == b4);
    CHECK(read_file(path + ".1") == b3);
    CHECK(read_file(path + ".2") == b2);
    CHECK_FALSE(exists(path + ".3"));  // b1 was deleted
    CHECK(sink_test::list_dir(t.path()) == std::vector<std::string>{"r.ndjson", "r.ndjson.1", "r.ndjson.2"});
}

TEST_CASE("append: rotate fills a file up to max_bytes exactly") {
    TempDir t;
    const std::string path = t / "r.ndjson";
    auto s = append_sink(path, true, 16, 3);
    std::string err;
    sink_test::StderrCapture cap;
    REQUIRE(s->write_batch("[1,2,3]\n", 1, err));
    REQUIRE(s->write_batch("[4,5,6]\n", 1, err));  // 16 == max: no rotation
    CHECK(read_file(path) == "[1,2,3]\n[4,5,6]\n");
    CHECK_FALSE(exists(path + ".1"));
    REQUIRE(s->write_batch("[7]\n", 1, err));  // 20 > 16
    CHECK(read_file(path) == "[7]\n");
    CHECK(read_file(path + ".1") == "[1,2,3]\n[4,5,6]\n");
}

TEST_CASE("append: a batch larger than max_bytes makes a file of its own") {
    TempDir t;
    const std::string path = t / "r.ndjson";
    auto s = append_sink(path, true, 10, 5);
    std::string err;
    sink_test::StderrCapture cap;
    const std::string big = "{\"a\":1}\n{\"a\":2}\n{\"a\":3}\n";  // 24 bytes, never split
    REQUIRE(s->write_batch("", 0, err));  // creates an empty file
    REQUIRE(s->write_batch(big, 3, err));  // empty file: no rotation
    CHECK(read_file(path) == big);
    CHECK_FALSE(exists(path + ".1"));
    REQUIRE(s->write_batch("", 0, err));  // empty batch: no rotation even though over max
    CHECK_FALSE(exists(path + ".1"));
    REQUIRE(s->write_batch("[1]\n", 1, err));
    CHECK(read_file(path) == "[1]\n");
    CHECK(read_file(path + ".1") == big);
    REQUIRE(s->write_batch(big, 3, err));
    CHECK(read_file(path) == big);
    CHECK(read_file(path + ".1") == "[1]\n");
    CHECK(read_file(path + ".2") == big);
}

TEST_CASE("append: rotate with keep=0 keeps no backup") {
    TempDir t;
    const std::string path = t / "r.ndjson";
    auto s = append_sink(path, true, 5, 0);
    std::string err;
    sink_test::StderrCapture cap;
    REQUIRE(s->write_batch("[1,2]\n", 1, err));
    REQUIRE(s->write_batch("[3]\n", 1, err));
    CHECK(read_file(path) == "[3]\n");
    CHECK(sink_test::list_dir(t.path()) == std::vector<std::string>{"r.ndjson"});
}

TEST_CASE("append: /dev/full fails with ENOSPC, no rotation or truncation of a device") {
    auto s = append_sink("/dev/full", true, 1, 2);
    std::string err;
    REQUIRE(s->open(err));
    CHECK_FALSE(s->write_batch("{\"a\":1}\n", 1, err));
    CHECK(err == "write /dev/full: No space left on device");
    CHECK(s->bytes_written() == 0);
    CHECK_FALSE(exists("/dev/full.1"));
}

TEST_CASE("append: /dev/null accepts batches (fsync EINVAL on a device is fine)") {
    auto s = append_sink("/dev/null");
    std::string err;
    REQUIRE(s->open(err));
    CHECK(s->write_batch("{\"a\":1}\n", 1, err));
    CHECK(s->write_batch("{\"a\":1}\n", 1, err));
}

TEST_CASE("append: a directory as path fails with EISDIR") {
    TempDir t;
    ::mkdir((t / "dir").c_str(), 0755);
    auto s = append_sink(t / "dir");
    std::string err;
    CHECK_FALSE(s->open(err));
    CHECK(err == (t / "dir") + ": Is a directory");
    err.clear();
    CHECK_FALSE(s->write_batch("{}\n", 1, err));
    CHECK(err == (t / "dir") + ": Is a directory");
}

TEST_CASE("append: a regular file where a parent directory should be") {
    TempDir t;
    write_file(t / "f", "x");
    auto s = append_sink(t / "f/out.ndjson");
    std::string err;
    CHECK_FALSE(s->open(err));
    CHECK(err == "mkdir " + (t / "f") + ": Not a directory");
}

TEST_CASE("append: a write error mid-batch truncates back to the size before the batch") {
    TempDir t;
    const std::string path = t / "big.ndjson";
    const std::string old = "{\"old\":1}\n{\"old\":2}\n";
    write_file(path, old);
    std::string batch;
    for (int i = 0; i < 1000; ++i) batch += "{\"i\":" + std::to_string(i) + ",\"pad\":\"xxxxxxxxxxxxxxxx\"}\n";

    int p[2];
    REQUIRE(::pipe(p) == 0);
    pid_t pid = ::fork();
    REQUIRE(pid >= 0);
    if (pid == 0) {
        ::close(p[0]);
        ::signal(SIGXFSZ, SIG_IGN);
        rlimit rl{};
        ::getrlimit(RLIMIT_FSIZE, &rl);
        rl.rlim_cur = old.size() + 100;  // room for a few lines, not the batch
        ::setrlimit(RLIMIT_FSIZE, &rl);
        auto s = append_sink(path);
        std::string err;
        bool ok = s->write_batch(batch, 1000, err);
        std::string msg = (ok ? "ok" : "fail:") + err + "|" + std::to_string(s->bytes_written());
        (void)!::write(p[1], msg.data(), msg.size());
        ::_exit(0);
    }
    ::close(p[1]);
    std::string msg;
    char buf[512];
    ssize_t r;
    while ((r = ::read(p[0], buf, sizeof buf)) > 0) msg.append(buf, std::size_t(r));
    ::close(p[0]);
    int status = 0;
    ::waitpid(pid, &status, 0);
    CHECK(WIFEXITED(status));
    CHECK(msg == "fail:write " + path + ": File too large|0");
    CHECK(read_file(path) == old);

    // The next run tries again and succeeds.
    auto s = append_sink(path);
    std::string err;
    REQUIRE(s->write_batch("{\"new\":1}\n", 1, err));
    CHECK(read_file(path) == old + "{\"new\":1}\n");
}
