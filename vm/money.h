// The money arithmetic every part of Artel agrees on: the checker folds
// constants with it, the ledger's host computes `artel_muldiv` with it, and
// the tests compare against exact rationals, never against a copy of it.
// Header-only and constexpr, so that folding at compile time and running on
// the ledger are one function.
#pragma once

#include <cstdint>
#include <optional>

#include "vm/abi.h"

namespace artel::money {

// a × b / c with the product kept exactly (128 bits), rounded as `mode`
// says: down toward minus infinity, up toward plus infinity, half_even to
// the nearest with ties to the even neighbour. nullopt when c is zero or the
// rounded quotient does not fit in 64 bits.
constexpr std::optional<std::int64_t> muldiv(std::int64_t a, std::int64_t b, std::int64_t c,
                                             abi::Rounding mode) {
  __extension__ using i128 = __int128;
  if (c == 0) return std::nullopt;
  const i128 n = static_cast<i128>(a) * b;
  i128 q = n / c;  // truncated toward zero
  const i128 r = n % c;
  if (r != 0) {
    const bool negative = (n < 0) != (c < 0);
    switch (mode) {
      case abi::Rounding::down:
        if (negative) q -= 1;
        break;
      case abi::Rounding::up:
        if (!negative) q += 1;
        break;
      case abi::Rounding::half_even: {
        const i128 twice = (r < 0 ? -r : r) * 2;
        const i128 divisor = c < 0 ? -static_cast<i128>(c) : static_cast<i128>(c);
        if (twice > divisor || (twice == divisor && q % 2 != 0)) q += negative ? -1 : 1;
        break;
      }
    }
  }
  if (q > INT64_MAX || q < INT64_MIN) return std::nullopt;
  return static_cast<std::int64_t>(q);
}

// The rounding mode as bytecode passes it (a register); nullopt for a value
// that names no mode.
constexpr std::optional<abi::Rounding> rounding_from(std::uint64_t raw) {
  if (raw > static_cast<std::uint64_t>(abi::Rounding::half_even)) return std::nullopt;
  return static_cast<abi::Rounding>(raw);
}

}  // namespace artel::money
