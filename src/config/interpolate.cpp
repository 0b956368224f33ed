#include "config/interpolate.h"

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <sys/stat.h>

namespace sluiced::config {

bool valid_env_name(std::string_view n) {
    if (n.empty()) return false;
    for (std::size_t i = 0; i < n.size(); ++i) {
        char c = n[i];
        bool alpha = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_';
        bool digit = c >= '0' && c <= '9';
        if (!(alpha || (digit && i > 0))) return false;
    }
    return true;
}


namespace {


const char* lookup(const InterpolationContext& ctx, const std::string& name) {
    if (ctx.overlay) {
        auto it = ctx.overlay->find(name);
        if (it != ctx.overlay->end()) return it->second.c_str();
    }
    return std::getenv(name.c_str());
}

void strip_newline(std::string& s) {
    if (!s.empty() && s.back() == '\n') {
        s.pop_back();
        if (!s.empty() && s.back() == '\r') s.pop_back();
    }
}

}  // namespace

bool read_file(const std::string& path, std::string& out, std::string& error) {
    struct stat st;
    if (::stat(path.c_str(), &st) != 0) {
        error = std::strerror(errno);
        return false;
    }
    if (S_ISDIR(st.st_mode)) {
        error = "is a directory";
        return false;
    }
    std::ifstream f(path, std::ios::binary);
    if (!f) {
        error = std::strerror(errno ? errno : EACCES);
        return false;
    }
    std::ostringstream ss;
    ss << f.rdbuf();
    if (f.bad()) {
        error = "read error";
        return false;
    }
    out = ss.str();
    return true;
}

bool interpolate(std::string_view in, const InterpolationContext& ctx, std::string& out,
                 std::vector<std::uint32_t>* map, std::string& error) {
    out.clear();
    if (map) map->clear();
    auto emit = [&](std::string_view text, std::size_t from) {
        out.append(text);
        if (map)
            for (std::size_t k = 0; k < text.size(); ++k) map->push_back(static_cast<std::uint32_t>(from));
    };
    std::size_t i = 0;
    while (i < in.size()) {
        char c = in[i];
        if (c != '$') {
            out.push_back(c);
            if (map) map->push_back(static_cast<std::uint32_t>(i));
            ++i;
            continue;
        }
        if (i + 1 < in.size() && in[i + 1] == '$') {
            emit("$", i);
            i += 2;
            continue;
        }
        if (i + 1 >= in.size() || in[i + 1] != '{') {
            emit("$", i);
            ++i;
            continue;
        }
        std::size_t close = in.find('}', i + 2);
        if (close == std::string_view::npos) {
            error = "unterminated `${` (write `$$` for a literal `$`)";
            return false;
        }
        std::string_view body = in.substr(i + 2, close - i - 2);
        std::string value;
        if (body.substr(0, 5) == "file:") {
            std::string path(body.substr(5));
            if (path.empty()) {
                error = "`${file:}` needs a path";
                return false;
            }
            std::string full = (path[0] == '/' || ctx.dir.empty()) ? path : ctx.dir + "/" + path;
            std::string err;
            if (!read_file(full, value, err)) {
                error = "cannot read `" + full + "` for `${file:" + path + "}`: " + err;
                return false;
            }
            strip_newline(value);
        } else if (body.substr(0, 5) == "cred:") {
            std::string name(body.substr(5));
            if (name.empty() || name.find('/') != std::string::npos || name == "." || name == "..") {
                error = "invalid credential name `" + name + "` in `${cred:" + name + "}`";
                return false;
            }
            const char* dir = lookup(ctx, "CREDENTIALS_DIRECTORY");
            if (!dir || !*dir) {
                error = "`${cred:" + name + "}`: $CREDENTIALS_DIRECTORY is not set (systemd LoadCredential=)";
                return false;
            }
            std::string full = std::string(dir) + "/" + name;
            std::string err;
            if (!read_file(full, value, err)) {
                error = "cannot read credential `" + name + "` (`" + full + "`): " + err;
                return false;
            }
            strip_newline(value);
        } else {
            std::size_t dash = body.find(":-");
            std::string name(body.substr(0, dash));
            if (!valid_env_name(name)) {
                error = "invalid variable name `" + name + "` in `${" + std::string(body) + "}`";
                return false;
            }
            const char* v = lookup(ctx, name);
            if (dash != std::string_view::npos) {
                value = (v && *v) ? std::string(v) : std::string(body.substr(dash + 2));
            } else if (!v) {
                error = "environment variable `" + name + "` is not set (use `${" + name +
                        ":-default}` for a default)";
                return false;
            } else {
                value = v;
            }
        }
        emit(value, i);
        i = close + 1;
    }
    if (map) map->push_back(static_cast<std::uint32_t>(in.size()));
    return true;
}

}  // namespace sluiced::config
