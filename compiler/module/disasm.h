// A readable listing of a charter module (`artel disasm`).
#pragma once

#include <cstdint>
#include <span>
#include <string>

namespace artel::module {

struct Listing {
  bool ok = false;
  std::string text;  // the listing, or the reason the bytes are not a module
};

Listing disassemble(std::span<const std::uint8_t> bytes);

}  // namespace artel::module
