// The ledger: applies ordered, signed transactions to the state in blocks.
// Each transaction is applied whole or not at all (its own overlay over the
// block's overlay); each block is one synced RocksDB WriteBatch carrying the
// state changes, the block's transactions and the new state digest.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "calendar.h"
#include "charter_runtime.h"
#include "charters_host.h"
#include "crypto.h"
#include "genesis.h"
#include "state.h"
#include "store.h"
#include "transaction.h"

namespace artel::node {

// A transaction decoded and signature-checked, ready for ordered application.
// prepare() touches no state, so many can run in parallel.
struct Prepared {
  Bytes bytes;
  Hash id{};
  std::optional<Transaction> tx;  // nullopt when the bytes do not decode
  std::string decode_error;
  bool signatures_ok = false;
};
// Signatures are checked as made for the ledger `ledger_id`.
Prepared prepare(Bytes bytes, const Hash& ledger_id);

struct Receipt {
  Hash id{};
  bool applied = false;
  TxError error;  // when !applied
  std::uint64_t height = 0;  // block it was applied in
  std::vector<CharterEvent> events;
};

struct BlockResult {
  std::uint64_t height = 0;  // unchanged when nothing was applied
  Hash digest{};
  bool committed = false;
  std::vector<Receipt> receipts;  // one per input, in order
};

struct LedgerSummary {
  std::uint64_t height = 0;
  Hash digest{};      // state digest (SetDigest over every state key)
  Hash block_hash{};  // chain of blocks: BLAKE2b(previous, height, digest, tx ids)
};

class Ledger {
 public:
  // Opens the ledger in `dir`. A new directory needs the genesis document,
  // whose keys the genesis state records; an existing one resumes from its
  // last committed block and refuses a document other than its own.
  Ledger(const std::string& dir, std::optional<std::string> genesis_document);
  ~Ledger();

  // The ledger's id: BLAKE2b-256 of its genesis document.
  const Hash& id() const { return id_; }

  // Applies the transactions in order and commits those that passed as the
  // next block (nothing is written when none passed). Not thread-safe with
  // itself; the read functions below may run concurrently. `log_index`, when
  // not 0, is the replicated log's entry the block came from, kept with the
  // block (outside the state digest) so that a restarted node goes on
  // reading after it; an entry whose transactions were all refused is read
  // again after a restart and refused again, changing nothing.
  BlockResult apply_block(std::span<const Prepared> txs, std::uint64_t log_index = 0);
  // The log entry of the last committed block (0: none, or the embedded log).
  std::uint64_t log_index() const;

  LedgerSummary summary() const;
  const Store& store() const { return *store_; }

  struct BlockRecord {
    std::uint64_t height = 0;
    Hash digest{};
    Hash block_hash{};
    std::vector<Bytes> transactions;
  };
  std::optional<BlockRecord> block(std::uint64_t height) const;
  // Height of the block that applied the transaction, if any.
  std::optional<std::uint64_t> tx_height(const Hash& id) const;

  // Makes `st` settle share accounts lazily (State::settle): the charter's
  // per-account clauses run for every period boundary since the account was
  // last settled, each with the charter version in force at that boundary.
  // Every transaction's state has it; a reader may install it on a scratch
  // overlay and call State::settle to see accounts as of now. The postings
  // a settlement makes carry the kind advance_period (they are charges of a
  // period boundary) and `tx`: the transaction whose touch of the account
  // collected them (zero in a read-only view).
  void install_settler(State& st, const Hash& tx = {}) const;

  // A charter version's module, parsed and verified once and kept by module
  // id (null when it does not load): the API reads its metadata here
  // instead of parsing the bytes on every request.
  std::shared_ptr<const vm::Module> module(const CharterVersion& c) const { return runtime_->module(c); }

 private:
  Check settle(State& st, std::uint64_t member, const Hash& tx) const;
  Check settle_scope(State& st, std::uint64_t scope, std::uint64_t member, const Hash& tx) const;
  Check apply_tx(State& st, const Prepared& p, std::vector<CharterEvent>& events);
  Check authorise(State& st, const EntryInfo& rule, std::span<const std::int64_t> args, const CallContext& cc);

  Hash id_{};
  std::unique_ptr<Store> store_;
  mutable std::mutex summary_mu_;
  LedgerSummary summary_;
  std::unique_ptr<CharterRuntime> runtime_;
};

// Height, digest and block hash as the chain keys of `kv` record them (the
// store, or a snapshot of it).
LedgerSummary read_summary(const KvReader& kv);

std::string hex(const Hash& h);

}  // namespace artel::node
