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

std::string who(const PublicKey& pk) { return "signer " + to_hex(pk).substr(0, 16); }

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

LedgerSummary read_summary(const KvReader& kv) {
  LedgerSummary s;
  if (auto h = kv.get("#h")) s.height = Reader(*h).u64();
  s.digest = read_hash(kv.get("#d"));
  s.block_hash = read_hash(kv.get("#H"));
  return s;
}

Prepared prepare(Bytes bytes) {
  Prepared p;
  p.id = tx_id(bytes);
  auto d = decode(bytes);
  if (auto* e = std::get_if<DecodeError>(&d)) {
    p.decode_error = "byte " + std::to_string(e->offset) + ": " + e->message;
  } else {
    p.tx = std::move(std::get<Transaction>(d));
    p.signatures_ok = verify_signatures(*p.tx, bytes);
  }
  p.bytes = std::move(bytes);
  return p;
}

Ledger::Ledger(const std::string& dir, std::optional<PublicKey> operator_key)
    : store_(std::make_unique<Store>(dir)), runtime_(std::make_unique<CharterRuntime>()) {
  auto height = store_->get("#h");
  if (!height) {
    if (!operator_key)
      throw std::runtime_error("ledger " + dir + " is new: the operator key is required to create it");
    Overlay genesis(*store_);
    State st(genesis);
    st.set_operator_key(*operator_key);
    st.set_global("period", 0);
    SetDigest digest;
    for (const auto& [k, v] : genesis.writes()) digest.add(k, *v);
    Writer h;
    h.u64(0);
    genesis.put("#h", h.as_string());
    genesis.put("#d", hash_value(digest.value()));
    genesis.put(chain_key("#D", 0), hash_value(digest.value()));
    genesis.put("#H", hash_value(Hash{}));
    store_->write(genesis.writes(), true);
  }
  Overlay view(*store_);
  State st(view);
  if (operator_key && st.operator_key() != operator_key)
    throw std::runtime_error("ledger " + dir + " was created with operator key " +
                             to_hex(*st.operator_key()) + ", not " + to_hex(*operator_key));
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

BlockResult Ledger::apply_block(std::span<const Prepared> txs) {
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
    Check c = apply_tx(st, p, r.events);
    if (c) {
      r.error = std::move(*c);
    } else {
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
// (vm::Right): every term must hold.
Check Ledger::authorise(State& st, const EntryInfo& rule, std::span<const std::int64_t> args,
                        const CallContext& cc) {
  const std::string where = "rule '" + rule.name + "'";
  if (!rule.is_rule || rule.rights.empty())
    return err(TxCode::unauthorized, where + " runs only at period boundaries");
  auto signer = st.signer(cc.signer);
  for (const vm::Right& g : rule.rights) {
    switch (g.kind) {
      case vm::RightKind::Member:
        if (!signer || signer->member_id == 0)
          return err(TxCode::unknown_member, where + " must be signed by a member; " + who(cc.signer) + " is not one");
        break;
      case vm::RightKind::Cooperative:
        if (!signer || signer->coop_id == 0)
          return err(TxCode::unauthorized, where + " must be signed by a cooperative; " + who(cc.signer) + " is not one");
        // A cooperative acts only for its own members.
        for (std::size_t i = 0; i < rule.param_types.size() && i < args.size(); ++i) {
          if (rule.param_types[i] != "member") continue;
          auto m = args[i] > 0 ? st.member(static_cast<std::uint64_t>(args[i])) : std::nullopt;
          if (!m) return err(TxCode::unknown_member, where + ": argument " + std::to_string(i + 1) + " names no member (" +
                                                   std::to_string(args[i]) + ")");
          if (m->coop_id != signer->coop_id)
            return err(TxCode::unauthorized, where + ": member " + std::to_string(args[i]) + " belongs to cooperative " +
                                           std::to_string(m->coop_id) + ", not to the signing cooperative " +
                                           std::to_string(signer->coop_id));
        }
        break;
      case vm::RightKind::Assembly: {
        std::uint64_t yes = 0, all = st.members_count();
        for (const auto& s : cc.approvers) yes += s.member_id != 0;
        // yes / all >= num / den, exactly: "at least two thirds" is 4 of 6.
        const u128 lhs = static_cast<u128>(yes) * g.den;
        const u128 rhs = static_cast<u128>(all) * g.num;
        if (lhs < rhs || yes == 0)
          return err(TxCode::approval_missing, where + " needs the assembly's approval (" + std::to_string(g.num) + "/" +
                                             std::to_string(g.den) + " of " + std::to_string(all) + " members); " +
                                             std::to_string(yes) + " approved");
        break;
      }
      case vm::RightKind::Guarantors:
        return err(TxCode::approval_missing, where + " needs " + std::to_string(g.count) +
                                           " guarantors' approval, and this ledger has no guarantor relations yet");
    }
  }
  return std::nullopt;
}

void Ledger::install_settler(State& st, const Hash& tx) const {
  st.set_settler([this, tx](State& s, std::uint64_t member) { return settle(s, member, tx); });
}

Check Ledger::settle(State& st, std::uint64_t member, const Hash& tx) const {
  const std::uint64_t now = st.period();
  const std::uint64_t from = st.settled_through(member);
  if (from >= now || !st.member(member)) return std::nullopt;
  const std::uint32_t active = st.charter_version();
  const std::uint32_t latest = st.charter_latest();
  std::optional<CharterVersion> charter;
  std::vector<std::string> entries;
  for (std::uint64_t q = from + 1; q <= now; ++q) {
    // The version in force at boundary q: the newest activated version
    // whose effective period is not after q.
    std::uint32_t v = 0;
    for (std::uint32_t k = std::min(active, latest); k >= 1; --k) {
      auto c = (charter && charter->version == k) ? charter : st.charter(k);
      if (c && c->effective_period <= q) {
        v = k;
        if (!charter || charter->version != k) {
          // A version whose module no longer loads must not be skipped
          // silently: its charges would be lost for good.
          Check error;
          entries = runtime_->per_account_entries(*c, error);
          if (error) return error;
          charter = c;
        }
        break;
      }
    }
    st.mark_settled(member, q);
    if (v == 0 || entries.empty()) continue;
    const std::int64_t balance =
        st.account(abi::account_handle(abi::AccountKind::share, member)).balance;
    for (const auto& name : entries) {
      CallContext cc;
      cc.caller = 0;
      cc.tx = tx;
      cc.tx_kind = static_cast<std::uint8_t>(TxKind::advance_period);
      CharterRuntime* rt = runtime_.get();
      CharterVersion cv = *charter;
      cc.message = [rt, cv](std::uint64_t i) { return rt->message(cv, i); };
      ChartersHost host(st, std::move(cc));
      const auto outer = st.stamp();
      st.set_stamp(State::Stamp{q, v});
      const std::int64_t args[2] = {static_cast<std::int64_t>(member), balance};
      Check r = runtime_->run(*charter, name, args, host);
      st.set_stamp(outer);
      if (r) return r;
    }
  }
  st.mark_settled(member, now);
  return std::nullopt;
}

Check Ledger::apply_tx(State& st, const Prepared& p, std::vector<CharterEvent>& events) {
  if (!p.tx) return err(TxCode::malformed, "transaction " + hex(p.id) + ": " + p.decode_error);
  install_settler(st, p.id);
  if (!p.signatures_ok)
    return err(TxCode::bad_signature, "transaction " + hex(p.id) + ": signature of " + who(p.tx->signer) +
                                    " or of an approval does not verify");
  const Transaction& tx = *p.tx;
  std::uint64_t last = st.nonce(tx.signer);
  if (tx.nonce != last + 1)
    return err(TxCode::bad_nonce, "transaction " + hex(p.id) + ": nonce " + std::to_string(tx.nonce) +
                                " of " + who(tx.signer) +
                                (tx.nonce <= last ? " was already used" : " skips ahead") +
                                " (next is " + std::to_string(last + 1) + ")");
  st.set_nonce(tx.signer, tx.nonce);

  const auto signer = st.signer(tx.signer);
  const PostingContext ctx{p.id, static_cast<std::uint8_t>(tx.kind()), 0};
  auto need_operator = [&]() -> Check {
    if (st.operator_key() == tx.signer) return std::nullopt;
    return err(TxCode::unauthorized, std::string(kind_name(tx.kind())) + " must be signed by the operator key, " +
                                   who(tx.signer) + " is not it");
  };
  auto need_member = [&]() -> Check {
    if (signer && signer->member_id != 0) return std::nullopt;
    return err(TxCode::unknown_member, who(tx.signer) + " is not a member");
  };
  // The member's own cooperative must sign contributions and returns.
  auto need_coop_of = [&](std::uint64_t member) -> Check {
    auto m = st.member(member);
    if (!m) return err(TxCode::unknown_member, "no member " + std::to_string(member));
    if (!signer || signer->coop_id != m->coop_id)
      return err(TxCode::unauthorized, "member " + std::to_string(member) + " belongs to cooperative " +
                                     std::to_string(m->coop_id) + "; " + who(tx.signer) +
                                     " does not sign for it");
    return std::nullopt;
  };
  auto approvers = [&](std::vector<SignerRec>& out) -> Check {
    std::set<PublicKey> seen;
    for (const auto& a : tx.approvals) {
      if (!seen.insert(a.key).second)
        return err(TxCode::bad_approval, "approval by " + who(a.key) + " appears twice");
      auto s = st.signer(a.key);
      if (!s) return err(TxCode::bad_approval, "approval by " + who(a.key) + ", who is not on the ledger");
      out.push_back(*s);
    }
    return std::nullopt;
  };
  auto make_context = [&](std::uint64_t caller, const CharterVersion& c) {
    CallContext cc;
    cc.caller = caller;
    cc.signer = tx.signer;
    cc.tx = p.id;
    cc.tx_kind = static_cast<std::uint8_t>(tx.kind());
    CharterRuntime* rt = runtime_.get();
    cc.message = [rt, c](std::uint64_t i) { return rt->message(c, i); };
    return cc;
  };
  // The charter in force and its hook `name`, when it defines one.
  struct Hook {
    CharterVersion charter;
    EntryInfo entry;
    PostingContext ctx;  // the ledger's own postings cite the hook's article
  };
  auto find_hook = [&](std::string_view name) -> std::optional<Hook> {
    auto c = st.charter(st.charter_version());
    if (!c) return std::nullopt;
    auto info = runtime_->entry(*c, name);
    if (!info) return std::nullopt;
    PostingContext hc = ctx;
    hc.article = info->article_ordinal;
    return Hook{std::move(*c), std::move(*info), hc};
  };
  // Runs a rule (or hook) of the charter in force for this transaction,
  // after its `by` clause has been checked.
  auto run_rule = [&](const CharterVersion& c, const EntryInfo& info, std::span<const std::int64_t> args) -> Check {
    CallContext cc = make_context(signer ? signer->member_id : 0, c);
    if (auto e = approvers(cc.approvers)) return e;
    if (auto e = authorise(st, info, args, cc)) return e;
    ChartersHost host(st, std::move(cc));
    Check r = runtime_->run(c, info.name, args, host);
    events = host.events();
    return r;
  };
  auto positive = [&](std::int64_t amount, const char* what) -> Check {
    if (amount > 0) return std::nullopt;
    return err(TxCode::invalid_amount, std::string(what) + " must be positive, got " + std::to_string(amount));
  };

  return std::visit(
      [&](const auto& b) -> Check {
        using T = std::decay_t<decltype(b)>;
        if constexpr (std::is_same_v<T, RegisterCoop>) {
          if (auto e = need_operator()) return e;
          if (b.name.empty()) return err(TxCode::invalid, "a cooperative needs a name");
          auto existing = st.signer(b.coop_key);
          if (existing && existing->coop_id != 0)
            return err(TxCode::duplicate, "key " + to_hex(b.coop_key).substr(0, 16) +
                                        " already signs for cooperative " +
                                        std::to_string(existing->coop_id));
          std::uint64_t id = st.add_coop(CoopRec{b.coop_key, b.name, st.period()});
          SignerRec s = existing.value_or(SignerRec{});
          s.coop_id = id;
          st.put_signer(b.coop_key, s);
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, AdmitMember>) {
          if (!st.coop(b.coop_id))
            return err(TxCode::unknown_cooperative, "no cooperative " + std::to_string(b.coop_id));
          if (!signer || signer->coop_id != b.coop_id)
            return err(TxCode::unauthorized, "admission to cooperative " + std::to_string(b.coop_id) +
                                           " must be signed by its key, not by " + who(tx.signer));
          auto existing = st.signer(b.member_key);
          if (existing && existing->member_id != 0)
            return err(TxCode::duplicate, "key " + to_hex(b.member_key).substr(0, 16) +
                                        " is already member " + std::to_string(existing->member_id));
          if (b.member_coop != 0) {
            auto mc = st.coop(b.member_coop);
            if (!mc) return err(TxCode::unknown_cooperative, "no cooperative " + std::to_string(b.member_coop));
            if (b.member_coop == b.coop_id)
              return err(TxCode::invalid, "cooperative " + std::to_string(b.coop_id) + " cannot be its own member");
            if (mc->key != b.member_key)
              return err(TxCode::invalid, "member key is not the key of cooperative " +
                                        std::to_string(b.member_coop));
          }
          std::uint64_t id = st.add_member(MemberRec{b.member_key, b.coop_id, b.member_coop, st.period()});
          SignerRec s = existing.value_or(SignerRec{});
          s.member_id = id;
          st.put_signer(b.member_key, s);
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, Contribute>) {
          if (auto e = need_coop_of(b.member_id)) return e;
          if (auto e = positive(b.amount, "a contribution")) return e;
          if (b.kind == ContributionKind::property && (b.description.empty() || b.valuation.empty()))
            return err(TxCode::invalid, "a property contribution needs a description and a valuation");
          st.put_contribution(p.id, ContributionRec{b.member_id, b.amount, static_cast<std::uint8_t>(b.kind),
                                                    b.description, b.valuation});
          auto hook = find_hook(contribute_hook);
          if (!hook) return st.post(share(b.member_id), b.amount, 0, ctx);
          // The cooperative has received the money (or property valued in
          // money) for the member; the charter says what becomes of it.
          if (auto e = st.post(own(st.member(b.member_id)->coop_id), b.amount, 0, hook->ctx)) return e;
          const std::int64_t args[2] = {static_cast<std::int64_t>(b.member_id), b.amount};
          return run_rule(hook->charter, hook->entry, args);
        } else if constexpr (std::is_same_v<T, Transfer>) {
          if (auto e = need_member()) return e;
          if (auto e = positive(b.amount, "a transfer")) return e;
          if (!st.member(b.to_member))
            return err(TxCode::unknown_member, "transfer to member " + std::to_string(b.to_member) +
                                             ", who does not exist");
          auto hook = find_hook(transfer_hook);
          if (!hook) return st.move(share(signer->member_id), share(b.to_member), b.amount, ctx);
          const std::int64_t args[2] = {static_cast<std::int64_t>(b.to_member), b.amount};
          return run_rule(hook->charter, hook->entry, args);
        } else if constexpr (std::is_same_v<T, ReturnShare>) {
          if (auto e = need_coop_of(b.member_id)) return e;
          if (auto e = positive(b.amount, "a return")) return e;
          auto hook = find_hook(return_hook);
          if (!hook) return st.post(share(b.member_id), -b.amount, 0, ctx);
          // The charter moves the return to the cooperative, which pays it
          // out to the member: it leaves the ledger from the own account.
          const std::int64_t args[2] = {static_cast<std::int64_t>(b.member_id), b.amount};
          if (auto e = run_rule(hook->charter, hook->entry, args)) return e;
          return st.post(own(st.member(b.member_id)->coop_id), -b.amount, 0, hook->ctx);
        } else if constexpr (std::is_same_v<T, CallRule>) {
          auto c = st.charter(st.charter_version());
          if (!c) return err(TxCode::no_charter, "no charter is deployed");
          auto info = runtime_->entry(*c, b.rule);
          if (!info || !info->is_rule)
            return err(TxCode::unknown_rule, "charter version " + std::to_string(c->version) +
                                           " has no rule '" + b.rule + "'");
          if (auto k = hook_kind(b.rule); !k.empty())
            return err(TxCode::unknown_rule, "rule '" + b.rule + "' is run by the ledger with a " + std::string(k) +
                                           " transaction, not by call_rule");
          return run_rule(*c, *info, b.args);
        } else if constexpr (std::is_same_v<T, AdvancePeriod>) {
          if (auto e = need_operator()) return e;
          std::uint64_t now = st.period();
          if (b.to_period != now + 1)
            return err(TxCode::bad_period, "the period is " + std::to_string(now) + "; cannot advance to " +
                                         std::to_string(b.to_period));
          st.set_global("period", b.to_period);
          if (std::uint32_t pending = st.charter_pending()) {
            auto pc = st.charter(pending);
            if (pc && pc->effective_period <= b.to_period) {
              st.set_global("charter", pending);
              st.set_global("charter_pending", 0);
            }
          }
          // The charter's periodic clauses run at every boundary, in module order.
          if (auto c = st.charter(st.charter_version())) {
            for (const auto& name : runtime_->periodic_entries(*c)) {
              ChartersHost host(st, make_context(0, *c));
              if (Check r = runtime_->run(*c, name, {}, host)) return r;
              events.insert(events.end(), host.events().begin(), host.events().end());
            }
          }
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, DeployCharter>) {
          if (auto e = need_operator()) return e;
          if (st.charter_latest() != 0)
            return err(TxCode::charter_exists, "a charter is already deployed; change it with amend_charter");
          if (auto e = runtime_->validate(b.module)) return e;
          CharterVersion c{1, CharterRuntime::module_id(b.module), b.module, b.source, st.period(), p.id};
          st.put_charter(c);
          st.set_global("charter", 1);
          st.set_global("charter_latest", 1);
          return std::nullopt;
        } else if constexpr (std::is_same_v<T, AmendCharter>) {
          if (auto e = need_member()) return e;
          auto c = st.charter(st.charter_version());
          if (!c) return err(TxCode::no_charter, "no charter is deployed; deploy one first");
          if (std::uint32_t pending = st.charter_pending())
            return err(TxCode::amendment_pending, "version " + std::to_string(pending) +
                                                " is already waiting for the next period");
          if (auto e = runtime_->validate(b.module)) return e;
          if (auto amend = runtime_->entry(*c, amend_entry)) {
            // The charter's amendment rule: its `by` clause says whose
            // approval an amendment needs; its body may demand more.
            if (auto e = run_rule(*c, *amend, {})) {
              if (e->code == TxCode::charter_abort) e->code = TxCode::approval_missing;
              return e;
            }
          } else {
            // Without an on_amend rule a charter demands approval by more than
            // half of all members; the proposer counts when they approved too.
            std::vector<SignerRec> yes_signers;
            if (auto e = approvers(yes_signers)) return e;
            std::uint64_t yes = 0;
            for (const auto& s : yes_signers) yes += s.member_id != 0;
            std::uint64_t all = st.members_count();
            if (yes * 2 <= all)
              return err(TxCode::approval_missing, "amendment approved by " + std::to_string(yes) + " of " +
                                                 std::to_string(all) +
                                                 " members; more than half must approve");
          }
          std::uint32_t v = st.charter_latest() + 1;
          CharterVersion nc{v, CharterRuntime::module_id(b.module), b.module, b.source, st.period() + 1, p.id};
          st.put_charter(nc);
          st.set_global("charter_latest", v);
          st.set_global("charter_pending", v);
          return std::nullopt;
        }
      },
      tx.body);
}

}  // namespace artel::node
