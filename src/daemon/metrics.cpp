#include "daemon/metrics.h"

#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace sluiced::daemon {

std::string format_value(double v) {
    if (std::isnan(v)) return "NaN";
    if (std::isinf(v)) return v > 0 ? "+Inf" : "-Inf";
    if (v == std::floor(v) && std::fabs(v) < 1e15) {
        char buf[32];
        std::snprintf(buf, sizeof buf, "%lld", (long long)v);
        return buf;
    }
    char buf[40];
    std::snprintf(buf, sizeof buf, "%.17g", v);
    // Prefer the shortest text that reads back the same.
    for (int prec = 6; prec < 17; ++prec) {
        char shorter[40];
        std::snprintf(shorter, sizeof shorter, "%.*g", prec, v);
        if (std::strtod(shorter, nullptr) == v) return shorter;
    }
    return buf;
}

std::string escape_label(std::string_view v) {
    std::string out;
    out.reserve(v.size());
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '"') out += "\\\"";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

static std::string escape_help(std::string_view v) {
    std::string out;
    for (char c : v) {
        if (c == '\\') out += "\\\\";
        else if (c == '\n') out += "\\n";
        else out += c;
    }
    return out;
}

void Registry::declare(std::string name, MetricType type, std::string help, std::vector<std::string> label_names,
                       std::vector<double> buckets) {
    if (find(name)) return;
    Family f;
    f.name = std::move(name);
    f.help = std::move(help);
    f.type = type;
    f.label_names = std::move(label_names);
    f.buckets = std::move(buckets);
    families_.push_back(std::move(f));
}

Registry::Family* Registry::find(std::string_view name) {
    for (auto& f : families_)
        if (f.name == name) return &f;
    return nullptr;
}

const Registry::Family* Registry::find(std::string_view name) const {
    for (const auto& f : families_)
        if (f.name == name) return &f;
    return nullptr;
}

Registry::Series& Registry::series(Family& f, const LabelValues& labels) {
    auto it = f.series.find(labels);
    if (it == f.series.end()) {
        Series s;
        if (f.type == MetricType::Histogram) s.counts.assign(f.buckets.size() + 1, 0);
        it = f.series.emplace(labels, std::move(s)).first;
    }
    return it->second;
}

Registry::Ref Registry::ref(std::string_view name, const LabelValues& labels) {
    Family* f = find(name);
    if (!f) return {};
    return Ref{std::size_t(f - families_.data()), &series(*f, labels)};
}

void Registry::set(Ref r, double value) {
    if (r.series) r.series->value = value;
}

void Registry::add(Ref r, double delta) {
    if (r.series) r.series->value += delta;
}

void Registry::observe(Ref r, double value) {
    if (!r.series || r.family >= families_.size()) return;
    const Family& f = families_[r.family];
    if (f.type != MetricType::Histogram) return;
    Series& s = *r.series;
    std::size_t i = 0;
    while (i < f.buckets.size() && value > f.buckets[i]) ++i;
    ++s.counts[i];
    s.sum += value;
    ++s.count;
}

void Registry::touch(std::string_view name, const LabelValues& labels) {
    if (Family* f = find(name)) series(*f, labels);
}

void Registry::set(std::string_view name, const LabelValues& labels, double value) {
    if (Family* f = find(name)) series(*f, labels).value = value;
}

void Registry::add(std::string_view name, const LabelValues& labels, double delta) {
    if (Family* f = find(name)) series(*f, labels).value += delta;
}

void Registry::observe(std::string_view name, const LabelValues& labels, double value) {
    Family* f = find(name);
    if (!f || f->type != MetricType::Histogram) return;
    Series& s = series(*f, labels);
    std::size_t i = 0;
    while (i < f->buckets.size() && value > f->buckets[i]) ++i;
    ++s.counts[i];
    s.sum += value;
    ++s.count;
}

double Registry::value(std::string_view name, const LabelValues& labels) const {
    const Family* f = find(name);
    if (!f) return 0;
    auto it = f->series.find(labels);
    if (it == f->series.end()) return 0;
    return f->type == MetricType::Histogram ? double(it->second.count) : it->second.value;
}

bool Registry::has(std::string_view name, const LabelValues& labels) const {
    const Family* f = find(name);
    return f && f->series.count(labels);
}

void Registry::remove_where(std::string_view label, std::string_view value) {
    for (auto& f : families_) {
        std::size_t idx = f.label_names.size();
        for (std::size_t i = 0; i < f.label_names.size(); ++i)
            if (f.label_names[i] == label) idx = i;
        if (idx == f.label_names.size()) continue;
        for (auto it = f.series.begin(); it != f.series.end();) {
            if (it->first[idx] == value) it = f.series.erase(it);
            else ++it;
        }
    }
}

// `{a="x",b="y"}` with an optional extra label (le), or "" without labels.
static std::string label_text(const std::vector<std::string>& names, const LabelValues& values,
                              std::string_view extra_name = {}, std::string_view extra_value = {}) {
    std::string out;
    for (std::size_t i = 0; i < names.size() && i < values.size(); ++i) {
        out += out.empty() ? "{" : ",";
        out += names[i];
        out += "=\"";
        out += escape_label(values[i]);
        out += '"';
    }
    if (!extra_name.empty()) {
        out += out.empty() ? "{" : ",";
        out += extra_name;
        out += "=\"";
        out += extra_value;
        out += '"';
    }
    if (!out.empty()) out += '}';
    return out;
}

std::string Registry::render() const {
    std::string out;
    for (const auto& f : families_) {
        out += "# HELP " + f.name + " " + escape_help(f.help) + "\n";
        out += "# TYPE " + f.name + " ";
        out += f.type == MetricType::Counter ? "counter" : f.type == MetricType::Gauge ? "gauge" : "histogram";
        out += "\n";
        for (const auto& [labels, s] : f.series) {
            if (f.type != MetricType::Histogram) {
                out += f.name + label_text(f.label_names, labels) + " " + format_value(s.value) + "\n";
                continue;
            }
            std::uint64_t cumulative = 0;
            for (std::size_t i = 0; i <= f.buckets.size(); ++i) {
                cumulative += s.counts[i];
                std::string le = i < f.buckets.size() ? format_value(f.buckets[i]) : "+Inf";
                out += f.name + "_bucket" + label_text(f.label_names, labels, "le", le) + " " +
                       std::to_string(cumulative) + "\n";
            }
            out += f.name + "_sum" + label_text(f.label_names, labels) + " " + format_value(s.sum) + "\n";
            out += f.name + "_count" + label_text(f.label_names, labels) + " " + std::to_string(s.count) + "\n";
        }
    }
    return out;
}

}  // namespace sluiced::daemon
