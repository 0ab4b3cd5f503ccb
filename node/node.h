// A ledger node: takes transactions from an ordering log, verifies their
// signatures in parallel, applies them in order in blocks and tells each
// submitter the outcome once the block is durably committed.
#pragma once

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
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
  // Transactions submitted and not yet answered, at most: the bound of the
  // queue awaiting a block. A batch that does not fit is refused whole.
  std::size_t max_pending = 100'000;
};

// What became of a batch offered to the node: taken whole, or not at all.
enum class Admission {
  accepted,
  busy,       // the queue awaiting a block is full; try again later
  too_large,  // the batch alone is over the queue's bound; it can never be taken
  stopping,   // the node is shutting down
  unavailable,  // the ordering log cannot be reached (a cluster without its etcd majority)
};

// Counters for /metrics. Safe to read while the node runs.
class Metrics {
 public:
  void applied(std::uint64_t n) { applied_ += n; }
  void rejected(std::string_view reason, std::uint64_t n = 1);
  // An HTTP request refused before it reached the ledger, by error code.
  void refused(const std::string& code);
  void block_committed(double seconds);
  std::uint64_t applied_total() const { return applied_; }
  // The HTTP server's connections: opened, closed (normally or by a timeout,
  // by reason), refused at accept (by limit), and each request's latency from
  // its first byte to its reply written.
  void connection_opened() { ++open_connections_; }
  void connection_closed(std::string_view reason);
  void connection_refused(std::string_view reason);
  void request_served(double seconds);
  std::uint64_t open_connections() const { return open_connections_; }
  // Prometheus text exposition; the queue is the node's transactions awaiting
  // a block and its bound.
  std::string prometheus(const LedgerSummary& s, std::size_t queue_depth = 0,
                         std::size_t queue_capacity = 0) const;

 private:
  std::atomic<std::uint64_t> applied_{0};
  mutable std::mutex mu_;
  std::map<std::string, std::uint64_t> rejected_;
  std::map<std::string, std::uint64_t> refused_;
  static constexpr double bucket_bounds[] = {0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 1};
  std::uint64_t buckets_[std::size(bucket_bounds)] = {};
  std::uint64_t blocks_ = 0;
  double commit_seconds_sum_ = 0;
  std::atomic<std::uint64_t> open_connections_{0};
  std::map<std::string, std::uint64_t> closed_;
  std::map<std::string, std::uint64_t> refused_connections_;
  static constexpr double latency_bounds[] = {0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                              0.1,    0.25,  0.5,    1,     2.5,   5,     10};
  std::uint64_t latency_buckets_[std::size(latency_bounds)] = {};
  std::uint64_t requests_ = 0;
  double request_seconds_sum_ = 0;
};

class Node {
 public:
  explicit Node(NodeOptions options, std::unique_ptr<OrderingLog> log = nullptr);
  ~Node();
  Node(const Node&) = delete;
  Node& operator=(const Node&) = delete;

  // Orders the transactions, all of them or none. On `accepted`, `done` is
  // called once, from the node's block thread, with one receipt per
  // transaction in submission order after the blocks holding them are
  // committed (or when the node stops first); it must be quick (post work
  // elsewhere). Otherwise `done` is never called and nothing was ordered.
  using ReceiptsCallback = std::function<void(std::vector<Receipt>)>;
  Admission submit_async(std::vector<Bytes> txs, ReceiptsCallback done);
  // The same, waiting: each future resolves with the receipt once the block
  // holding it is committed, or at once with `busy` when the batch is refused.
  std::vector<std::future<Receipt>> submit(std::vector<Bytes> txs);
  // Transactions submitted and not yet answered; the bound on them.
  std::size_t pending() const { return pending_.load(std::memory_order_relaxed); }
  std::size_t max_pending() const { return options_.max_pending; }
  // Stops taking transactions, finishes the block in progress.
  void stop();

  // Why this node stopped applying blocks: its state digest at a height is
  // not the cluster's (see OrderingLog::applied); nullopt while it is sound.
  std::optional<std::string> diverged() const;
  const OrderingLog& log() const { return *log_; }

  const Ledger& ledger() const { return *ledger_; }
  const Metrics& metrics() const { return metrics_; }
  Metrics& metrics() { return metrics_; }

 private:
  void verify_loop();
  void apply_loop();
  void write_divergence_dump(std::uint64_t height, const std::string& why) const;
  struct PendingBatch;
  struct Waiter {
    std::shared_ptr<PendingBatch> batch;
    std::size_t index = 0;
  };
  // Hands receipts to their batches; calls the callbacks of completed ones.
  void resolve(std::vector<Receipt> receipts);

  NodeOptions options_;
  std::unique_ptr<Ledger> ledger_;
  std::unique_ptr<OrderingLog> log_;
  Metrics metrics_;

  std::mutex waiters_mu_;
  std::multimap<Hash, Waiter> waiters_;  // equal ids: answered in submission order
  std::atomic<std::size_t> pending_{0};

  // Verified batches waiting for the applier (at most two: verify the next
  // block while the current one is applied and synced).
  std::mutex ready_mu_;
  std::condition_variable ready_cv_;
  struct ReadyBlock {
    std::uint64_t log_index = 0;
    std::vector<Prepared> txs;
  };
  std::deque<ReadyBlock> ready_;
  mutable std::mutex diverged_mu_;
  std::optional<std::string> diverged_;
  std::atomic<bool> running_{true};
  bool verifier_done_ = false;
  std::thread verifier_;
  std::thread applier_;
};

}  // namespace artel::node
