// How a charter's cost grows with the ledger (docs/language.md, "Cost"):
// a loop over `members` (or `members of C`) runs once per member, a loop
// over a state table once per entry, and a table can grow with the members.
// Run at every period boundary or by every transaction, such a loop makes
// every member pay for all the others: the design lets a periodic clause
// walk only an index of what is due (a table of the accounts that need it),
// never all the members, and no clause may nest two such loops. This pass
// warns about both; it never refuses a charter (the budget still bounds
// every run), so lawyers see the cost before the ledger does.
#include <optional>
#include <string>

#include "compiler/typed/typed.h"

namespace artel::typed {

namespace {

// The costliest loop nest of a function, through the clauses it calls.
struct Nest {
  int members = 0;  // loops over all members (or all members of a cooperative)
  int grows = 0;    // loops over members or state tables: over collections that grow with the members
  Loc loc;          // the outermost such loop
  std::string file;
  bool found = false;
};

class Cost {
 public:
  Cost(const Charter& c, Diagnostics& d) : c_(c), d_(d), memo_(c.functions.size()) {}

  void run() {
    for (std::size_t i = 0; i < c_.functions.size(); ++i) {
      const Function& fn = c_.functions[i];
      if (fn.kind == FunctionKind::clause) continue;  // reported where it is called from
      const Nest n = nest(static_cast<int>(i));
      if (!n.found) continue;
      const std::string who =
          fn.kind == FunctionKind::periodic
              ? std::string("the clause `every ") + (fn.every == PeriodUnit::week ? "week" : "month") + "`"
              : "rule `" + fn.name + "`";
      const std::string article =
          fn.article >= 0 ? " (article " + c_.articles[static_cast<std::size_t>(fn.article)].number + ")"
                          : "";
      if (n.grows >= 2) {
        d_.warning(
            n.file, n.loc,
            who + article + " nests " + std::to_string(n.grows) +
                " loops over members or state tables: its cost grows with the square of the membership "
                "(a thousand members make a million steps, and the run stops at its budget); keep an "
                "index of what is due instead");
      } else if (n.members >= 1 && !fn.per_account) {
        d_.warning(n.file, n.loc,
                   who + article + " walks every member" +
                       (fn.kind == FunctionKind::periodic ? " at every period boundary" : " on every call") +
                       ": its cost grows with the membership, paid by members it does not concern; walk a "
                       "table of the members that need it instead (for m in TABLE)");
      }
    }
  }

 private:
  static bool over_members(const Expr& coll) {
    return coll.collection == Collection::members || coll.collection == Collection::members_of;
  }
  static bool grows(const Expr& coll) {
    return over_members(coll) || coll.collection == Collection::state_keys;
  }

  Nest nest(int f) {
    auto& m = memo_[static_cast<std::size_t>(f)];
    if (m) return *m;
    m = Nest{};  // charters have no recursion (the checker refuses it); this only guards the walk
    const Function& fn = c_.functions[static_cast<std::size_t>(f)];
    Nest out;
    block(fn.body, fn, out);
    m = out;
    return out;
  }

  // Keeps the costlier of two nests.
  static void keep(Nest& best, const Nest& n) {
    if (!n.found) return;
    if (!best.found || n.grows > best.grows || (n.grows == best.grows && n.members > best.members)) best = n;
  }

  // A loop over `coll` at `loc` around whatever `inner` costs.
  Nest around(const Expr& coll, Loc loc, const Function& fn, const Nest& inner) {
    if (!grows(coll)) return inner;
    Nest n;
    n.found = true;
    n.loc = loc;
    n.file = fn.file;
    n.grows = 1 + (inner.found ? inner.grows : 0);
    n.members = (over_members(coll) ? 1 : 0) + (inner.found ? inner.members : 0);
    return n;
  }

  void expr(const Expr* e, const Function& fn, Nest& out) {
    if (!e) return;
    if (e->op == Op::call && e->index >= 0) keep(out, called(e->index, e->loc, fn));
    for (const auto& a : e->args) expr(a.get(), fn, out);
  }

  // A call costs what its callee costs; reported at the call.
  Nest called(int callee, Loc loc, const Function& fn) {
    Nest n = nest(callee);
    if (n.found) {
      n.loc = loc;
      n.file = fn.file;
    }
    return n;
  }

  void block(const Block& b, const Function& fn, Nest& out) {
    for (const auto& s : b) {
      if (!s) continue;
      for (const auto& x : s->exprs) {
        if (s->kind == StmtKind::for_) break;  // the collection: below
        expr(x.get(), fn, out);
      }
      expr(s->key.get(), fn, out);
      switch (s->kind) {
        case StmtKind::for_: {
          Nest inner;
          block(s->body, fn, inner);
          if (!s->exprs.empty() && s->exprs[0]) {
            for (const auto& a : s->exprs[0]->args) expr(a.get(), fn, out);
            keep(out, around(*s->exprs[0], s->loc, fn, inner));
          }
          break;
        }
        case StmtKind::call:
          if (s->clause >= 0) keep(out, called(s->clause, s->loc, fn));
          break;
        case StmtKind::split:
          for (const auto& p : s->parts) {
            Nest inner;
            expr(p.weight.get(), fn, inner);
            expr(p.target.get(), fn, inner);
            if (p.pro_rata && p.collection) keep(out, around(*p.collection, s->loc, fn, inner));
          }
          break;
        default:
          break;
      }
      block(s->body, fn, out);
      block(s->else_body, fn, out);
    }
  }

  const Charter& c_;
  Diagnostics& d_;
  std::vector<std::optional<Nest>> memo_;
};

}  // namespace

void check_costs(const Charter& charter, Diagnostics& diags) {
  Cost(charter, diags).run();
}

}  // namespace artel::typed
