// Incremental-sync cursor values (spec §4.2): the greatest non-null value of
// the `cursor` expression over a run's decoded records, and its text as a
// query parameter.
#pragma once
#include <optional>
#include <string>
#include <vector>

#include "config/pipeline_config.h"
#include "expr/expr.h"
#include "run/decode.h"

namespace sluiced::run {

// The query-parameter text of a stored cursor (JSON text): a number as
// written (`1.10` stays `1.10`), a string as its decoded text. False when
// `json` is not a JSON number or string.
bool cursor_param_text(const std::string& json, std::string& out);

// Updates `cursor` (JSON text, or none) to the greatest non-null cursor value
// over `items` (decoded records; failed NDJSON lines are skipped): numbers
// numerically, strings by bytes except that two RFC 3339 times compare as
// times. A run with no value keeps `cursor`; otherwise the run's greatest
// value replaces it, even when lower (the letter of the spec). Returns false with `error` for
// mixed types, a non-scalar value, or an expression error.
bool compute_cursor(const config::Incremental& inc, const std::vector<Item>& items, expr::Context& ctx,
                    std::optional<std::string>& cursor, std::string& error);

}  // namespace sluiced::run
