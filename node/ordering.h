// Which transaction comes next. The node applies transactions in the order
// an OrderingLog hands them out; the embedded log is a single node's FIFO,
// a replicated log (etcd) will implement the same interface.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <vector>

#include "codec.h"

namespace artel::node {

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
