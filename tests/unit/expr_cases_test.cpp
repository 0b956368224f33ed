// Data-driven expression tests: every tests/expr/*.test file, jq style.
//
//   # comment
//   PROGRAM
//   INPUT (JSON)
//   EXPECTED: the minified JSON result, or `error: SUBSTRING` for a record error
//   (blank line)
//
//   %%FAIL
//   PROGRAM
//   @OFFSET SUBSTRING     (compile error at byte OFFSET whose message contains SUBSTRING)
//   (blank line)
//
// Evaluated with now() = 1700000000.25.
#include <doctest/doctest.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <string>
#include <vector>

#include "expr/expr.h"
#include "json/json.h"
#include "util/arena.h"

namespace {

struct Case {
    std::string file;
    int line = 0;
    bool compile_fail = false;
    std::string program, input, expected;
};

std::vector<Case> load_cases() {
    std::vector<Case> out;
    std::filesystem::path dir = std::filesystem::path(SLUICED_SOURCE_DIR) / "tests" / "expr";
    std::vector<std::filesystem::path> files;
    for (auto& e : std::filesystem::directory_iterator(dir))
        if (e.path().extension() == ".test") files.push_back(e.path());
    std::sort(files.begin(), files.end());
    for (auto& f : files) {
        std::ifstream in(f);
        std::string line;
        std::vector<std::string> block;
        int lineno = 0, start = 0;
        auto flush = [&] {
            if (block.empty()) return;
            Case c;
            c.file = f.filename().string();
            c.line = start;
            std::size_t k = 0;
            if (block[0] == "%%FAIL") { c.compile_fail = true; k = 1; }
            std::size_t need = c.compile_fail ? 3 : 3;
            if (block.size() != need) {
                c.program = "<malformed block>";
                c.expected = std::to_string(block.size()) + " lines";
            } else if (c.compile_fail) {
                c.program = block[k];
                c.expected = block[k + 1];
            } else {
                c.program = block[0];
                c.input = block[1];
                c.expected = block[2];
            }
            out.push_back(std::move(c));
            block.clear();
        };
        while (std::getline(in, line)) {
            ++lineno;
            if (!line.empty() && line.back() == '\r') line.pop_back();
            if (line.empty()) { flush(); continue; }
            if (line[0] == '#' && block.empty()) continue;
            if (block.empty()) start = lineno;
            block.push_back(line);
        }
        flush();
    }
    return out;
}

}  // namespace

TEST_CASE("expression cases from tests/expr/*.test") {
    std::vector<Case> cases = load_cases();
    REQUIRE(cases.size() > 100);
    sluiced::Arena arena;
    int checked = 0;
    for (const Case& c : cases) {
        INFO(c.file << ":" << c.line << ": " << c.program);
        REQUIRE(c.program != "<malformed block>");
        sluiced::expr::CompileError err;
        auto prog = sluiced::expr::compile(c.program, err);
        if (c.compile_fail) {
            CHECK(prog == nullptr);
            if (prog) continue;
            REQUIRE(c.expected.size() > 1);
            REQUIRE(c.expected[0] == '@');
            std::size_t sp = c.expected.find(' ');
            std::size_t offset = std::stoul(c.expected.substr(1, sp - 1));
            std::string want = sp == std::string::npos ? "" : c.expected.substr(sp + 1);
            INFO("message: " << err.message);
            CHECK(err.offset == offset);
            CHECK(err.message.find(want) != std::string::npos);
            ++checked;
            continue;
        }
        INFO("compile error: @" << err.offset << " " << err.message);
        REQUIRE(prog != nullptr);
        sluiced::json::Value input;
        std::string perr;
        REQUIRE_MESSAGE(sluiced::json::parse(c.input, arena, input, perr), perr);
        sluiced::expr::Context ctx{arena, 1700000000.25};
        sluiced::expr::Result r = sluiced::expr::eval(*prog, input, ctx);
        if (c.expected.rfind("error: ", 0) == 0) {
            std::string want = c.expected.substr(7);
            INFO("result error: " << r.error);
            CHECK(!r.ok());
            CHECK(std::string(r.error).find(want) != std::string::npos);
        } else {
            INFO("error: " << r.error);
            REQUIRE(r.ok());
            std::string text;
            bool encoded = sluiced::json::encode(r.value, text);
            CHECK(encoded);
            CHECK(text == c.expected);
        }
        ++checked;
        arena.reset();
    }
    MESSAGE(checked << " expression cases checked");
}
