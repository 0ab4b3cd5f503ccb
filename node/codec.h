// Little-endian binary writer/reader for the canonical transaction encoding
// and the ledger's stored records, plus hex and base64 text forms.
// The reader never throws: every read reports failure through ok().
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

namespace artel::node {

using Bytes = std::vector<std::uint8_t>;

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  void u32(std::uint32_t v);
  void u64(std::uint64_t v);
  void i64(std::int64_t v) { u64(static_cast<std::uint64_t>(v)); }
  void raw(std::span<const std::uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void raw(std::string_view s) { out_.insert(out_.end(), s.begin(), s.end()); }
  // Length-prefixed (u32) byte string.
  void bytes(std::span<const std::uint8_t> b);
  void str(std::string_view s);
  const Bytes& data() const { return out_; }
  Bytes take() { return std::move(out_); }
  std::string as_string() const { return std::string(out_.begin(), out_.end()); }

 private:
  Bytes out_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}
  explicit Reader(std::string_view in)
      : in_(reinterpret_cast<const std::uint8_t*>(in.data()), in.size()) {}
  std::uint8_t u8();
  std::uint32_t u32();
  std::uint64_t u64();
  std::int64_t i64() { return static_cast<std::int64_t>(u64()); }
  // Reads exactly n raw bytes (empty span and !ok() when short).
  std::span<const std::uint8_t> raw(std::size_t n);
  // Length-prefixed; fails when the prefix exceeds `max` or the remaining input.
  Bytes bytes(std::size_t max);
  std::string str(std::size_t max);
  bool ok() const { return ok_; }
  bool at_end() const { return pos_ == in_.size(); }
  std::size_t position() const { return pos_; }
  std::size_t remaining() const { return in_.size() - pos_; }
  void fail() { ok_ = false; }

 private:
  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  bool ok_ = true;
};

std::string to_hex(std::span<const std::uint8_t> b);
std::optional<Bytes> from_hex(std::string_view s);
std::string to_base64(std::span<const std::uint8_t> b);
std::optional<Bytes> from_base64(std::string_view s);

// Big-endian u64 for RocksDB keys, so that byte order equals numeric order.
void put_be64(std::string& key, std::uint64_t v);
std::uint64_t get_be64(std::string_view s);

inline std::span<const std::uint8_t> as_span(std::string_view s) {
  return {reinterpret_cast<const std::uint8_t*>(s.data()), s.size()};
}

}  // namespace artel::node
