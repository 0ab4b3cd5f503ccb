#include "ledger.h"

#include <algorithm>
#include <set>
#include <stdexcept>

#include "vm/abi.h"

namespace artel::node {

namespace {

using abi::AccountKind;

std::uint64_t share(std::uint64_t member) { return abi::account_handle(AccountKind::share, member); }
std::uint64_t own(std::uint64_t coop) { return abi::account_handle(AccountKind::cooperative, coop); }

std::string chain_key(std::string_view tag, std::uint64_t n) {
  std::string k(tag);
  put_be64(k, n);
  return k;
}
std::string tx_key(const Hash& id) {
  std::string k("#t");
  k.append(reinterpret_cast<const char*>(id.data()), id.size());
  return k;
}
Hash read_hash(const std::optional<std::string>& s) {
  Hash h{};
  if (s && s->size() == 32) std::copy(s->begin(), s->end(), h.begin());
  return h;
}
std::string hash_value(const Hash& h) { return std::string(h.begin(), h.end()); }

TxError err(TxCode code, std::string message) { return TxError{code, std::move(message), 0}; }

std::string who(const PublicKey& pk) { return "key " + to_hex(pk).substr(0, 16); }

std::string charter_name(std::uint64_t coop) {
  return coop == 0 ? std::string("the platform charter") : "the charter of cooperative " + std::to_string(coop);
}

// Ledger hooks: rules the ledger itself runs, inside the transaction, for its
// own kinds of transaction when the charter in force defines them. An
// amendment must pass `on_amend`; a contribution, a transfer and a return of
// a share contribution are carried out by `on_contribute`, `on_transfer` and
// `on_return` (docs/ledger.md). A hook is never called through call_rule.
constexpr std::string_view amend_entry = "on_amend";
constexpr std::string_view contribute_hook = "on_contribute";
constexpr std::string_view transfer_hook = "on_transfer";
constexpr std::string_view return_hook = "on_return";

std::string_view hook_kind(std::string_view rule) {
  if (rule == amend_entry) return "amend_charter";
  if (rule == contribute_hook) return "contribute";
  if (rule == transfer_hook) return "transfer";
  if (rule == return_hook) return "return_share";
  return {};
}

__extension__ typedef unsigned __int128 u128;

}  // namespace

std::string hex(const Hash& h) { return to_hex(h); }

// Format 1 kept one charter and keys as members; format 2 keeps persons,
// memberships and a charter per cooperative under the platform's; format 3
// keeps the clock as a day and each charter's periods on it.
constexpr int kLedgerFormat = 3;

LedgerSummary read_summary(const KvReader& kv) {
  LedgerSummary s;
  if (auto h = kv.get("#h")) s.height = Reader(*h).u64();
  s.digest = read_hash(kv.get("#d"));
  s.block_hash = read_hash(kv.get("#H"));
  return s;
}

Prepared prepare(Bytes bytes, const Hash& ledger_id) {
  Prepared p;
  p.id = tx_id(bytes);
  auto d = decode(bytes);
  if (auto* e = std::get_if<DecodeError>(&d)) {
    p.decode_error = "byte " + std::to_string(e->offset) + ": " + e->message;
  } else {
    p.tx = std::move(std::get<Transaction>(d));
    p.signatures_ok = verify_signatures(*p.tx, bytes, ledger_id);
  }
  p.bytes = std::move(bytes);
  return p;
}

Ledger::Ledger(const std::string& dir, std::optional<std::string> genesis_document)
    : store_(std::make_unique<Store>(dir)), runtime_(std::make_unique<CharterRuntime>()) {
  std::optional<Genesis> genesis;
  if (genesis_document) {
    std::string why;
    genesis = Genesis::parse(*genesis_document, why);
    if (!genesis) throw std::runtime_error("genesis document: " + why);
  }
  auto height = store_->get("#h");
  if (!height) {
    if (!genesis)
      throw std::runtime_error("ledger " + dir + " is new: the genesis document is required to create it");
    Overlay first(*store_);
    State st(first);
    st.set_ledger_id(ledger_id(*genesis_document));
    st.set_council(genesis->council, genesis->threshold);
    st.set_clock_key(genesis->clock_key);
    st.set_global("day", 0);
    const auto origin = Calendar::parse_date(genesis->created);
    if (!origin) throw std::runtime_error("genesis document: \"created\" is not a date: " + genesis->created);
    st.set_global("genesis_day", static_cast<std::uint64_t>(*origin));
    SetDigest digest;
    for (const auto& [k, v] : first.writes()) digest.add(k, *v);
    Writer h;
    h.u64(0);
    first.put("#h", h.as_string());
    first.put("#d", hash_value(digest.value()));
    first.put(chain_key("#D", 0), hash_value(digest.value()));
    first.put("#H", hash_value(Hash{}));
    first.put("#g", *genesis_document);
    first.put("#f", std::to_string(kLedgerFormat));
    store_->write(first.writes(), true);
  }
  const auto format = store_->get("#f").value_or("1");
  if (format != std::to_string(kLedgerFormat))
    throw std::runtime_error("the data folder " + dir + " holds a ledger of format " + format +
                             "; this arteld keeps ledgers of format " + std::to_string(kLedgerFormat) +
                             " (no conversion exists: start a new ledger)");
  Overlay view(*store_);
  State st(view);
  id_ = st.ledger_id();
  if (genesis_document && ledger_id(*genesis_document) != id_)
    throw std::runtime_error("ledger " + dir + " has id " + to_hex(id_) + "; the genesis document given is of ledger " +
                             to_hex(ledger_id(*genesis_document)));
  summary_ = read_summary(*store_);
}

Ledger::~Ledger() = default;

LedgerSummary Ledger::summary() const {
  std::lock_guard lock(summary_mu_);
  return summary_;
}

std::optional<Ledger::BlockRecord> Ledger::block(std::uint64_t height) const {
  BlockRecord b;
  b.height = height;
  auto d = store_->get(chain_key("#D", height));
  if (!d) return std::nullopt;
  b.digest = read_hash(d);
  b.block_hash = read_hash(store_->get(chain_key("#B", height)));
  if (auto v = store_->get(chain_key("#b", height))) {
    Reader r(*v);
    std::uint32_t n = r.u32();
    for (std::uint32_t i = 0; i < n && r.ok(); ++i) b.transactions.push_back(r.bytes(max_tx_size));
  }
  return b;
}

std::optional<std::uint64_t> Ledger::tx_height(const Hash& id) const {
  auto v = store_->get(tx_key(id));
  if (!v) return std::nullopt;
  return Reader(*v).u64();
}

std::uint64_t Ledger::log_index() const {
  auto v = store_->get("#L");
  if (!v) return 0;
  return Reader(*v).u64();
}

BlockResult Ledger::apply_block(std::span<const Prepared> txs, std::uint64_t log_index) {
  LedgerSummary prev = summary();
  BlockResult result;
  result.height = prev.height;
  result.digest = prev.digest;
  Overlay block(*store_, true);
  std::vector<const Prepared*> applied;
  for (const auto& p : txs) {
    Receipt r;
    r.id = p.id;
    Overlay txo(static_cast<const KvReader&>(block));  // layered, not a copy
    State st(txo);
    st.set_event_sink(&r.events);
    Check c = apply_tx(st, p, r.events);
    st.set_event_sink(nullptr);
    if (c) {
      r.error = std::move(*c);
      r.events.clear();
    } else {
      st.put_events(p.id, r.events);
      r.applied = true;
      r.height = prev.height + 1;
      txo.commit_into(block);
      applied.push_back(&p);
    }
    result.receipts.push_back(std::move(r));
  }
  if (applied.empty()) return result;

  // Digest: remove each changed key's old pair, add its new one.
  SetDigest digest(prev.digest);
  for (const auto& [k, v] : block.writes()) {
    if (is_chain_key(k)) continue;
    auto old = block.base_value(k);
    if (old == v) continue;
    if (old) digest.remove(k, *old);
    if (v) digest.add(k, *v);
  }
  std::uint64_t height = prev.height + 1;
  Writer rec;
  rec.u32(static_cast<std::uint32_t>(applied.size()));
  Hasher bh;
  Writer hdr;
  hdr.u64(height);
  bh.update(prev.block_hash);
  bh.update(hdr.data());
  bh.update(digest.value());
  for (std::size_t i = 0; i < applied.size(); ++i) {
    rec.bytes(applied[i]->bytes);
    bh.update(applied[i]->id);
    Writer loc;
    loc.u64(height);
    loc.u32(static_cast<std::uint32_t>(i));
    block.put(tx_key(applied[i]->id), loc.as_string());
  }
  Hash block_hash = bh.finish();
  Writer h;
  h.u64(height);
  block.put("#h", h.as_string());
  block.put("#d", hash_value(digest.value()));
  block.put("#H", hash_value(block_hash));
  block.put(chain_key("#D", height), hash_value(digest.value()));
  block.put(chain_key("#B", height), hash_value(block_hash));
  block.put(chain_key("#b", height), rec.as_string());
  if (log_index != 0) {
    Writer li;
    li.u64(log_index);
    block.put("#L", li.as_string());
  }
  store_->write(block.writes(), true);

  {
    std::lock_guard lock(summary_mu_);
    summary_ = LedgerSummary{height, digest.value(), block_hash};
  }
  result.height = height;
  result.digest = digest.value();
  result.committed = true;
  return result;
}

// Enforces the rule's `by` clause as the module records it, term by term
// (vm::Right): every term must hold. `cc.scope` is the cooperative whose
// charter the rule is of (0: the platform's).
Check Ledger::authorise(State& st, const EntryInfo& rule, std::span<const std::int64_t> args,
                        const CallContext& cc) {
  const std::string where = "rule '" + rule.name + "' of " + charter_name(cc.scope);
  if (!rule.is_rule || rule.rights.empty())
    return err(TxCode::unauthorized, where + " runs only at period boundaries");
  const PersonRec signer = cc.signer != 0 ? st.person(cc.signer).value_or(PersonRec{}) : PersonRec{};
  for (const vm::Right& g : rule.rights) {
    switch (g.kind) {
      case vm::RightKind::Member:
        if (cc.caller == 0)
          return err(TxCode::unauthorized, where + " must be signed by a member" +
                                               (cc.scope != 0 ? " of cooperative " + std::to_string(cc.scope) : "") +
                                               "; person " + std::to_string(cc.signer) + " acts as none");
        break;
      case vm::RightKind::Cooperative: {
        if (signer.kind != PersonKind::cooperative || (cc.scope != 0 && signer.coop_id != cc.scope))
          return err(TxCode::unauthorized, where + " must be signed by " +
                                               (cc.scope != 0 ? "cooperative " + std::to_string(cc.scope) + " itself"
                                                              : std::string("a cooperative")) +
                                               "; person " + std::to_string(cc.signer) + " is not it");
        // A cooperative acts only for its own members.
        const std::uint64_t signing_coop = signer.coop_id;
        for (std::size_t i = 0; i < rule.param_types.size() && i < args.size(); ++i) {
          if (rule.param_types[i] != "member") continue;
          auto m = args[i] > 0 ? st.member(static_cast<std::uint64_t>(args[i])) : std::nullopt;
          if (!m)
            return err(TxCode::unknown_member, where + ": argument " + std::to_string(i + 1) + " names no member (" +
                                                   std::to_string(args[i]) + ")");
          if (m->coop_id != signing_coop)
            return err(TxCode::unauthorized, where + ": member " + std::to_string(args[i]) +
                                                 " belongs to cooperative " + std::to_string(m->coop_id) +
                                                 ", not to the signing cooperative " +
                                                 std::to_string(signing_coop));
        }
        break;
      }
      case vm::RightKind::Assembly: {
        // One member, one vote, within the cooperative voting (the platform:
        // every person holding a membership).
        std::uint64_t yes = 0;
        for (std::uint64_t person : cc.approvers) yes += st.votes_in(person, cc.scope);
        const std::uint64_t all = st.voters_count(cc.scope);
        // yes / all >= num / den, exactly: "at least two thirds" is 4 of 6.
        const u128 lhs = static_cast<u128>(yes) * g.den;
        const u128 rhs = static_cast<u128>(all) * g.num;
        if (lhs < rhs || yes == 0)
          return err(TxCode::approval_missing,
                     where + " needs the assembly's approval (" + std::to_string(g.num) + "/" +
                         std::to_string(g.den) + " of " + std::to_string(all) + " members); " +
                         std::to_string(yes) + " approved");
        break;
      }
      case vm::RightKind::Guarantors: {
        // The subject: the member argument the clause names, or the caller.
        std::uint64_t subject = cc.caller;
        if (g.subject != vm::kCallerSubject)
          subject = g.subject < args.size() && args[g.subject] > 0 ? static_cast<std::uint64_t>(args[g.subject]) : 0;
        const auto sm = subject != 0 ? st.member(subject) : std::nullopt;
        if (!sm)
          return err(TxCode::unknown_member, where + " needs the approval of guarantors of member " +
                                                 std::to_string(subject) + ", who does not exist");
        std::uint64_t yes = 0;
        for (std::uint64_t person : cc.approvers)
          if (auto gm = st.membership(person, sm->coop_id)) yes += st.guarantees(*gm, subject);
        if (yes < g.count)
          return err(TxCode::approval_missing,
                     where + " needs " + std::to_string(g.count) + " guarantors of member " +
                         std::to_string(subject) + " to approve; " + std::to_string(yes) + " of its " +
                         std::to_string(st.guarantors_count(subject)) + " did");
        break;
      }
    }
  }
  return std::nullopt;
}

void Ledger::install_settler(State& st, const Hash& tx) const {
  st.set_settler([this, tx](State& s, std::uint64_t member) { return settle(s, member, tx); });
}

// The platform charter binds every share account; then the charter of the
// membership's own cooperative.
Check Ledger::settle(State& st, std::uint64_t member, const Hash& tx) const {
  auto m = st.member(member);
  if (!m) return std::nullopt;
  if (auto e = settle_scope(st, 0, member, tx)) return e;
  return settle_scope(st, m->coop_id, member, tx);
}

Check Ledger::settle_scope(State& st, std::uint64_t scope, std::uint64_t member, const Hash& tx) const {
  const CharterSlot slot = st.charter_slot(scope);
  if (slot.active == 0) return std::nullopt;
  // The charter counts its own periods (weeks or months) on the ledger's
  // clock; an account already settled costs these two reads and no more.
  const Calendar cal(st.genesis_day());
  const vm::PeriodKind kind = slot.period;
  const std::uint64_t now = cal.index(kind, st.day());
  std::uint64_t from = 0;
  if (auto mark = st.settled_through(scope, member)) {
    from = *mark;
  } else {
    auto m = st.member(member);
    from = cal.index(kind, m ? m->admitted_day : st.day());
  }
  if (from >= now) return std::nullopt;
  std::optional<CharterVersion> charter;
  std::vector<std::string> entries;
  // What every run of the version in force needs, looked up once per version.
  std::function<std::string(std::uint64_t)> messages;
  std::shared_ptr<const std::vector<vm::EventDecl>> event_decls;
  for (std::uint64_t q = from + 1; q <= now; ++q) {
    // The version in force at boundary q: the newest activated version
    // whose effective period is not after q.
    std::uint32_t v = 0;
    for (std::uint32_t k = std::min(slot.active, slot.latest); k >= 1; --k) {
      auto c = (charter && charter->version == k) ? charter : st.charter(scope, k);
      if (c && c->effective_period <= q) {
        v = k;
        if (!charter || charter->version != k) {
          // A version whose module no longer loads must not be skipped
          // silently: its charges would be lost for good.
          Check error;
          entries = runtime_->per_account_entries(*c, error);
          if (error) return error;
          charter = c;
          messages = runtime_->messages(*charter);
          event_decls = runtime_->events(*charter);
        }
        break;
      }
    }
    st.mark_settled(scope, member, q);
    if (v == 0 || entries.empty()) continue;
    const std::int64_t balance = st.account(abi::account_handle(abi::AccountKind::share, member)).balance;
    for (const auto& name : entries) {
      CallContext cc;
      cc.scope = scope;
      cc.charter_version = v;
      cc.tx = tx;
      cc.tx_kind = static_cast<std::uint8_t>(TxKind::advance_period);
      cc.period = q;
      cc.message = messages;
      cc.event_decls = event_decls;
      ChartersHost host(st, std::move(cc));
      const auto outer = st.stamp();
      st.set_stamp(State::Stamp{cal.first_day(kind, q), scope, v});
      const std::int64_t args[2] = {static_cast<std::int64_t>(member), balance};
      Check r = runtime_->run(*charter, name, args, host);
      st.set_stamp(outer);
      if (r) return r;
      // A lazy charge's events belong to the transaction that collected it.
      if (auto* sink = st.event_sink()) sink->insert(sink->end(), host.events().begin(), host.events().end());
    }
  }
  st.mark_settled(scope, member, now);
  return std::nullopt;
}

Check Ledger::apply_tx(State& st, const Prepared& p, std::vector<CharterEvent>& events) {
  if (!p.tx) return err(TxCode::malformed, "transaction " + hex(p.id) + ": " + p.decode_error);
  install_settler(st, p.id);
  if (!p.signatures_ok)
    return err(TxCode::bad_signature, "transaction " + hex(p.id) + ": signature of " + who(p.tx->signer) +
                                          " or of an approval does not verify for ledger " + hex(id_).substr(0, 16));
  const Transaction& tx = *p.tx;
  const bool council = st.is_council_key(tx.signer);
  const bool clock = st.clock_key() == tx.signer;
  const std::optional<std::uint64_t> signer = st.person_by_key(tx.signer);
  if (!signer && !council && !clock) {
    if (auto r = st.retired_key(tx.signer))
      return err(TxCode::retired_key, "transaction " + hex(p.id) + ": " + who(tx.signer) + " of person " +
                                          std::to_string(r->person) + " was replaced on " +
                                          Calendar(st.genesis_day()).date(r->day) + " by transaction " +
                                          hex(r->tx).substr(0, 16) + "; the person signs with its new key");
    return err(TxCode::unknown_member, "transaction " + hex(p.id) + ": " + who(tx.signer) +
                                           " is no person on this ledger, nor its council or clock key");
  }
  // Nonces belong to the person (they survive a change of key); the council
  // and clock keys, which are no persons, keep theirs by key.
  std::uint64_t last = signer ? st.nonce(*signer) : st.key_nonce(tx.signer);
  if (tx.nonce != last + 1)
    return err(TxCode::bad_nonce, "transaction " + hex(p.id) + ": nonce " + std::to_string(tx.nonce) + " of " +
                                      who(tx.signer) + (tx.nonce <= last ? " was already used" : " skips ahead") +
                                      " (next is " + std::to_string(last + 1) + ")");
  if (signer)
    st.set_nonce(*signer, tx.nonce);
  else
    st.set_key_nonce(tx.signer, tx.nonce);

  // The council and clock keys are no persons: each signs its own kinds of
  // transaction and nothing else.
  if (!signer) {
    const TxKind k = tx.kind();
    const bool council_kind = k == TxKind::register_coop || k == TxKind::change_council ||
                              (k == TxKind::deploy_charter && std::get<DeployCharter>(tx.body).coop_id == 0);
    if (!(council && council_kind) && !(clock && k == TxKind::advance_period))
      return err(TxCode::unauthorized, std::string(kind_name(k)) + " cannot be signed by " +
                                           (clock ? "the clock key" : "an operator council key") +
                                           ", which is no person on the ledger");
    if (council) {
      // A council act needs as many distinct council keys as the council's
      // threshold: the signer's and the approvals'.
      std::set<PublicKey> keys{tx.signer};
      for (const auto& a : tx.approvals) {
        if (!st.is_council_key(a.key))
          return err(TxCode::bad_approval, std::string(kind_name(k)) + " is a council act; the approval by " +
                                               who(a.key) + " is not by an operator council key");
        if (!keys.insert(a.key).second)
          return err(TxCode::bad_approval, "council " + who(a.key) + " signs " + std::string(kind_name(k)) +
                                               " twice");
      }
      const unsigned need = st.council_threshold();
      if (keys.size() < need)
        return err(TxCode::approval_missing,
                   std::string(kind_name(k)) + " needs " + std::to_string(need) + " of the operator council's " +
                       std::to_string(st.council_keys().size()) + " keys; it carries " +
                       std::to_string(keys.size()));
    }
  }
  const std::uint64_t person = signer.value_or(0);
  const std::optional<PersonRec> signer_rec = signer ? st.person(*signer) : std::nullopt;
  const PostingContext ctx{p.id, static_cast<std::uint8_t>(tx.kind()), 0, 0, 0};
  auto need_council = [&]() -> Check {
    if (council) return std::nullopt;
    return err(TxCode::unauthorized, std::string(kind_name(tx.kind())) +
                                         " must be signed by an operator council key; " + who(tx.signer) +
                                         " is not one");
  };
  // The member's own cooperative must sign contributions and returns.
  auto need_coop_of = [&](std::uint64_t member) -> Check {
    auto m = st.member(member);
    if (!m) return err(TxCode::unknown_member, "no member " + std::to_string(member));
    if (!signer_rec || signer_rec->kind != PersonKind::cooperative || signer_rec->coop_id != m->coop_id)
      return err(TxCode::unauthorized, "member " + std::to_string(member) + " belongs to cooperative " +
                                           std::to_string(m->coop_id) + "; " + who(tx.signer) +
                                           " does not sign for it");
    return std::nullopt;
  };
  auto approvers = [&](std::vector<std::uint64_t>& out) -> Check {
    std::set<std::uint64_t> seen;
    for (const auto& a : tx.approvals) {
      auto who_approved = st.person_by_key(a.key);
      if (!who_approved) {
        if (auto r = st.retired_key(a.key))
          return err(TxCode::bad_approval, "approval by " + who(a.key) + ", retired from person " +
                                               std::to_string(r->person) + " on " +
                                               Calendar(st.genesis_day()).date(r->day) +
                                               "; the person approves with its new key");
        return err(TxCode::bad_approval, "approval by " + who(a.key) + ", who is no person on the ledger");
      }
      if (!seen.insert(*who_approved).second)
        return err(TxCode::bad_approval, "person " + std::to_string(*who_approved) + " approves twice");
      out.push_back(*who_approved);
    }
    return std::nullopt;
  };
  auto make_context = [&](std::uint64_t caller, const CharterVersion& c) {
    CallContext cc;
    cc.caller = caller;
    cc.signer = person;
    cc.scope = c.coop;
    cc.charter_version = c.version;
    cc.tx = p.id;
    cc.tx_kind = static_cast<std::uint8_t>(tx.kind());
    cc.period = Calendar(st.genesis_day()).index(runtime_->period_kind(c), st.day());
    cc.message = runtime_->messages(c);
    cc.event_decls = runtime_->events(c);
    return cc;
  };
  // A hook of the charter in force in `scope`, when it defines one.
  struct Hook {
    CharterVersion charter;
    EntryInfo entry;
    PostingContext ctx;  // the ledger's own postings cite the hook's article
  };
  auto find_hook = [&](std::uint64_t scope, std::string_view name) -> std::optional<Hook> {
    const CharterSlot slot = st.charter_slot(scope);
    if (slot.active == 0) return std::nullopt;
    auto c = st.charter(scope, slot.active);
    if (!c) return std::nullopt;
    auto info = runtime_->entry(*c, name);
    if (!info) return std::nullopt;
    PostingContext hc = ctx;
    hc.article = info->article_ordinal;
    hc.charter_coop = scope;
    hc.charter_version = c->version;
    return Hook{std::move(*c), std::move(*info), hc};
  };
  // The platform charter's hook first, then the cooperative's.
  auto find_hooks = [&](std::uint64_t coop, std::string_view name) {
    std::vector<Hook> out;
    if (auto h = find_hook(0, name)) out.push_back(std::move(*h));
    if (coop != 0)
      if (auto h = find_hook(coop, name)) out.push_back(std::move(*h));
    return out;
  };
  // Runs a rule (or hook) after its `by` clause has been checked.
  auto run_rule = [&](const CharterVersion& c, const EntryInfo& info, std::uint64_t caller,
                      std::span<const std::int64_t> args) -> Check {
    CallContext cc = make_context(caller, c);
    if (auto e = approvers(cc.approvers)) return e;
    if (auto e = authorise(st, info, args, cc)) return e;
    for (const auto& g : info.rights) cc.assembly_approved |= g.kind == vm::RightKind::Assembly;
    ChartersHost host(st, std::move(cc));
    Check r = runtime_->run(c, info.name, args, host);
    events.insert(events.end(), host.events().begin(), host.events().end());
    return r;
  };
  auto run_hooks = [&](const std::vector<Hook>& hooks, std::uint64_t caller,
                       std::span<const std::int64_t> args) -> Check {
    for (const auto& h : hooks)
      if (auto e = run_rule(h.charter, h.entry, caller, args)) return e;
    return std::nullopt;
  };
  auto positive = [&](std::int64_t amount, const char* what) -> Check {
    if (amount > 0) return std::nullopt;
    return err(TxCode::invalid_amount, std::string(what) + " must be positive, got " + std::to_string(amount));
  };
  // The signer's membership that acts in the charter of `coop` when the
  // transaction names none: its membership there, or for the platform
  // charter its only membership; 0 when there is none.
  auto default_acting = [&](std::uint64_t coop) -> std::uint64_t {
    return coop != 0 ? st.membership(person, coop).value_or(0) : st.only_membership(person).value_or(0);
  };
  // Who may deploy or amend a cooperative's charter.
  auto charter_change = [&](std::uint64_t coop, const Bytes& module, const std::string& source,
                            bool first) -> Check {
    if (coop != 0 && !st.coop(coop))
      return err(TxCode::unknown_cooperative, "no cooperative " + std::to_string(coop));
    CharterSlot slot = st.charter_slot(coop);
    if (first) {
      if (coop == 0) {
        if (auto e = need_council()) return e;
      } else if (!signer_rec || signer_rec->kind != PersonKind::cooperative || signer_rec->coop_id != coop) {
        return err(TxCode::unauthorized, "the first charter of cooperative " + std::to_string(coop) +
                                             " is deployed by the cooperative's own key, not by " + who(tx.signer));
      }
      if (slot.latest != 0)
        return err(TxCode::charter_exists, charter_name(coop) + " is deployed already; amend it instead");
      if (auto e = runtime_->validate(module, 1)) return e;
      CharterVersion c{coop, 1, CharterRuntime::module_id(module), module, source, 0, p.id};
      const vm::PeriodKind kind = runtime_->period_kind(c);
      c.effective_period = Calendar(st.genesis_day()).index(kind, st.day());
      st.put_charter(c);
      st.set_charter_slot(coop, CharterSlot{1, 1, 0, kind});
      return std::nullopt;
    }
    if (slot.active == 0) return err(TxCode::no_charter, charter_name(coop) + " is not deployed; deploy it first");
    if (slot.pending != 0)
      return err(TxCode::amendment_pending, "version " + std::to_string(slot.pending) + " of " +
                                                charter_name(coop) + " is already waiting for the next period");
    // The proposer is one of the cooperative's voters and acts as its
    // membership there.
    const std::uint64_t acting = default_acting(coop);
    if (!st.votes_in(person, coop))
      return err(TxCode::unauthorized, "an amendment of " + charter_name(coop) + " is proposed by one of its members; " +
                                           who(tx.signer) + " is none");
    const std::uint32_t v = slot.latest + 1;
    if (auto e = runtime_->validate(module, v)) return e;
    auto current = st.charter(coop, slot.active);
    if (!current) return err(TxCode::no_charter, charter_name(coop) + " has no version " + std::to_string(slot.active));
    if (auto amend = runtime_->entry(*current, amend_entry)) {
      // The charter's amendment rule: its `by` clause says whose approval
      // an amendment needs; its body may demand more.
      if (auto e = run_rule(*current, *amend, acting, {})) {
        if (e->code == TxCode::charter_abort) e->code = TxCode::approval_missing;
        return e;
      }
    } else {
      // Without an on_amend rule a charter demands approval by more than
      // half of its members; the proposer counts when they approved too.
      std::vector<std::uint64_t> yes_persons;
      if (auto e = approvers(yes_persons)) return e;
      std::uint64_t yes = 0;
      for (std::uint64_t a : yes_persons) yes += st.votes_in(a, coop);
      const std::uint64_t all = st.voters_count(coop);
      if (yes * 2 <= all)
        return err(TxCode::approval_missing, "amendment of " + charter_name(coop) + " approved by " +
                                                 std::to_string(yes) + " of " + std::to_string(all) +
                                                 " members; more than half must approve");
    }
    // In force from the start of the charter's next period (week or month).
    CharterVersion nc{coop, v, CharterRuntime::module_id(module), module, source, 0, p.id};
    const vm::PeriodKind kind = slot.period;
    if (runtime_->period_kind(nc) != kind)
      return err(TxCode::invalid, "version " + std::to_string(v) + " of " + charter_name(coop) +
                                      " counts its periods in " + (kind == vm::PeriodKind::Week ? "months" : "weeks") +
                                      ", the charter in force in " +
                                      (kind == vm::PeriodKind::Week ? "weeks" : "months") +
                                      "; a charter keeps its period");
    nc.effective_period = Calendar(st.genesis_day()).index(kind, st.day()) + 1;
    st.put_charter(nc);
    slot.latest = v;
    slot.pending = v;
    st.set_charter_slot(coop, slot);
    return std::nullopt;
  };

  // A key given to a person, the council or the clock must be no person's,
  // now or before (a retired key never comes back).
  auto key_is_free = [&](const PublicKey& k, bool council_act = false) -> Check {
    if (!council_act && (st.is_council_key(k) || st.clock_key() == k))
      return err(TxCode::invalid, who(k) + " is a council or clock key, which is no person's");
    if (auto holder = st.person_by_key(k))
      return err(TxCode::duplicate, who(k) + " is already the key of person " + std::to_string(*holder));
    if (auto r = st.retired_key(k))
      return err(TxCode::invalid, who(k) + " was person " + std::to_string(r->person) + "'s until " +
                                      Calendar(st.genesis_day()).date(r->day) + "; a retired key never serves again");
    return std::nullopt;
  };

  return std::visit(
      [&](const auto& b) -> Check {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, RegisterCoop>) {
          if (auto e = need_council()) return e;
          if (b.name.empty()) return err(TxCode::invalid, "a cooperative needs a name");
          if (auto e = key_is_free(b.coop_key)) return e;
          const std::uint64_t id = st.coops_count() + 1;
          const std::uint64_t coop_person = st.add_person(PersonRec{b.coop_key, PersonKind::cooperative, id});
          if (st.add_coop(CoopRec{coop_person, b.name, st.day()}) != id)
            return err(TxCode::invalid, "cooperative ids out of step");
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, AdmitMember>) {
          if (!st.coop(b.coop_id))
            return err(TxCode::unknown_cooperative, "no cooperative " + std::to_string(b.coop_id));
          if (!signer_rec || signer_rec->kind != PersonKind::cooperative || signer_rec->coop_id != b.coop_id)
            return err(TxCode::unauthorized, "admission to cooperative " + std::to_string(b.coop_id) +
                                                 " must be signed by its key, not by " + who(tx.signer));
          std::optional<std::uint64_t> who_joins = st.person_by_key(b.person_key);
          if (!who_joins)
            if (auto e = key_is_free(b.person_key)) return e;
          if (b.member_coop != 0) {
            auto mc = st.coop(b.member_coop);
            if (!mc) return err(TxCode::unknown_cooperative, "no cooperative " + std::to_string(b.member_coop));
            if (b.member_coop == b.coop_id)
              return err(TxCode::invalid, "cooperative " + std::to_string(b.coop_id) + " cannot be its own member");
            if (who_joins != mc->person)
              return err(TxCode::invalid, "the key is not the key of cooperative " + std::to_string(b.member_coop));
          } else if (who_joins) {
            auto pr = st.person(*who_joins);
            if (pr && pr->kind == PersonKind::cooperative)
              return err(TxCode::invalid, "the key is cooperative " + std::to_string(pr->coop_id) +
                                              "'s; admit a cooperative with member_coop set");
          }
          if (who_joins)
            if (auto existing = st.membership(*who_joins, b.coop_id))
              return err(TxCode::duplicate, "person " + std::to_string(*who_joins) + " is already member " +
                                                std::to_string(*existing) + " of cooperative " +
                                                std::to_string(b.coop_id));
          const std::uint64_t joining =
              who_joins ? *who_joins : st.add_person(PersonRec{b.person_key, PersonKind::natural, 0});
          st.add_member(MemberRec{joining, b.coop_id, b.member_coop, st.day()});
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, Contribute>) {
          if (auto e = need_coop_of(b.member_id)) return e;
          if (auto e = positive(b.amount, "a contribution")) return e;
          if (b.kind == ContributionKind::property && (b.description.empty() || b.valuation.empty()))
            return err(TxCode::invalid, "a property contribution needs a description and a valuation");
          st.put_contribution(p.id, ContributionRec{b.member_id, b.amount, static_cast<std::uint8_t>(b.kind),
                                                    b.description, b.valuation});
          const std::uint64_t coop = st.member(b.member_id)->coop_id;
          auto hooks = find_hooks(coop, contribute_hook);
          if (hooks.empty()) return st.post(share(b.member_id), b.amount, 0, ctx);
          // The cooperative has received the money (or property valued in
          // money) for the member; the charters say what becomes of it.
          if (auto e = st.post(own(coop), b.amount, 0, hooks.back().ctx)) return e;
          const std::int64_t args[2] = {static_cast<std::int64_t>(b.member_id), b.amount};
          return run_hooks(hooks, 0, args);
        } else if constexpr (std::is_same_v<T, Transfer>) {
          if (auto e = positive(b.amount, "a transfer")) return e;
          // The paying membership is the signer's.
          std::uint64_t from = b.from_member;
          if (from == 0) {
            auto only = st.only_membership(person);
            if (!only)
              return err(TxCode::invalid, "person " + std::to_string(person) + " holds " +
                                              std::to_string(st.memberships(person).size()) +
                                              " memberships; the transfer must name the paying one");
            from = *only;
          }
          auto fm = st.member(from);
          if (!fm) return err(TxCode::unknown_member, "no member " + std::to_string(from));
          if (fm->person != person || person == 0)
            return err(TxCode::unauthorized, "member " + std::to_string(from) + " is not the signer's (" +
                                                 who(tx.signer) + ")");
          // The receiving person; a named membership alone also names its person.
          std::uint64_t to_person = b.to_person;
          if (to_person == 0 && b.to_member != 0) {
            auto tm = st.member(b.to_member);
            if (!tm)
              return err(TxCode::unknown_member, "transfer to member " + std::to_string(b.to_member) +
                                                     ", who does not exist");
            to_person = tm->person;
          }
          if (!st.person(to_person))
            return err(TxCode::unknown_member, "transfer to person " + std::to_string(to_person) +
                                                   ", who does not exist");
          std::uint64_t to = b.to_member;
          if (to == 0) {
            auto only = st.only_membership(to_person);
            if (!only)
              return err(TxCode::invalid, "person " + std::to_string(to_person) + " holds " +
                                              std::to_string(st.memberships(to_person).size()) +
                                              " memberships; the transfer must name the receiving one");
            to = *only;
          }
          auto tm = st.member(to);
          if (!tm || tm->person != to_person)
            return err(TxCode::unknown_member, "member " + std::to_string(to) + " is not person " +
                                                   std::to_string(to_person) + "'s");
          auto hooks = find_hooks(fm->coop_id, transfer_hook);
          if (hooks.empty()) return st.move(share(from), share(to), b.amount, ctx);
          const std::int64_t args[2] = {static_cast<std::int64_t>(to), b.amount};
          return run_hooks(hooks, from, args);
        } else if constexpr (std::is_same_v<T, ReturnShare>) {
          if (auto e = need_coop_of(b.member_id)) return e;
          if (auto e = positive(b.amount, "a return")) return e;
          const std::uint64_t coop = st.member(b.member_id)->coop_id;
          auto hooks = find_hooks(coop, return_hook);
          if (hooks.empty()) return st.post(share(b.member_id), -b.amount, 0, ctx);
          // The charters move the return to the cooperative, which pays it
          // out to the member: it leaves the ledger from the own account.
          const std::int64_t args[2] = {static_cast<std::int64_t>(b.member_id), b.amount};
          if (auto e = run_hooks(hooks, 0, args)) return e;
          return st.post(own(coop), -b.amount, 0, hooks.back().ctx);
        } else if constexpr (std::is_same_v<T, CallRule>) {
          if (b.coop_id != 0 && !st.coop(b.coop_id))
            return err(TxCode::unknown_cooperative, "no cooperative " + std::to_string(b.coop_id));
          const CharterSlot slot = st.charter_slot(b.coop_id);
          auto c = slot.active != 0 ? st.charter(b.coop_id, slot.active) : std::nullopt;
          if (!c) return err(TxCode::no_charter, charter_name(b.coop_id) + " is not deployed");
          auto info = runtime_->entry(*c, b.rule);
          if (!info || !info->is_rule)
            return err(TxCode::unknown_rule, charter_name(b.coop_id) + " version " + std::to_string(c->version) +
                                                 " has no rule '" + b.rule + "'");
          if (auto k = hook_kind(b.rule); !k.empty())
            return err(TxCode::unknown_rule, "rule '" + b.rule + "' is run by the ledger with a " +
                                                 std::string(k) + " transaction, not by call_rule");
          // The acting membership: named, or the signer's in that cooperative.
          std::uint64_t acting = b.member_id;
          if (acting != 0) {
            auto m = st.member(acting);
            if (!m) return err(TxCode::unknown_member, "no member " + std::to_string(acting));
            if (m->person != person || person == 0)
              return err(TxCode::unauthorized, "member " + std::to_string(acting) + " is not the signer's (" +
                                                   who(tx.signer) + ")");
            if (b.coop_id != 0 && m->coop_id != b.coop_id)
              return err(TxCode::unauthorized, "member " + std::to_string(acting) + " belongs to cooperative " +
                                                   std::to_string(m->coop_id) + ", not to " +
                                                   std::to_string(b.coop_id));
          } else {
            acting = default_acting(b.coop_id);
          }
          return run_rule(*c, *info, acting, b.args);
        } else if constexpr (std::is_same_v<T, AdvancePeriod>) {
          if (!clock)
            return err(TxCode::unauthorized, "advance_period must be signed by the clock key; " + who(tx.signer) +
                                                 " is not it");
          const std::uint64_t now = st.day();
          const Calendar cal(st.genesis_day());
          if (b.to_day <= now || b.to_day - now > kMaxClockStep)
            return err(TxCode::bad_period, "the ledger's day is " + std::to_string(now) + " (" + cal.date(now) +
                                               "); the clock moves to a later day, at most " +
                                               std::to_string(kMaxClockStep) + " days at once, not to day " +
                                               std::to_string(b.to_day));
          // Every period boundary the move crosses, of every charter, in the
          // order of the calendar; on one day the platform's first, then the
          // cooperatives' in order of id. At each: the charter's pending
          // amendment takes effect if due, then its periodic clauses run,
          // with the clock at the boundary's day.
          struct Boundary {
            std::uint64_t day, coop, index;
          };
          std::vector<Boundary> boundaries;
          for (std::uint64_t coop : st.chartered_coops()) {
            const CharterSlot slot = st.charter_slot(coop);
            if (slot.active == 0) continue;
            for (std::uint64_t q = cal.index(slot.period, now) + 1; q <= cal.index(slot.period, b.to_day); ++q)
              boundaries.push_back({cal.first_day(slot.period, q), coop, q});
          }
          std::stable_sort(boundaries.begin(), boundaries.end(), [](const Boundary& x, const Boundary& y) {
            return x.day != y.day ? x.day < y.day : x.coop < y.coop;
          });
          for (const Boundary& at : boundaries) {
            st.set_global("day", at.day);
            CharterSlot slot = st.charter_slot(at.coop);
            if (slot.pending != 0) {
              auto pc = st.charter(at.coop, slot.pending);
              if (pc && pc->effective_period <= at.index) {
                slot.active = slot.pending;
                slot.pending = 0;
                st.set_charter_slot(at.coop, slot);
              }
            }
            auto c = st.charter(at.coop, slot.active);
            if (!c) continue;
            for (const auto& name : runtime_->periodic_entries(*c)) {
              ChartersHost host(st, make_context(0, *c));
              if (Check r = runtime_->run(*c, name, {}, host)) return r;
              events.insert(events.end(), host.events().begin(), host.events().end());
            }
          }
          st.set_global("day", b.to_day);
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, DeployCharter>) {
          return charter_change(b.coop_id, b.module, b.source, true);
        } else if constexpr (std::is_same_v<T, AmendCharter>) {
          return charter_change(b.coop_id, b.module, b.source, false);
        } else if constexpr (std::is_same_v<T, RotateKey>) {
          if (b.new_key == tx.signer) return err(TxCode::invalid, "rotate_key: the new key is the key in use");
          if (auto e = key_is_free(b.new_key)) return e;
          // The new key's approval proves that its holder agreed.
          if (tx.approvals.size() != 1 || tx.approvals[0].key != b.new_key)
            return err(TxCode::approval_missing, "rotate_key needs exactly one approval, by the new key " +
                                                     who(b.new_key) + ", proving its holder agreed");
          st.change_person_key(person, b.new_key, st.day(), p.id);
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, ChangeCouncil>) {
          if (b.keys.empty() || b.threshold < 1 || b.threshold > b.keys.size())
            return err(TxCode::invalid, "change_council: a council needs at least one key and a threshold from 1 to "
                                        "its number of keys (" + std::to_string(b.keys.size()) + " keys, threshold " +
                                        std::to_string(b.threshold) + ")");
          std::set<PublicKey> seen;
          for (const auto& k : b.keys) {
            if (!seen.insert(k).second)
              return err(TxCode::invalid, "change_council: " + who(k) + " is listed twice");
            if (k == b.clock_key)
              return err(TxCode::invalid, "change_council: the clock key must not be a council key");
            if (auto e = key_is_free(k, true)) return e;
          }
          if (auto e = key_is_free(b.clock_key, true)) return e;
          st.set_council(b.keys, b.threshold);
          st.set_clock_key(b.clock_key);
          return std::nullopt;
        }
      },
      tx.body);
}

}  // namespace artel::node
