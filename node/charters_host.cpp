#include "charters_host.h"

#include <algorithm>

#include "transaction.h"
#include "vm/abi.h"
#include "vm/money.h"

namespace artel::node {

namespace {

std::vector<vm::HostFunction> make_table() {
  std::vector<vm::HostFunction> t;
  for (const auto& f : abi::host_functions) t.push_back({std::string(f.name), f.id, f.arity});
  return t;
}

std::int64_t s64(std::uint64_t v) { return static_cast<std::int64_t>(v); }
std::uint64_t u64(std::int64_t v) { return static_cast<std::uint64_t>(v); }

}  // namespace

vm::HostTable ChartersHost::table() {
  static const std::vector<vm::HostFunction> t = make_table();
  return t;
}

// The authority rule (docs/language.md): a share account decreases only by
// its member's own act, by the general assembly's decision, by the platform
// charter's charges, and by the return of the share. `artel check` refuses
// rules that break it; this refuses bytecode that was not checked.
Check ChartersHost::may_debit(std::uint64_t handle, std::uint32_t article) const {
  if (abi::account_kind(handle) != abi::AccountKind::share) return std::nullopt;
  if (ctx_.scope == 0 || ctx_.assembly_approved) return std::nullopt;
  if (ctx_.tx_kind == static_cast<std::uint8_t>(TxKind::return_share)) return std::nullopt;
  const std::uint64_t member = abi::account_owner(handle);
  if (ctx_.caller == member && ctx_.signer != 0)
    if (auto m = state_.member(member); m && m->person == ctx_.signer) return std::nullopt;
  return TxError{TxCode::unauthorized,
                 "article " + std::to_string(article) + " of the charter of cooperative " + std::to_string(ctx_.scope) +
                     " debits " + account_name(handle) +
                     ", which only its member's own act, the general assembly or the platform charter may",
                 article};
}

vm::HostResult ChartersHost::fail(TxError e) {
  if (e.article != 0) {
    e.charter_coop = ctx_.scope;
    e.charter_version = ctx_.charter_version;
  }
  std::uint32_t code = e.code == TxCode::charter_abort ? 1 : 2;
  std::string msg = e.message;
  failure_ = std::move(e);
  return vm::Host::fail(code, std::move(msg));
}

vm::HostResult ChartersHost::checked(Check c, std::uint64_t r0) {
  if (c) return fail(std::move(*c));
  return vm::HostResult::ok(r0);
}

// A charter names its own account families; the ledger keeps them under
// the charter's cooperative.
std::optional<std::uint64_t> ChartersHost::ledger_handle(std::uint64_t h) const {
  if (abi::account_kind(h) != abi::AccountKind::charter) return h;
  const std::uint64_t owner = abi::account_owner(h);
  if ((owner >> 32) > abi::kMaxAccountFamily || ctx_.scope > abi::kMaxCharterCoop) return std::nullopt;
  return abi::account_handle(abi::AccountKind::charter, (ctx_.scope << 40) | owner);
}

vm::HostResult ChartersHost::out_of_range(std::string what) {
  return fail(TxError{TxCode::charter_error, std::move(what), 0});
}

vm::HostResult ChartersHost::bad_handle(std::uint64_t h) {
  return fail(TxError{TxCode::unknown_account, "no account with handle " + std::to_string(h), 0});
}

// One entry per host function of vm/abi.h, in id order.
vm::HostResult ChartersHost::call(std::uint32_t id, const Args& a, vm::GuestMemory&) {
  // Plain function pointers (GCC 12's bounds sanitizer misreads an array
  // of pointers to member functions).
  using Handler = vm::HostResult (*)(ChartersHost&, const Args&);
  static constexpr Handler handlers[] = {
#define ARTEL_HOST_HANDLER(id, name, arity, signature) \
  [](ChartersHost& host, const Args& args) { return host.h_##name(args); },
      ARTEL_HOST_FUNCTIONS(ARTEL_HOST_HANDLER)
#undef ARTEL_HOST_HANDLER
  };
  static_assert(std::size(handlers) == abi::host_functions.size());
  if (id == 0 || id > std::size(handlers)) return out_of_range("unknown host call id " + std::to_string(id));
  return handlers[id - 1](*this, a);
}

vm::HostResult ChartersHost::h_balance(const Args& a) {
  const auto h = ledger_handle(a[0]);
  if (!h) return bad_handle(a[0]);
  if (auto e = state_.account_exists(*h)) return fail(*e);
  if (abi::account_kind(*h) == abi::AccountKind::share)
    if (auto e = state_.settle(abi::account_owner(*h))) return fail(*e);
  return vm::HostResult::ok(u64(state_.account(*h).balance));
}

// transfer(from, to, amount, article)
vm::HostResult ChartersHost::h_transfer(const Args& a) {
  const auto from = ledger_handle(a[0]), to = ledger_handle(a[1]);
  if (!from) return bad_handle(a[0]);
  if (!to) return bad_handle(a[1]);
  std::int64_t amount = s64(a[2]);
  PostingContext pc{ctx_.tx, ctx_.tx_kind, static_cast<std::uint32_t>(a[3]), ctx_.scope, ctx_.charter_version};
  if (amount < 0)
    return fail(TxError{TxCode::charter_error,
                        "artel_transfer of a negative amount " + std::to_string(amount),
                        pc.article});
  if (amount == 0) return vm::HostResult::ok(0);
  if (auto e = may_debit(*from, pc.article)) return fail(std::move(*e));
  return checked(state_.move(*from, *to, amount, pc));
}

// muldiv(a, b, c, rounding, article)
vm::HostResult ChartersHost::h_muldiv(const Args& a) {
  const auto mode = money::rounding_from(a[3]);
  if (!mode)
    return fail(TxError{TxCode::charter_error,
                        "artel_muldiv: rounding mode " + std::to_string(a[3]) + " is none of 0, 1, 2",
                        static_cast<std::uint32_t>(a[4])});
  auto r = money::muldiv(s64(a[0]), s64(a[1]), s64(a[2]), *mode);
  if (!r) {
    const auto article = static_cast<std::uint32_t>(a[4]);
    const std::string operation = std::to_string(s64(a[0])) + " × " + std::to_string(s64(a[1])) + " / " +
                                  std::to_string(s64(a[2]));
    return fail(TxError{TxCode::overflow,
                        "article " + std::to_string(article) +
                            (a[2] == 0 ? ": division by zero (" + operation + ")"
                                       : ": arithmetic overflow (" + operation + " is outside 64 bits)"),
                        article});
  }
  return vm::HostResult::ok(u64(*r));
}

// fail(article, message)
vm::HostResult ChartersHost::h_fail(const Args& a) {
  std::string text = ctx_.message ? ctx_.message(a[1]) : std::string();
  if (text.empty()) text = "message " + std::to_string(a[1]);
  auto article = static_cast<std::uint32_t>(a[0]);
  return fail(TxError{TxCode::charter_abort, "article " + std::to_string(article) + ": " + text,
                      article});
}

vm::HostResult ChartersHost::h_caller(const Args&) {
  return vm::HostResult::ok(ctx_.caller);
}

vm::HostResult ChartersHost::h_period(const Args&) {
  return vm::HostResult::ok(ctx_.period);
}

vm::HostResult ChartersHost::h_state_get(const Args& a) {
  return vm::HostResult::ok(u64(state_.cstate_get(ctx_.scope, a[0], s64(a[1]))));
}

vm::HostResult ChartersHost::h_state_set(const Args& a) {
  state_.cstate_set(ctx_.scope, a[0], s64(a[1]), s64(a[2]));
  return vm::HostResult::ok(0);
}

vm::HostResult ChartersHost::h_state_has(const Args& a) {
  return vm::HostResult::ok(state_.cstate_has(ctx_.scope, a[0], s64(a[1])) ? 1 : 0);
}

vm::HostResult ChartersHost::h_state_del(const Args& a) {
  state_.cstate_del(ctx_.scope, a[0], s64(a[1]));
  return vm::HostResult::ok(0);
}

vm::HostResult ChartersHost::h_state_count(const Args& a) {
  return vm::HostResult::ok(state_.cstate_count(ctx_.scope, a[0]));
}

vm::HostResult ChartersHost::h_state_key_at(const Args& a) {
  auto k = state_.cstate_key_at(ctx_.scope, a[0], a[1]);
  if (!k)
    return out_of_range("artel_state_key_at: slot " + std::to_string(a[0]) + " has no index " +
                        std::to_string(a[1]));
  return vm::HostResult::ok(u64(*k));
}

// members of a cooperative; 0: of the charter's own cooperative (all, for the platform)
vm::HostResult ChartersHost::h_members_count(const Args& a) {
  const std::uint64_t c = a[0] != 0 ? a[0] : ctx_.scope;
  if (c != 0 && !state_.coop(c))
    return fail(TxError{TxCode::unknown_cooperative, "no cooperative " + std::to_string(c), 0});
  return vm::HostResult::ok(state_.coop_members_count(c));
}

vm::HostResult ChartersHost::h_member_at(const Args& a) {
  const std::uint64_t c = a[0] != 0 ? a[0] : ctx_.scope;
  if (a[1] >= state_.coop_members_count(c))
    return out_of_range("artel_member_at: cooperative " + std::to_string(c) + " has no member index " +
                        std::to_string(a[1]));
  return vm::HostResult::ok(state_.coop_member_at(c, a[1]));
}

vm::HostResult ChartersHost::h_coops_count(const Args&) {
  return vm::HostResult::ok(state_.coops_count());
}

vm::HostResult ChartersHost::h_coop_at(const Args& a) {
  if (a[0] >= state_.coops_count())
    return out_of_range("artel_coop_at: no cooperative index " + std::to_string(a[0]));
  return vm::HostResult::ok(a[0] + 1);
}

vm::HostResult ChartersHost::h_coop_of(const Args& a) {
  auto m = state_.member(a[0]);
  if (!m) return fail(TxError{TxCode::unknown_member, "no member " + std::to_string(a[0]), 0});
  return vm::HostResult::ok(m->coop_id);
}

vm::HostResult ChartersHost::h_coop_account(const Args& a) {
  if (!state_.coop(a[0]))
    return fail(TxError{TxCode::unknown_cooperative, "no cooperative " + std::to_string(a[0]), 0});
  return vm::HostResult::ok(u64(state_.coop_aggregate(a[0])));
}

// guarantors_count(member)
vm::HostResult ChartersHost::h_guarantors_count(const Args& a) {
  if (!state_.member(a[0]))
    return fail(TxError{TxCode::unknown_member, "no member " + std::to_string(a[0]), 0});
  return vm::HostResult::ok(state_.guarantors_count(a[0]));
}

// guarantor_at(member, index)
vm::HostResult ChartersHost::h_guarantor_at(const Args& a) {
  if (a[1] >= state_.guarantors_count(a[0]))
    return out_of_range("artel_guarantor_at: member " + std::to_string(a[0]) + " has no guarantor index " +
                        std::to_string(a[1]));
  return vm::HostResult::ok(state_.guarantor_at(a[0], a[1]));
}

vm::HostResult ChartersHost::h_emit(const Args& a) {
  if (ctx_.event_decls && a[0] >= ctx_.event_decls->size())
    return out_of_range("artel_emit: the module declares " + std::to_string(ctx_.event_decls->size()) +
                        " events, not event " + std::to_string(a[0]));
  events_.push_back({a[0], s64(a[1]), s64(a[2]), s64(a[3]), ctx_.scope, ctx_.charter_version, ctx_.event_decls});
  return vm::HostResult::ok(0);
}

// approvals(party kind, subject member)
vm::HostResult ChartersHost::h_approvals(const Args& a) {
  auto party = static_cast<abi::Party>(a[0]);
  std::uint64_t subject = a[1];
  std::optional<MemberRec> sm;
  if (subject != 0) {
    sm = state_.member(subject);
    if (!sm) return fail(TxError{TxCode::unknown_member, "no member " + std::to_string(subject), 0});
  }
  // The cooperative whose members vote: the subject's, else the charter's.
  const std::uint64_t voting = sm ? sm->coop_id : ctx_.scope;
  std::uint64_t n = 0;
  for (std::uint64_t person : ctx_.approvers) {
    switch (party) {
      case abi::Party::member:
        n += sm && sm->person == person;
        break;
      case abi::Party::cooperative: {
        auto p = state_.person(person);
        n += sm && p && p->kind == PersonKind::cooperative && p->coop_id == sm->coop_id;
        break;
      }
      case abi::Party::assembly:
        // One member, one vote, within the cooperative voting.
        n += state_.votes_in(person, voting);
        break;
      case abi::Party::guarantor:
        if (sm)
          if (auto g = state_.membership(person, sm->coop_id)) n += state_.guarantees(*g, subject);
        break;
    }
  }
  return vm::HostResult::ok(n);
}

vm::HostResult ChartersHost::h_guarantee_add(const Args& a) { return guarantee_change(a, true); }

vm::HostResult ChartersHost::h_guarantee_remove(const Args& a) { return guarantee_change(a, false); }

// artel_guarantee_add / artel_guarantee_remove (member, guarantor).
vm::HostResult ChartersHost::guarantee_change(const Args& a, bool add) {
  const auto m = state_.member(a[0]), g = state_.member(a[1]);
  if (!m) return fail(TxError{TxCode::unknown_member, "no member " + std::to_string(a[0]), 0});
  if (!g) return fail(TxError{TxCode::unknown_member, "no member " + std::to_string(a[1]), 0});
  // Relations live inside one network: the charter's own cooperative.
  if (ctx_.scope == 0 || m->coop_id != ctx_.scope || g->coop_id != ctx_.scope)
    return out_of_range("a guarantee is between two members of the charter's own cooperative; members " +
                        std::to_string(a[0]) + " and " + std::to_string(a[1]) + " are not both members of " +
                        std::to_string(ctx_.scope));
  const bool exists = state_.guarantees(a[1], a[0]);
  if (add) {
    if (a[0] == a[1]) return out_of_range("member " + std::to_string(a[0]) + " cannot vouch for itself");
    if (exists)
      return out_of_range("member " + std::to_string(a[1]) + " already vouches for member " +
                          std::to_string(a[0]));
    state_.add_guarantee(a[0], a[1]);
  } else {
    if (!exists)
      return out_of_range("member " + std::to_string(a[1]) + " does not vouch for member " +
                          std::to_string(a[0]));
    state_.remove_guarantee(a[0], a[1]);
  }
  return vm::HostResult::ok(0);
}

// guaranteed_count(guarantor)
vm::HostResult ChartersHost::h_guaranteed_count(const Args& a) {
  if (!state_.member(a[0]))
    return fail(TxError{TxCode::unknown_member, "no member " + std::to_string(a[0]), 0});
  return vm::HostResult::ok(state_.guaranteed_count(a[0]));
}

// guaranteed_at(guarantor, index)
vm::HostResult ChartersHost::h_guaranteed_at(const Args& a) {
  if (a[1] >= state_.guaranteed_count(a[0]))
    return out_of_range("artel_guaranteed_at: member " + std::to_string(a[0]) + " vouches for no index " +
                        std::to_string(a[1]));
  return vm::HostResult::ok(state_.guaranteed_at(a[0], a[1]));
}

// guarantees(guarantor, member)
vm::HostResult ChartersHost::h_guarantees(const Args& a) {
  if (!state_.member(a[0]))
    return fail(TxError{TxCode::unknown_member, "no member " + std::to_string(a[0]), 0});
  if (!state_.member(a[1]))
    return fail(TxError{TxCode::unknown_member, "no member " + std::to_string(a[1]), 0});
  return vm::HostResult::ok(state_.guarantees(a[0], a[1]) ? 1 : 0);
}

}  // namespace artel::node
