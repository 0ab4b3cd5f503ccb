#include "crypto.h"

#include <sodium.h>

#include <cstring>
#include <stdexcept>

#include "codec.h"

namespace artel::node {

static_assert(sizeof(crypto_generichash_state) <= 384);

void crypto_init() {
  if (sodium_init() < 0) throw std::runtime_error("libsodium failed to initialise");
}

KeyPair KeyPair::generate() {
  KeyPair k;
  crypto_sign_keypair(k.pk.data(), k.sk.data());
  return k;
}

KeyPair KeyPair::from_seed(std::span<const std::uint8_t, 32> seed) {
  KeyPair k;
  crypto_sign_seed_keypair(k.pk.data(), k.sk.data(), seed.data());
  return k;
}

std::string KeyPair::seed_hex() const {
  return to_hex(std::span<const std::uint8_t>(sk.data(), 32));
}

std::optional<KeyPair> KeyPair::from_seed_hex(std::string_view hex) {
  auto b = from_hex(hex);
  if (!b || b->size() != 32) return std::nullopt;
  return from_seed(std::span<const std::uint8_t, 32>(b->data(), 32));
}

Signature sign(const SecretKey& sk, std::span<const std::uint8_t> message) {
  Signature s{};
  crypto_sign_detached(s.data(), nullptr, message.data(), message.size(), sk.data());
  return s;
}

bool verify(const PublicKey& pk, std::span<const std::uint8_t> message, const Signature& sig) {
  return crypto_sign_verify_detached(sig.data(), message.data(), message.size(), pk.data()) == 0;
}

Hash blake2b256(std::span<const std::uint8_t> data) {
  Hash h{};
  crypto_generichash(h.data(), h.size(), data.data(), data.size(), nullptr, 0);
  return h;
}

Hasher::Hasher() {
  crypto_generichash_init(reinterpret_cast<crypto_generichash_state*>(state_), nullptr, 0, 32);
}
void Hasher::update(std::span<const std::uint8_t> data) {
  crypto_generichash_update(reinterpret_cast<crypto_generichash_state*>(state_), data.data(),
                            data.size());
}
void Hasher::update(std::string_view s) { update(as_span(s)); }
Hash Hasher::finish() {
  Hash h{};
  crypto_generichash_final(reinterpret_cast<crypto_generichash_state*>(state_), h.data(),
                           h.size());
  return h;
}

std::optional<PublicKey> public_key_from_hex(std::string_view hex) {
  auto b = from_hex(hex);
  if (!b || b->size() != 32) return std::nullopt;
  PublicKey pk{};
  std::memcpy(pk.data(), b->data(), 32);
  return pk;
}

std::optional<Hash> hash_from_hex(std::string_view hex) {
  auto p = public_key_from_hex(hex);
  if (!p) return std::nullopt;
  return Hash(*p);
}

}  // namespace artel::node
