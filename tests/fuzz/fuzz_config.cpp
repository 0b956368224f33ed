// The configuration loader end to end (spec §1-§8): the input is written to
// a YAML file in a private temporary folder and loaded with config::load;
// every diagnostic is formatted. Inputs whose `${file:...}` could reach
// outside that folder (a '/' in the path: /dev/zero, /dev/stdin) are
// skipped, as they would only test the machine.
#include <unistd.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <vector>

#include "config/loader.h"
#include "fuzz_common.h"

using namespace sluiced;

namespace {

struct Dir {
    std::string path, file;
    Dir() {
        std::string tmpl = (std::filesystem::temp_directory_path() / "sluiced-fuzz-config-XXXXXX").string();
        if (!::mkdtemp(tmpl.data())) std::abort();
        path = tmpl;
        file = path + "/pipeline.yaml";
        std::ofstream(path + "/token.txt") << "s3cr3t\n";
        std::ofstream(path + "/body.json") << "{\"q\":1}\n";
    }
    ~Dir() {
        std::error_code ec;
        std::filesystem::remove_all(path, ec);
    }
};

bool file_refs_stay_inside(std::string_view s) {
    for (std::size_t i = s.find("file:"); i != std::string_view::npos; i = s.find("file:", i + 1)) {
        std::size_t end = s.find('}', i);
        std::string_view arg = s.substr(i + 5, end == std::string_view::npos ? std::string_view::npos : end - i - 5);
        if (arg.find('/') != std::string_view::npos || arg.find('\\') != std::string_view::npos) return false;
    }
    return s.find("cred:") == std::string_view::npos;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    static Dir dir;
    if (size > 64 * 1024) return 0;
    std::string_view text(reinterpret_cast<const char*>(data), size);
    if (!file_refs_stay_inside(text)) return 0;
    {
        std::ofstream f(dir.file, std::ios::binary | std::ios::trunc);
        f.write(text.data(), std::streamsize(text.size()));
        if (!f) std::abort();
    }
    config::LoadOptions opts;
    opts.require_schedule = (size % 2) == 0;
    std::map<std::string, std::string> overlay{{"API_TOKEN", "t0k"}, {"BASE", "http://127.0.0.1:8080"}};
    opts.env_overlay = &overlay;
    config::Configuration cfg;
    std::vector<config::Diagnostic> diags;
    bool ok = config::load({dir.file}, opts, cfg, diags);
    FUZZ_CHECK(ok == diags.empty());
    for (const config::Diagnostic& d : diags) {
        std::string s = config::format(d);
        FUZZ_CHECK(!s.empty());
        if (d.has_mark) FUZZ_CHECK(d.mark.line >= 1 && d.mark.column >= 1);
    }
    return 0;
}
