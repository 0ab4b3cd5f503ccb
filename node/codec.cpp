#include "codec.h"

#include <sodium.h>

namespace artel::node {

void Writer::u32(std::uint32_t v) {
  for (int i = 0; i < 4; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void Writer::u64(std::uint64_t v) {
  for (int i = 0; i < 8; ++i) out_.push_back(static_cast<std::uint8_t>(v >> (8 * i)));
}
void Writer::bytes(std::span<const std::uint8_t> b) {
  u32(static_cast<std::uint32_t>(b.size()));
  raw(b);
}
void Writer::str(std::string_view s) {
  u32(static_cast<std::uint32_t>(s.size()));
  raw(s);
}

std::uint8_t Reader::u8() {
  auto b = raw(1);
  return b.empty() ? 0 : b[0];
}
std::uint32_t Reader::u32() {
  auto b = raw(4);
  if (b.empty()) return 0;
  std::uint32_t v = 0;
  for (int i = 3; i >= 0; --i) v = (v << 8) | b[static_cast<std::size_t>(i)];
  return v;
}
std::uint64_t Reader::u64() {
  auto b = raw(8);
  if (b.empty()) return 0;
  std::uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | b[static_cast<std::size_t>(i)];
  return v;
}
std::span<const std::uint8_t> Reader::raw(std::size_t n) {
  if (!ok_ || n > in_.size() - pos_) {
    ok_ = false;
    return {};
  }
  auto s = in_.subspan(pos_, n);
  pos_ += n;
  return s;
}
Bytes Reader::bytes(std::size_t max) {
  std::uint32_t n = u32();
  if (!ok_ || n > max || n > remaining()) {
    ok_ = false;
    return {};
  }
  auto s = raw(n);
  return Bytes(s.begin(), s.end());
}
std::string Reader::str(std::size_t max) {
  Bytes b = bytes(max);
  return std::string(b.begin(), b.end());
}

std::string to_hex(std::span<const std::uint8_t> b) {
  static constexpr char digits[] = "0123456789abcdef";
  std::string s;
  s.reserve(b.size() * 2);
  for (auto c : b) {
    s.push_back(digits[c >> 4]);
    s.push_back(digits[c & 15]);
  }
  return s;
}

static int hex_value(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

std::optional<Bytes> from_hex(std::string_view s) {
  if (s.size() % 2 != 0) return std::nullopt;
  Bytes out(s.size() / 2);
  for (std::size_t i = 0; i < out.size(); ++i) {
    int hi = hex_value(s[2 * i]), lo = hex_value(s[2 * i + 1]);
    if (hi < 0 || lo < 0) return std::nullopt;
    out[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  return out;
}

std::string to_base64(std::span<const std::uint8_t> b) {
  std::string s(sodium_base64_encoded_len(b.size(), sodium_base64_VARIANT_ORIGINAL), '\0');
  sodium_bin2base64(s.data(), s.size(), b.data(), b.size(), sodium_base64_VARIANT_ORIGINAL);
  s.resize(s.size() - 1);  // the terminating NUL
  return s;
}

std::optional<Bytes> from_base64(std::string_view s) {
  Bytes out(s.size() / 4 * 3 + 3);
  std::size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(out.data(), out.size(), s.data(), s.size(), nullptr, &len, &end,
                        sodium_base64_VARIANT_ORIGINAL) != 0 ||
      end != s.data() + s.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

void put_be64(std::string& key, std::uint64_t v) {
  for (int i = 7; i >= 0; --i) key.push_back(static_cast<char>(v >> (8 * i)));
}
std::uint64_t get_be64(std::string_view s) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < 8 && i < s.size(); ++i)
    v = (v << 8) | static_cast<std::uint8_t>(s[i]);
  return v;
}

}  // namespace artel::node
