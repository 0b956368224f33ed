// The compiled form of an expression (spec §6): an immutable tree of Nodes
// built by compile.cpp and walked by eval.cpp. Everything a node points to
// (decoded keys, literal texts, constant arrays, regexes) is owned by the
// Program, so evaluation allocates nothing outside the run's Arena.
#pragma once
#include <cstdint>
#include <deque>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "expr/expr.h"
#include "json/value.h"

namespace re2 {
class RE2;
}

namespace sluiced::expr {

enum class Op : std::uint8_t {
    Const,     // value
    Path,      // a (base, or nullptr for the record), segs
    Array,     // kids
    Not,       // a
    Neg,       // a
    And,       // a, b
    Or,        // a, b
    Cond,      // a ? b : c
    Eq, Ne, Lt, Le, Gt, Ge,
    Match,     // a =~ re
    NotMatch,  // a !~ re
    In,        // a in b
    Coalesce,  // a ?? b
    Add, Sub, Mul, Div, Mod,
    Call,      // fn(kids)
    Exists,    // exists(a) where a is a record path
    CoalesceFn // coalesce(kids), lazy
};

// One step of a path, decoded at compile time.
struct PathSeg {
    std::string_view key;     // when !is_index: the decoded key (owned by the Program)
    std::int64_t index = 0;   // when is_index; negative counts from the end
    bool is_index = false;
};

struct Node;
// A builtin function: `args` holds call.nkids evaluated arguments.
using BuiltinFn = Result (*)(const Node& call, const json::Value* args, Context& ctx);

struct Node {
    Op op = Op::Const;
    std::uint32_t nkids = 0;
    std::uint32_t nsegs = 0;
    std::uint32_t offset = 0;           // source offset (diagnostics)
    const Node* a = nullptr;
    const Node* b = nullptr;
    const Node* c = nullptr;
    const Node* const* kids = nullptr;  // Array, Call, CoalesceFn
    const PathSeg* segs = nullptr;      // Path
    json::Value value;                  // Const
    const re2::RE2* re = nullptr;       // Match / NotMatch
    BuiltinFn fn = nullptr;             // Call
    const char* name = nullptr;         // Call: function name
    const void* data = nullptr;         // Call: precompiled argument data (e.g. a time format)
};

class Program {
public:
    Program();
    ~Program();
    Program(const Program&) = delete;
    Program& operator=(const Program&) = delete;

    const Node& root() const { return *root_; }
    std::string_view text() const { return text_; }
    // A bare path from the record (`.`, `.a.b[0]`, ...).
    bool is_path() const { return root_->op == Op::Path && root_->a == nullptr; }

    // Set once by the compiler.
    void set_root(const Node* root, std::string_view text) { root_ = root; text_.assign(text); }

private:
    friend class Compiler;
    std::string text_;
    const Node* root_ = nullptr;
    std::deque<Node> nodes_;
    std::deque<std::string> strings_;
    std::deque<std::vector<const Node*>> node_lists_;
    std::deque<std::vector<PathSeg>> seg_lists_;
    std::deque<std::vector<json::Value>> value_lists_;
    std::vector<std::unique_ptr<re2::RE2>> regexes_;
    std::vector<std::shared_ptr<const void>> extra_;  // builtin-specific compiled data
};

}  // namespace sluiced::expr
