// How a charter's cost grows with the ledger (docs/language.md, "Cost"):
// a loop over `members` (or `members of C`) runs once per member, a loop
// over a state table once per entry, and a table can grow with the members.
// Run at every period boundary or by every transaction, such a loop makes
// every member pay for all the others: the design lets a periodic clause
// walk only an index of what is due (a table of the accounts that need it),
// never all the members, and no clause may nest two such loops. This pass
// warns about both; it never refuses a charter (the budget still bounds
// every run), so lawyers see the cost before the ledger does.
#include <algorithm>
#include <map>
#include <optional>
#include <string>
#include <vector>

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
                " loops over members, cooperatives or state tables: its cost grows with the square of "
                "their number (a thousand make a million steps, and the run stops at its budget); keep an "
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
  // Collections that grow with the ledger: its members, its cooperatives
  // (one platform, many cooperatives), a state table.
  static bool grows(const Expr& coll) {
    return over_members(coll) || coll.collection == Collection::state_keys ||
           coll.collection == Collection::cooperatives;
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

// ---- The bound printed by `artel check --cost`.

// A polynomial in the sizes of the collections a charter walks: each
// monomial (its variables, sorted) with its coefficient.
using Poly = std::map<std::vector<std::string>, std::uint64_t>;

void add(Poly& to, const Poly& p) {
  for (const auto& [m, c] : p) to[m] += c;
}
Poly times(const Poly& p, const std::string& var) {
  Poly out;
  for (const auto& [m, c] : p) {
    auto v = m;
    v.push_back(var);
    std::sort(v.begin(), v.end());
    out[v] += c;
  }
  return out;
}
Poly scaled(const Poly& p, std::uint64_t k) {
  Poly out;
  for (const auto& [m, c] : p) out[m] = c * k;
  return out;
}
// An upper bound of either: the larger coefficient of each monomial.
Poly either(const Poly& a, const Poly& b) {
  Poly out = a;
  for (const auto& [m, c] : b) out[m] = std::max(out[m], c);
  return out;
}

class Bound {
 public:
  explicit Bound(const Charter& c) : c_(c), memo_(c.functions.size()) {}

  Poly function(int f) {
    auto& m = memo_[static_cast<std::size_t>(f)];
    if (m) return *m;
    m = Poly{};  // no recursion: the checker refuses it
    Poly p{{{}, 1}};
    add(p, block(c_.functions[static_cast<std::size_t>(f)].body));
    m = p;
    return p;
  }

 private:
  // The size of a collection: a variable, or a constant where the ledger
  // bounds it.
  Poly size(const Expr& coll) {
    switch (coll.collection) {
      case Collection::members:
      case Collection::members_of: return {{{"members"}, 1}};
      case Collection::cooperatives: return {{{"cooperatives"}, 1}};
      case Collection::guarantors_of: return {{{}, 16}};  // a rule names at most 16 guarantors
      case Collection::state_keys:
        return {{{"|" + c_.states.at(static_cast<std::size_t>(coll.index)).name + "|"}, 1}};
      case Collection::range:
        if (coll.args.size() == 2 && coll.args[0]->op == Op::constant && coll.args[1]->op == Op::constant &&
            coll.args[1]->value >= coll.args[0]->value)
          return {{{}, static_cast<std::uint64_t>(coll.args[1]->value - coll.args[0]->value + 1)}};
        return {{{"n"}, 1}};
    }
    return {{{"n"}, 1}};
  }

  Poly loop(const Expr& coll, const Poly& body) {
    Poly out;
    for (const auto& [m, c] : size(coll)) {
      Poly term = scaled(body, c);
      for (const auto& v : m) term = times(term, v);
      add(out, term);
    }
    return out;
  }

  Poly expr(const Expr* e) {
    Poly p;
    if (!e) return p;
    p[{}] += 1;
    if (e->op == Op::call && e->index >= 0) add(p, function(e->index));
    for (const auto& a : e->args) add(p, expr(a.get()));
    return p;
  }

  Poly block(const Block& b) {
    Poly total;
    for (const auto& s : b) {
      if (!s) continue;
      Poly p{{{}, 1}};
      if (s->kind == StmtKind::for_ && !s->exprs.empty() && s->exprs[0]) {
        for (const auto& a : s->exprs[0]->args) add(p, expr(a.get()));
        Poly body = block(s->body);
        body[{}] += 2;  // the step to the next element
        add(p, loop(*s->exprs[0], body));
        add(total, p);
        continue;
      }
      for (const auto& x : s->exprs) add(p, expr(x.get()));
      add(p, expr(s->key.get()));
      if (s->kind == StmtKind::call && s->clause >= 0) add(p, function(s->clause));
      if (s->kind == StmtKind::split)
        for (const auto& part : s->parts) {
          Poly each = expr(part.weight.get());
          add(each, expr(part.target.get()));
          add(each, expr(part.share.get()));
          each[{}] += 2;
          if (part.pro_rata && part.collection) add(p, loop(*part.collection, each));
          else add(p, each);
        }
      add(p, either(block(s->body), block(s->else_body)));
      add(total, p);
    }
    return total;
  }

  const Charter& c_;
  std::vector<std::optional<Poly>> memo_;
};

std::string poly_text(const Poly& p) {
  // Constant first, then by degree.
  std::vector<std::pair<std::vector<std::string>, std::uint64_t>> terms(p.begin(), p.end());
  std::stable_sort(terms.begin(), terms.end(), [](const auto& a, const auto& b) { return a.first.size() < b.first.size(); });
  std::string out;
  for (const auto& [m, c] : terms) {
    if (c == 0) continue;
    if (!out.empty()) out += " + ";
    std::string vars;
    for (std::size_t i = 0; i < m.size();) {
      std::size_t j = i;
      while (j < m.size() && m[j] == m[i]) ++j;
      vars += (vars.empty() ? "" : "·") + m[i] + (j - i == 2 ? "²" : j - i == 3 ? "³" : j - i > 3 ? "^" + std::to_string(j - i) : "");
      i = j;
    }
    out += vars.empty() ? std::to_string(c) : (c == 1 ? vars : std::to_string(c) + "·" + vars);
  }
  return out.empty() ? "0" : out;
}

}  // namespace

void check_costs(const Charter& charter, Diagnostics& diags) {
  Cost(charter, diags).run();
}

std::vector<CostLine> cost_report(const Charter& charter) {
  Bound bound(charter);
  std::vector<CostLine> out;
  for (std::size_t i = 0; i < charter.functions.size(); ++i) {
    const Function& fn = charter.functions[i];
    if (fn.kind == FunctionKind::clause) continue;
    CostLine line;
    line.who = fn.kind == FunctionKind::rule ? "rule " + fn.name
               : std::string("every ") + (fn.every == PeriodUnit::week ? "week" : "month") +
                     (fn.per_account ? ", for each account" : "");
    line.article = fn.article >= 0 ? charter.articles[static_cast<std::size_t>(fn.article)].number : "";
    line.bound = poly_text(bound.function(static_cast<int>(i)));
    line.per_account = fn.per_account;
    out.push_back(std::move(line));
  }
  return out;
}

}  // namespace artel::typed
