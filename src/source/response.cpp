// Response helpers declared in http_types.h.
#include <cctype>

#include "source/http_types.h"
#include "util/ascii.h"

namespace sluiced::source {


const std::string* Response::header(std::string_view name) const {
    for (const auto& [k, v] : headers)
        if (iequals(k, name)) return &v;
    return nullptr;
}

}  // namespace sluiced::source
