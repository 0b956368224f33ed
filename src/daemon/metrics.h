// A small Prometheus metrics registry and its text exposition (format
// version 0.0.4, prometheus.io "Exposition formats"). Families are declared
// once with HELP and TYPE; series are addressed by their label values and
// created on first use (or at 0 with touch()). Loop thread only: no locks.
// Which metrics sluiced exports is pipeline_metrics.h; this file knows no
// metric names.
#pragma once
#include <cstdint>
#include <map>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace sluiced::daemon {

enum class MetricType { Counter, Gauge, Histogram };

// Label values in the order of the family's label names.
using LabelValues = std::vector<std::string>;

class Registry {
public:
    // Declares a family. `buckets` (upper bounds, ascending, +Inf implied)
    // only for histograms. Declaring a name twice replaces nothing.
    void declare(std::string name, MetricType type, std::string help, std::vector<std::string> label_names = {},
                 std::vector<double> buckets = {});

    // Creates the series at 0 when missing.
    void touch(std::string_view name, const LabelValues& labels = {});
    void set(std::string_view name, const LabelValues& labels, double value);
    void add(std::string_view name, const LabelValues& labels, double delta);
    void observe(std::string_view name, const LabelValues& labels, double value);
    // The value of a counter or gauge series; 0 when missing (tests).
    double value(std::string_view name, const LabelValues& labels = {}) const;
    bool has(std::string_view name, const LabelValues& labels = {}) const;

    // A handle on one series, for hot paths that update the same series on
    // every run: no family search, no label vector, no map lookup. Valid
    // until the series is removed (remove_where); an empty Ref (unknown
    // family) is ignored by the calls below.
    struct Series;
    struct Ref {
        std::size_t family = 0;
        Series* series = nullptr;
    };
    // Creates the series at 0 when missing, like touch().
    Ref ref(std::string_view name, const LabelValues& labels = {});
    void set(Ref r, double value);
    void add(Ref r, double delta);
    void observe(Ref r, double value);

    // Drops every series (of every family) whose label `label` equals `value`.
    void remove_where(std::string_view label, std::string_view value);

    // The whole registry in the text format: per family `# HELP`, `# TYPE`,
    // then its series in label order. Families without series are written
    // with HELP and TYPE only.
    std::string render() const;

    struct Series {
        double value = 0;                  // counter / gauge
        std::vector<std::uint64_t> counts; // histogram: per bucket (not cumulative), last = +Inf
        double sum = 0;
        std::uint64_t count = 0;
    };

private:
    struct Family {
        std::string name, help;
        MetricType type;
        std::vector<std::string> label_names;
        std::vector<double> buckets;
        std::map<LabelValues, Series> series;
    };
    Family* find(std::string_view name);
    const Family* find(std::string_view name) const;
    Series& series(Family& f, const LabelValues& labels);

    std::vector<Family> families_;  // in declaration order
};

// Helpers of the text format, exposed for tests.
// A sample value: integers without a fraction, +Inf/-Inf/NaN spelled so.
std::string format_value(double v);
// Escapes `\`, `"` and newline in a label value.
std::string escape_label(std::string_view v);

}  // namespace sluiced::daemon
