// Files and directories (spec §1): order, duplicate names across files,
// unreadable paths.
#include "config_helpers.h"

using namespace cfgtest;

namespace {

std::string one(const std::string& name) {
    return "pipelines:\n  " + name + ":\n    schedule: { every: 1m }\n" + kSourceSink;
}

}  // namespace

TEST_CASE("a directory loads *.yaml and *.yml directly inside, in name order") {
    TempDir dir;
    dir.write("conf/b.yaml", one("b"));
    dir.write("conf/a.yml", one("a"));
    dir.write("conf/C.yaml", one("c"));
    dir.write("conf/10.yaml", one("ten"));
    dir.write("conf/notes.txt", "not: yaml: at all: [");
    dir.write("conf/x.yaml.bak", "garbage: [");
    dir.write("conf/.hidden.yaml", "garbage: [");
    dir.write("conf/sub/d.yaml", one("d"));
    auto r = load_paths(dir, {dir.path + "/conf"});
    CHECK(r.all() == "");
    std::vector<std::string> names;
    for (const auto& p : r.cfg.pipelines) names.push_back(p.name);
    CHECK(names == std::vector<std::string>{"ten", "c", "a", "b"});
    CHECK(r.cfg.pipelines[0].mark.file == dir.path + "/conf/10.yaml");
    // A trailing slash gives the same file names.
    r = load_paths(dir, {dir.path + "/conf/"});
    CHECK(r.cfg.pipelines[0].mark.file == dir.path + "/conf/10.yaml");
}

TEST_CASE("files and directories in argument order") {
    TempDir dir;
    std::string f = dir.write("z.yaml", one("z"));
    dir.write("d/a.yaml", one("a"));
    auto r = load_paths(dir, {f, dir.path + "/d"});
    REQUIRE(r.ok);
    REQUIRE(r.cfg.pipelines.size() == 2);
    CHECK(r.cfg.pipelines[0].name == "z");
    CHECK(r.cfg.pipelines[1].name == "a");
}

TEST_CASE("an empty directory is a valid configuration with zero pipelines") {
    TempDir dir;
    std::filesystem::create_directories(dir.path + "/empty");
    auto r = load_paths(dir, {dir.path + "/empty"});
    CHECK(r.ok);
    CHECK(r.cfg.pipelines.empty());
    r = load_paths(dir, {});
    CHECK(r.ok);
}

TEST_CASE("an explicit file is loaded whatever its extension") {
    TempDir dir;
    std::string f = dir.write("pipes.conf", one("x"));
    auto r = load_paths(dir, {f});
    REQUIRE(r.ok);
    CHECK(r.cfg.pipelines.size() == 1);
}

TEST_CASE("missing paths are errors without a position") {
    TempDir dir;
    auto r = load_paths(dir, {dir.path + "/nope.yaml"});
    CHECK(r.all() == "sluiced: error: cannot read `nope.yaml`: No such file or directory\n");
}

TEST_CASE("pipeline names are unique across files: error at the second") {
    TempDir dir;
    dir.write("c/a.yaml", one("users"));
    dir.write("c/b.yaml", "# second\n" + one("users"));
    auto r = load_paths(dir, {dir.path + "/c"});
    CHECK(r.all() == "c/b.yaml:3:3: error: duplicate pipeline name `users` (first defined at c/a.yaml:2:3)\n");
}

TEST_CASE("errors are reported file by file, each file in position order") {
    TempDir dir;
    dir.write("c/a.yaml", "pipelines:\n  a:\n    schedule: { every: 1m }\n" + std::string(kSourceSink) + "zzz: 1\n");
    dir.write("c/b.yaml", "yyy: 1\npipelines: { Bad: {} }\n");
    auto r = load_paths(dir, {dir.path + "/c"});
    CHECK(r.all() ==
          "c/a.yaml:9:1: error: unknown key `zzz`\n"
          "c/b.yaml:1:1: error: unknown key `yyy`\n"
          "c/b.yaml:2:14: error: invalid pipeline name `Bad` (names match [a-z0-9][a-z0-9_-]*)\n"
          "c/b.yaml:2:19: error: missing required key `schedule`\n"
          "c/b.yaml:2:19: error: missing required key `source`\n"
          "c/b.yaml:2:19: error: missing required key `sink`\n");
}

TEST_CASE("load() appends to diags and out") {
    TempDir dir;
    std::string f = dir.write("a.yaml", one("a"));
    sluiced::config::Configuration cfg;
    std::vector<sluiced::config::Diagnostic> diags;
    CHECK(sluiced::config::load({f}, {}, cfg, diags));
    CHECK(cfg.pipelines.size() == 1);
    std::string g = dir.write("g.yaml", "bogus: 1\n");
    CHECK_FALSE(sluiced::config::load({g}, {}, cfg, diags));
    CHECK(diags.size() == 1);
    CHECK(diags[0].has_mark);
    CHECK(diags[0].mark.file == g);
    CHECK(diags[0].mark.line == 1);
    CHECK(diags[0].mark.column == 1);
    CHECK(diags[0].message == "unknown key `bogus`");
}
