// The ledger's state schema: typed records over a key-value overlay.
// docs/ledger.md describes every key; keep them in step.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "codec.h"
#include "crypto.h"
#include "errors.h"
#include "store.h"

namespace artel::node {


struct MemberRec {
  PublicKey key{};
  std::uint64_t coop_id = 0;      // the cooperative the member belongs to
  std::uint64_t member_coop = 0;  // non-zero when the member is itself a cooperative
  std::uint64_t admitted_period = 0;
};

struct CoopRec {
  PublicKey key{};
  std::string name;
  std::uint64_t registered_period = 0;
};

// Per-account record. `last_period` is the last period in which the account
// was touched, so a later periodic charge (demurrage) can be applied lazily
// on the next touch instead of by a scan at each period boundary.
struct AccountRec {
  std::int64_t balance = 0;
  std::uint64_t last_period = 0;
  std::uint64_t postings = 0;  // number of postings; the next posting's sequence
};

struct Posting {
  Hash tx{};
  std::uint64_t period = 0;
  std::int64_t amount = 0;   // signed change of the balance
  std::int64_t balance = 0;  // balance after the change
  std::uint32_t charter_version = 0;
  std::uint32_t article = 0;       // 0: a ledger-native transaction, not a charter rule
  std::uint64_t counterparty = 0;  // account handle; 0: outside the ledger
  std::uint8_t tx_kind = 0;
};

struct CharterVersion {
  std::uint32_t version = 0;
  Hash module_id{};
  Bytes module;
  std::string source;
  std::uint64_t effective_period = 0;
  Hash tx{};
};

// What a contribution brought in: money, or property with its description
// and valuation (who valued it and how). Kept per transaction, in the state.
struct ContributionRec {
  std::uint64_t member = 0;
  std::int64_t amount = 0;
  std::uint8_t kind = 0;  // ContributionKind: 0 money, 1 property
  std::string description;
  std::string valuation;
};

// Who a public key is on the ledger.
struct SignerRec {
  std::uint64_t member_id = 0;
  std::uint64_t coop_id = 0;
};

// Context stamped on every posting a transaction makes.
struct PostingContext {
  Hash tx{};
  std::uint8_t tx_kind = 0;
  std::uint32_t article = 0;
};

class State {
 public:
  explicit State(Overlay& kv) : kv_(kv) {}

  // Counters and settings ("G" keys).
  std::uint64_t period() const { return global("period"); }
  std::uint64_t members_count() const { return global("next_member"); }
  std::uint64_t coops_count() const { return global("next_coop"); }
  std::uint32_t charter_version() const { return static_cast<std::uint32_t>(global("charter")); }
  std::uint32_t charter_latest() const { return static_cast<std::uint32_t>(global("charter_latest")); }
  std::uint32_t charter_pending() const { return static_cast<std::uint32_t>(global("charter_pending")); }
  std::optional<PublicKey> operator_key() const;
  void set_operator_key(const PublicKey& pk);

  std::uint64_t global(std::string_view name) const;
  void set_global(std::string_view name, std::uint64_t v);

  std::optional<SignerRec> signer(const PublicKey& pk) const;
  void put_signer(const PublicKey& pk, const SignerRec& s);
  std::uint64_t nonce(const PublicKey& pk) const;
  void set_nonce(const PublicKey& pk, std::uint64_t n);

  std::optional<MemberRec> member(std::uint64_t id) const;
  // Assigns the next member id (seniority order) and indexes it.
  std::uint64_t add_member(const MemberRec& m);
  std::optional<CoopRec> coop(std::uint64_t id) const;
  std::uint64_t add_coop(const CoopRec& c);
  // Members of a cooperative (or of the whole ledger for coop 0) in admission order.
  std::uint64_t coop_members_count(std::uint64_t coop) const;
  std::uint64_t coop_member_at(std::uint64_t coop, std::uint64_t index) const;
  // The cooperative account: the sum of its members' share accounts.
  std::int64_t coop_aggregate(std::uint64_t coop) const;

  // Account exists when it has a record or its owner exists.
  Check account_exists(std::uint64_t handle) const;
  AccountRec account(std::uint64_t handle) const;
  std::vector<Posting> postings(std::uint64_t handle, std::uint64_t from, std::uint64_t limit) const;

  // Adds `delta` to one account with checked arithmetic, keeps the owner's
  // cooperative account in step and writes the posting. Fails on overflow, on
  // an unknown account and when a balance would go below zero.
  Check post(std::uint64_t handle, std::int64_t delta, std::uint64_t counterparty,
             const PostingContext& ctx);
  // Moves `amount` (> 0) from one account to another: both postings or neither.
  Check move(std::uint64_t from, std::uint64_t to, std::int64_t amount, const PostingContext& ctx);

  // The clearing (transit) account must be empty when a rule ends; drops it.
  Check end_clearing();

  void put_contribution(const Hash& tx, const ContributionRec& c);
  std::optional<ContributionRec> contribution(const Hash& tx) const;

  std::optional<CharterVersion> charter(std::uint32_t version) const;
  void put_charter(const CharterVersion& c);

  // Charter state: (slot, key) -> value, with a per-slot key count.
  std::int64_t cstate_get(std::uint64_t slot, std::int64_t key) const;
  bool cstate_has(std::uint64_t slot, std::int64_t key) const;
  void cstate_set(std::uint64_t slot, std::int64_t key, std::int64_t value);
  void cstate_del(std::uint64_t slot, std::int64_t key);
  std::uint64_t cstate_count(std::uint64_t slot) const;
  std::optional<std::int64_t> cstate_key_at(std::uint64_t slot, std::uint64_t index) const;

  Overlay& kv() { return kv_; }

  // Lazy periodic charges (demurrage). A share account is settled through
  // the period of its last posting (or the member's admission): the charter's
  // per-account clauses have run for every boundary up to it. Before a share
  // account is read by a charter or posted to, the settler runs the clauses
  // for the boundaries since, so the account is current; an account nobody
  // touches costs nothing at a period boundary.
  using Settler = std::function<Check(State& st, std::uint64_t member)>;
  void set_settler(Settler s) { settler_ = std::move(s); }
  // Brings the member's share account up to the current period (no-op
  // without a settler, or while this member is already being settled).
  Check settle(std::uint64_t member);
  std::uint64_t settled_through(std::uint64_t member) const;
  void mark_settled(std::uint64_t member, std::uint64_t period);
  // While a lazy charge for boundary `period` runs, its postings carry that
  // period and the charter version in force then, not today's.
  struct Stamp {
    std::uint64_t period = 0;
    std::uint32_t charter_version = 0;
  };
  void set_stamp(std::optional<Stamp> s) { stamp_ = s; }
  std::optional<Stamp> stamp() const { return stamp_; }

 private:
  Overlay& kv_;
  Settler settler_;
  std::set<std::uint64_t> settling_;
  std::optional<Stamp> stamp_;
};

std::string account_name(std::uint64_t handle);
std::optional<std::uint64_t> parse_account_name(std::string_view s);

std::string encode_posting(const Posting& p);
std::optional<Posting> decode_posting(std::string_view s);
std::string encode_charter(const CharterVersion& c);
std::optional<CharterVersion> decode_charter(std::string_view s);

}  // namespace artel::node
