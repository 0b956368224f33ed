// Arithmetic and ordering operators of spec §6.2: `+ - * / %`, unary `-`,
// `< <= > >=`. Integers stay exact in int64 (NumInt) until they overflow,
// then continue as doubles; null operands give null; a non-finite result is
// a record error.
#pragma once
#include "expr/program.h"

namespace sluiced::expr {

Result arith(Op op, const json::Value& l, const json::Value& r, Context& ctx);
Result negate(const json::Value& x, Context& ctx);
Result order(Op op, const json::Value& l, const json::Value& r, Context& ctx);

}  // namespace sluiced::expr
