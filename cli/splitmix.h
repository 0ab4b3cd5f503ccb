// splitmix64 (its reference definition): the small deterministic generator
// behind the demo's choices and the seeding of the simulator's xoshiro256**,
// so the same seed gives the same numbers on every machine.
#pragma once

#include <cstdint>

namespace artel::cli {

struct SplitMix64 {
  std::uint64_t s = 0;
  std::uint64_t next() {
    std::uint64_t z = (s += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
  }
};

}  // namespace artel::cli
