// The authority rule (docs/language.md, "Who may debit a share account"):
// source document 000 lets a member's share account decrease only by the
// member's own acts, by the charges the platform charter imposes, and by the
// return of the share under the law. A rule may therefore debit
//   - share(caller) when the caller signs it (`by member`);
//   - any share account when the general assembly approves it (`by assembly`);
//   - the returning member's share in `on_return`, the hook the ledger runs
//     for a return of a share contribution;
// and nothing else. Periodic clauses are charges: the ledger lets only the
// platform charter's charge share accounts (node/charters_host.cpp), and
// enforces the rule for rules too, so bytecode that was not checked gets no
// further. Like DAML's signatories: whoever's account a choice takes from
// must be among those who authorised it.
#include <functional>
#include <optional>

#include "compiler/typed/typed.h"

namespace artel::typed {

namespace {

enum class Source : std::uint8_t { not_share, caller_share, other_share, param };

// One place a function may take money from: a transfer's or a split's
// source, directly or through the clauses it calls.
struct Debit {
  Source kind = Source::not_share;
  int param = -1;    // Source::param: which formal of the clause
  std::string what;  // the account as the charter names it
  std::string file;  // where (the statement, or the call that reaches it)
  Loc loc;
};

class Authority {
 public:
  Authority(const Charter& c, Diagnostics& d) : c_(c), d_(d), memo_(c.functions.size()) {}

  bool run() {
    for (const Function& fn : c_.functions) {
      if (fn.kind != FunctionKind::rule) continue;
      bool assembly = false, member = false;
      for (const auto& a : fn.auth) {
        assembly |= a.kind == AuthKind::assembly;
        member |= a.kind == AuthKind::member;
      }
      if (assembly) continue;
      for (const Debit& d : debits(fn)) {
        const bool allowed = d.kind == Source::not_share || (d.kind == Source::caller_share && member) ||
                             (fn.name == "on_return" && d.kind != Source::param);
        if (allowed) continue;
        const std::string article =
            fn.article >= 0 ? " (article " + c_.articles[static_cast<std::size_t>(fn.article)].number + ")" : "";
        std::string why = d.kind == Source::caller_share
                              ? "debits the caller's share account " + d.what + ", but the caller does not sign it: "
                                "add `member` to its `by` clause"
                              : "could debit " + d.what + ", a share account of a member other than the one who signs";
        d_.error(d.file, d.loc,
                 "rule `" + fn.name + "`" + article + " " + why +
                     "; a share account decreases only by its member's own act (`by member`, from share(caller)), "
                     "by the general assembly's decision (`by assembly quorum ...`) or by the platform charter's "
                     "charges");
        failed_ = true;
      }
    }
    return !failed_;
  }

 private:
  std::string describe(const Expr& e, const Function& fn) const {
    switch (e.op) {
      case Op::local: return fn.locals[static_cast<std::size_t>(e.index)].name;
      case Op::param: return c_.params[static_cast<std::size_t>(e.index)].name;
      case Op::builtin:
        if (e.builtin == Builtin::caller) return "caller";
        if (e.builtin == Builtin::share && !e.args.empty() && e.args[0])
          return "share(" + describe(*e.args[0], fn) + ")";
        return "an account";
      case Op::state_get: return c_.states[static_cast<std::size_t>(e.index)].name + "[...]";
      default: return "an expression";
    }
  }

  Debit classify(const Expr* e, const Function& fn, const std::string& file, Loc loc) const {
    Debit d;
    d.file = file;
    d.loc = loc;
    if (e == nullptr) return d;
    d.what = describe(*e, fn);
    if (e->op == Op::builtin && e->builtin == Builtin::share) {
      const Expr* who = e->args.empty() ? nullptr : e->args[0].get();
      d.kind = who != nullptr && who->op == Op::builtin && who->builtin == Builtin::caller ? Source::caller_share
                                                                                          : Source::other_share;
    } else if (e->op == Op::local && fn.kind == FunctionKind::clause && e->index < fn.formal_count) {
      d.kind = Source::param;
      d.param = e->index;
    } else if (e->op == Op::local && e->type.kind == Kind::account) {
      // An account kept under a local name could be anyone's share account.
      d.kind = Source::other_share;
      d.what = "the account held in `" + d.what + "`";
    }
    return d;
  }

  // What a call of clause `callee` with `args` takes money from, in the
  // caller's terms; reported at the call.
  void through_call(int callee, const std::vector<ExprPtr>& args, const Function& fn, Loc loc,
                    std::vector<Debit>& out) {
    const Function& g = c_.functions[static_cast<std::size_t>(callee)];
    for (const Debit& d : clause_debits(callee)) {
      if (d.kind == Source::param) {
        const Expr* arg =
            d.param >= 0 && static_cast<std::size_t>(d.param) < args.size() ? args[static_cast<std::size_t>(d.param)].get()
                                                                            : nullptr;
        Debit mapped = classify(arg, fn, fn.file, loc);
        if (mapped.kind != Source::not_share && mapped.kind != Source::param)
          mapped.what += " (through clause `" + g.name + "`)";
        out.push_back(mapped);
      } else if (d.kind != Source::not_share) {
        Debit at_call = d;
        at_call.file = fn.file;
        at_call.loc = loc;
        at_call.what += " (in clause `" + g.name + "`)";
        out.push_back(at_call);
      }
    }
  }

  void expr_calls(const Expr& e, const Function& fn, std::vector<Debit>& out) {
    if (e.op == Op::call && e.index >= 0) through_call(e.index, e.args, fn, e.loc, out);
    for (const auto& a : e.args)
      if (a) expr_calls(*a, fn, out);
  }

  void block(const Block& b, const Function& fn, std::vector<Debit>& out) {
    for (const auto& s : b) {
      if (!s) continue;
      if ((s->kind == StmtKind::transfer || s->kind == StmtKind::split) && s->exprs.size() > 1)
        out.push_back(classify(s->exprs[1].get(), fn, fn.file, s->loc));
      if (s->kind == StmtKind::call && s->clause >= 0) through_call(s->clause, s->exprs, fn, s->loc, out);
      for (const auto& x : s->exprs)
        if (x) expr_calls(*x, fn, out);
      if (s->key) expr_calls(*s->key, fn, out);
      for (const auto& p : s->parts) {
        if (p.share) expr_calls(*p.share, fn, out);
        if (p.weight) expr_calls(*p.weight, fn, out);
      }
      block(s->body, fn, out);
      block(s->else_body, fn, out);
    }
  }

  std::vector<Debit> debits(const Function& fn) {
    std::vector<Debit> out;
    block(fn.body, fn, out);
    return out;
  }

  // Clauses are not recursive (the checker refused recursion before this).
  const std::vector<Debit>& clause_debits(int f) {
    auto& m = memo_[static_cast<std::size_t>(f)];
    if (!m) {
      m.emplace();
      *m = debits(c_.functions[static_cast<std::size_t>(f)]);
    }
    return *m;
  }

  const Charter& c_;
  Diagnostics& d_;
  std::vector<std::optional<std::vector<Debit>>> memo_;
  bool failed_ = false;
};

}  // namespace

bool check_authority(const Charter& charter, Diagnostics& diags) { return Authority(charter, diags).run(); }

}  // namespace artel::typed
