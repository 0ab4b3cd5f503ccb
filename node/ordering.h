// Which transaction comes next. The node applies transactions in the order
// an OrderingLog hands them out; the embedded log is a single node's FIFO,
// the replicated log (etcd_log.h) keeps one entry per block in etcd.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "codec.h"
#include "crypto.h"

namespace artel::node {

// The transactions of one block. A replicated log numbers its entries from
// 1, and every node makes each entry one block; the embedded log gives 0.
struct LogEntry {
  std::uint64_t index = 0;
  std::vector<Bytes> txs;
};

class OrderingLog {
 public:
  virtual ~OrderingLog() = default;
  // Proposes transactions, all or none. Returns false when the log refuses
  // them (full or closed); none of them is then ordered, and `txs` is left
  // as it was.
  [[nodiscard]] virtual bool append(std::vector<Bytes>& txs) = 0;
  // The next transactions in order, at most `max`; waits up to `wait` for
  // the first one. Every transaction is returned once, to one caller.
  virtual std::vector<Bytes> next(std::size_t max, std::chrono::milliseconds wait) = 0;
  // Wakes waiters; later appends fail.
  virtual void close() = 0;

  // False while the log cannot take proposals (a replicated log that has
  // lost its store): the node then refuses submissions at once instead of
  // holding them.
  virtual bool available() const { return true; }
  // Called once, before anything is read: the ledger's last committed
  // block came from entry `index` (0: none); reading goes on after it.
  virtual void resume_after(std::uint64_t /*index*/) {}
  // The next block's transactions: by default, what next() hands out. A
  // replicated log returns one whole entry, whatever `max` says.
  virtual LogEntry next_entry(std::size_t max, std::chrono::milliseconds wait) { return {0, next(max, wait)}; }
  // Called after the block of entry `index` was committed as `height` with
  // `digest`. A replicated log publishes the digest and compares it with
  // the other nodes'; it returns why this node must stop (its digest is not
  // the cluster's), or nullopt.
  virtual std::optional<std::string> applied(std::uint64_t /*index*/, std::uint64_t /*height*/,
                                             const Hash& /*digest*/) {
    return std::nullopt;
  }
};

// In-memory FIFO for the single-node default. It need not be durable: a
// transaction is acknowledged only after the block that applied it is
// committed, and the committed block records its transactions.
class EmbeddedLog final : public OrderingLog {
 public:
  explicit EmbeddedLog(std::size_t capacity = 200'000) : capacity_(capacity) {}
  bool append(std::vector<Bytes>& txs) override;
  std::vector<Bytes> next(std::size_t max, std::chrono::milliseconds wait) override;
  void close() override;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<Bytes> queue_;
  std::size_t capacity_;
  bool closed_ = false;
};

}  // namespace artel::node
