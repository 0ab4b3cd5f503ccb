// The genesis document of a ledger: what the platform is called, who its
// operator council and clock key are, when it was made, and 32 random bytes.
// The ledger's id is the BLAKE2b-256 of the document's bytes exactly as
// written: every signature and approval covers it, so a transaction made
// for one ledger is refused by every other, even one with the same keys.
// `arteld init` writes it; every node of a cluster starts from the same file.
#pragma once

#include <optional>
#include <string>
#include <vector>

#include "codec.h"
#include "crypto.h"

namespace artel::node {

struct Genesis {
  std::string platform;                // the platform's name
  std::vector<PublicKey> council;      // operator council keys
  unsigned threshold = 1;              // council keys that must sign a council act together
  PublicKey clock_key{};               // advances the ledger's clock, and can do nothing else
  std::string created;                 // YYYY-MM-DD, as the operator's clock said at `init`
  std::array<std::uint8_t, 32> salt{};  // random: two ledgers of one operator differ

  // The document in its canonical form (JSON, keys sorted, no spaces, one
  // trailing newline): what `arteld init` writes.
  std::string document() const;
  // Reads a document; on error says what is wrong in `error`.
  static std::optional<Genesis> parse(std::string_view text, std::string& error);
  // A new document with fresh random bytes.
  static Genesis make(std::string platform, std::vector<PublicKey> council, PublicKey clock_key,
                      std::string created, unsigned threshold = 1);
};

// BLAKE2b-256 of the document's bytes: the ledger's id.
Hash ledger_id(std::string_view document);

}  // namespace artel::node
