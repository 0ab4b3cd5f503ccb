// `artel fmt`: the canonical layout of a charter (format.cpp says which).
#pragma once

#include <optional>
#include <string>

namespace artel::syntax {

// `text` in the canonical layout, with every token and comment kept; nullopt
// with `why` when it does not lex. Formatting its own output gives it back.
std::optional<std::string> format_source(const std::string& text, std::string& why);

}  // namespace artel::syntax
