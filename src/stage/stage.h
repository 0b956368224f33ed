// Stages (spec §5): filter, map, set, drop, compiled once from config::Stage
// and applied to one record at a time. No exceptions and no heap allocation
// per record: new values go to the batch's Arena.
#pragma once
#include <memory>
#include <string_view>
#include <vector>

#include "config/pipeline_config.h"
#include "expr/expr.h"
#include "json/value.h"
#include "util/arena.h"

namespace sluiced::stage {

enum class Outcome {
    Keep,   // `out` holds the (possibly new) record
    Drop,   // filtered out
    Error,  // record error (spec §5.4); `error` says why
};

// One compiled stage. Literal values of map/set are decoded once into the
// stage's own arena at construction.
class Stage {
public:
    // Throws std::runtime_error when a literal is not valid JSON (the config
    // loader guarantees it is).
    explicit Stage(const config::Stage& cfg);
    ~Stage();
    Stage(const Stage&) = delete;
    Stage& operator=(const Stage&) = delete;

    // Applies the stage to `in`. On Keep, `out` is the record to pass on;
    // on Error, `error` is the message (arena text or static).
    Outcome apply(const json::Value& in, expr::Context& ctx, json::Value& out, std::string_view& error) const;

    config::Stage::Kind kind() const { return kind_; }

    struct Field;  // compiled map/set field (stage/stage.cpp)

private:
    config::Stage::Kind kind_;
    const expr::Program* filter_ = nullptr;
    std::vector<const expr::Program*> drop_paths_;
    std::vector<Field> fields_;
    Arena literals_;
};

// The ordered stages of one pipeline.
class Chain {
public:
    explicit Chain(const std::vector<config::Stage>& stages);
    std::size_t size() const { return stages_.size(); }
    // Runs `record` through every stage. Returns Keep with `out`, Drop, or
    // Error with the failing stage's 0-based index in `failed_stage`.
    Outcome apply(const json::Value& record, expr::Context& ctx, json::Value& out, std::string_view& error,
                  std::size_t& failed_stage, json::Value& failed_input) const;

private:
    std::vector<std::unique_ptr<Stage>> stages_;
};

}  // namespace sluiced::stage
