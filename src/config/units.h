// Durations and sizes as written in configuration files (spec §1).
// parse_duration / parse_size are declared in config/loader.h.
#pragma once
#include <cstdint>
#include <string>

#include "config/loader.h"

namespace sluiced::config {

// Canonical text of a duration (`1h30m`, `250ms`, `0s`), for messages.
std::string format_duration(std::int64_t ms);

}  // namespace sluiced::config
