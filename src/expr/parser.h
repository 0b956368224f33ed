// Parser of the expression language: tokens -> Ast, following the precedence
// table of spec §6.2 (loosest first: ternary, ||/or, &&/and, !/not,
// comparisons (not chainable), ??, + -, * / %, unary -, postfix paths).
#pragma once
#include <memory>
#include <string_view>

#include "expr/ast.h"
#include "expr/expr.h"

namespace sluiced::expr {

// Parses `src`; nullptr and `error` filled on a syntax error.
std::unique_ptr<Ast> parse(std::string_view src, CompileError& error);

}  // namespace sluiced::expr
