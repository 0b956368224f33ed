// Lexer of the expression language (spec §6): turns the expression text into
// tokens, decoding string literals and validating number literals.
#pragma once
#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.h"

namespace sluiced::expr {

enum class Tok {
    End,
    Number,    // text: the literal as written (JSON number syntax, no sign)
    String,    // text: the decoded UTF-8 content
    Ident,     // text: the word (keywords are idents; the parser decides)
    Dot,
    LBracket,
    RBracket,
    LParen,
    RParen,
    Comma,
    Question,  // ?
    Colon,     // :
    QQ,        // ??
    OrOr,      // ||
    AndAnd,    // &&
    Bang,      // !
    EqEq,      // ==
    NotEq,     // !=
    Lt,
    Le,
    Gt,
    Ge,
    Match,     // =~
    NotMatch,  // !~
    Plus,
    Minus,
    Star,
    Slash,
    Percent,
};

struct Token {
    Tok kind = Tok::End;
    std::size_t offset = 0;  // byte offset of the first character
    std::size_t length = 0;  // bytes in the source
    std::string text;
};

// Splits `src` into tokens ending with Tok::End. Returns false and fills
// `error` on an invalid character, number or string literal.
bool lex(std::string_view src, std::vector<Token>& out, CompileError& error);

// How a token is shown in messages: its source text, shortened.
std::string describe(const Token& t, std::string_view src);

}  // namespace sluiced::expr
