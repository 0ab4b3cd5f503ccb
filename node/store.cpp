#include "store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/iterator.h>
#include <rocksdb/options.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

#include <stdexcept>
#include <vector>

#include "codec.h"

namespace artel::node {

Store::Store(const std::string& dir) {
  rocksdb::Options options;
  options.create_if_missing = true;
  options.paranoid_checks = true;
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  options.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  rocksdb::DB* db = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(options, dir, &db);
  if (!s.ok()) throw std::runtime_error("cannot open ledger database " + dir + ": " + s.ToString());
  db_.reset(db);
}

Store::~Store() {
  if (db_) db_->Close().PermitUncheckedError();
}

std::optional<std::string> Store::get(std::string_view key) const { return get_at(key, nullptr); }

void Store::scan(std::string_view prefix,
                 const std::function<bool(std::string_view, std::string_view)>& visit) const {
  scan_at(prefix, visit, nullptr);
}

std::optional<std::string> Store::get_at(std::string_view key, const rocksdb::Snapshot* at) const {
  std::string value;
  rocksdb::ReadOptions ro;
  ro.snapshot = at;
  rocksdb::Status s = db_->Get(ro, rocksdb::Slice(key.data(), key.size()), &value);
  if (s.IsNotFound()) return std::nullopt;
  if (!s.ok()) throw std::runtime_error("ledger database read failed: " + s.ToString());
  return value;
}

void Store::scan_at(std::string_view prefix,
                    const std::function<bool(std::string_view, std::string_view)>& visit,
                    const rocksdb::Snapshot* at) const {
  rocksdb::ReadOptions ro;
  ro.snapshot = at;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  for (it->Seek(rocksdb::Slice(prefix.data(), prefix.size())); it->Valid(); it->Next()) {
    auto k = it->key();
    std::string_view key(k.data(), k.size());
    if (!key.starts_with(prefix)) break;
    auto v = it->value();
    if (!visit(key, std::string_view(v.data(), v.size()))) break;
  }
  if (!it->status().ok())
    throw std::runtime_error("ledger database scan failed: " + it->status().ToString());
}

class Store::Snapshot final : public KvReader {
 public:
  Snapshot(const Store& store, rocksdb::DB& db) : store_(store), db_(db), snap_(db.GetSnapshot()) {}
  ~Snapshot() override { db_.ReleaseSnapshot(snap_); }
  Snapshot(const Snapshot&) = delete;
  Snapshot& operator=(const Snapshot&) = delete;
  std::optional<std::string> get(std::string_view key) const override { return store_.get_at(key, snap_); }
  void scan(std::string_view prefix,
            const std::function<bool(std::string_view, std::string_view)>& visit) const override {
    store_.scan_at(prefix, visit, snap_);
  }

 private:
  const Store& store_;
  rocksdb::DB& db_;
  const rocksdb::Snapshot* snap_;
};

std::unique_ptr<const KvReader> Store::snapshot() const { return std::make_unique<Snapshot>(*this, *db_); }

void Store::write(const WriteSet& writes, bool sync) {
  rocksdb::WriteBatch batch;
  for (const auto& [k, v] : writes) {
    rocksdb::Status s = v ? batch.Put(k, *v) : batch.Delete(k);
    if (!s.ok()) throw std::runtime_error("ledger write batch failed: " + s.ToString());
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync;
  rocksdb::Status s = db_->Write(wo, &batch);
  if (!s.ok()) throw std::runtime_error("ledger database write failed: " + s.ToString());
}

std::optional<std::string> Overlay::get(std::string_view key) const {
  auto it = writes_.find(key);
  if (it != writes_.end()) return it->second;
  return base_value(key);
}

std::optional<std::string> Overlay::base_value(std::string_view key) const {
  if (!cache_reads_) return base_.get(key);
  auto it = read_cache_.find(key);
  if (it != read_cache_.end()) return it->second;
  auto v = base_.get(key);
  read_cache_.emplace(std::string(key), v);
  return v;
}

void Overlay::scan(std::string_view prefix,
                   const std::function<bool(std::string_view, std::string_view)>& visit) const {
  // Merge the base's ordered entries with ours; ours win on equal keys.
  std::vector<std::pair<std::string, std::string>> base;
  base_.scan(prefix, [&](std::string_view k, std::string_view v) {
    base.emplace_back(k, v);
    return true;
  });
  auto mine = writes_.lower_bound(prefix);
  auto in_prefix = [&](decltype(mine) it) {
    return it != writes_.end() && std::string_view(it->first).starts_with(prefix);
  };
  std::size_t b = 0;
  while (b < base.size() || in_prefix(mine)) {
    bool take_mine = in_prefix(mine) && (b >= base.size() || mine->first <= base[b].first);
    if (take_mine) {
      if (b < base.size() && mine->first == base[b].first) ++b;
      if (mine->second && !visit(mine->first, *mine->second)) return;
      ++mine;
    } else {
      if (!visit(base[b].first, base[b].second)) return;
      ++b;
    }
  }
}

void Overlay::put(std::string_view key, std::string value) {
  writes_.insert_or_assign(std::string(key), std::move(value));
}

void Overlay::del(std::string_view key) { writes_.insert_or_assign(std::string(key), std::nullopt); }

void Overlay::commit_into(Overlay& parent) {
  for (auto& [k, v] : writes_) parent.writes_.insert_or_assign(k, std::move(v));
  writes_.clear();
}

Hash SetDigest::element(std::string_view key, std::string_view value) {
  Hasher h;
  Writer w;
  w.u32(static_cast<std::uint32_t>(key.size()));
  h.update(w.data());
  h.update(key);
  h.update(value);
  return h.finish();
}

// Little-endian 256-bit addition / subtraction.
void SetDigest::add(std::string_view key, std::string_view value) {
  Hash e = element(key, value);
  unsigned carry = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    unsigned s = unsigned(acc_[i]) + unsigned(e[i]) + carry;
    acc_[i] = static_cast<std::uint8_t>(s);
    carry = s >> 8;
  }
}

void SetDigest::remove(std::string_view key, std::string_view value) {
  Hash e = element(key, value);
  int borrow = 0;
  for (std::size_t i = 0; i < 32; ++i) {
    int d = int(acc_[i]) - int(e[i]) - borrow;
    borrow = d < 0 ? 1 : 0;
    acc_[i] = static_cast<std::uint8_t>(d + (borrow << 8));
  }
}

}  // namespace artel::node
