// net.fetch patterns get the same canonical form as targets where they can
// (scheme and host case, default port, escapes, dot segments) while their
// glob characters stay; anything unparsable is kept as written.
#pragma once

#include <string>
#include <string_view>

namespace arcp {

std::string canonical_url_pattern(std::string_view pattern);

}  // namespace arcp
