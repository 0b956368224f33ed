// RFC 8288 Link header parsing for `paginate: { link_header: REL }` (spec §4.1).
#pragma once
#include <optional>
#include <string>
#include <string_view>

#include "source/http_types.h"

namespace sluiced::source {

// The target of the first link, over every `Link` header in order, whose
// `rel` parameter (the first one, RFC 8288 §3.3) contains `rel` among its
// space-separated relation types, compared case-insensitively. Commas and
// semicolons inside `<...>` and quoted strings are part of them; parameters
// may come in any order. The target is returned as written (unresolved).
std::optional<std::string> find_link(const HeaderList& headers, std::string_view rel);

// The same over one header value.
std::optional<std::string> find_link_in(std::string_view value, std::string_view rel);

}  // namespace sluiced::source
