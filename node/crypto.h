// Ed25519 signatures and BLAKE2b hashing (libsodium).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace artel::node {

using Hash = std::array<std::uint8_t, 32>;
using PublicKey = std::array<std::uint8_t, 32>;
using SecretKey = std::array<std::uint8_t, 64>;  // libsodium form: seed || public key
using Signature = std::array<std::uint8_t, 64>;

// Must be called once before any other function here; safe to call again.
void crypto_init();

struct KeyPair {
  PublicKey pk{};
  SecretKey sk{};
  static KeyPair generate();
  static KeyPair from_seed(std::span<const std::uint8_t, 32> seed);
  // Text form used by `artel keygen`: hex of the 32-byte seed.
  std::string seed_hex() const;
  static std::optional<KeyPair> from_seed_hex(std::string_view hex);
};

// A key file sealed with a passphrase: Argon2id (libsodium's crypto_pwhash,
// interactive limits) turns the passphrase and a random salt into the key of
// an XSalsa20-Poly1305 box (crypto_secretbox) holding the hex seed. The file
// is one line: "artel-sealed-key 1 SALT NONCE BOX" (hex).
std::string seal_seed(std::string_view seed_hex, std::string_view passphrase);
bool is_sealed_key(std::string_view file_text);
// The hex seed, or nullopt with `why` (a wrong passphrase, a damaged file).
std::optional<std::string> open_sealed_seed(std::string_view file_text, std::string_view passphrase,
                                            std::string& why);

Signature sign(const SecretKey& sk, std::span<const std::uint8_t> message);
[[nodiscard]] bool verify(const PublicKey& pk, std::span<const std::uint8_t> message,
                          const Signature& sig);

Hash blake2b256(std::span<const std::uint8_t> data);

// Incremental BLAKE2b-256.
class Hasher {
 public:
  Hasher();
  void update(std::span<const std::uint8_t> data);
  void update(std::string_view s);
  Hash finish();

 private:
  alignas(64) unsigned char state_[384];
};

std::optional<PublicKey> public_key_from_hex(std::string_view hex);
std::optional<Hash> hash_from_hex(std::string_view hex);

}  // namespace artel::node
