// The ledger's state schema: typed records over a key-value overlay.
// docs/ledger.md describes every key; keep them in step.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "codec.h"
#include "crypto.h"
#include "errors.h"
#include "store.h"
#include "vm/module.h"

namespace artel::node {


// A person: a member, or a cooperative (a person of its own kind). Found by
// its current key; memberships, votes and nonces belong to the person.
enum class PersonKind : std::uint8_t { natural = 1, cooperative = 2 };
struct PersonRec {
  PublicKey key{};
  PersonKind kind = PersonKind::natural;
  std::uint64_t coop_id = 0;  // kind cooperative: which cooperative it is
};

// A key a person no longer signs with, and the change that retired it.
struct RetiredKey {
  std::uint64_t person = 0;
  std::uint64_t day = 0;  // the ledger day of the change
  Hash tx{};              // the transaction that made it
};
struct KeyChange {
  PublicKey old_key{}, new_key{};
  std::uint64_t day = 0;
  Hash tx{};
};

// A membership ("member" in charters): a person's place in one cooperative,
// with its own share account. Ids are assigned in order of admission.
struct MemberRec {
  std::uint64_t person = 0;
  std::uint64_t coop_id = 0;      // the cooperative the membership is in
  std::uint64_t member_coop = 0;  // non-zero when the person is a cooperative (a union's member)
  std::uint64_t admitted_day = 0;  // the ledger day of admission
};

struct CoopRec {
  std::uint64_t person = 0;  // the cooperative as a person (its key)
  std::string name;
  std::uint64_t registered_day = 0;
};

// Which version of one cooperative's charter (coop 0: the platform's) is in
// force, the newest deployed, and the one waiting for the next period; and
// the charter's period, which every version keeps (an amendment that
// changes it is refused), so counting periods needs no module.
struct CharterSlot {
  std::uint32_t active = 0;
  std::uint32_t latest = 0;
  std::uint32_t pending = 0;
  vm::PeriodKind period = vm::PeriodKind::Week;
};

// Per-account record. `last_day` is the ledger day of its last posting.
struct AccountRec {
  std::int64_t balance = 0;
  std::uint64_t last_day = 0;
  std::uint64_t postings = 0;  // number of postings; the next posting's sequence
};

struct Posting {
  Hash tx{};
  std::uint64_t day = 0;  // the ledger day (a period's charge: the day its period ended)
  std::int64_t amount = 0;   // signed change of the balance
  std::int64_t balance = 0;  // balance after the change
  std::uint64_t charter_coop = 0;  // whose charter the article is of (0: the platform's)
  std::uint32_t charter_version = 0;
  std::uint32_t article = 0;       // 0: a ledger-native transaction, not a charter rule
  std::uint64_t counterparty = 0;  // account handle; 0: outside the ledger
  std::uint8_t tx_kind = 0;
};

struct CharterVersion {
  std::uint64_t coop = 0;  // 0: the platform charter
  std::uint32_t version = 0;
  Hash module_id{};
  Bytes module;
  std::string source;
  std::uint64_t effective_period = 0;  // in the charter's own periods (weeks or months)
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

// An event a charter emitted: its index in the module's event table, its
// values, and the charter (cooperative and version) that emitted it.
struct CharterEvent {
  std::uint64_t index = 0;
  std::int64_t a = 0, b = 0, c = 0;
  std::uint64_t coop = 0;
  std::uint32_t version = 0;
  // The module's event table, when the host was given it.
  std::shared_ptr<const std::vector<vm::EventDecl>> decls;
  // The event's declaration: its name and its values' names and types.
  const vm::EventDecl* decl() const { return decls && index < decls->size() ? &(*decls)[index] : nullptr; }
};

// An event as the ledger keeps it with its transaction: under its declared
// name, each value with its declared name and type.
struct StoredEvent {
  std::uint64_t coop = 0;  // whose charter emitted it (0: the platform's)
  std::uint32_t version = 0;
  std::string name;
  struct Value {
    std::string name;
    std::string type;
    std::int64_t value = 0;
  };
  std::vector<Value> values;
};
StoredEvent stored_event(const CharterEvent& e);

// Context stamped on every posting a transaction makes.
struct PostingContext {
  Hash tx{};
  std::uint8_t tx_kind = 0;
  std::uint32_t article = 0;
  std::uint64_t charter_coop = 0;  // the charter whose article `article` is
  std::uint32_t charter_version = 0;
};

class State {
 public:
  explicit State(Overlay& kv) : kv_(kv) {}

  // Counters and settings ("G" keys).
  // The ledger's clock: the day, counted from the genesis date (day 0).
  std::uint64_t day() const { return global("day"); }
  // The genesis date, in days since 1970-01-01 (the calendar's origin).
  std::int64_t genesis_day() const { return static_cast<std::int64_t>(global("genesis_day")); }
  std::uint64_t persons_count() const { return global("next_person"); }
  std::uint64_t members_count() const { return global("next_member"); }
  std::uint64_t coops_count() const { return global("next_coop"); }
  // Persons holding at least one membership: the platform's assembly.
  std::uint64_t member_persons_count() const { return global("member_persons"); }

  std::uint64_t global(std::string_view name) const;
  void set_global(std::string_view name, std::uint64_t v);

  // The ledger's id and keys, from its genesis document.
  Hash ledger_id() const;
  void set_ledger_id(const Hash& id);
  bool is_council_key(const PublicKey& pk) const;
  // The operator council: its keys and how many of them must sign a council act.
  std::vector<PublicKey> council_keys() const;
  unsigned council_threshold() const;
  void set_council(const std::vector<PublicKey>& keys, unsigned threshold);
  std::optional<PublicKey> clock_key() const;
  void set_clock_key(const PublicKey& pk);

  // Persons, found by key.
  std::optional<std::uint64_t> person_by_key(const PublicKey& pk) const;
  std::optional<PersonRec> person(std::uint64_t id) const;
  std::uint64_t add_person(const PersonRec& p);
  // A person's key replaced: the old key is retired (never serves again) and
  // the change is kept in the person's key history.
  void change_person_key(std::uint64_t person, const PublicKey& new_key, std::uint64_t day, const Hash& tx);
  std::optional<RetiredKey> retired_key(const PublicKey& pk) const;
  std::vector<KeyChange> key_history(std::uint64_t person) const;
  std::uint64_t nonce(std::uint64_t person) const;
  void set_nonce(std::uint64_t person, std::uint64_t n);
  // Council and clock keys are no persons: their nonces are kept by key.
  std::uint64_t key_nonce(const PublicKey& pk) const;
  void set_key_nonce(const PublicKey& pk, std::uint64_t n);

  std::optional<MemberRec> member(std::uint64_t id) const;
  // Assigns the next membership id (seniority order) and indexes it.
  std::uint64_t add_member(const MemberRec& m);
  // The person's membership in `coop`, if any.
  std::optional<std::uint64_t> membership(std::uint64_t person, std::uint64_t coop) const;
  // Whether the person holds any membership (a voice in the platform's assembly).
  bool holds_membership(std::uint64_t person) const;
  // Whether the person has a vote in the assembly of cooperative `coop` (0:
  // the platform's, where every person holding a membership votes), and
  // how many votes that assembly has: one member, one vote.
  bool votes_in(std::uint64_t person, std::uint64_t coop) const;
  std::uint64_t voters_count(std::uint64_t coop) const;
  // The person's only membership, if it has exactly one.
  std::optional<std::uint64_t> only_membership(std::uint64_t person) const;
  // The person's memberships, in order of cooperative id.
  std::vector<std::uint64_t> memberships(std::uint64_t person) const;
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

  // Events a transaction's charters emitted, kept with it; each member an
  // event names (a value of type member) finds it in its own index.
  void put_events(const Hash& tx, const std::vector<CharterEvent>& events);
  std::vector<StoredEvent> events(const Hash& tx) const;
  std::uint64_t member_events_count(std::uint64_t member) const;
  // The member's events from `from` on, oldest first: (transaction, position in it).
  std::vector<std::pair<Hash, std::uint32_t>> member_events(std::uint64_t member, std::uint64_t from,
                                                            std::uint64_t limit) const;
  // Where the charters' events of the running transaction go (lazy charges
  // included); none in a read-only view.
  void set_event_sink(std::vector<CharterEvent>* sink) { event_sink_ = sink; }
  std::vector<CharterEvent>* event_sink() const { return event_sink_; }

  void put_contribution(const Hash& tx, const ContributionRec& c);
  std::optional<ContributionRec> contribution(const Hash& tx) const;

  // Guarantor relations: who vouches for whom, between members of one
  // cooperative (the network). Both directions are indexed lists, so a
  // count and the i-th entry cost one read each, whatever the network's size.
  bool guarantees(std::uint64_t guarantor, std::uint64_t member) const;
  void add_guarantee(std::uint64_t member, std::uint64_t guarantor);
  void remove_guarantee(std::uint64_t member, std::uint64_t guarantor);
  std::uint64_t guarantors_count(std::uint64_t member) const;
  std::uint64_t guarantor_at(std::uint64_t member, std::uint64_t index) const;
  std::uint64_t guaranteed_count(std::uint64_t guarantor) const;
  std::uint64_t guaranteed_at(std::uint64_t guarantor, std::uint64_t index) const;

  // Charters, per cooperative (coop 0: the platform).
  std::optional<CharterVersion> charter(std::uint64_t coop, std::uint32_t version) const;
  void put_charter(const CharterVersion& c);
  CharterSlot charter_slot(std::uint64_t coop) const;
  void set_charter_slot(std::uint64_t coop, const CharterSlot& s);
  // Cooperatives that have a charter (the platform, 0, first), ascending.
  std::vector<std::uint64_t> chartered_coops() const;

  // Charter state of the charter of cooperative `coop` (0: the platform's):
  // (slot, key) -> value, with a per-slot key count. Each charter sees only
  // its own.
  std::int64_t cstate_get(std::uint64_t coop, std::uint64_t slot, std::int64_t key) const;
  bool cstate_has(std::uint64_t coop, std::uint64_t slot, std::int64_t key) const;
  void cstate_set(std::uint64_t coop, std::uint64_t slot, std::int64_t key, std::int64_t value);
  void cstate_del(std::uint64_t coop, std::uint64_t slot, std::int64_t key);
  std::uint64_t cstate_count(std::uint64_t coop, std::uint64_t slot) const;
  std::optional<std::int64_t> cstate_key_at(std::uint64_t coop, std::uint64_t slot, std::uint64_t index) const;

  Overlay& kv() { return kv_; }

  // Lazy periodic charges (demurrage). A share account is settled, for each
  // charter that binds it (the platform's, then its cooperative's), through
  // some period: that charter's per-account clauses have run for every
  // boundary up to it. Before a share account is read by a charter or posted
  // to, the settler runs the clauses for the boundaries since, so the
  // account is current; an account nobody touches costs nothing at a
  // period boundary.
  using Settler = std::function<Check(State& st, std::uint64_t member)>;
  void set_settler(Settler s) { settler_ = std::move(s); }
  // Brings the member's share account up to the current period (no-op
  // without a settler, or while this member is already being settled).
  Check settle(std::uint64_t member);
  // Through which of that charter's periods the account is settled; nullopt
  // when never (then: through the period of its admission).
  std::optional<std::uint64_t> settled_through(std::uint64_t coop, std::uint64_t member) const;
  void mark_settled(std::uint64_t coop, std::uint64_t member, std::uint64_t period);
  // While a lazy charge for boundary `period` runs, its postings carry that
  // period and the charter version in force then, not today's.
  struct Stamp {
    std::uint64_t day = 0;  // the day the charge's period ended
    std::uint64_t coop = 0;
    std::uint32_t charter_version = 0;
  };
  void set_stamp(std::optional<Stamp> s) { stamp_ = s; }
  std::optional<Stamp> stamp() const { return stamp_; }

 private:
  Overlay& kv_;
  Settler settler_;
  std::set<std::uint64_t> settling_;
  std::optional<Stamp> stamp_;
  std::vector<CharterEvent>* event_sink_ = nullptr;
};

std::string account_name(std::uint64_t handle);
std::optional<std::uint64_t> parse_account_name(std::string_view s);

std::string encode_posting(const Posting& p);
std::optional<Posting> decode_posting(std::string_view s);
std::string encode_charter(const CharterVersion& c);
std::optional<CharterVersion> decode_charter(std::string_view s);

}  // namespace artel::node
