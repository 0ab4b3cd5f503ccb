// The replicated ordering log: etcd (Raft, crash-fault tolerant) keeps the
// order of blocks for a cluster of arteld nodes.
//
// One etcd key is one block: PREFIX/log/NNNNNNNNNNNNNNNNNNNN (the entry's
// index, 20 digits, from 1) holds the transactions one node proposed. A
// node appends an entry by creating the next key only if it does not exist
// (an etcd transaction comparing its create_revision with 0), so entries
// are numbered without gaps and no two nodes take the same number. Every
// node reads the entries in index order and applies each as one block:
// block boundaries come from the log, never from a node's timing, and every
// node computes the same state at every height.
//
// After committing a block a node publishes its state digest as
// PREFIX/digest/HEIGHT/NODE and compares it with the other nodes' at that
// height. A node whose digest is outvoted (another digest is held by more
// nodes, or by as many that published first) stops applying.
//
// The etcd API is reached through its JSON gateway (/v3/kv/...), with the
// node's own HTTP client; several endpoints may be given, and a request
// that fails on one is tried on the next.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ordering.h"

namespace artel::node {

struct EtcdOptions {
  std::vector<std::string> endpoints;  // http://HOST:PORT of etcd members
  std::string prefix;                  // keys live under PREFIX/ (a ledger's own)
  std::string node_name;               // this node's name in published digests
  std::string ledger_id;               // hex; the prefix is refused when it holds another ledger's log
  std::size_t max_entry_bytes = 1u << 20;  // an entry is cut at this size (etcd's request limit)
  std::size_t capacity = 100'000;          // transactions waiting to be proposed, at most
  std::chrono::milliseconds poll{5};       // how often an idle reader asks for the next entry
};

// A few etcd key-value calls over the JSON gateway. Not thread-safe: one per
// thread. Throws std::runtime_error when no endpoint answers.
class EtcdKv {
 public:
  explicit EtcdKv(std::vector<std::string> endpoints);
  ~EtcdKv();
  struct Kv {
    std::string key, value;
    std::int64_t create_revision = 0;
  };
  std::optional<Kv> get(const std::string& key);
  // Keys from `from` up to, not including, `to`, in key order (or the last
  // `limit` of them when `descending`).
  std::vector<Kv> range(const std::string& from, const std::string& to, std::int64_t limit = 0,
                        bool descending = false);
  void put(const std::string& key, const std::string& value);
  // Creates the key only if it does not exist; false when it did.
  bool create(const std::string& key, const std::string& value);

 private:
  std::string call(const std::string& path, const std::string& body);
  std::vector<std::string> endpoints_;
  std::size_t current_ = 0;
  struct Client;
  std::unique_ptr<Client> client_;
};

class EtcdLog final : public OrderingLog {
 public:
  explicit EtcdLog(EtcdOptions options);
  ~EtcdLog() override;

  bool append(std::vector<Bytes>& txs) override;
  std::vector<Bytes> next(std::size_t max, std::chrono::milliseconds wait) override;
  void close() override;
  void resume_after(std::uint64_t index) override;
  LogEntry next_entry(std::size_t max, std::chrono::milliseconds wait) override;
  std::optional<std::string> applied(std::uint64_t index, std::uint64_t height, const Hash& digest) override;
  // False from the moment a proposal or a read could not reach etcd until
  // one succeeds again.
  bool available() const override { return reachable_.load(); }

  const EtcdOptions& options() const { return options_; }
  // The index of the last entry read (0: none yet).
  std::uint64_t read_index() const { return read_.load(); }
  // Entries this node proposed, and proposals that lost a race for a number.
  std::uint64_t proposed() const { return proposed_.load(); }
  std::uint64_t conflicts() const { return conflicts_.load(); }

  // The key of entry `index`, and an entry's encoding (u32 count, then each
  // transaction as u32 length and bytes); exposed for tests.
  std::string entry_key(std::uint64_t index) const;
  static std::string encode_entry(const std::vector<Bytes>& txs);
  static std::optional<std::vector<Bytes>> decode_entry(std::string_view value);

 private:
  void propose_loop();

  EtcdOptions options_;
  std::unique_ptr<EtcdKv> reader_, publisher_;
  std::atomic<std::uint64_t> read_{0};
  std::atomic<std::uint64_t> proposed_{0}, conflicts_{0};
  std::atomic<bool> reachable_{true};

  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Bytes> queue_;
  bool closed_ = false;
  std::thread proposer_;
};

}  // namespace artel::node
