// `${...}` interpolation of string values (spec §1).
//   ${NAME}            environment variable (the env overlay first); unset: error
//   ${NAME:-default}   default when unset or empty (default text taken as is)
//   ${file:PATH}       file content, PATH relative to the YAML file's folder;
//                      one trailing newline ("\n" or "\r\n") removed
//   ${cred:NAME}       file NAME in $CREDENTIALS_DIRECTORY (same newline rule)
//   $$                 a literal `$`
//   any other `$`      itself (`^a$`, `$x`, `a$ b`)
// NAME is [A-Za-z_][A-Za-z0-9_]*. An unterminated `${` is an error.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <vector>

namespace sluiced::config {

// Whether `n` is an environment variable name: [A-Za-z_][A-Za-z0-9_]*.
bool valid_env_name(std::string_view n);

struct InterpolationContext {
    std::string dir;  // folder of the YAML file, for relative ${file:...}
    const std::map<std::string, std::string>* overlay = nullptr;
};

// Expands `in` into `out`. `map` (optional) receives for each output byte the
// offset in `in` it came from (substituted text maps to its `${`), plus one
// entry for the end. On error returns false with a message in `error`.
bool interpolate(std::string_view in, const InterpolationContext& ctx, std::string& out,
                 std::vector<std::uint32_t>* map, std::string& error);

// Reads a whole file; false with a strerror text in `error`.
bool read_file(const std::string& path, std::string& out, std::string& error);

}  // namespace sluiced::config
