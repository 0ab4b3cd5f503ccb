// Durable key-value storage (RocksDB) and the write overlays that make a
// transaction all-or-nothing and a block one synced WriteBatch.
//
// Key space: keys whose first byte is '#' are chain bookkeeping (height,
// block log, transaction index); every other key is ledger state and is
// covered by the state digest.
#pragma once

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "crypto.h"

namespace rocksdb {
class DB;
class Snapshot;
}

namespace artel::node {

inline bool is_chain_key(std::string_view key) { return !key.empty() && key[0] == '#'; }

// Read side shared by the store and the overlays. scan() visits the keys
// starting with `prefix` in ascending byte order until the visitor returns false.
class KvReader {
 public:
  virtual ~KvReader() = default;
  virtual std::optional<std::string> get(std::string_view key) const = 0;
  virtual void scan(std::string_view prefix,
                    const std::function<bool(std::string_view, std::string_view)>& visit) const = 0;
};

// No keys at all: the base of a scratch state that starts from nothing and is
// never written anywhere (`artel vm run`, tests, fuzzers).
class EmptyKv final : public KvReader {
 public:
  std::optional<std::string> get(std::string_view) const override { return std::nullopt; }
  void scan(std::string_view, const std::function<bool(std::string_view, std::string_view)>&) const override {}
};

using WriteSet = std::map<std::string, std::optional<std::string>, std::less<>>;

class Store final : public KvReader {
 public:
  // Opens (creating if needed) the database in `dir`. Throws std::runtime_error
  // naming the directory and RocksDB's reason on failure.
  explicit Store(const std::string& dir);
  ~Store() override;
  Store(const Store&) = delete;
  Store& operator=(const Store&) = delete;

  std::optional<std::string> get(std::string_view key) const override;
  void scan(std::string_view prefix,
            const std::function<bool(std::string_view, std::string_view)>& visit) const override;
  // Applies every write atomically; with sync the call returns after the WAL
  // is on disk. Throws std::runtime_error when RocksDB fails.
  void write(const WriteSet& writes, bool sync);

  // A consistent read-only view of the store as of now: later writes (the
  // next block) are not seen, so a reader never mixes two blocks.
  class Snapshot;
  std::unique_ptr<const KvReader> snapshot() const;

 private:
  std::optional<std::string> get_at(std::string_view key, const rocksdb::Snapshot* at) const;
  void scan_at(std::string_view prefix, const std::function<bool(std::string_view, std::string_view)>& visit,
               const rocksdb::Snapshot* at) const;
  std::unique_ptr<rocksdb::DB> db_;
};

// Staged writes over a reader. Reads see the staged writes first.
class Overlay final : public KvReader {
 public:
  // With `cache_reads` the overlay remembers what it read from its base; use
  // it only while nobody else writes to the base (one block at a time).
  explicit Overlay(const KvReader& base, bool cache_reads = false)
      : base_(base), cache_reads_(cache_reads) {}
  // Not copyable: `Overlay o(other)` must never copy another overlay's writes
  // by accident; to layer over an overlay, pass it as a KvReader.
  Overlay(const Overlay&) = delete;
  Overlay& operator=(const Overlay&) = delete;
  std::optional<std::string> get(std::string_view key) const override;
  void scan(std::string_view prefix,
            const std::function<bool(std::string_view, std::string_view)>& visit) const override;
  void put(std::string_view key, std::string value);
  void del(std::string_view key);
  const WriteSet& writes() const { return writes_; }
  // Moves this overlay's writes into `parent` (which must be the base).
  void commit_into(Overlay& parent);
  void clear() { writes_.clear(); }
  // The base's value for `key`, ignoring this overlay's writes.
  std::optional<std::string> base_value(std::string_view key) const;

 private:
  const KvReader& base_;
  bool cache_reads_;
  WriteSet writes_;
  mutable WriteSet read_cache_;
};

// Order-independent digest of a set of (key, value) pairs: the sum modulo
// 2^256 of BLAKE2b-256(len(key) || key || value) over every state key.
// Updating it for a changed key costs two hashes, however large the state.
class SetDigest {
 public:
  SetDigest() = default;
  explicit SetDigest(const Hash& h) : acc_(h) {}
  void add(std::string_view key, std::string_view value);
  void remove(std::string_view key, std::string_view value);
  const Hash& value() const { return acc_; }

 private:
  static Hash element(std::string_view key, std::string_view value);
  Hash acc_{};
};

}  // namespace artel::node
