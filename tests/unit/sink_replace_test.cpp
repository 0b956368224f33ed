// File sink, replace mode (spec §7): atomic replacement through a temporary
// file, format json layout, empty batches, crash leftovers.
#include <doctest/doctest.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include "sink/file_replace.h"
#include "sink_test_util.h"

using namespace sluiced;
using namespace sluiced::sink;
using sink_test::exists;
using sink_test::list_dir;
using sink_test::read_file;
using sink_test::TempDir;
using sink_test::write_file;

namespace {

std::unique_ptr<Sink> replace_sink(const std::string& path, bool json = false, bool fsync = true) {
    config::Sink c;
    c.kind = config::Sink::Kind::File;
    c.path = path;
    c.mode = config::Sink::Mode::Replace;
    c.format = json ? config::Sink::Format::Json : config::Sink::Format::Ndjson;
    c.fsync = fsync ? config::Sink::Fsync::Batch : config::Sink::Fsync::Never;
    return make_sink(c, "users");
}

std::string tmp_name(const std::string& name, long pid) { return "." + name + ".sluiced-tmp-" + std::to_string(pid); }

}  // namespace

TEST_CASE("replace: each batch replaces the file, no temporary file stays") {
    TempDir t;
    const std::string path = t / "out/users.ndjson";
    auto s = replace_sink(path);
    std::string err;
    REQUIRE(s->open(err));
    REQUIRE(s->write_batch("{\"a\":1}\n{\"a\":2}\n", 2, err));
    CHECK(read_file(path) == "{\"a\":1}\n{\"a\":2}\n");
    CHECK(s->bytes_written() == 16);

    // A reader holding the old file keeps seeing the old content.
    int old_fd = ::open(path.c_str(), O_RDONLY);
    REQUIRE(old_fd >= 0);
    struct stat before{};
    ::stat(path.c_str(), &before);
    REQUIRE(s->write_batch("{\"b\":1}\n", 1, err));
    struct stat after{};
    ::stat(path.c_str(), &after);
    CHECK(before.st_ino != after.st_ino);  // renamed over, not rewritten in place
    char buf[64];
    ssize_t n = ::pread(old_fd, buf, sizeof buf, 0);
    ::close(old_fd);
    CHECK(std::string(buf, std::size_t(n)) == "{\"a\":1}\n{\"a\":2}\n");
    CHECK(read_file(path) == "{\"b\":1}\n");
    CHECK(list_dir(t / "out") == std::vector<std::string>{"users.ndjson"});
}

TEST_CASE("replace: temporary file name is hidden, in the same directory, with our pid") {
    TempDir t;
    FileReplaceSink s(t / "x.json", "p", false, true);
    CHECK(s.temp_path() == (t / tmp_name("x.json", ::getpid())));
}

TEST_CASE("replace: format json exact bytes") {
    TempDir t;
    const std::string path = t / "users.json";
    auto s = replace_sink(path, true);
    std::string err;
    REQUIRE(s->write_batch("{\"a\":1}\n{\"b\":[1,2]}\n\"s\"\n", 3, err));
    CHECK(read_file(path) == "[\n{\"a\":1},\n{\"b\":[1,2]},\n\"s\"\n]\n");
    CHECK(s->bytes_written() == read_file(path).size());
    REQUIRE(s->write_batch("{\"only\":true}\n", 1, err));
    CHECK(read_file(path) == "[\n{\"only\":true}\n]\n");
    REQUIRE(s->write_batch("", 0, err));
    CHECK(read_file(path) == "[]\n");
    CHECK(s->bytes_written() == 3);
    CHECK(list_dir(t.path()) == std::vector<std::string>{"users.json"});
}

TEST_CASE("replace: to_json_array") {
    CHECK(FileReplaceSink::to_json_array("", 0) == "[]\n");
    CHECK(FileReplaceSink::to_json_array("1\n", 1) == "[\n1\n]\n");
    CHECK(FileReplaceSink::to_json_array("1\n2", 2) == "[\n1,\n2\n]\n");
}

TEST_CASE("replace: empty batch replaces the file with an empty file") {
    TempDir t;
    const std::string path = t / "d/users.ndjson";
    auto s = replace_sink(path);
    std::string err;
    REQUIRE(s->write_batch("", 0, err));
    CHECK(exists(path));
    CHECK(read_file(path).empty());
    REQUIRE(s->write_batch("{}\n", 1, err));
    CHECK(read_file(path) == "{}\n");
    REQUIRE(s->write_batch("", 0, err));
    CHECK(read_file(path).empty());
    CHECK(s->bytes_written() == 0);
}

TEST_CASE("replace: missing final newline is added; fsync never works too") {
    TempDir t;
    auto s = replace_sink(t / "a.ndjson", false, false);
    std::string err;
    REQUIRE(s->write_batch("{\"a\":1}", 1, err));
    CHECK(read_file(t / "a.ndjson") == "{\"a\":1}\n");
    CHECK(s->bytes_written() == 8);
}

TEST_CASE("replace: the target's permissions are kept") {
    TempDir t;
    const std::string path = t / "m.ndjson";
    write_file(path, "old\n");
    ::chmod(path.c_str(), 0640);
    auto s = replace_sink(path);
    std::string err;
    REQUIRE(s->write_batch("{}\n", 1, err));
    struct stat st{};
    ::stat(path.c_str(), &st);
    CHECK((st.st_mode & 07777) == 0640);
}

TEST_CASE("replace: start-up removes temporary files left by a crash, for this target only") {
    TempDir t;
    const std::string path = t / "users.json";
    write_file(path, "[]\n");
    const std::string dead = t / tmp_name("users.json", 999999999);  // no such process
    const std::string mine = t / tmp_name("users.json", ::getpid());
    const std::string live = t / tmp_name("users.json", 1);           // a live process
    const std::string other = t / tmp_name("other.json", 999999999);  // another target
    const std::string lookalike = t / ".users.json.sluiced-tmp-abc";  // not our pattern
    for (auto& f : {dead, mine, live, other, lookalike}) write_file(f, "half");
    auto s = replace_sink(path, true);
    std::string err;
    sink_test::StderrCapture cap;
    REQUIRE(s->open(err));
    CHECK_FALSE(exists(dead));
    CHECK_FALSE(exists(mine));
    CHECK(exists(live));
    CHECK(exists(other));
    CHECK(exists(lookalike));
    CHECK(read_file(path) == "[]\n");
}

TEST_CASE("replace: a directory as path fails with EISDIR") {
    TempDir t;
    ::mkdir((t / "dir").c_str(), 0755);
    auto s = replace_sink(t / "dir");
    std::string err;
    CHECK_FALSE(s->open(err));
    CHECK(err == (t / "dir") + ": Is a directory");
    err.clear();
    CHECK_FALSE(s->write_batch("{}\n", 1, err));
    CHECK(err == (t / "dir") + ": Is a directory");
    CHECK(list_dir(t / "dir").empty());
    CHECK(list_dir(t.path()) == std::vector<std::string>{"dir"});
}

TEST_CASE("replace: /dev/full is written directly and fails with ENOSPC") {
    auto s = replace_sink("/dev/full", true);
    std::string err;
    REQUIRE(s->open(err));
    CHECK_FALSE(s->write_batch("{\"a\":1}\n", 1, err));
    CHECK(err == "write /dev/full: No space left on device");
    CHECK_FALSE(exists("/dev/" + tmp_name("full", ::getpid())));
}

TEST_CASE("replace: a failed write leaves the old file and no temporary file") {
    TempDir t;
    const std::string path = t / "u.ndjson";
    write_file(path, "{\"old\":1}\n");
    // Make the temporary file name a directory so opening it fails.
    const std::string tmp = t / tmp_name("u.ndjson", ::getpid());
    ::mkdir(tmp.c_str(), 0755);
    FileReplaceSink s(path, "p", false, true);
    std::string err;
    CHECK_FALSE(s.write_batch("{\"new\":1}\n", 1, err));
    CHECK(err == path + ": Is a directory");
    CHECK(read_file(path) == "{\"old\":1}\n");
    ::rmdir(tmp.c_str());
    REQUIRE(s.write_batch("{\"new\":1}\n", 1, err));
    CHECK(read_file(path) == "{\"new\":1}\n");
    CHECK(list_dir(t.path()) == std::vector<std::string>{"u.ndjson"});
}
