// Signed reads: a member's accounts, statements and notices are private
// (docs/operator.md, "Who may read what"). A client proves who reads with a
// short-lived signature over the request it makes, sent in the
// Authorization header:
//
//   Authorization: Artel-Read key=HEX64, expires=UNIX_SECONDS, sig=HEX128
//
// The signed message is "artel/read/v1\0" || ledger id (32 bytes) ||
// expires (u64 little-endian) || the request target (path and query, as
// sent). A signature made for one ledger, one target or one window is
// refused for any other. The node allows a window of at most
// kMaxReadLifetime seconds ahead of its own clock.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "codec.h"
#include "crypto.h"

namespace artel::node {

inline constexpr std::uint64_t kMaxReadLifetime = 600;  // seconds

Bytes read_message(const Hash& ledger_id, std::uint64_t expires, std::string_view target);
// The Authorization header's value for a read of `target` until `expires`.
std::string sign_read(const KeyPair& key, const Hash& ledger_id, std::uint64_t expires, std::string_view target);

struct ReadSignature {
  PublicKey key{};
  std::uint64_t expires = 0;
  Signature sig{};
};
// Parses the header's value; nullopt (with `why`) for anything malformed.
std::optional<ReadSignature> parse_read_authorization(std::string_view header, std::string& why);

}  // namespace artel::node
