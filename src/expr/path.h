// Path steps (spec §6.1): field and index access that never fails — a
// missing field, an index out of range or a step into a value of another
// type yields "absent" (nullptr).
#pragma once
#include "expr/program.h"
#include "json/value.h"
#include "util/arena.h"

namespace sluiced::expr {

// Object member with decoded key `key`; nullptr when absent. Keys without
// escapes are compared byte for byte without decoding.
const json::Value* find_key(const json::Value& object, std::string_view key, Arena& arena);

// One step from `v`; nullptr when absent.
const json::Value* step(const json::Value& v, const PathSeg& s, Arena& arena);

// Walks `n.nsegs` steps from `base`; nullptr when absent.
const json::Value* walk(const json::Value& base, const Node& n, Arena& arena);

}  // namespace sluiced::expr
