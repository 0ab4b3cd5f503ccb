// UTF-8 validation with a source position, so a bad byte is reported where
// it is instead of crashing the lexer.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "compiler/diag/diagnostics.h"

namespace artel::syntax {

struct BadByte {
  Loc loc;
  std::string hex;  // the offending byte, two hex digits
};

// Returns the place of the first byte that is not well-formed UTF-8
// (overlong forms, surrogates and code points past U+10FFFF included).
std::optional<BadByte> find_invalid_utf8(std::string_view text);

// The line and column (in code points) of byte offset `offset`.
Loc position_of(std::string_view text, std::size_t offset);

}  // namespace artel::syntax
