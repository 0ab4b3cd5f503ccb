#include "read_auth.h"

#include <charconv>
#include <cstring>

namespace artel::node {

namespace {
constexpr std::string_view read_domain{"artel/read/v1", 14};  // includes the NUL
constexpr std::string_view scheme = "Artel-Read ";

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}
}  // namespace

Bytes read_message(const Hash& ledger_id, std::uint64_t expires, std::string_view target) {
  Bytes m(read_domain.size() + ledger_id.size() + 8 + target.size());
  std::uint8_t* p = m.data();
  std::memcpy(p, read_domain.data(), read_domain.size());
  p += read_domain.size();
  std::memcpy(p, ledger_id.data(), ledger_id.size());
  p += ledger_id.size();
  for (int i = 0; i < 8; ++i) *p++ = static_cast<std::uint8_t>(expires >> (8 * i));
  if (!target.empty()) std::memcpy(p, target.data(), target.size());
  return m;
}

std::string sign_read(const KeyPair& key, const Hash& ledger_id, std::uint64_t expires, std::string_view target) {
  const Signature sig = sign(key.sk, read_message(ledger_id, expires, target));
  return std::string(scheme) + "key=" + to_hex(key.pk) + ", expires=" + std::to_string(expires) +
         ", sig=" + to_hex(sig);
}

std::optional<ReadSignature> parse_read_authorization(std::string_view header, std::string& why) {
  if (!header.starts_with(scheme)) {
    why = "the Authorization header must begin with 'Artel-Read '";
    return std::nullopt;
  }
  header.remove_prefix(scheme.size());
  ReadSignature r;
  bool have_key = false, have_expires = false, have_sig = false;
  while (!header.empty()) {
    const auto comma = header.find(',');
    const std::string_view part = trim(header.substr(0, comma));
    header = comma == std::string_view::npos ? std::string_view{} : header.substr(comma + 1);
    const auto eq = part.find('=');
    if (eq == std::string_view::npos) {
      why = "'" + std::string(part) + "' is not NAME=VALUE";
      return std::nullopt;
    }
    const std::string_view name = part.substr(0, eq), value = part.substr(eq + 1);
    if (name == "key") {
      auto pk = public_key_from_hex(value);
      if (!pk) {
        why = "key= must be 64 hex digits";
        return std::nullopt;
      }
      r.key = *pk;
      have_key = true;
    } else if (name == "expires") {
      auto [p, ec] = std::from_chars(value.data(), value.data() + value.size(), r.expires);
      if (value.empty() || ec != std::errc() || p != value.data() + value.size()) {
        why = "expires= must be a time in seconds since 1970";
        return std::nullopt;
      }
      have_expires = true;
    } else if (name == "sig") {
      auto b = from_hex(value);
      if (!b || b->size() != r.sig.size()) {
        why = "sig= must be 128 hex digits";
        return std::nullopt;
      }
      std::memcpy(r.sig.data(), b->data(), r.sig.size());
      have_sig = true;
    } else {
      why = "unknown field '" + std::string(name) + "'";
      return std::nullopt;
    }
  }
  if (!have_key || !have_expires || !have_sig) {
    why = "key=, expires= and sig= are all required";
    return std::nullopt;
  }
  return r;
}

}  // namespace artel::node
