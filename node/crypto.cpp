#include "crypto.h"

#include <sodium.h>

#include <cstring>
#include <stdexcept>
#include <vector>

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

namespace {
constexpr std::string_view kSealedTag = "artel-sealed-key 1 ";

// The box key from the passphrase and salt; false when libsodium runs out
// of memory for Argon2id.
bool box_key(std::string_view passphrase, const std::uint8_t* salt, std::uint8_t* key) {
  return crypto_pwhash(key, crypto_secretbox_KEYBYTES, passphrase.data(), passphrase.size(), salt,
                       crypto_pwhash_OPSLIMIT_INTERACTIVE, crypto_pwhash_MEMLIMIT_INTERACTIVE,
                       crypto_pwhash_ALG_ARGON2ID13) == 0;
}
}  // namespace

bool is_sealed_key(std::string_view file_text) { return file_text.starts_with(kSealedTag); }

std::string seal_seed(std::string_view seed_hex, std::string_view passphrase) {
  std::uint8_t salt[crypto_pwhash_SALTBYTES], nonce[crypto_secretbox_NONCEBYTES], key[crypto_secretbox_KEYBYTES];
  randombytes_buf(salt, sizeof salt);
  randombytes_buf(nonce, sizeof nonce);
  if (!box_key(passphrase, salt, key)) throw std::runtime_error("not enough memory to seal the key");
  Bytes box(seed_hex.size() + crypto_secretbox_MACBYTES);
  crypto_secretbox_easy(box.data(), reinterpret_cast<const std::uint8_t*>(seed_hex.data()), seed_hex.size(), nonce,
                        key);
  sodium_memzero(key, sizeof key);
  return std::string(kSealedTag) + to_hex(std::span<const std::uint8_t>(salt, sizeof salt)) + " " +
         to_hex(std::span<const std::uint8_t>(nonce, sizeof nonce)) + " " + to_hex(box) + "\n";
}

std::optional<std::string> open_sealed_seed(std::string_view text, std::string_view passphrase, std::string& why) {
  if (!is_sealed_key(text)) {
    why = "not a sealed key file";
    return std::nullopt;
  }
  text.remove_prefix(kSealedTag.size());
  std::vector<std::string_view> parts;
  while (!text.empty() && parts.size() < 3) {
    const auto end = text.find_first_of(" \n");
    parts.push_back(text.substr(0, end));
    text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
  }
  auto salt = parts.size() == 3 ? from_hex(parts[0]) : std::nullopt;
  auto nonce = parts.size() == 3 ? from_hex(parts[1]) : std::nullopt;
  auto box = parts.size() == 3 ? from_hex(parts[2]) : std::nullopt;
  if (!salt || !nonce || !box || salt->size() != crypto_pwhash_SALTBYTES ||
      nonce->size() != crypto_secretbox_NONCEBYTES || box->size() < crypto_secretbox_MACBYTES) {
    why = "the sealed key file is damaged (expected: artel-sealed-key 1 SALT NONCE BOX)";
    return std::nullopt;
  }
  std::uint8_t key[crypto_secretbox_KEYBYTES];
  if (!box_key(passphrase, salt->data(), key)) {
    why = "not enough memory to open the key";
    return std::nullopt;
  }
  std::string seed(box->size() - crypto_secretbox_MACBYTES, '\0');
  const bool ok = crypto_secretbox_open_easy(reinterpret_cast<std::uint8_t*>(seed.data()), box->data(), box->size(),
                                             nonce->data(), key) == 0;
  sodium_memzero(key, sizeof key);
  if (!ok) {
    why = "wrong passphrase (or the file was altered)";
    return std::nullopt;
  }
  return seed;
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
