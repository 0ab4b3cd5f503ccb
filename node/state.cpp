#include "state.h"

#include <charconv>
#include <cstring>
#include <set>

#include "transaction.h"
#include "vm/abi.h"

namespace artel::node {

namespace {

using abi::AccountKind;

std::string key1(char tag, std::uint64_t a) {
  std::string k(1, tag);
  put_be64(k, a);
  return k;
}
std::string key2(char tag, std::uint64_t a, std::uint64_t b) {
  std::string k = key1(tag, a);
  put_be64(k, b);
  return k;
}
std::string key_pk(char tag, const PublicKey& pk) {
  std::string k(1, tag);
  k.append(reinterpret_cast<const char*>(pk.data()), pk.size());
  return k;
}
// Keys of charter state sort by signed value.
std::uint64_t sortable(std::int64_t v) { return static_cast<std::uint64_t>(v) ^ (1ull << 63); }
std::int64_t unsortable(std::uint64_t v) { return static_cast<std::int64_t>(v ^ (1ull << 63)); }

std::string u64_value(std::uint64_t v) {
  Writer w;
  w.u64(v);
  return w.as_string();
}
std::uint64_t read_u64(const std::optional<std::string>& s) {
  if (!s) return 0;
  Reader r(*s);
  return r.u64();
}

template <std::size_t N>
void read_fixed(Reader& r, std::array<std::uint8_t, N>& out) {
  auto s = r.raw(N);
  if (r.ok()) std::memcpy(out.data(), s.data(), N);
}

std::string encode_member(const MemberRec& m) {
  Writer w;
  w.u64(m.person);
  w.u64(m.coop_id);
  w.u64(m.member_coop);
  w.u64(m.admitted_day);
  return w.as_string();
}
std::string encode_coop(const CoopRec& c) {
  Writer w;
  w.u64(c.person);
  w.str(c.name);
  w.u64(c.registered_day);
  return w.as_string();
}
// Account records start with a format byte so fields can be appended later.
std::string encode_account(const AccountRec& a) {
  Writer w;
  w.u8(1);
  w.i64(a.balance);
  w.u64(a.last_day);
  w.u64(a.postings);
  return w.as_string();
}
AccountRec decode_account(std::string_view s) {
  Reader r(s);
  AccountRec a;
  r.u8();
  a.balance = r.i64();
  a.last_day = r.u64();
  a.postings = r.u64();
  return a;
}

}  // namespace

std::uint64_t State::global(std::string_view name) const {
  return read_u64(kv_.get(std::string("G") + std::string(name)));
}
void State::set_global(std::string_view name, std::uint64_t v) {
  kv_.put(std::string("G") + std::string(name), u64_value(v));
}

Hash State::ledger_id() const {
  Hash h{};
  auto v = kv_.get("Gledger_id");
  if (v && v->size() == h.size()) std::memcpy(h.data(), v->data(), h.size());
  return h;
}
void State::set_ledger_id(const Hash& id) {
  kv_.put("Gledger_id", std::string(reinterpret_cast<const char*>(id.data()), id.size()));
}
bool State::is_council_key(const PublicKey& pk) const { return kv_.get(key_pk('O', pk)).has_value(); }
std::vector<PublicKey> State::council_keys() const {
  std::vector<PublicKey> out;
  auto v = kv_.get("Gcouncil");
  if (!v) return out;
  Reader r(*v);
  const std::uint32_t n = r.u32();
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    PublicKey k{};
    read_fixed(r, k);
    out.push_back(k);
  }
  return out;
}
unsigned State::council_threshold() const {
  return static_cast<unsigned>(std::max<std::uint64_t>(global("council_threshold"), 1));
}
void State::set_council(const std::vector<PublicKey>& keys, unsigned threshold) {
  for (const auto& k : council_keys()) kv_.del(key_pk('O', k));
  Writer w;
  w.u32(static_cast<std::uint32_t>(keys.size()));
  for (const auto& k : keys) {
    w.raw(k);
    kv_.put(key_pk('O', k), u64_value(1));
  }
  kv_.put("Gcouncil", w.as_string());
  set_global("council_threshold", threshold);
}
std::optional<PublicKey> State::clock_key() const {
  auto v = kv_.get("Gclock_key");
  if (!v || v->size() != 32) return std::nullopt;
  PublicKey pk{};
  std::memcpy(pk.data(), v->data(), 32);
  return pk;
}
void State::set_clock_key(const PublicKey& pk) {
  kv_.put("Gclock_key", std::string(reinterpret_cast<const char*>(pk.data()), pk.size()));
}

std::optional<std::uint64_t> State::person_by_key(const PublicKey& pk) const {
  auto v = kv_.get(key_pk('K', pk));
  if (!v) return std::nullopt;
  return read_u64(v);
}
std::optional<PersonRec> State::person(std::uint64_t id) const {
  auto v = kv_.get(key1('I', id));
  if (!v) return std::nullopt;
  Reader r(*v);
  PersonRec p;
  read_fixed(r, p.key);
  p.kind = static_cast<PersonKind>(r.u8());
  p.coop_id = r.u64();
  return p;
}
std::uint64_t State::add_person(const PersonRec& p) {
  std::uint64_t id = persons_count() + 1;
  set_global("next_person", id);
  Writer w;
  w.raw(p.key);
  w.u8(static_cast<std::uint8_t>(p.kind));
  w.u64(p.coop_id);
  kv_.put(key1('I', id), w.as_string());
  kv_.put(key_pk('K', p.key), u64_value(id));
  return id;
}
void State::change_person_key(std::uint64_t person, const PublicKey& new_key, std::uint64_t day, const Hash& tx) {
  auto rec = this->person(person);
  if (!rec) return;
  const PublicKey old_key = rec->key;
  rec->key = new_key;
  Writer w;
  w.raw(rec->key);
  w.u8(static_cast<std::uint8_t>(rec->kind));
  w.u64(rec->coop_id);
  kv_.put(key1('I', person), w.as_string());
  kv_.del(key_pk('K', old_key));
  kv_.put(key_pk('K', new_key), u64_value(person));
  Writer retired;
  retired.u64(person);
  retired.u64(day);
  retired.raw(tx);
  kv_.put(key_pk('U', old_key), retired.as_string());
  const std::uint64_t n = read_u64(kv_.get(key1('J', person)));
  Writer change;
  change.raw(old_key);
  change.raw(new_key);
  change.u64(day);
  change.raw(tx);
  kv_.put(key2('H', person, n), change.as_string());
  kv_.put(key1('J', person), u64_value(n + 1));
}
std::optional<RetiredKey> State::retired_key(const PublicKey& pk) const {
  auto v = kv_.get(key_pk('U', pk));
  if (!v) return std::nullopt;
  Reader r(*v);
  RetiredKey k;
  k.person = r.u64();
  k.day = r.u64();
  read_fixed(r, k.tx);
  return k;
}
std::vector<KeyChange> State::key_history(std::uint64_t person) const {
  std::vector<KeyChange> out;
  const std::uint64_t n = read_u64(kv_.get(key1('J', person)));
  for (std::uint64_t i = 0; i < n; ++i) {
    auto v = kv_.get(key2('H', person, i));
    if (!v) break;
    Reader r(*v);
    KeyChange c;
    read_fixed(r, c.old_key);
    read_fixed(r, c.new_key);
    c.day = r.u64();
    read_fixed(r, c.tx);
    out.push_back(c);
  }
  return out;
}
std::uint64_t State::nonce(std::uint64_t person) const { return read_u64(kv_.get(key1('N', person))); }
void State::set_nonce(std::uint64_t person, std::uint64_t n) { kv_.put(key1('N', person), u64_value(n)); }
std::uint64_t State::key_nonce(const PublicKey& pk) const { return read_u64(kv_.get(key_pk('n', pk))); }
void State::set_key_nonce(const PublicKey& pk, std::uint64_t n) { kv_.put(key_pk('n', pk), u64_value(n)); }

std::optional<MemberRec> State::member(std::uint64_t id) const {
  auto v = kv_.get(key1('M', id));
  if (!v) return std::nullopt;
  Reader r(*v);
  MemberRec m;
  m.person = r.u64();
  m.coop_id = r.u64();
  m.member_coop = r.u64();
  m.admitted_day = r.u64();
  return m;
}

std::uint64_t State::add_member(const MemberRec& m) {
  std::uint64_t id = members_count() + 1;
  set_global("next_member", id);
  kv_.put(key1('M', id), encode_member(m));
  if (!kv_.get(key1('m', m.person)).has_value()) {
    // The person's first membership: one more voice in the platform's assembly.
    kv_.put(key1('m', m.person), u64_value(1));
    set_global("member_persons", member_persons_count() + 1);
  }
  kv_.put(key2('m', m.person, m.coop_id), u64_value(id));
  for (std::uint64_t c : {std::uint64_t(0), m.coop_id}) {
    std::uint64_t n = coop_members_count(c);
    kv_.put(key2('L', c, n), u64_value(id));
    kv_.put(key1('R', c), u64_value(n + 1));
  }
  return id;
}

std::optional<std::uint64_t> State::membership(std::uint64_t person, std::uint64_t coop) const {
  auto v = kv_.get(key2('m', person, coop));
  if (!v) return std::nullopt;
  return read_u64(v);
}

bool State::holds_membership(std::uint64_t person) const { return kv_.get(key1('m', person)).has_value(); }

bool State::votes_in(std::uint64_t person, std::uint64_t coop) const {
  return coop == 0 ? holds_membership(person) : membership(person, coop).has_value();
}

std::uint64_t State::voters_count(std::uint64_t coop) const {
  return coop == 0 ? member_persons_count() : coop_members_count(coop);
}

std::optional<std::uint64_t> State::only_membership(std::uint64_t person) const {
  auto mine = memberships(person);
  if (mine.size() != 1) return std::nullopt;
  return mine[0];
}

std::vector<std::uint64_t> State::memberships(std::uint64_t person) const {
  std::vector<std::uint64_t> out;
  kv_.scan(key1('m', person), [&](std::string_view k, std::string_view v) {
    if (k.size() == 17) out.push_back(Reader(v).u64());
    return true;
  });
  return out;
}

std::optional<CoopRec> State::coop(std::uint64_t id) const {
  auto v = kv_.get(key1('C', id));
  if (!v) return std::nullopt;
  Reader r(*v);
  CoopRec c;
  c.person = r.u64();
  c.name = r.str(1 << 20);
  c.registered_day = r.u64();
  return c;
}

std::uint64_t State::add_coop(const CoopRec& c) {
  std::uint64_t id = coops_count() + 1;
  set_global("next_coop", id);
  kv_.put(key1('C', id), encode_coop(c));
  return id;
}

std::uint64_t State::coop_members_count(std::uint64_t coop) const {
  return read_u64(kv_.get(key1('R', coop)));
}
std::uint64_t State::coop_member_at(std::uint64_t coop, std::uint64_t index) const {
  return read_u64(kv_.get(key2('L', coop, index)));
}
std::int64_t State::coop_aggregate(std::uint64_t coop) const {
  return static_cast<std::int64_t>(read_u64(kv_.get(key1('Q', coop))));
}

Check State::account_exists(std::uint64_t handle) const {
  auto owner = abi::account_owner(handle);
  switch (abi::account_kind(handle)) {
    case AccountKind::share:
      if (owner != 0 && owner <= members_count()) return std::nullopt;
      return TxError{TxCode::unknown_member, "no member " + std::to_string(owner), 0};
    case AccountKind::cooperative:
      if (owner != 0 && owner <= coops_count()) return std::nullopt;
      return TxError{TxCode::unknown_cooperative, "no cooperative " + std::to_string(owner), 0};
    case AccountKind::fund:
      if (owner == 0) return std::nullopt;
      break;
    case AccountKind::clearing:
      if (owner == 0) return std::nullopt;
      break;
    case AccountKind::charter: {
      std::uint64_t m = owner & 0xffffffffu;
      if (m == 0 || m <= members_count()) return std::nullopt;
      return TxError{TxCode::unknown_member, "charter account " + account_name(handle) + " names no member", 0};
    }
  }
  return TxError{TxCode::unknown_account, "no account with handle " + std::to_string(handle), 0};
}

AccountRec State::account(std::uint64_t handle) const {
  auto v = kv_.get(key1('A', handle));
  return v ? decode_account(*v) : AccountRec{};
}

std::vector<Posting> State::postings(std::uint64_t handle, std::uint64_t from,
                                     std::uint64_t limit) const {
  std::vector<Posting> out;
  AccountRec a = account(handle);
  for (std::uint64_t i = from; i < a.postings && out.size() < limit; ++i) {
    auto v = kv_.get(key2('P', handle, i));
    if (!v) continue;
    if (auto p = decode_posting(*v)) out.push_back(*p);
  }
  return out;
}

Check State::settle(std::uint64_t member) {
  if (!settler_ || settling_.count(member)) return std::nullopt;
  settling_.insert(member);
  Check r = settler_(*this, member);
  settling_.erase(member);
  return r;
}

std::optional<std::uint64_t> State::settled_through(std::uint64_t coop, std::uint64_t member) const {
  if (auto v = kv_.get(key2('Y', coop, member))) return read_u64(v);
  return std::nullopt;
}

void State::mark_settled(std::uint64_t coop, std::uint64_t member, std::uint64_t p) {
  kv_.put(key2('Y', coop, member), u64_value(p));
}

Check State::post(std::uint64_t handle, std::int64_t delta, std::uint64_t counterparty,
                  const PostingContext& ctx) {
  if (auto e = account_exists(handle)) return e;
  if (abi::account_kind(handle) == AccountKind::share)
    if (auto e = settle(abi::account_owner(handle))) return e;
  AccountRec a = account(handle);
  std::int64_t next = 0;
  if (__builtin_add_overflow(a.balance, delta, &next))
    return TxError{TxCode::overflow, "balance of " + account_name(handle) + " would overflow", ctx.article};
  if (next < 0)
    return TxError{TxCode::overdraft,
                   "account " + account_name(handle) + " holds " + std::to_string(a.balance) +
                       ", cannot pay " + std::to_string(-delta),
                   ctx.article};
  if (abi::account_kind(handle) == AccountKind::share) {
    auto m = member(abi::account_owner(handle));
    std::int64_t agg = coop_aggregate(m->coop_id), agg_next = 0;
    if (__builtin_add_overflow(agg, delta, &agg_next))
      return TxError{TxCode::overflow,
                     "cooperative account of cooperative " + std::to_string(m->coop_id) +
                         " would overflow",
                     ctx.article};
    kv_.put(key1('Q', m->coop_id), u64_value(static_cast<std::uint64_t>(agg_next)));
  }
  if (abi::account_kind(handle) == AccountKind::clearing) {
    // Transit only: no postings; the ledger checks it is empty again and
    // drops it when the transaction ends (end_clearing).
    a.balance = next;
    kv_.put(key1('A', handle), encode_account(a));
    return std::nullopt;
  }
  Posting p;
  p.tx = ctx.tx;
  p.day = stamp_ ? stamp_->day : day();
  p.amount = delta;
  p.balance = next;
  p.charter_coop = stamp_ ? stamp_->coop : ctx.charter_coop;
  p.charter_version = stamp_ ? stamp_->charter_version : ctx.charter_version;
  p.article = ctx.article;
  p.counterparty = counterparty;
  p.tx_kind = ctx.tx_kind;
  kv_.put(key2('P', handle, a.postings), encode_posting(p));
  a.balance = next;
  a.last_day = p.day;
  a.postings += 1;
  kv_.put(key1('A', handle), encode_account(a));
  return std::nullopt;
}

Check State::move(std::uint64_t from, std::uint64_t to, std::int64_t amount,
                  const PostingContext& ctx) {
  if (amount <= 0)
    return TxError{TxCode::invalid_amount, "amount must be positive, got " + std::to_string(amount),
                   ctx.article};
  if (from == to)
    return TxError{TxCode::invalid_transfer, "transfer from " + account_name(from) + " to itself",
                   ctx.article};
  if (auto e = post(from, -amount, to, ctx)) return e;
  return post(to, amount, from, ctx);
}

Check State::end_clearing() {
  const std::uint64_t h = abi::account_handle(AccountKind::clearing, 0);
  std::int64_t left = account(h).balance;
  if (left != 0)
    return TxError{TxCode::clearing_not_empty,
                   "the clearing account still holds " + std::to_string(left) + " when the rule ends", 0};
  kv_.del(key1('A', h));
  return std::nullopt;
}

StoredEvent stored_event(const CharterEvent& e) {
  StoredEvent s;
  s.coop = e.coop;
  s.version = e.version;
  const vm::EventDecl* d = e.decl();
  s.name = d ? d->name : "event " + std::to_string(e.index);
  const std::int64_t v[3] = {e.a, e.b, e.c};
  const std::size_t n = d ? std::min<std::size_t>(d->params.size(), 3) : 3;
  for (std::size_t i = 0; i < n; ++i)
    s.values.push_back({d ? d->params[i].name : "value" + std::to_string(i + 1), d ? d->params[i].type : "int", v[i]});
  return s;
}

namespace {
std::string tx_tag_key(char tag, const Hash& tx) {
  std::string k(1, tag);
  k.append(reinterpret_cast<const char*>(tx.data()), tx.size());
  return k;
}
}  // namespace

void State::put_events(const Hash& tx, const std::vector<CharterEvent>& events) {
  if (events.empty()) return;
  Writer w;
  w.u32(static_cast<std::uint32_t>(events.size()));
  for (std::uint32_t i = 0; i < events.size(); ++i) {
    const StoredEvent e = stored_event(events[i]);
    w.u64(e.coop);
    w.u32(e.version);
    w.str(e.name);
    w.u32(static_cast<std::uint32_t>(e.values.size()));
    std::set<std::uint64_t> named;
    for (const auto& v : e.values) {
      w.str(v.name);
      w.str(v.type);
      w.i64(v.value);
      if (v.type == "member" && v.value > 0) named.insert(static_cast<std::uint64_t>(v.value));
    }
    for (std::uint64_t m : named) {
      if (!member(m)) continue;
      const std::uint64_t n = member_events_count(m);
      Writer at;
      at.raw(tx);
      at.u32(i);
      kv_.put(key2('e', m, n), at.as_string());
      kv_.put(key1('f', m), u64_value(n + 1));
    }
  }
  kv_.put(tx_tag_key('E', tx), w.as_string());
}

std::vector<StoredEvent> State::events(const Hash& tx) const {
  std::vector<StoredEvent> out;
  auto v = kv_.get(tx_tag_key('E', tx));
  if (!v) return out;
  Reader r(*v);
  const std::uint32_t n = r.u32();
  for (std::uint32_t i = 0; i < n && r.ok(); ++i) {
    StoredEvent e;
    e.coop = r.u64();
    e.version = r.u32();
    e.name = r.str(4096);
    const std::uint32_t k = r.u32();
    for (std::uint32_t j = 0; j < k && j < 3 && r.ok(); ++j) {
      StoredEvent::Value val;
      val.name = r.str(4096);
      val.type = r.str(4096);
      val.value = r.i64();
      e.values.push_back(std::move(val));
    }
    out.push_back(std::move(e));
  }
  return out;
}

std::uint64_t State::member_events_count(std::uint64_t member) const { return read_u64(kv_.get(key1('f', member))); }

std::vector<std::pair<Hash, std::uint32_t>> State::member_events(std::uint64_t member, std::uint64_t from,
                                                                 std::uint64_t limit) const {
  std::vector<std::pair<Hash, std::uint32_t>> out;
  const std::uint64_t n = member_events_count(member);
  for (std::uint64_t i = from; i < n && out.size() < limit; ++i) {
    auto v = kv_.get(key2('e', member, i));
    if (!v) continue;
    Reader r(*v);
    Hash h{};
    read_fixed(r, h);
    const std::uint32_t pos = r.u32();
    if (r.ok()) out.emplace_back(h, pos);
  }
  return out;
}

namespace {
std::string contribution_key(const Hash& tx) {
  std::string k("X");
  k.append(reinterpret_cast<const char*>(tx.data()), tx.size());
  return k;
}
}  // namespace

void State::put_contribution(const Hash& tx, const ContributionRec& c) {
  Writer w;
  w.u64(c.member);
  w.i64(c.amount);
  w.u8(c.kind);
  w.str(c.description);
  w.str(c.valuation);
  kv_.put(contribution_key(tx), w.as_string());
}

std::optional<ContributionRec> State::contribution(const Hash& tx) const {
  auto v = kv_.get(contribution_key(tx));
  if (!v) return std::nullopt;
  Reader r(*v);
  ContributionRec c;
  c.member = r.u64();
  c.amount = r.i64();
  c.kind = r.u8();
  c.description = r.str(max_tx_size);
  c.valuation = r.str(max_tx_size);
  if (!r.ok()) return std::nullopt;
  return c;
}

std::optional<CharterVersion> State::charter(std::uint64_t coop, std::uint32_t version) const {
  auto v = kv_.get(key2('V', coop, version));
  if (!v) return std::nullopt;
  return decode_charter(*v);
}
void State::put_charter(const CharterVersion& c) { kv_.put(key2('V', c.coop, c.version), encode_charter(c)); }

CharterSlot State::charter_slot(std::uint64_t coop) const {
  CharterSlot s;
  if (auto v = kv_.get(key1('W', coop))) {
    Reader r(*v);
    s.active = r.u32();
    s.latest = r.u32();
    s.pending = r.u32();
    s.period = static_cast<vm::PeriodKind>(r.u8());
  }
  return s;
}
void State::set_charter_slot(std::uint64_t coop, const CharterSlot& s) {
  Writer w;
  w.u32(s.active);
  w.u32(s.latest);
  w.u32(s.pending);
  w.u8(static_cast<std::uint8_t>(s.period));
  kv_.put(key1('W', coop), w.as_string());
}
std::vector<std::uint64_t> State::chartered_coops() const {
  std::vector<std::uint64_t> out;
  kv_.scan("W", [&](std::string_view k, std::string_view) {
    if (k.size() == 9) out.push_back(get_be64(k.substr(1)));
    return true;
  });
  return out;
}

// An indexed list of ids per owner: tag `list` holds (owner, i) -> id,
// `count` the length, `where` (owner, id) -> i. Removal moves the last entry
// into the hole, so every operation is a few reads and writes.
namespace {
struct IdList {
  char list, count, where;
};
constexpr IdList kGuarantorsOf{'g', 'r', 'q'};  // member -> its guarantors
constexpr IdList kGuaranteedBy{'h', 's', 'u'};  // guarantor -> whom it vouches for
}  // namespace

static std::uint64_t list_count(const Overlay& kv, IdList l, std::uint64_t owner) {
  return read_u64(kv.get(key1(l.count, owner)));
}
static void list_add(Overlay& kv, IdList l, std::uint64_t owner, std::uint64_t id) {
  const std::uint64_t n = list_count(kv, l, owner);
  kv.put(key2(l.list, owner, n), u64_value(id));
  kv.put(key2(l.where, owner, id), u64_value(n));
  kv.put(key1(l.count, owner), u64_value(n + 1));
}
static void list_remove(Overlay& kv, IdList l, std::uint64_t owner, std::uint64_t id) {
  auto at = kv.get(key2(l.where, owner, id));
  if (!at) return;
  const std::uint64_t i = read_u64(at), last = list_count(kv, l, owner) - 1;
  if (i != last) {
    const std::uint64_t moved = read_u64(kv.get(key2(l.list, owner, last)));
    kv.put(key2(l.list, owner, i), u64_value(moved));
    kv.put(key2(l.where, owner, moved), u64_value(i));
  }
  kv.del(key2(l.list, owner, last));
  kv.del(key2(l.where, owner, id));
  if (last == 0)
    kv.del(key1(l.count, owner));
  else
    kv.put(key1(l.count, owner), u64_value(last));
}

bool State::guarantees(std::uint64_t guarantor, std::uint64_t member) const {
  return kv_.get(key2(kGuarantorsOf.where, member, guarantor)).has_value();
}
void State::add_guarantee(std::uint64_t member, std::uint64_t guarantor) {
  if (guarantees(guarantor, member)) return;
  list_add(kv_, kGuarantorsOf, member, guarantor);
  list_add(kv_, kGuaranteedBy, guarantor, member);
}
void State::remove_guarantee(std::uint64_t member, std::uint64_t guarantor) {
  list_remove(kv_, kGuarantorsOf, member, guarantor);
  list_remove(kv_, kGuaranteedBy, guarantor, member);
}
std::uint64_t State::guarantors_count(std::uint64_t member) const { return list_count(kv_, kGuarantorsOf, member); }
std::uint64_t State::guarantor_at(std::uint64_t member, std::uint64_t index) const {
  return read_u64(kv_.get(key2(kGuarantorsOf.list, member, index)));
}
std::uint64_t State::guaranteed_count(std::uint64_t guarantor) const {
  return list_count(kv_, kGuaranteedBy, guarantor);
}
std::uint64_t State::guaranteed_at(std::uint64_t guarantor, std::uint64_t index) const {
  return read_u64(kv_.get(key2(kGuaranteedBy.list, guarantor, index)));
}

namespace {
std::string key3(char tag, std::uint64_t a, std::uint64_t b, std::uint64_t c) {
  std::string k = key2(tag, a, b);
  put_be64(k, c);
  return k;
}
}  // namespace

std::int64_t State::cstate_get(std::uint64_t coop, std::uint64_t slot, std::int64_t key) const {
  return static_cast<std::int64_t>(read_u64(kv_.get(key3('S', coop, slot, sortable(key)))));
}
bool State::cstate_has(std::uint64_t coop, std::uint64_t slot, std::int64_t key) const {
  return kv_.get(key3('S', coop, slot, sortable(key))).has_value();
}
void State::cstate_set(std::uint64_t coop, std::uint64_t slot, std::int64_t key, std::int64_t value) {
  if (!cstate_has(coop, slot, key)) kv_.put(key2('T', coop, slot), u64_value(cstate_count(coop, slot) + 1));
  kv_.put(key3('S', coop, slot, sortable(key)), u64_value(static_cast<std::uint64_t>(value)));
}
void State::cstate_del(std::uint64_t coop, std::uint64_t slot, std::int64_t key) {
  if (!cstate_has(coop, slot, key)) return;
  kv_.put(key2('T', coop, slot), u64_value(cstate_count(coop, slot) - 1));
  kv_.del(key3('S', coop, slot, sortable(key)));
}
std::uint64_t State::cstate_count(std::uint64_t coop, std::uint64_t slot) const {
  return read_u64(kv_.get(key2('T', coop, slot)));
}
std::optional<std::int64_t> State::cstate_key_at(std::uint64_t coop, std::uint64_t slot, std::uint64_t index) const {
  std::optional<std::int64_t> found;
  std::uint64_t i = 0;
  kv_.scan(key2('S', coop, slot), [&](std::string_view k, std::string_view) {
    if (i++ == index) {
      found = unsortable(get_be64(k.substr(17)));
      return false;
    }
    return true;
  });
  return found;
}

std::string account_name(std::uint64_t handle) {
  auto owner = abi::account_owner(handle);
  switch (abi::account_kind(handle)) {
    case AccountKind::share:
      return "share:" + std::to_string(owner);
    case AccountKind::cooperative:
      return "coop:" + std::to_string(owner);
    case AccountKind::fund:
      return "fund";
    case AccountKind::charter:
      return "charter:" + std::to_string(abi::charter_account_coop(owner)) + ":" +
             std::to_string(abi::charter_account_family(owner)) + ":" + std::to_string(owner & 0xffffffffu);
    case AccountKind::clearing:
      return "clearing";
  }
  return "handle:" + std::to_string(handle);
}

std::optional<std::uint64_t> parse_account_name(std::string_view s) {
  auto number = [](std::string_view t) -> std::optional<std::uint64_t> {
    std::uint64_t v = 0;
    auto [p, ec] = std::from_chars(t.data(), t.data() + t.size(), v);
    if (ec != std::errc() || p != t.data() + t.size() || t.empty()) return std::nullopt;
    return v;
  };
  const std::uint64_t owner_max = (std::uint64_t(1) << 56) - 1;
  if (s == "fund") return abi::account_handle(AccountKind::fund, 0);
  auto colon = s.find(':');
  if (colon == std::string_view::npos) {
    auto n = number(s);  // a bare number is a member's share account
    if (!n || *n > owner_max) return std::nullopt;
    return abi::account_handle(AccountKind::share, *n);
  }
  auto kind = s.substr(0, colon), rest = s.substr(colon + 1);
  if (kind == "share" || kind == "coop") {
    auto n = number(rest);
    if (!n || *n > owner_max) return std::nullopt;
    return abi::account_handle(kind == "share" ? AccountKind::share : AccountKind::cooperative, *n);
  }
  if (kind == "charter") {
    // charter:COOP:FAMILY:MEMBER, or charter:FAMILY:MEMBER for the platform's.
    std::vector<std::optional<std::uint64_t>> parts;
    while (true) {
      auto c2 = rest.find(':');
      parts.push_back(number(rest.substr(0, c2)));
      if (c2 == std::string_view::npos) break;
      rest = rest.substr(c2 + 1);
    }
    if (parts.size() == 2) parts.insert(parts.begin(), std::uint64_t{0});
    if (parts.size() != 3 || !parts[0] || !parts[1] || !parts[2] || *parts[0] > abi::kMaxCharterCoop ||
        *parts[1] > abi::kMaxAccountFamily || *parts[2] > 0xffffffffu)
      return std::nullopt;
    return abi::account_handle(AccountKind::charter, abi::charter_account_owner(*parts[0], *parts[1], *parts[2]));
  }
  return std::nullopt;
}

std::string encode_posting(const Posting& p) {
  Writer w;
  w.raw(p.tx);
  w.u64(p.day);
  w.i64(p.amount);
  w.i64(p.balance);
  w.u64(p.charter_coop);
  w.u32(p.charter_version);
  w.u32(p.article);
  w.u64(p.counterparty);
  w.u8(p.tx_kind);
  return w.as_string();
}

std::optional<Posting> decode_posting(std::string_view s) {
  Reader r(s);
  Posting p;
  read_fixed(r, p.tx);
  p.day = r.u64();
  p.amount = r.i64();
  p.balance = r.i64();
  p.charter_coop = r.u64();
  p.charter_version = r.u32();
  p.article = r.u32();
  p.counterparty = r.u64();
  p.tx_kind = r.u8();
  if (!r.ok()) return std::nullopt;
  return p;
}

std::string encode_charter(const CharterVersion& c) {
  Writer w;
  w.u64(c.coop);
  w.u32(c.version);
  w.raw(c.module_id);
  w.bytes(c.module);
  w.str(c.source);
  w.u64(c.effective_period);
  w.raw(c.tx);
  return w.as_string();
}

std::optional<CharterVersion> decode_charter(std::string_view s) {
  Reader r(s);
  CharterVersion c;
  c.coop = r.u64();
  c.version = r.u32();
  read_fixed(r, c.module_id);
  c.module = r.bytes(1u << 30);
  c.source = r.str(1u << 30);
  c.effective_period = r.u64();
  read_fixed(r, c.tx);
  if (!r.ok()) return std::nullopt;
  return c;
}

}  // namespace artel::node
