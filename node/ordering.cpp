#include "ordering.h"

namespace artel::node {

bool EmbeddedLog::append(std::vector<Bytes>& txs) {
  {
    std::lock_guard lock(mu_);
    if (closed_ || queue_.size() + txs.size() > capacity_) return false;
    for (auto& tx : txs) queue_.push_back(std::move(tx));
  }
  cv_.notify_one();
  return true;
}

std::vector<Bytes> EmbeddedLog::next(std::size_t max, std::chrono::milliseconds wait) {
  std::unique_lock lock(mu_);
  cv_.wait_for(lock, wait, [this] { return closed_ || !queue_.empty(); });
  std::vector<Bytes> out;
  while (!queue_.empty() && out.size() < max) {
    out.push_back(std::move(queue_.front()));
    queue_.pop_front();
  }
  return out;
}

void EmbeddedLog::close() {
  {
    std::lock_guard lock(mu_);
    closed_ = true;
  }
  cv_.notify_all();
}

}  // namespace artel::node
