// Keys made from text: the in-process ledgers of `artel demo`, `artel test`
// and `artel simulate` sign with keys derived from a seed, a scenario or a
// role, so the same run gives the same ledger everywhere.
#pragma once

#include <span>
#include <string_view>

#include "node/crypto.h"

namespace artel::cli {

// The Ed25519 key whose seed is BLAKE2b-256 of `material`.
inline node::KeyPair key_from_text(std::string_view material) {
  const node::Hash h =
      node::blake2b256(std::span(reinterpret_cast<const std::uint8_t*>(material.data()), material.size()));
  return node::KeyPair::from_seed(std::span<const std::uint8_t, 32>(h.data(), 32));
}

}  // namespace artel::cli
