// Syntax tree produced by the parser (expr/parser.h) and consumed by the
// compiler (compile.cpp). Compile-time only: owns std::strings freely.
#pragma once
#include <cstddef>
#include <cstdint>
#include <memory>
#include <string>
#include <vector>

#include "expr/lexer.h"

namespace sluiced::expr {

// One step of a path: `.name`, `."key"`, `["key"]` or `[index]`.
struct AstSeg {
    bool is_index = false;
    std::string key;          // decoded key
    std::int64_t index = 0;   // negative counts from the end
};

struct Ast {
    enum class Kind { Number, String, True, False, Null, Array, Path, Unary, Binary, Ternary, Call };
    Kind kind = Kind::Null;
    std::size_t offset = 0;  // where a caret points for this node (operator or first token)
    std::size_t start = 0;   // offset of the node's first token
    std::string text;        // Number: literal text; String: decoded; Call: function name
    Tok op = Tok::End;       // Unary / Binary operator (keywords map to Bang/OrOr/AndAnd; `in` is Ident)
    bool is_in = false;      // Binary `in`
    bool paren = false;      // written in parentheses
    bool has_base = false;   // Path: kids[0] is the base (postfix on a primary), else the record
    std::vector<AstSeg> segs;
    std::vector<std::unique_ptr<Ast>> kids;
    // Height of the tree below and including this node: compile, eval and
    // the destructor recurse this deep (the parser bounds it, parser.cpp).
    std::uint32_t height = 1;

    bool is_record_path() const { return kind == Kind::Path && !has_base; }
};

}  // namespace sluiced::expr
