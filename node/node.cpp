#include "node.h"

#include <cstdio>
#include <sstream>

namespace artel::node {

void Metrics::rejected(std::string_view reason) {
  std::lock_guard lock(mu_);
  ++rejected_[std::string(reason)];
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

std::string Metrics::prometheus(const LedgerSummary& s) const {
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
  return o.str();
}

Node::Node(NodeOptions options, std::unique_ptr<OrderingLog> log)
    : options_(std::move(options)),
      ledger_(std::make_unique<Ledger>(options_.data_dir, options_.genesis)),
      log_(log ? std::move(log) : std::make_unique<EmbeddedLog>()) {
  if (options_.verify_threads == 0) options_.verify_threads = 1;
  if (options_.max_block == 0) options_.max_block = 1;
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
  std::lock_guard lock(waiters_mu_);
  for (auto& [id, p] : waiters_) {
    Receipt r;
    r.id = id;
    r.error = TxError{TxCode::shutting_down, "the node stopped before ordering transaction " + hex(id), 0};
    p.set_value(std::move(r));
  }
  waiters_.clear();
}

std::vector<std::future<Receipt>> Node::submit(std::vector<Bytes> txs) {
  std::vector<std::future<Receipt>> out;
  out.reserve(txs.size());
  for (auto& b : txs) {
    Hash id = tx_id(b);
    std::promise<Receipt> p;
    out.push_back(p.get_future());
    {
      std::lock_guard lock(waiters_mu_);
      waiters_.emplace(id, std::move(p));
    }
    if (!running_ || !log_->append(std::move(b))) {
      Receipt r;
      r.id = id;
      r.error = TxError{TxCode::busy, "the node is not accepting transactions (queue full or stopping)", 0};
      metrics_.rejected("busy");
      resolve(id, std::move(r));
    }
  }
  return out;
}

void Node::resolve(const Hash& id, Receipt r) {
  std::lock_guard lock(waiters_mu_);
  auto it = waiters_.find(id);
  if (it == waiters_.end()) return;
  it->second.set_value(std::move(r));
  waiters_.erase(it);
}

void Node::verify_loop() {
  for (;;) {
    std::vector<Bytes> batch = log_->next(options_.max_block, std::chrono::milliseconds(50));
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
    ready_.push_back(std::move(prepared));
    ready_cv_.notify_all();
  }
  std::lock_guard lock(ready_mu_);
  verifier_done_ = true;
  ready_cv_.notify_all();
}

void Node::apply_loop() {
  for (;;) {
    std::vector<Prepared> batch;
    {
      std::unique_lock lock(ready_mu_);
      ready_cv_.wait(lock, [this] { return !ready_.empty() || verifier_done_; });
      if (ready_.empty()) return;
      batch = std::move(ready_.front());
      ready_.pop_front();
      ready_cv_.notify_all();
    }
    auto start = std::chrono::steady_clock::now();
    BlockResult result;
    try {
      result = ledger_->apply_block(batch);
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
    for (auto& r : result.receipts) {
      if (r.applied)
        ++applied;
      else
        metrics_.rejected(code_name(r.error.code));
      Hash id = r.id;
      resolve(id, std::move(r));
    }
    metrics_.applied(applied);
  }
}

}  // namespace artel::node
