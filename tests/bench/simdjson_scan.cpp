// The parse ceiling of the benchmark (issue 6, tests/bench/run_bench.py):
// a bare simdjson On-Demand scan doing the benchmark pipeline's filter and
// map on a local file, writing the same NDJSON bytes sluiced writes.
//
//   bench_simdjson_scan [--ndjson] INPUT OUTPUT
//
// Pipeline (see run_bench.py PIPELINE):
//   filter: .status == "active"
//   map: { id: .id, name: upper(.name), city: .address.city,
//          adult: .age >= 18, score: .score, big: .big }
//
// Fields are read once, in document order; number and string tokens are
// copied through raw (as sluiced's spec §6.4 requires). --ndjson reads one
// record per line with iterate_many. The output is written with one write
// and fsync'ed, as sluiced's file sink does. The input is read from disk
// (page cache), so this is the best case a fetcher could reach.
//
// Not a validator: On-Demand checks what it touches; a malformed value it
// skips may go unnoticed. sluiced validates the whole body (spec §4).
#include <fcntl.h>
#include <unistd.h>

#include <simdjson.h>

#include <cstdio>
#include <cstring>
#include <string>
#include <string_view>

using namespace simdjson;

namespace {

std::string_view trim(std::string_view s) {
    while (!s.empty() && (s.back() == ' ' || s.back() == '\n' || s.back() == '\r' || s.back() == '\t'))
        s.remove_suffix(1);
    return s;
}

void append_upper_json(std::string_view s, std::string& out) {
    out += '"';
    for (char c : s) {
        unsigned char u = static_cast<unsigned char>(c);
        if (u >= 'a' && u <= 'z') {
            out += char(u - 32);
        } else if (u == '"' || u == '\\') {
            out += '\\';
            out += c;
        } else if (u < 0x20) {
            static const char hex[] = "0123456789abcdef";
            switch (u) {
                case '\b': out += "\\b"; break;
                case '\f': out += "\\f"; break;
                case '\n': out += "\\n"; break;
                case '\r': out += "\\r"; break;
                case '\t': out += "\\t"; break;
                default:
                    out += "\\u00";
                    out += hex[u >> 4];
                    out += hex[u & 15];
            }
        } else {
            out += c;
        }
    }
    out += '"';
}

// One record -> appends its output line when kept. Returns false on a
// parse error.
template <class Obj>
bool process(Obj&& obj, std::string& out) {
    std::string_view id, name, city, score, big;
    bool active = false, adult = false, have_age = false;
    for (auto field : obj) {
        std::string_view key;
        if (field.unescaped_key().get(key)) return false;
        ondemand::value v;
        if (field.value().get(v)) return false;
        if (key == "id") {
            id = trim(v.raw_json_token());
        } else if (key == "name") {
            if (v.get_string().get(name)) return false;
        } else if (key == "age") {
            // exact for integers; `.age >= 18` on any number
            double d;
            if (v.get_double().get(d)) return false;
            adult = d >= 18;
            have_age = true;
        } else if (key == "status") {
            std::string_view s;
            if (v.get_string().get(s)) return false;
            active = s == "active";
        } else if (key == "address") {
            ondemand::object a;
            if (v.get_object().get(a)) return false;
            for (auto af : a) {
                std::string_view ak;
                if (af.unescaped_key().get(ak)) return false;
                ondemand::value av;
                if (af.value().get(av)) return false;
                if (ak == "city") city = trim(av.raw_json_token());
            }
        } else if (key == "score") {
            score = trim(v.raw_json_token());
        } else if (key == "big") {
            big = trim(v.raw_json_token());
        }
    }
    if (!active) return true;
    out += "{\"id\":";
    out += id.empty() ? "null" : id;
    out += ",\"name\":";
    if (name.data()) append_upper_json(name, out);
    else out += "null";
    out += ",\"city\":";
    out += city.empty() ? "null" : city;
    out += ",\"adult\":";
    out += have_age ? (adult ? "true" : "false") : "null";
    out += ",\"score\":";
    out += score.empty() ? "null" : score;
    out += ",\"big\":";
    out += big.empty() ? "null" : big;
    out += "}\n";
    return true;
}

}  // namespace

int main(int argc, char** argv) {
    bool ndjson = false;
    int a = 1;
    if (a < argc && std::strcmp(argv[a], "--ndjson") == 0) {
        ndjson = true;
        ++a;
    }
    if (argc - a != 2) {
        std::fprintf(stderr, "usage: bench_simdjson_scan [--ndjson] INPUT OUTPUT\n");
        return 2;
    }
    padded_string json;
    if (padded_string::load(argv[a]).get(json)) {
        std::fprintf(stderr, "cannot read %s\n", argv[a]);
        return 1;
    }
    std::string out;
    out.reserve(json.size() / 2);
    ondemand::parser parser;
    std::size_t records = 0;
    if (ndjson) {
        ondemand::document_stream stream;
        if (parser.iterate_many(json, 1 << 20).get(stream)) return 1;
        for (auto doc : stream) {
            ondemand::object obj;
            if (doc.get_object().get(obj) || !process(obj, out)) {
                std::fprintf(stderr, "parse error in record %zu\n", records + 1);
                return 1;
            }
            ++records;
        }
    } else {
        ondemand::document doc;
        if (parser.iterate(json).get(doc)) return 1;
        ondemand::array arr;
        if (doc.get_array().get(arr)) return 1;
        for (auto el : arr) {
            ondemand::object obj;
            if (el.get_object().get(obj) || !process(obj, out)) {
                std::fprintf(stderr, "parse error in record %zu\n", records + 1);
                return 1;
            }
            ++records;
        }
    }
    int fd = ::open(argv[a + 1], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) return 1;
    std::size_t off = 0;
    while (off < out.size()) {
        ssize_t w = ::write(fd, out.data() + off, out.size() - off);
        if (w <= 0) return 1;
        off += std::size_t(w);
    }
    if (::fsync(fd) != 0 || ::close(fd) != 0) return 1;
    std::fprintf(stderr, "records %zu\n", records);
    return 0;
}
