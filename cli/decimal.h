// Exact decimal text to fixed point, for the commands that read amounts and
// percentages as people write them ("12.5", "-3", "0,5"): no floating point.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace artel::cli {

// `text` at `scale` decimal places: "12.5" at scale 2 -> 1250. A decimal
// comma counts as a point. nullopt with `why` ("has 3 decimal places", "is
// too large", "is not a number") otherwise.
inline std::optional<std::int64_t> parse_fixed(std::string_view text, int scale, std::string& why) {
  const bool neg = !text.empty() && text[0] == '-';
  if (neg) text.remove_prefix(1);
  const auto dot = text.find_first_of(".,");
  const std::string_view whole = text.substr(0, dot);
  const std::string_view frac = dot == std::string_view::npos ? std::string_view() : text.substr(dot + 1);
  if (whole.empty() && frac.empty()) {
    why = "is not a number";
    return std::nullopt;
  }
  for (std::string_view part : {whole, frac})
    for (char c : part)
      if (c < '0' || c > '9') {
        why = "is not a number";
        return std::nullopt;
      }
  if (static_cast<int>(frac.size()) > scale) {
    why = "has " + std::to_string(frac.size()) + " decimal places";
    return std::nullopt;
  }
  __extension__ typedef __int128 i128;
  i128 v = 0;
  for (int i = 0, n = static_cast<int>(whole.size()) + scale; i < n; ++i) {
    const std::size_t k = static_cast<std::size_t>(i);
    const char c =
        k < whole.size() ? whole[k] : (k - whole.size() < frac.size() ? frac[k - whole.size()] : '0');
    v = v * 10 + (c - '0');
    if (v > INT64_MAX) {
      why = "is too large";
      return std::nullopt;
    }
  }
  return static_cast<std::int64_t>(neg ? -v : v);
}

}  // namespace artel::cli
