// Our own YAML node tree, built from yaml-cpp's event API so that we keep
// what yaml-cpp's Node API hides: positions of every key and value, scalar
// style (plain or quoted), tags, aliases and duplicate keys (spec §1).
#pragma once
#include <cstdint>
#include <string>
#include <utility>
#include <vector>

#include "config/loader.h"

namespace sluiced::config {

struct Node {
    enum class Kind { Null, Scalar, Seq, Map, Alias } kind = Kind::Null;
    // Scalar style, read from the source text (yaml-cpp only tells plain or not).
    enum class Style { Plain, Single, Double, Literal, Folded } style = Style::Plain;
    Mark mark;       // 1-based; an empty value carries its key's mark
    int pos = 0;     // 0-based byte offset of `mark` in the source
    std::string value;  // Scalar: its text. Null: the source text ("null", "~", "" when empty)
    std::string tag;    // a user tag as written (`!!str`, `!foo`), empty when none
    bool empty = false; // Null written as nothing (`key:`)
    bool bad = false;   // already reported (alias, tag): readers skip it silently
    std::vector<Node> items;                     // Seq
    std::vector<std::pair<Node, Node>> entries;  // Map: key (Scalar/Null), value

    // Special members declared here and defaulted below the class, where
    // Node is complete: clang with libstdc++ rejects the implicit ones
    // (std::pair<Node, Node> instantiated while Node is incomplete).
    Node() = default;
    Node(const Node&);
    Node(Node&&) noexcept;
    Node& operator=(const Node&);
    Node& operator=(Node&&) noexcept;
    ~Node();

    // Interpolation cache (see interpolate.h), filled by the reader.
    mutable bool interp_done = false;
    mutable bool interp_ok = false;
    mutable std::string interp;
    mutable std::vector<std::uint32_t> interp_map;  // output byte -> offset in `value`

    bool is_map() const { return kind == Kind::Map; }
    bool is_seq() const { return kind == Kind::Seq; }
    bool is_scalar() const { return kind == Kind::Scalar; }
    bool is_null() const { return kind == Kind::Null; }
    bool plain() const { return kind == Kind::Scalar && style == Style::Plain; }
    // "a mapping", "a sequence", "a string", "null" — for messages.
    const char* kind_name() const;
    // The value of `key` in a mapping (first occurrence), or nullptr.
    const Node* get(std::string_view key) const;
};

inline Node::Node(const Node&) = default;
inline Node::Node(Node&&) noexcept = default;
inline Node& Node::operator=(const Node&) = default;
inline Node& Node::operator=(Node&&) noexcept = default;
inline Node::~Node() = default;

struct YamlFile {
    std::string path;    // as given (used in marks)
    std::string dir;     // folder of the file, for relative paths
    std::string source;  // the file's bytes
    Node root;           // Null for an empty file
};

// Parses `file.source` into `file.root`. A syntax error is reported at its
// mark and returns false (the file is then skipped). Otherwise also checks
// the structure rules of spec §1: duplicate keys, merge keys, aliases, tags,
// non-scalar keys, more than one document (each reported, parsing goes on).
bool parse_yaml(YamlFile& file, std::vector<Diagnostic>& diags);

// Position in the source of byte `offset` of a scalar's value (best effort
// for quoted, multi-line and block scalars).
Mark value_mark(const YamlFile& file, const Node& scalar, std::size_t offset);

}  // namespace sluiced::config
