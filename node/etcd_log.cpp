#include "etcd_log.h"

#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>
#include <stdexcept>

#include "http_client.h"
#include "transaction.h"

namespace artel::node {

using json = nlohmann::json;

namespace {

std::string b64(std::string_view s) {
  return to_base64(std::span(reinterpret_cast<const std::uint8_t*>(s.data()), s.size()));
}

std::string unb64(const json& v) {
  if (!v.is_string()) return {};
  auto b = from_base64(v.get<std::string>());
  if (!b) throw std::runtime_error("etcd answered a value that is not base64");
  return std::string(b->begin(), b->end());
}

// The smallest key after every key that starts with `prefix`.
std::string prefix_end(std::string prefix) {
  while (!prefix.empty()) {
    auto& c = reinterpret_cast<unsigned char&>(prefix.back());
    if (c < 0xff) {
      ++c;
      return prefix;
    }
    prefix.pop_back();
  }
  return std::string(1, '\0');
}

std::string padded(std::uint64_t n) {
  char buf[24];
  std::snprintf(buf, sizeof buf, "%020llu", static_cast<unsigned long long>(n));
  return buf;
}

}  // namespace

struct EtcdKv::Client {
  std::unique_ptr<HttpClient> http;
};

EtcdKv::EtcdKv(std::vector<std::string> endpoints) : endpoints_(std::move(endpoints)), client_(new Client) {
  if (endpoints_.empty()) throw std::invalid_argument("no etcd endpoint given");
}

EtcdKv::~EtcdKv() = default;

std::string EtcdKv::call(const std::string& path, const std::string& body) {
  std::string last_error;
  for (std::size_t attempt = 0; attempt < endpoints_.size(); ++attempt) {
    try {
      if (!client_->http) {
        client_->http = std::make_unique<HttpClient>(endpoints_[current_]);
        // A member without a quorum holds requests until etcd's own timeout;
        // do not wait longer than that for any one.
        client_->http->set_timeout(std::chrono::seconds(3));
      }
      HttpResponse r = client_->http->post(path, body);
      if (r.status == 200) return r.body;
      last_error = endpoints_[current_] + path + " answered " + std::to_string(r.status) + ": " + r.body;
    } catch (const std::exception& e) {
      last_error = e.what();
    }
    client_->http.reset();
    current_ = (current_ + 1) % endpoints_.size();
  }
  throw std::runtime_error("etcd: " + last_error);
}

std::optional<EtcdKv::Kv> EtcdKv::get(const std::string& key) {
  json r = json::parse(call("/v3/kv/range", json{{"key", b64(key)}}.dump()));
  if (!r.contains("kvs") || r["kvs"].empty()) return std::nullopt;
  const json& kv = r["kvs"][0];
  return Kv{unb64(kv["key"]), unb64(kv.value("value", json())),
            std::stoll(kv.value("create_revision", std::string("0")))};
}

std::vector<EtcdKv::Kv> EtcdKv::range(const std::string& from, const std::string& to, std::int64_t limit,
                                      bool descending) {
  json q{{"key", b64(from)}, {"range_end", b64(to)}};
  if (limit > 0) q["limit"] = std::to_string(limit);
  if (descending) {
    q["sort_order"] = "DESCEND";
    q["sort_target"] = "KEY";
  }
  json r = json::parse(call("/v3/kv/range", q.dump()));
  std::vector<Kv> out;
  if (r.contains("kvs"))
    for (const json& kv : r["kvs"])
      out.push_back(Kv{unb64(kv["key"]), unb64(kv.value("value", json())),
                       std::stoll(kv.value("create_revision", std::string("0")))});
  return out;
}

void EtcdKv::put(const std::string& key, const std::string& value) {
  (void)call("/v3/kv/put", json{{"key", b64(key)}, {"value", b64(value)}}.dump());
}

bool EtcdKv::create(const std::string& key, const std::string& value) {
  const json q{{"compare", json::array({{{"key", b64(key)},
                                         {"target", "CREATE"},
                                         {"result", "EQUAL"},
                                         {"create_revision", "0"}}})},
               {"success", json::array({{{"request_put", {{"key", b64(key)}, {"value", b64(value)}}}}})}};
  json r = json::parse(call("/v3/kv/txn", q.dump()));
  // The gateway leaves out fields at their default: no "succeeded" is false.
  return r.value("succeeded", false);
}

EtcdLog::EtcdLog(EtcdOptions options) : options_(std::move(options)) {
  if (options_.prefix.empty() || options_.node_name.empty())
    throw std::invalid_argument("the etcd log needs a key prefix and a node name");
  reader_ = std::make_unique<EtcdKv>(options_.endpoints);
  publisher_ = std::make_unique<EtcdKv>(options_.endpoints);
  // The prefix names one ledger: the first node records its id, and a node
  // whose genesis makes another ledger is refused before it reads anything.
  if (!options_.ledger_id.empty() && !reader_->create(options_.prefix + "/ledger", options_.ledger_id)) {
    auto held = reader_->get(options_.prefix + "/ledger");
    if (held && held->value != options_.ledger_id)
      throw std::runtime_error("the etcd prefix " + options_.prefix + " holds the log of ledger " + held->value +
                               "; this node's genesis document makes ledger " + options_.ledger_id +
                               " (start it with the cluster's genesis.json)");
  }
  proposer_ = std::thread([this] { propose_loop(); });
}

EtcdLog::~EtcdLog() {
  close();
  if (proposer_.joinable()) proposer_.join();
}

std::string EtcdLog::entry_key(std::uint64_t index) const { return options_.prefix + "/log/" + padded(index); }

std::string EtcdLog::encode_entry(const std::vector<Bytes>& txs) {
  Writer w;
  w.u32(static_cast<std::uint32_t>(txs.size()));
  for (const auto& t : txs) w.bytes(t);
  return w.as_string();
}

std::optional<std::vector<Bytes>> EtcdLog::decode_entry(std::string_view value) {
  Reader r(value);
  const std::uint32_t n = r.u32();
  if (!r.ok() || n > value.size()) return std::nullopt;
  std::vector<Bytes> out;
  for (std::uint32_t i = 0; i < n; ++i) {
    out.push_back(r.bytes(max_tx_size));
    if (!r.ok()) return std::nullopt;
  }
  if (!r.at_end()) return std::nullopt;
  return out;
}

bool EtcdLog::append(std::vector<Bytes>& txs) {
  std::lock_guard lock(mu_);
  if (closed_ || queue_.size() + txs.size() > options_.capacity) return false;
  for (auto& t : txs) queue_.push_back(std::move(t));
  txs.clear();
  cv_.notify_all();
  return true;
}

void EtcdLog::close() {
  std::lock_guard lock(mu_);
  closed_ = true;
  cv_.notify_all();
}

void EtcdLog::resume_after(std::uint64_t index) { read_ = index; }

// Takes what is waiting (up to an entry's size) and creates the next entry
// with it; when another node took that number first, tries the number after
// the last entry. A failure to reach etcd keeps the transactions for the
// next attempt: nothing handed to append() is dropped while the log is open.
void EtcdLog::propose_loop() {
  EtcdKv kv(options_.endpoints);
  std::uint64_t next_index = 0;  // 0: find out from etcd
  std::vector<Bytes> batch;
  for (;;) {
    {
      std::unique_lock lock(mu_);
      cv_.wait(lock, [this, &batch] { return closed_ || !queue_.empty() || !batch.empty(); });
      if (closed_) return;
      std::size_t size = 0;
      for (const auto& t : batch) size += t.size() + 4;
      while (!queue_.empty() && (batch.empty() || size + queue_.front().size() + 4 <= options_.max_entry_bytes)) {
        size += queue_.front().size() + 4;
        batch.push_back(std::move(queue_.front()));
        queue_.pop_front();
      }
    }
    try {
      if (next_index == 0) {
        auto last = kv.range(options_.prefix + "/log/", prefix_end(options_.prefix + "/log/"), 1, true);
        next_index = last.empty() ? 1 : std::stoull(last[0].key.substr(options_.prefix.size() + 5)) + 1;
      }
      const bool created = kv.create(entry_key(next_index), encode_entry(batch));
      if (!reachable_.exchange(true)) std::fprintf(stderr, "arteld: etcd answers again (proposing)\n");
      if (created) {
        ++proposed_;
        ++next_index;
        batch.clear();
      } else {
        ++conflicts_;
        next_index = 0;  // another node took it: look for the end again
      }
    } catch (const std::exception& e) {
      if (reachable_.exchange(false))
        std::fprintf(stderr, "arteld: proposing to etcd: %s; new submissions are refused until it answers\n",
                     e.what());
      next_index = 0;
      std::unique_lock lock(mu_);
      cv_.wait_for(lock, std::chrono::milliseconds(200), [this] { return closed_; });
    }
  }
}

std::vector<Bytes> EtcdLog::next(std::size_t max, std::chrono::milliseconds wait) {
  return next_entry(max, wait).txs;
}

LogEntry EtcdLog::next_entry(std::size_t, std::chrono::milliseconds wait) {
  const auto until = std::chrono::steady_clock::now() + wait;
  for (;;) {
    const std::uint64_t index = read_.load() + 1;
    try {
      auto kv = reader_->get(entry_key(index));
      if (!reachable_.exchange(true)) std::fprintf(stderr, "arteld: etcd answers again (reading)\n");
      if (kv) {
        auto txs = decode_entry(kv->value);
        // An entry no node could have written is skipped by every node alike.
        if (!txs) std::fprintf(stderr, "arteld: log entry %llu is not an entry; skipped\n",
                               static_cast<unsigned long long>(index));
        read_ = index;
        return LogEntry{index, txs ? std::move(*txs) : std::vector<Bytes>{}};
      }
    } catch (const std::exception& e) {
      if (reachable_.exchange(false)) std::fprintf(stderr, "arteld: reading the log from etcd: %s\n", e.what());
      std::this_thread::sleep_for(std::chrono::milliseconds(100));
    }
    {
      std::unique_lock lock(mu_);
      if (closed_) return {};
    }
    if (std::chrono::steady_clock::now() >= until) return {};
    std::this_thread::sleep_for(options_.poll);
  }
}

std::optional<std::string> EtcdLog::applied(std::uint64_t, std::uint64_t height, const Hash& digest) {
  const std::string dir = options_.prefix + "/digest/" + padded(height) + "/";
  const std::string mine = to_hex(digest);
  publisher_->put(dir + options_.node_name, mine);
  // Who holds which digest, and who published each first.
  std::map<std::string, std::pair<std::size_t, std::int64_t>> votes;
  for (const auto& kv : publisher_->range(dir, prefix_end(dir))) {
    auto& [count, first] = votes[kv.value];
    if (count++ == 0 || kv.create_revision < first) first = kv.create_revision;
  }
  const auto& me = votes[mine];
  for (const auto& [other, v] : votes) {
    if (other == mine) continue;
    if (v.first > me.first || (v.first == me.first && v.second < me.second))
      return "the state digest here is " + mine + "; " + std::to_string(v.first) + " node(s) have " + other +
             " (this node: " + options_.node_name + ")";
  }
  return std::nullopt;
}

}  // namespace artel::node
