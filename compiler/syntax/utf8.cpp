#include "compiler/syntax/utf8.h"

#include <cstdint>

namespace artel::syntax {

Loc position_of(std::string_view text, std::size_t offset) {
  Loc loc{1, 1};
  for (std::size_t i = 0; i < offset && i < text.size(); ++i) {
    auto c = static_cast<unsigned char>(text[i]);
    if (c == '\n') {
      ++loc.line;
      loc.col = 1;
    } else if ((c & 0xC0) != 0x80) {
      ++loc.col;  // count code points, not continuation bytes
    }
  }
  return loc;
}

std::optional<BadByte> find_invalid_utf8(std::string_view s) {
  auto bad = [&](std::size_t i) {
    static const char* digits = "0123456789abcdef";
    auto c = static_cast<unsigned char>(s[i]);
    return BadByte{position_of(s, i), std::string{digits[c >> 4], digits[c & 15]}};
  };
  std::size_t i = 0;
  while (i < s.size()) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      ++i;
      continue;
    }
    std::size_t len;
    std::uint32_t cp;
    if (c >= 0xC2 && c <= 0xDF) {
      len = 2;
      cp = c & 0x1F;
    } else if (c >= 0xE0 && c <= 0xEF) {
      len = 3;
      cp = c & 0x0F;
    } else if (c >= 0xF0 && c <= 0xF4) {
      len = 4;
      cp = c & 0x07;
    } else {
      return bad(i);
    }
    if (i + len > s.size()) return bad(i);
    for (std::size_t k = 1; k < len; ++k) {
      auto cc = static_cast<unsigned char>(s[i + k]);
      if ((cc & 0xC0) != 0x80) return bad(i + k);
      cp = (cp << 6) | (cc & 0x3F);
    }
    if ((len == 3 && cp < 0x800) || (len == 4 && (cp < 0x10000 || cp > 0x10FFFF)) ||
        (cp >= 0xD800 && cp <= 0xDFFF))
      return bad(i);
    i += len;
  }
  return std::nullopt;
}

}  // namespace artel::syntax
