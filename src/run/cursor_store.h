// Incremental-sync cursors on disk (spec §4.2): one file per pipeline,
// `<state_dir>/<pipeline>.cursor`, holding the cursor as JSON text plus a
// newline (a number keeps its input text, `1.10` stays `1.10`). Written
// atomically: temporary file, fsync, rename, fsync of the directory.
#pragma once
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace sluiced::run {

// --state-dir when given, else $STATE_DIRECTORY/state (the first path when
// systemd lists several, separated by ':'), else /var/lib/sluiced/state.
std::string resolve_state_dir(const std::string& option);

// Reads the cursor of `pipeline`: true with `json` empty when there is none;
// false with `error` ("PATH: errno text") when the file cannot be read.
bool read_cursor(const std::string& dir, const std::string& pipeline, std::optional<std::string>& json,
                 std::string& error);
// Writes `json` atomically, creating `dir` when missing.
bool write_cursor(const std::string& dir, const std::string& pipeline, const std::string& json, std::string& error);
// Removes the cursor; a missing one is not an error.
bool remove_cursor(const std::string& dir, const std::string& pipeline, std::string& error);
// Every stored (pipeline, json) in name order.
std::vector<std::pair<std::string, std::string>> list_cursors(const std::string& dir);

}  // namespace sluiced::run
