// Time builtins (spec §6.3): now, parse_time, format_time.
#include "expr/builtins.h"
#include "expr/runtime.h"

namespace sluiced::expr {

Result fn_now(const Node&, const json::Value*, Context& ctx) { return make_number(ctx, ctx.now, "now"); }
Result fn_parse_time(const Node&, const json::Value*, Context& ctx) { return fail(ctx, "parse_time: not implemented yet"); }
Result fn_format_time(const Node&, const json::Value*, Context& ctx) { return fail(ctx, "format_time: not implemented yet"); }
bool check_time_format(std::string_view, bool, std::string&) { return true; }

}  // namespace sluiced::expr
