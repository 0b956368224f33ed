// Shared helpers of the config unit tests: temporary directories and a
// one-call "load this YAML text" that returns formatted diagnostics with the
// temporary directory stripped from file names.
#pragma once
#include <doctest/doctest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "config/loader.h"

namespace cfgtest {

struct TempDir {
    std::string path;
    TempDir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "sluiced-config-XXXXXX").string();
        std::vector<char> buf(tmpl.begin(), tmpl.end());
        buf.push_back('\0');
        char* p = ::mkdtemp(buf.data());
        REQUIRE(p != nullptr);
        path = p;
    }
    ~TempDir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
    TempDir(const TempDir&) = delete;
    TempDir& operator=(const TempDir&) = delete;

    std::string write(const std::string& name, const std::string& content) const {
        std::string full = path + "/" + name;
        std::filesystem::create_directories(std::filesystem::path(full).parent_path());
        std::ofstream f(full, std::ios::binary);
        f << content;
        return full;
    }
};

struct Result {
    bool ok = false;
    sluiced::config::Configuration cfg;
    std::vector<std::string> errors;  // formatted, temp dir removed
    std::string all() const {
        std::string s;
        for (const auto& e : errors) s += e + "\n";
        return s;
    }
};

inline std::string strip(std::string s, const std::string& dir) {
    std::string prefix = dir + "/";
    for (std::size_t at; (at = s.find(prefix)) != std::string::npos;) s.erase(at, prefix.size());
    return s;
}

inline Result load_paths(const TempDir& dir, const std::vector<std::string>& paths,
                         sluiced::config::LoadOptions opts = {}) {
    Result r;
    std::vector<sluiced::config::Diagnostic> diags;
    r.ok = sluiced::config::load(paths, opts, r.cfg, diags);
    for (const auto& d : diags) r.errors.push_back(strip(sluiced::config::format(d), dir.path));
    CHECK(r.ok == diags.empty());
    return r;
}

// Loads `yaml` as p.yaml in a fresh temporary directory.
inline Result load_text(const std::string& yaml, sluiced::config::LoadOptions opts = {}) {
    TempDir dir;
    std::string p = dir.write("p.yaml", yaml);
    return load_paths(dir, {p}, opts);
}

// A minimal valid pipeline body (4-space indent under `pipelines: NAME:`).
inline const char* kSourceSink =
    "    source:\n"
    "      http:\n"
    "        url: https://api.example.com/x\n"
    "    sink:\n"
    "      stdout: {}\n";

}  // namespace cfgtest
