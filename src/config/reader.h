// Internal: turns one file's node tree into config structs, reporting every
// error it finds (it never stops at the first). Used by loader.cpp.
#pragma once
#include <initializer_list>
#include <string>
#include <string_view>
#include <vector>

#include "config/interpolate.h"
#include "config/loader.h"
#include "config/yaml_tree.h"

namespace sluiced::config {

// A test's `pipeline:` reference, resolved once every file is read.
struct PipelineRef {
    std::string name;
    Mark mark;
    std::string test_name;
};

class Reader {
public:
    Reader(const YamlFile& file, const LoadOptions& opts, std::vector<Diagnostic>& diags);

    // Reads the top-level mapping of the file.
    void read_file(Configuration& out, std::vector<PipelineRef>& refs);

    // ---- pipelines (pipeline_reader.cpp)
    void pipelines(const Node& n, Configuration& out);
    void pipeline(const Node& key, const Node& n, Pipeline& p);
    void schedule(const Node& n, Schedule& s);
    void source(const Node& n, HttpSource& h);
    void http(const Node& n, HttpSource& h);
    void params(const Node& n, std::string_view what, std::vector<ParamValue>& out, bool header_names);
    void auth(const Node& n, Auth& a);
    void paginate(const Node& n, Paginate& p);
    void stages(const Node& n, std::vector<Stage>& out);
    void fields(const Node& n, std::string_view what, std::vector<MapField>& out);
    void sink(const Node& n, std::string_view what, Sink& s);

    // ---- tests (test_reader.cpp)
    void tests(const Node& n, Configuration& out, std::vector<PipelineRef>& refs);
    void test(const Node& n, TestCase& t, std::vector<PipelineRef>& refs);

    // ---- value helpers (reader.cpp). Each reports its own errors and
    // returns false on failure; nodes already reported (`bad`) fail silently.
    void error(const Mark& m, std::string message);
    bool expect_map(const Node& n, std::string_view what);
    bool expect_seq(const Node& n, std::string_view what);
    // Unknown keys of a mapping whose keys are ours, with suggestions.
    void check_keys(const Node& map, std::initializer_list<std::string_view> known);
    // The entry (key and value) of `key`, or nullptr.
    const std::pair<Node, Node>* entry(const Node& map, std::string_view key) const;
    // Reports a missing required key at the mapping.
    bool require(const Node& map, std::string_view key);
    // The interpolated text of a scalar (numbers and booleans are text too).
    bool str(const Node& n, std::string_view what, std::string& out);
    bool nonempty_str(const Node& n, std::string_view what, std::string& out);
    bool duration(const Node& n, std::string_view what, std::int64_t& ms, bool positive);
    bool size(const Node& n, std::string_view what, std::uint64_t& bytes, bool positive);
    bool integer(const Node& n, std::string_view what, std::int64_t& v, std::int64_t min, std::int64_t max);
    bool boolean(const Node& n, std::string_view what, bool& v);
    bool choice(const Node& n, std::string_view what, std::initializer_list<std::string_view> values,
                std::string& out);
    bool url(const Node& n, std::string_view what, std::string& out);
    bool expression(const Node& n, std::string_view what, bool path, Expr& out);
    // YAML value as JSON text (plain true/false/null/numbers literal, other
    // scalars strings; interpolated).
    bool json(const Node& n, std::string_view what, std::string& out);
    // Canonical text of a subtree after interpolation (Pipeline::fingerprint).
    std::string canonical(const Node& n);

    const YamlFile& file() const { return file_; }

private:
    bool interpolated(const Node& n);
    void json_rec(const Node& n, std::string& out, bool& ok);

    const YamlFile& file_;
    const LoadOptions& opts_;
    std::vector<Diagnostic>& diags_;
    InterpolationContext ictx_;
};

// Helpers shared by the readers.
bool is_json_number(std::string_view s);
// "true"/"false"/"null" for the YAML core-schema spellings, else "".
std::string yaml_literal(std::string_view plain);
void append_json_string(std::string& out, std::string_view s);
bool valid_pipeline_name(std::string_view s);

}  // namespace sluiced::config
