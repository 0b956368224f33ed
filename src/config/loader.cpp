// load(): files and directories -> Configuration (spec §1).
#include "config/loader.h"

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <dirent.h>
#include <map>
#include <sys/stat.h>

#include "config/diagnostics.h"
#include "config/interpolate.h"
#include "config/reader.h"
#include "config/yaml_tree.h"

namespace sluiced::config {

namespace {

bool ends_with(const std::string& s, std::string_view suffix) {
    return s.size() >= suffix.size() && s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

void plain_error(std::vector<Diagnostic>& diags, std::string msg) {
    Diagnostic d;
    d.message = std::move(msg);
    diags.push_back(std::move(d));
}

std::string dir_of(const std::string& path) {
    std::size_t slash = path.rfind('/');
    if (slash == std::string::npos) return ".";
    if (slash == 0) return "/";
    return path.substr(0, slash);
}

// Expands directory arguments into their *.yaml / *.yml files.
void expand(const std::vector<std::string>& paths, std::vector<std::string>& files,
            std::vector<Diagnostic>& diags) {
    for (const std::string& p : paths) {
        struct stat st;
        if (::stat(p.c_str(), &st) != 0) {
            plain_error(diags, "cannot read `" + p + "`: " + std::strerror(errno));
            continue;
        }
        if (!S_ISDIR(st.st_mode)) {
            files.push_back(p);
            continue;
        }
        DIR* d = ::opendir(p.c_str());
        if (!d) {
            plain_error(diags, "cannot read directory `" + p + "`: " + std::strerror(errno));
            continue;
        }
        std::vector<std::string> names;
        while (dirent* e = ::readdir(d)) {
            std::string name = e->d_name;
            if (name.empty() || name[0] == '.') continue;
            if (!ends_with(name, ".yaml") && !ends_with(name, ".yml")) continue;
            std::string full = (!p.empty() && p.back() == '/') ? p + name : p + "/" + name;
            struct stat fst;
            if (::stat(full.c_str(), &fst) != 0 || !S_ISREG(fst.st_mode)) continue;
            names.push_back(name);
        }
        ::closedir(d);
        std::sort(names.begin(), names.end());
        for (const std::string& name : names)
            files.push_back((!p.empty() && p.back() == '/') ? p + name : p + "/" + name);
    }
}

void sort_by_position(std::vector<Diagnostic>& v) {
    std::stable_sort(v.begin(), v.end(), [](const Diagnostic& a, const Diagnostic& b) {
        if (a.has_mark != b.has_mark) return !a.has_mark;
        if (!a.has_mark) return false;
        if (a.mark.line != b.mark.line) return a.mark.line < b.mark.line;
        return a.mark.column < b.mark.column;
    });
}

}  // namespace

bool load(const std::vector<std::string>& paths, const LoadOptions& opts, Configuration& out,
          std::vector<Diagnostic>& diags) {
    const std::size_t first_diag = diags.size();
    std::vector<std::string> files;
    expand(paths, files, diags);

    std::vector<std::vector<Diagnostic>> per_file(files.size());
    std::vector<PipelineRef> refs;
    std::vector<std::size_t> ref_file;
    std::map<std::string, Mark> names;  // pipeline name -> where first defined

    for (std::size_t fi = 0; fi < files.size(); ++fi) {
        std::vector<Diagnostic>& fd = per_file[fi];
        YamlFile file;
        file.path = files[fi];
        file.dir = dir_of(files[fi]);
        std::string err;
        if (!read_file(file.path, file.source, err)) {
            plain_error(fd, "cannot read `" + file.path + "`: " + err);
            continue;
        }
        if (!parse_yaml(file, fd)) continue;  // syntax error: this file stops here
        Reader reader(file, opts, fd);
        std::size_t before = out.pipelines.size();
        std::size_t refs_before = refs.size();
        reader.read_file(out, refs);
        for (std::size_t k = refs_before; k < refs.size(); ++k) ref_file.push_back(fi);
        for (std::size_t k = before; k < out.pipelines.size(); ++k) {
            const Pipeline& p = out.pipelines[k];
            auto [it, inserted] = names.emplace(p.name, p.mark);
            if (!inserted) {
                Diagnostic d;
                d.mark = p.mark;
                d.has_mark = true;
                d.message = "duplicate pipeline name " + quoted(p.name) + " (first defined at " +
                            where(it->second) + ")";
                fd.push_back(std::move(d));
            }
        }
    }

    // Tests may name pipelines of any file.
    std::vector<std::string> known;
    for (const auto& [name, mark] : names) known.push_back(name);
    for (std::size_t k = 0; k < refs.size(); ++k) {
        if (names.count(refs[k].name)) continue;
        Diagnostic d;
        d.mark = refs[k].mark;
        d.has_mark = true;
        d.message = "unknown pipeline " + quoted(refs[k].name) + did_you_mean(suggest(refs[k].name, known));
        per_file[ref_file[k]].push_back(std::move(d));
    }

    for (auto& fd : per_file) {
        sort_by_position(fd);
        for (auto& d : fd) diags.push_back(std::move(d));
    }
    return diags.size() == first_diag;
}

}  // namespace sluiced::config
