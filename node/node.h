// A ledger node: takes transactions from an ordering log, verifies their
// signatures in parallel, applies them in order in blocks and tells each
// submitter the outcome once the block is durably committed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <future>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "ledger.h"
#include "ordering.h"

namespace artel::node {

struct NodeOptions {
  std::string data_dir;
  std::optional<std::string> genesis;  // the genesis document; required for a new data directory
  std::size_t max_block = 4096;          // transactions per block at most
  unsigned verify_threads = 2;           // signature verification in parallel
};

// Counters for /metrics. Safe to read while the node runs.
class Metrics {
 public:
  void applied(std::uint64_t n) { applied_ += n; }
  void rejected(std::string_view reason);
  // An HTTP request refused before it reached the ledger, by error code.
  void refused(const std::string& code);
  void block_committed(double seconds);
  std::uint64_t applied_total() const { return applied_; }
  // Prometheus text exposition.
  std::string prometheus(const LedgerSummary& s) const;

 private:
  std::atomic<std::uint64_t> applied_{0};
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> rejected_;
  std::map<std::string, std::uint64_t> refused_;
  static constexpr double bucket_bounds[] = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1};
  std::uint64_t buckets_[std::size(bucket_bounds)] = {};
  std::uint64_t blocks_ = 0;
  double commit_seconds_sum_ = 0;
};

class Node {
 public:
  explicit Node(NodeOptions options, std::unique_ptr<OrderingLog> log = nullptr);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Orders the transactions; each future resolves with the receipt once the
  // block holding it is committed, or at once when the log refuses it.
  std::vector<std::future<Receipt>> submit(std::vector<Bytes> txs);
  // Stops taking transactions, finishes the block in progress.
  void stop();

  const Ledger& ledger() const { return *ledger_; }
  const Metrics& metrics() const { return metrics_; }
  Metrics& metrics() { return metrics_; }

 private:
  void verify_loop();
  void apply_loop();
  void resolve(const Hash& id, Receipt r);

  NodeOptions options_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<OrderingLog> log_;
  Metrics metrics_;

  std::mutex waiters_mu_;
  std::multimap<Hash, std::promise<Receipt>> waiters_;

  // Verified batches waiting for the applier (at most two: verify the next
  // block while the current one is applied and synced).
  std::mutex ready_mu_;
  std::condition_variable ready_cv_;
  std::deque<std::vector<Prepared>> ready_;
  std::atomic<bool> running_{true};
  bool verifier_done_ = false;
  std::thread verifier_;
  std::thread applier_;
};

}  // namespace artel::node
