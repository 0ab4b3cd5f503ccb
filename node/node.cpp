#include "node.h"

#include <algorithm>
#include <cstdio>
#include <sstream>

namespace artel::node {

void Metrics::rejected(std::string_view reason, std::uint64_t n) {
  std::lock_guard lock(mu_);
  rejected_[std::string(reason)] += n;
}

void Metrics::refused(const std::string& code) {
  std::lock_guard lock(mu_);
  ++refused_[code];
}

void Metrics::block_committed(double seconds) {
  std::lock_guard lock(mu_);
  ++blocks_;
  commit_seconds_sum_ += seconds;
  for (std::size_t i = 0; i < std::size(bucket_bounds); ++i)
    if (seconds <= bucket_bounds[i]) ++buckets_[i];
}

void Metrics::connection_closed(std::string_view reason) {
  --open_connections_;
  std::lock_guard lock(mu_);
  ++closed_[std::string(reason)];
}

void Metrics::connection_refused(std::string_view reason) {
  std::lock_guard lock(mu_);
  ++refused_connections_[std::string(reason)];
}

void Metrics::request_served(double seconds) {
  std::lock_guard lock(mu_);
  ++requests_;
  request_seconds_sum_ += seconds;
  for (std::size_t i = 0; i < std::size(latency_bounds); ++i)
    if (seconds <= latency_bounds[i]) ++latency_buckets_[i];
}

std::string Metrics::prometheus(const LedgerSummary& s, std::size_t queue_depth, std::size_t queue_capacity) const {
  std::ostringstream o;
  o << "# HELP artel_height Height of the last committed block.\n"
    << "# TYPE artel_height gauge\n"
    << "artel_height " << s.height << "\n"
    << "# HELP artel_transactions_applied_total Transactions applied and committed.\n"
    << "# TYPE artel_transactions_applied_total counter\n"
    << "artel_transactions_applied_total " << applied_.load() << "\n"
    << "# HELP artel_transactions_rejected_total Transactions rejected, by reason.\n"
    << "# TYPE artel_transactions_rejected_total counter\n";
  std::lock_guard lock(mu_);
  for (const auto& [reason, n] : rejected_)
    o << "artel_transactions_rejected_total{reason=\"" << reason << "\"} " << n << "\n";
  o << "# HELP artel_http_refused_total HTTP requests refused with an error, by error code.\n"
    << "# TYPE artel_http_refused_total counter\n";
  for (const auto& [code, n] : refused_) o << "artel_http_refused_total{code=\"" << code << "\"} " << n << "\n";
  o << "# HELP artel_block_commit_seconds Time to apply and durably commit a block.\n"
    << "# TYPE artel_block_commit_seconds histogram\n";
  for (std::size_t i = 0; i < std::size(bucket_bounds); ++i)
    o << "artel_block_commit_seconds_bucket{le=\"" << bucket_bounds[i] << "\"} " << buckets_[i] << "\n";
  o << "artel_block_commit_seconds_bucket{le=\"+Inf\"} " << blocks_ << "\n"
    << "artel_block_commit_seconds_sum " << commit_seconds_sum_ << "\n"
    << "artel_block_commit_seconds_count " << blocks_ << "\n";
  o << "# HELP artel_queue_depth Transactions submitted and not yet answered.\n"
    << "# TYPE artel_queue_depth gauge\n"
    << "artel_queue_depth " << queue_depth << "\n"
    << "# HELP artel_queue_capacity The bound on artel_queue_depth; a batch over it gets 503.\n"
    << "# TYPE artel_queue_capacity gauge\n"
    << "artel_queue_capacity " << queue_capacity << "\n"
    << "# HELP artel_http_open_connections HTTP connections open now.\n"
    << "# TYPE artel_http_open_connections gauge\n"
    << "artel_http_open_connections " << open_connections_.load() << "\n"
    << "# HELP artel_http_connections_closed_total HTTP connections closed, by reason.\n"
    << "# TYPE artel_http_connections_closed_total counter\n";
  for (const auto& [reason, n] : closed_)
    o << "artel_http_connections_closed_total{reason=\"" << reason << "\"} " << n << "\n";
  o << "# HELP artel_http_connections_refused_total HTTP connections refused when accepted, by limit.\n"
    << "# TYPE artel_http_connections_refused_total counter\n";
  for (const auto& [reason, n] : refused_connections_)
    o << "artel_http_connections_refused_total{reason=\"" << reason << "\"} " << n << "\n";
  o << "# HELP artel_http_request_seconds Time from a request's first byte to its reply written.\n"
    << "# TYPE artel_http_request_seconds histogram\n";
  for (std::size_t i = 0; i < std::size(latency_bounds); ++i)
    o << "artel_http_request_seconds_bucket{le=\"" << latency_bounds[i] << "\"} " << latency_buckets_[i] << "\n";
  o << "artel_http_request_seconds_bucket{le=\"+Inf\"} " << requests_ << "\n"
    << "artel_http_request_seconds_sum " << request_seconds_sum_ << "\n"
    << "artel_http_request_seconds_count " << requests_ << "\n";
  return o.str();
}

struct Node::PendingBatch {
  std::vector<Receipt> receipts;
  std::size_t remaining = 0;
  ReceiptsCallback done;
};

Node::Node(NodeOptions options, std::unique_ptr<OrderingLog> log)
    : options_(std::move(options)),
      ledger_(std::make_unique<Ledger>(options_.data_dir, options_.genesis)),
      log_(log ? std::move(log) : std::make_unique<EmbeddedLog>(std::max<std::size_t>(options_.max_pending, 1))) {
  if (options_.verify_threads == 0) options_.verify_threads = 1;
  if (options_.max_block == 0) options_.max_block = 1;
  if (options_.max_pending == 0) options_.max_pending = 1;
  log_->resume_after(ledger_->log_index());
  verifier_ = std::thread([this] { verify_loop(); });
  applier_ = std::thread([this] { apply_loop(); });
}

Node::~Node() { stop(); }

void Node::stop() {
  if (!running_.exchange(false)) {
    if (verifier_.joinable()) verifier_.join();
    if (applier_.joinable()) applier_.join();
    return;
  }
  log_->close();
  if (verifier_.joinable()) verifier_.join();
  ready_cv_.notify_all();
  if (applier_.joinable()) applier_.join();
  // Whatever was never applied is answered, so no submitter waits forever.
  std::vector<Receipt> left;
  {
    std::lock_guard lock(waiters_mu_);
    for (const auto& [id, w] : waiters_) {
      Receipt r;
      r.id = id;
      r.error = TxError{TxCode::shutting_down, "the node stopped before ordering transaction " + hex(id), 0};
      left.push_back(std::move(r));
    }
  }
  resolve(std::move(left));
}

Admission Node::submit_async(std::vector<Bytes> txs, ReceiptsCallback done) {
  if (txs.empty()) {
    done({});
    return Admission::accepted;
  }
  if (txs.size() > options_.max_pending) return Admission::too_large;
  if (!log_->available()) {
    metrics_.rejected("log_unavailable", txs.size());
    return Admission::unavailable;
  }
  auto batch = std::make_shared<PendingBatch>();
  batch->receipts.resize(txs.size());
  batch->remaining = txs.size();
  batch->done = std::move(done);
  std::vector<Hash> ids;
  ids.reserve(txs.size());
  for (const auto& b : txs) ids.push_back(tx_id(b));
  {
    // Waiters are in place before the log hands the transactions out, and the
    // room in the queue is taken under the same lock, so a batch is taken
    // whole or refused whole.
    std::lock_guard lock(waiters_mu_);
    if (!running_) return Admission::stopping;
    if (waiters_.size() + txs.size() > options_.max_pending) {
      metrics_.rejected("busy", txs.size());
      return Admission::busy;
    }
    for (std::size_t i = 0; i < ids.size(); ++i) waiters_.emplace(ids[i], Waiter{batch, i});
    pending_.store(waiters_.size(), std::memory_order_relaxed);
    if (log_->append(txs)) return Admission::accepted;
    for (const auto& id : ids) {
      auto [from, to] = waiters_.equal_range(id);
      for (auto it = from; it != to; ++it)
        if (it->second.batch == batch) {
          waiters_.erase(it);
          break;
        }
    }
    pending_.store(waiters_.size(), std::memory_order_relaxed);
  }
  batch->done = nullptr;
  if (!running_) return Admission::stopping;
  metrics_.rejected("busy", txs.size());
  return Admission::busy;
}

std::vector<std::future<Receipt>> Node::submit(std::vector<Bytes> txs) {
  auto promises = std::make_shared<std::vector<std::promise<Receipt>>>(txs.size());
  std::vector<std::future<Receipt>> out;
  out.reserve(txs.size());
  for (auto& p : *promises) out.push_back(p.get_future());
  std::vector<Hash> ids;
  for (const auto& b : txs) ids.push_back(tx_id(b));
  const Admission a = submit_async(std::move(txs), [promises](std::vector<Receipt> receipts) {
    for (std::size_t i = 0; i < receipts.size(); ++i) (*promises)[i].set_value(std::move(receipts[i]));
  });
  if (a != Admission::accepted) {
    for (std::size_t i = 0; i < ids.size(); ++i) {
      Receipt r;
      r.id = ids[i];
      r.error = a == Admission::stopping ? TxError{TxCode::shutting_down, "the node is stopping and takes no transactions", 0}
                : a == Admission::unavailable
                    ? TxError{TxCode::busy, "the cluster's ordering log (etcd) cannot be reached from this node", 0}
                    : TxError{TxCode::busy, "the node's queue of transactions awaiting a block is full", 0};
      (*promises)[i].set_value(std::move(r));
    }
  }
  return out;
}

void Node::resolve(std::vector<Receipt> receipts) {
  std::vector<std::shared_ptr<PendingBatch>> complete;
  {
    std::lock_guard lock(waiters_mu_);
    for (auto& r : receipts) {
      auto it = waiters_.find(r.id);
      if (it == waiters_.end()) continue;
      auto& b = *it->second.batch;
      b.receipts[it->second.index] = std::move(r);
      if (--b.remaining == 0) complete.push_back(std::move(it->second.batch));
      waiters_.erase(it);
    }
    pending_.store(waiters_.size(), std::memory_order_relaxed);
  }
  for (auto& b : complete) b->done(std::move(b->receipts));
}

void Node::verify_loop() {
  for (;;) {
    LogEntry entry = log_->next_entry(options_.max_block, std::chrono::milliseconds(50));
    std::vector<Bytes>& batch = entry.txs;
    if (batch.empty()) {
      if (!running_) break;
      continue;
    }
    std::vector<Prepared> prepared(batch.size());
    // Workers take small slices as they go, so a thread the OS deschedules
    // (the machine is shared) does not hold back the whole batch.
    std::atomic<std::size_t> next{0};
    auto work = [&] {
      constexpr std::size_t slice = 16;
      for (std::size_t from; (from = next.fetch_add(slice)) < batch.size();)
        for (std::size_t i = from; i < std::min(batch.size(), from + slice); ++i)
          prepared[i] = prepare(std::move(batch[i]), ledger_->id());
    };
    unsigned threads = batch.size() >= 32 ? options_.verify_threads : 1;
    std::vector<std::thread> helpers;
    for (unsigned t = 1; t < threads; ++t) helpers.emplace_back(work);
    work();
    for (auto& h : helpers) h.join();
    std::unique_lock lock(ready_mu_);
    ready_cv_.wait(lock, [this] { return ready_.size() < 2; });
    ready_.push_back(ReadyBlock{entry.index, std::move(prepared)});
    ready_cv_.notify_all();
  }
  std::lock_guard lock(ready_mu_);
  verifier_done_ = true;
  ready_cv_.notify_all();
}

std::optional<std::string> Node::diverged() const {
  std::lock_guard lock(diverged_mu_);
  return diverged_;
}

void Node::apply_loop() {
  for (;;) {
    ReadyBlock ready;
    {
      std::unique_lock lock(ready_mu_);
      ready_cv_.wait(lock, [this] { return !ready_.empty() || verifier_done_; });
      if (ready_.empty()) return;
      ready = std::move(ready_.front());
      ready_.pop_front();
      ready_cv_.notify_all();
    }
    std::vector<Prepared>& batch = ready.txs;
    if (auto why = diverged()) {
      // A node whose state is not the cluster's applies nothing more.
      std::vector<Receipt> refused;
      for (const auto& p : batch) {
        Receipt r;
        r.id = p.id;
        r.error = TxError{TxCode::node_diverged, *why, 0};
        refused.push_back(std::move(r));
      }
      metrics_.rejected(code_name(TxCode::node_diverged), refused.size());
      resolve(std::move(refused));
      continue;
    }
    auto start = std::chrono::steady_clock::now();
    BlockResult result;
    try {
      result = ledger_->apply_block(batch, ready.log_index);
    } catch (const std::exception& e) {
      // A storage failure: nothing of this block is acknowledged, and the node
      // cannot go on without risking a half-written state.
      std::fprintf(stderr, "arteld: fatal: block %llu: %s\n",
                   static_cast<unsigned long long>(ledger_->summary().height + 1), e.what());
      std::abort();
    }
    double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count();
    if (result.committed) metrics_.block_committed(seconds);
    std::uint64_t applied = 0;
    for (const auto& r : result.receipts) {
      if (r.applied)
        ++applied;
      else
        metrics_.rejected(code_name(r.error.code));
    }
    metrics_.applied(applied);
    if (result.committed) {
      std::optional<std::string> why;
      try {
        why = log_->applied(ready.log_index, result.height, result.digest);
      } catch (const std::exception& e) {
        std::fprintf(stderr, "arteld: cannot publish the digest of block %llu: %s\n",
                     static_cast<unsigned long long>(result.height), e.what());
      }
      if (why) {
        write_divergence_dump(result.height, *why);
        std::lock_guard lock(diverged_mu_);
        diverged_ = "block " + std::to_string(result.height) + ": " + *why;
        std::fprintf(stderr, "arteld: stopped applying: %s\n", diverged_->c_str());
      }
    }
    resolve(std::move(result.receipts));
  }
}

// What an operator needs to find and replay the first bad block: its
// transactions, this node's digest and what the cluster says.
void Node::write_divergence_dump(std::uint64_t height, const std::string& why) const {
  const std::string path = options_.data_dir + "/diverged-" + std::to_string(height) + ".txt";
  std::FILE* f = std::fopen(path.c_str(), "wb");
  if (f == nullptr) return;
  std::fprintf(f, "height %llu\n", static_cast<unsigned long long>(height));
  if (auto b = ledger_->block(height)) {
    std::fprintf(f, "digest %s\nblock_hash %s\n", hex(b->digest).c_str(), hex(b->block_hash).c_str());
    for (const auto& tx : b->transactions) std::fprintf(f, "tx %s\n", to_hex(tx).c_str());
  }
  std::fprintf(f, "cluster %s\n", why.c_str());
  std::fclose(f);
}

}  // namespace artel::node
