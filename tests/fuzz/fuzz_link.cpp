// RFC 8288 Link headers (spec §4.1): find_link_in over the whole input with
// rel "next"; when the input holds a newline, the first line is the rel and
// the rest the value; find_link over the lines as separate `Link` headers.
// A found target is returned as written, so it is a substring of the value.
#include <cstdint>
#include <string>

#include "fuzz_common.h"
#include "source/link_header.h"

using namespace sluiced;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
    if (size > 16384) return 0;
    std::string_view all(reinterpret_cast<const char*>(data), size);
    if (auto r = source::find_link_in(all, "next")) FUZZ_CHECK(all.find(*r) != std::string_view::npos);
    std::size_t nl = all.find('\n');
    if (nl == std::string_view::npos) return 0;
    std::string_view rel = all.substr(0, nl), value = all.substr(nl + 1);
    if (auto r = source::find_link_in(value, rel)) FUZZ_CHECK(value.find(*r) != std::string_view::npos);
    source::HeaderList headers;
    std::size_t pos = 0;
    while (pos <= value.size()) {
        std::size_t e = value.find('\n', pos);
        if (e == std::string_view::npos) e = value.size();
        headers.push_back({(headers.size() % 2) ? "link" : "Link", std::string(value.substr(pos, e - pos))});
        pos = e + 1;
    }
    if (auto r = source::find_link(headers, rel)) FUZZ_CHECK(value.find(*r) != std::string_view::npos);
    return 0;
}
