// syntax::File -> typed::Charter: name resolution, types with units, rounding,
// splits, authorisation and termination checks.
#include <algorithm>
#include <functional>
#include <map>
#include <numeric>
#include <set>

#include "compiler/typed/typed.h"
#include "vm/charter_doc.h"
#include "vm/money.h"

namespace artel::typed {

namespace {

using syntax::ExprKind;
using SExpr = syntax::Expr;
using SStmt = syntax::Stmt;

std::string loc_text(Loc l) { return std::to_string(l.line) + ":" + std::to_string(l.col); }


// Built-in functions and their spellings: each has an English and a Russian
// name that resolve to the same builtin, so twins type-check identically.
struct BuiltinName {
  const char* name;
  Builtin builtin;
};
constexpr BuiltinName kBuiltins[] = {
    {"balance", Builtin::balance},
    {"баланс", Builtin::balance},
    {"caller", Builtin::caller},
    {"подписант", Builtin::caller},
    {"current_period", Builtin::current_period},
    {"текущий_период", Builtin::current_period},
    {"cooperative_account", Builtin::cooperative_account},
    {"кооперативный_счёт", Builtin::cooperative_account},
    {"кооперативный_счет", Builtin::cooperative_account},
    {"cooperative_of", Builtin::cooperative_of},
    {"кооператив_участника", Builtin::cooperative_of},
    {"share", Builtin::share},
    {"пай", Builtin::share},
    {"own", Builtin::own},
    {"собственный", Builtin::own},
    {"fund", Builtin::fund},
    {"фонд", Builtin::fund},
    {"min", Builtin::min},
    {"мин", Builtin::min},
    {"max", Builtin::max},
    {"макс", Builtin::max},
    {"abs", Builtin::abs},
    {"модуль", Builtin::abs},
    {"size", Builtin::size},
    {"размер", Builtin::size},
    {"has", Builtin::has},
    {"есть", Builtin::has},
    {"guarantees", Builtin::guarantees},
    {"поручается", Builtin::guarantees},
    {"guaranteed_count", Builtin::guaranteed_count},
    {"число_поручаемых", Builtin::guaranteed_count},
    {"add_guarantee", Builtin::add_guarantee},
    {"добавить_поручительство", Builtin::add_guarantee},
    {"remove_guarantee", Builtin::remove_guarantee},
    {"снять_поручительство", Builtin::remove_guarantee},
    {"first_key", Builtin::first},
    {"первый_ключ", Builtin::first},
    {"pro_rata", Builtin::pro_rata},
    {"пропорциональная_часть", Builtin::pro_rata},
};

std::optional<Builtin> find_builtin(const std::string& name) {
  for (const auto& b : kBuiltins)
    if (name == b.name) return b.builtin;
  return std::nullopt;
}

const char* builtin_name(Builtin b) {
  for (const auto& n : kBuiltins)
    if (n.builtin == b) return n.name;
  return "?";
}

// "a money", "an account": a kind's name with its article, for messages.
std::string a_kind(Kind k) {
  std::string n = kind_name(k);
  return (n[0] == 'a' || n[0] == 'e' || n[0] == 'i' || n[0] == 'o' || n[0] == 'u' ? "an " : "a ") + n;
}

bool is_scalar(Kind k) {
  return k == Kind::money || k == Kind::rate || k == Kind::count || k == Kind::boolean ||
         k == Kind::period || k == Kind::member || k == Kind::cooperative;
}
bool is_key(Kind k) {
  return k == Kind::member || k == Kind::cooperative || k == Kind::count || k == Kind::period;
}

// Parses decimal digits "123.45" into an integer scaled by 10^scale.
// Returns nullopt (with `why`) when it has more decimals than `scale` or
// does not fit in 63 bits.
std::optional<std::int64_t> scaled_decimal(const std::string& text, int scale, std::string& why) {
  std::string whole = text, frac;
  if (auto dot = text.find('.'); dot != std::string::npos) {
    whole = text.substr(0, dot);
    frac = text.substr(dot + 1);
  }
  while (!frac.empty() && frac.back() == '0' && static_cast<int>(frac.size()) > scale) frac.pop_back();
  if (static_cast<int>(frac.size()) > scale) {
    why = "has " + std::to_string(frac.size()) + " decimal places; at most " + std::to_string(scale) +
          " are allowed here";
    return std::nullopt;
  }
  frac.append(static_cast<std::size_t>(scale) - frac.size(), '0');
  std::int64_t v = 0;
  for (char c : whole + frac) {
    if (__builtin_mul_overflow(v, 10, &v) || __builtin_add_overflow(v, c - '0', &v)) {
      why = "is too large (the limit is 9223372036854775807 minor units)";
      return std::nullopt;
    }
  }
  return v;
}

struct Global {
  enum What { param, state, account, record, clause, rule } what;
  int index;
  Loc loc;
  std::string file;
};

class Checker {
 public:
  Checker(const syntax::File& file, LibraryLoader& libs, Diagnostics& diags)
      : file_(file), libs_(libs), diags_(diags) {}

  std::optional<Charter> run() {
    if (file_.is_library) {
      err(file_.loc, "`" + file_.name +
                         "` is a library, not a charter: libraries are checked through a charter "
                         "that imports them");
      return std::nullopt;
    }
    header();
    load_imports();
    collect();
    resolve_declarations();
    check_bodies();
    check_recursion();
    check_weight_effects();
    if (!failed_ && !check_authority(out_, diags_)) failed_ = true;
    if (failed_) return std::nullopt;
    check_costs(out_, diags_);
    return std::move(out_);
  }

 private:
  // ------------------------------------------------------------ reporting
  void err(Loc loc, std::string msg) { err_in(current_file_, loc, std::move(msg)); }
  void err_in(const std::string& file, Loc loc, std::string msg) {
    failed_ = true;
    diags_.error(file.empty() ? file_.path : file, loc, std::move(msg));
  }

  // ------------------------------------------------------------ header
  void header() {
    current_file_ = file_.path;
    out_.name = file_.name;
    const auto& h = file_.header;
    std::string why;
    auto v = scaled_decimal(file_.version, 0, why);
    if (!v || *v <= 0) err(file_.loc, "the charter's version must be a whole number from 1 up");
    else out_.version = *v;
    if (!h.currency) {
      err(file_.loc, "the charter does not declare its currency: add `currency RUB scale 2` after "
                     "the version");
    } else {
      out_.currency = *h.currency;
      auto s = scaled_decimal(*h.scale, 0, why);
      if (!s || *s > 9) err(h.currency_loc, "the currency's scale (digits after the point) must be "
                                            "from 0 to 9");
      else out_.scale = static_cast<int>(*s);
    }
    out_.rounding = h.rounding;
    out_.period = h.period.value_or(PeriodUnit::week);
  }

  // ------------------------------------------------------------ imports
  struct Library {
    std::string path;
    std::string name;
    syntax::File file;
  };

  void load_imports() {
    std::set<std::string> seen;
    std::function<void(const syntax::Import&, const std::string&, int)> load =
        [&](const syntax::Import& imp, const std::string& from, int depth) {
          if (!seen.insert(imp.name).second) return;
          if (depth > 16) {
            err_in(from, imp.loc, "imports nested more than 16 deep");
            return;
          }
          auto src = libs_.load(imp.name);
          if (!src) {
            err_in(from, imp.loc, "no library `" + imp.name + "` in the standard library");
            return;
          }
          diags_.add_source(*src);
          auto parsed = syntax::parse(*src, diags_);
          if (!parsed) {
            failed_ = true;
            return;
          }
          if (!parsed->is_library) {
            err_in(src->path, parsed->loc, "`" + imp.name + "` is a charter; only libraries can be imported");
            return;
          }
          if (parsed->name != imp.name) {
            err_in(src->path, parsed->loc, "library file for `" + imp.name + "` declares `library " +
                                               parsed->name + "`");
            return;
          }
          for (const auto& sub : parsed->imports) load(sub, src->path, depth + 1);
          out_.imports.push_back(imp.name);
          libraries_.push_back({src->path, imp.name, std::move(*parsed)});
        };
    for (const auto& imp : file_.imports) load(imp, file_.path, 0);
  }

  // ------------------------------------------------------------ declarations
  bool declare(const std::string& name, Global g) {
    if (find_builtin(name)) {
      err_in(g.file, g.loc, "`" + name + "` is the name of a built-in function; choose another name");
      return false;
    }
    auto [it, inserted] = globals_.emplace(name, g);
    if (!inserted) {
      std::string where = it->second.file == g.file ? loc_text(it->second.loc)
                                                     : it->second.file + ":" + loc_text(it->second.loc);
      err_in(g.file, g.loc, "`" + name + "` is already defined at " + where);
      return false;
    }
    return true;
  }

  struct PendingDecl {
    const syntax::Decl* decl;
    int article;  // -1 for library declarations
    std::string file;
    std::string library;
  };

  void collect() {
    std::map<std::string, Loc> numbers;
    for (const auto& a : file_.articles) {
      if (auto [it, ok] = numbers.emplace(a.number, a.loc); !ok)
        err(a.loc, "article " + a.number + " is already defined at " + loc_text(it->second));
      std::set<std::string> langs;
      for (const auto& t : a.titles)
        if (!langs.insert(t.lang).second)
          err(t.loc, "article " + a.number + " has two titles in the same language");
      out_.articles.push_back({a.number, a.titles, a.texts});
      const int index = static_cast<int>(out_.articles.size()) - 1;
      for (const auto& d : a.decls) pending_.push_back({&d, index, file_.path, ""});
    }
    for (const auto& lib : libraries_)
      for (const auto& d : lib.file.library_decls) pending_.push_back({&d, -1, lib.path, lib.name});

    // Records first: every other declaration may name them.
    for (const auto& p : pending_) {
      if (p.decl->kind != syntax::DeclKind::record) continue;
      if (declare(p.decl->name, {Global::record, static_cast<int>(out_.records.size()), p.decl->name_loc, p.file}))
        out_.records.push_back({p.decl->name, {}});
      record_decls_.push_back(p);
    }
    for (const auto& p : pending_) {
      const auto& d = *p.decl;
      switch (d.kind) {
        case syntax::DeclKind::record: break;
        case syntax::DeclKind::param:
          if (declare(d.name, {Global::param, static_cast<int>(out_.params.size()), d.name_loc, p.file})) {
            out_.params.push_back({d.name, {}, 0, "", p.article});
            param_decls_.push_back(p);
          }
          break;
        case syntax::DeclKind::state:
          if (declare(d.name, {Global::state, static_cast<int>(out_.states.size()), d.name_loc, p.file})) {
            out_.states.push_back({d.name, {}, p.article, 0});
            state_decls_.push_back(p);
          }
          break;
        case syntax::DeclKind::account:
          if (declare(d.name, {Global::account, static_cast<int>(out_.accounts.size()), d.name_loc, p.file})) {
            out_.accounts.push_back({d.name, d.type != nullptr, Kind::void_, p.article});
            account_decls_.push_back(p);
          }
          break;
        case syntax::DeclKind::rule:
        case syntax::DeclKind::clause:
        case syntax::DeclKind::periodic: {
          Function fn;
          fn.kind = d.kind == syntax::DeclKind::rule     ? FunctionKind::rule
                    : d.kind == syntax::DeclKind::clause ? FunctionKind::clause
                                                         : FunctionKind::periodic;
          fn.loc = d.loc;
          fn.article = p.article;
          fn.library = p.library;
          fn.file = p.file;
          if (fn.kind == FunctionKind::periodic) {
            fn.every = d.every;
            fn.name = d.every == PeriodUnit::week ? "every_week" : "every_month";
            if (d.per_account) {
              fn.per_account = true;
              fn.name += "_each_member";
            }
            // Several periodic clauses of one kind get distinct entry names.
            const std::string base = fn.name;
            auto taken = [&](const std::string& name) {
              for (const auto& other : out_.functions)
                if (other.name == name) return true;
              return false;
            };
            for (int n = 2; taken(fn.name); ++n) fn.name = base + "_" + std::to_string(n);
          } else {
            fn.name = d.name;
            auto what = fn.kind == FunctionKind::rule ? Global::rule : Global::clause;
            if (!declare(d.name, {what, static_cast<int>(out_.functions.size()), d.name_loc, p.file})) break;
          }
          out_.functions.push_back(std::move(fn));
          function_decls_.push_back(p);
          break;
        }
      }
    }
  }

  Type resolve_type(const syntax::Type& t, bool allow_map) {
    using TK = syntax::TypeKind;
    switch (t.kind) {
      case TK::money: return Type::of(Kind::money);
      case TK::rate: return Type::of(Kind::rate);
      case TK::count: return Type::of(Kind::count);
      case TK::boolean: return Type::of(Kind::boolean);
      case TK::period: return Type::of(Kind::period);
      case TK::member: return Type::of(Kind::member);
      case TK::guarantor: return Type::of(Kind::member);  // a guarantor is a member
      case TK::cooperative: return Type::of(Kind::cooperative);
      case TK::account: return Type::of(Kind::account);
      case TK::named: {
        auto it = globals_.find(t.name);
        if (it == globals_.end() || it->second.what != Global::record) {
          err(t.loc, "unknown type `" + t.name + "`: the types are money, rate, count, bool, period, "
                     "member, cooperative, guarantor, account, map and the charter's records");
          return {};
        }
        Type r = Type::of(Kind::record);
        r.record = it->second.index;
        return r;
      }
      case TK::map: {
        if (!allow_map) {
          err(t.loc, "a map can only be the type of charter state (`state NAME: map K -> V`)");
          return {};
        }
        Type key = resolve_type(*t.key, false);
        Type value = resolve_type(*t.value, false);
        if (key.kind != Kind::void_ && !is_key(key.kind)) {
          err(t.key->loc, std::string("a map cannot be keyed by ") + kind_name(key.kind) +
                              ": keys are member, cooperative, count or period");
          return {};
        }
        if (value.kind == Kind::account) {
          err(t.value->loc, "a map cannot hold accounts: declare `account NAME[member]` instead");
          return {};
        }
        if (key.kind == Kind::void_ || value.kind == Kind::void_) return {};
        Type m = Type::of(Kind::map);
        m.key = key.kind;
        m.value = value.kind;
        m.record = value.record;
        return m;
      }
    }
    return {};
  }

  void resolve_declarations() {
    for (const auto& p : record_decls_) {
      current_file_ = p.file;
      auto it = globals_.find(p.decl->name);
      if (it == globals_.end() || it->second.what != Global::record || it->second.loc != p.decl->name_loc) continue;
      auto& rec = out_.records[static_cast<std::size_t>(it->second.index)];
      std::set<std::string> names;
      for (const auto& f : p.decl->fields) {
        if (!names.insert(f.name).second) err(f.loc, "record `" + rec.name + "` has two fields named `" + f.name + "`");
        Type t = resolve_type(*f.type, false);
        if (t.kind == Kind::record || t.kind == Kind::account) {
          err(f.type->loc, "a record field cannot be " + a_kind(t.kind));
          t = {};
        }
        rec.fields.push_back({f.name, t});
      }
    }
    for (std::size_t i = 0; i < state_decls_.size(); ++i) {
      current_file_ = state_decls_[i].file;
      const auto& d = *state_decls_[i].decl;
      Type t = resolve_type(*d.type, true);
      if (t.kind == Kind::account) {
        err(d.type->loc, "charter state cannot hold an account: declare `account " + d.name + "` instead");
        t = {};
      }
      out_.states[i].type = t;
    }
    int slot = 0;
    for (auto& s : out_.states) {
      s.first_slot = slot;
      slot += slot_count(out_, s);
    }
    for (std::size_t i = 0; i < account_decls_.size(); ++i) {
      current_file_ = account_decls_[i].file;
      const auto& d = *account_decls_[i].decl;
      if (!d.type) continue;
      Type key = resolve_type(*d.type, false);
      if (key.kind != Kind::void_ && key.kind != Kind::member && key.kind != Kind::cooperative) {
        err(d.type->loc, std::string("an account family is keyed by member or cooperative, not ") +
                             kind_name(key.kind));
      }
      out_.accounts[i].key = key.kind;
    }
    // Parameters, in order: a parameter's value may use earlier parameters.
    for (std::size_t i = 0; i < param_decls_.size(); ++i) {
      current_file_ = param_decls_[i].file;
      const auto& d = *param_decls_[i].decl;
      Type declared = resolve_type(*d.type, false);
      params_ready_ = i;
      ExprPtr value = expr(*d.value);
      auto& p = out_.params[i];
      p.type = declared;
      if (declared.kind != Kind::void_ && !is_scalar(declared.kind)) {
        err(d.type->loc, std::string("a parameter must be money, a rate, a count, a period or a "
                                     "bool, not ") + kind_name(declared.kind));
        continue;
      }
      if (!value || value->type.kind == Kind::void_ || declared.kind == Kind::void_) continue;
      if (value->type != declared) {
        err(d.value->loc, "parameter `" + d.name + "` is declared " + type_name(out_, declared) +
                              " but its value is " + type_name(out_, value->type) + unit_hint(*value, declared.kind));
        continue;
      }
      auto folded = fold(*value);
      if (!folded) {
        err(d.value->loc, "the value of parameter `" + d.name + "` must be a constant");
        continue;
      }
      p.value = *folded;
      p.display = display_value(declared.kind, *folded);
    }
    params_ready_ = param_decls_.size();
    check_texts();
  }

  // Article texts name parameters as `{name}`, so that an amendment of the
  // parameter changes the text members read; a text that states a
  // parameter's value in figures instead is warned about.
  void check_texts() {
    current_file_ = file_.path;
    std::map<std::string, const Param*> by_name;
    for (const auto& p : out_.params) by_name[p.name] = &p;
    std::set<std::pair<const syntax::LangString*, std::string>> warned;  // once per text and parameter
    for (const auto& a : file_.articles)
      for (const auto& t : a.texts) {
        std::string why;
        std::size_t at = 0;
        auto pieces = vm::split_text(t.text, why, at);
        if (!pieces) {
          err(t.loc, "the text of article " + a.number + " has " + why);
          continue;
        }
        for (const auto& piece : *pieces) {
          if (piece.placeholder) {
            if (!by_name.count(piece.text))
              err(t.loc, "the text of article " + a.number + " names `{" + piece.text +
                             "}`, which is no parameter of this charter" + did_you_mean_param(piece.text, by_name));
            continue;
          }
          for (const auto& n : vm::stated_numbers(piece.text, out_.scale, out_.currency))
            for (const auto& p : out_.params)
              if (((n.rate && p.type.kind == Kind::rate) || (!n.rate && p.type.kind == Kind::money)) &&
                  p.value == n.value && warned.insert({&t, p.name}).second) {
                diags_.warning(current_file_, t.loc,
                               "the text of article " + a.number + " states " + n.text + ", the value of parameter `" +
                                   p.name + "`: write `{" + p.name + "}` so that the text follows an amendment");
                break;
              }
        }
      }
  }

  static std::string did_you_mean_param(const std::string& name, const std::map<std::string, const Param*>& params) {
    for (const auto& [n, p] : params)
      if (n.find(name) != std::string::npos || name.find(n) != std::string::npos) return " (did you mean `{" + n + "}`?)";
    return "";
  }

  std::string display_value(Kind k, std::int64_t v) const {
    switch (k) {
      case Kind::money: return format_money(v, out_.scale) + " " + out_.currency;
      case Kind::rate: return format_rate(v);
      case Kind::boolean: return v ? "true" : "false";
      default: return std::to_string(v);
    }
  }

  // Folds a constant expression; nullopt if it is not constant or overflows.
  std::optional<std::int64_t> fold(const Expr& e) const {
    switch (e.op) {
      case Op::constant:
      case Op::param: return e.value;
      case Op::neg: {
        auto a = fold(*e.args[0]);
        if (!a || *a == INT64_MIN) return std::nullopt;
        return -*a;
      }
      case Op::add:
      case Op::sub: {
        auto a = fold(*e.args[0]), b = fold(*e.args[1]);
        std::int64_t r;
        if (!a || !b) return std::nullopt;
        if (e.op == Op::add ? __builtin_add_overflow(*a, *b, &r) : __builtin_sub_overflow(*a, *b, &r))
          return std::nullopt;
        return r;
      }
      case Op::mul: {
        auto a = fold(*e.args[0]), b = fold(*e.args[1]);
        if (!a || !b) return std::nullopt;
        if (e.rounding) {
          // money × rate and rate × rate carry parts per billion.
          return muldiv(*a, *b, kRateOne, *e.rounding);
        }
        std::int64_t r;
        if (__builtin_mul_overflow(*a, *b, &r)) return std::nullopt;
        return r;
      }
      case Op::div: {
        auto a = fold(*e.args[0]), b = fold(*e.args[1]);
        if (!a || !b || !e.rounding) return std::nullopt;
        const Kind x = e.args[0]->type.kind, y = e.args[1]->type.kind;
        // money / money -> rate and money / rate -> money scale by one billion.
        const bool scaled = x == Kind::money && (y == Kind::money || y == Kind::rate);
        return scaled ? muldiv(*a, kRateOne, *b, *e.rounding) : muldiv(*a, 1, *b, *e.rounding);
      }
      default: return std::nullopt;
    }
  }

  // a × b / c, rounded as the ledger rounds: the ledger's own function.
  static std::optional<std::int64_t> muldiv(std::int64_t a, std::int64_t b, std::int64_t c, RoundingMode mode) {
    return money::muldiv(a, b, c, static_cast<abi::Rounding>(mode));
  }

  // ------------------------------------------------------------ bodies
  struct FnContext {
    Function* fn = nullptr;
    std::vector<std::map<std::string, int>> scopes;
    int article = -1;
    int loop_depth = 0;
    std::set<int> loop_vars;  // locals bound by `for` or a pro rata split part
    bool per_account = false;
  };

  // A per-account periodic clause may touch only its own account, so the
  // ledger can run it lazily; anything that reads or changes other state
  // would make the lazy result differ from the eager one.
  bool lazy_forbids(Loc loc, const std::string& what) {
    if (!fn_ || !fn_->per_account) return false;
    err(loc, "a clause run `for each member` may use only its member, that member's balance and the "
             "charter's parameters, so the ledger can run it lazily; " + what + " is not allowed here");
    return true;
  }

  void check_bodies() {
    for (std::size_t i = 0; i < function_decls_.size(); ++i) {
      const auto& p = function_decls_[i];
      current_file_ = p.file;
      const auto& d = *p.decl;
      Function& fn = out_.functions[i];
      FnContext ctx;
      ctx.fn = &fn;
      ctx.article = p.article;
      ctx.scopes.emplace_back();
      fn_ = &ctx;
      if (fn.kind == FunctionKind::periodic && d.per_account) {
        ctx.per_account = true;
        add_local(d.holder, Type::of(Kind::member), d.holder_loc);
        add_local(d.held, Type::of(Kind::money), d.held_loc);
      }
      for (const auto& f : d.formals) {
        Type t = resolve_type(*f.type, false);
        if (t.kind == Kind::record) {
          err(f.type->loc, "a rule or clause parameter cannot be a record");
          t = {};
        }
        add_local(f.name, t, f.loc);
      }
      fn.formal_count = static_cast<int>(fn.locals.size());
      if (fn.kind == FunctionKind::rule) {
        if (fn.formal_count > 16)
          err(d.loc, "rule `" + fn.name + "` takes " + std::to_string(fn.formal_count) +
                         " arguments; a rule may take at most 16");
        check_auth(d, fn);
      }
      if (fn.kind == FunctionKind::periodic && fn.every != out_.period) {
        err(d.loc, std::string("this charter's period is the ") + std::string(syntax::to_string(out_.period)) +
                       ", so it cannot have `every " + std::string(syntax::to_string(fn.every)) +
                       "` clauses: a " + std::string(syntax::to_string(fn.every)) + " is not a whole number of " +
                       std::string(syntax::to_string(out_.period)) + "s (declare `period " +
                       std::string(syntax::to_string(fn.every)) + "` in the header)");
      }
      if (fn.kind == FunctionKind::clause) {
        if (fn.formal_count > 5)
          err(d.loc, "clause `" + fn.name + "` takes " + std::to_string(fn.formal_count) +
                         " arguments; a clause may take at most 5 (group them in a record)");
        if (d.type) {
          fn.result = resolve_type(*d.type, false);
          if (fn.result.kind == Kind::record || fn.result.kind == Kind::account) {
            err(d.type->loc, "a clause cannot return " + a_kind(fn.result.kind));
            fn.result = {};
          }
        }
      }
      current_fn_ = static_cast<int>(i);
      fn.body = block(d.body);
      if (fn.kind == FunctionKind::clause && d.type && fn.result.kind != Kind::void_ && !returns(fn.body))
        err(d.loc, "clause `" + fn.name + "` must end with `return` on every path");
      fn_ = nullptr;
    }
  }

  static bool returns(const Block& b) {
    if (b.empty()) return false;
    const Stmt& last = *b.back();
    if (last.kind == StmtKind::return_) return true;
    if (last.kind == StmtKind::if_) return !last.else_body.empty() && returns(last.body) && returns(last.else_body);
    return false;
  }

  void check_auth(const syntax::Decl& d, Function& fn) {
    if (!d.has_auth) {
      err(d.name_loc, "rule `" + fn.name + "` does not say who may call it: add `by member`, "
                      "`by cooperative`, `by 2 guarantors` or `by assembly quorum 50%`");
      return;
    }
    for (const auto& t : d.auth) {
      AuthTerm a;
      switch (t.kind) {
        case syntax::AuthKind::member: a.kind = AuthKind::member; break;
        case syntax::AuthKind::cooperative: a.kind = AuthKind::cooperative; break;
        case syntax::AuthKind::guarantors: {
          a.kind = AuthKind::guarantors;
          std::string why;
          auto n = scaled_decimal(t.count, 0, why);
          if (!n || *n < 1 || *n > 16) err(t.loc, "the number of guarantors who must approve must be from 1 to 16");
          else a.count = *n;
          if (!t.subject.empty()) {
            int found = -1;
            for (int k = 0; k < fn.formal_count; ++k)
              if (fn.locals[static_cast<std::size_t>(k)].name == t.subject) found = k;
            if (found < 0) {
              err(t.subject_loc, "`" + t.subject + "` is not a parameter of rule `" + fn.name + "`");
            } else if (fn.locals[static_cast<std::size_t>(found)].type.kind != Kind::member) {
              err(t.subject_loc, "`" + t.subject + "` must be a member to have guarantors");
            }
            a.subject = found;
          }
          break;
        }
        case syntax::AuthKind::unknown:
          err(t.subject_loc, "unknown party `" + t.subject + "` in the authorisation clause: the parties "
                             "are member, cooperative, N guarantors [of ARG], assembly quorum RATE");
          continue;
        case syntax::AuthKind::assembly: {
          a.kind = AuthKind::assembly;
          const syntax::Expr& qs = *t.quorum;
          // `quorum 2/3`: an exact fraction of two whole numbers.
          if (qs.kind == syntax::ExprKind::binary && qs.op == "/" &&
              qs.args[0]->kind == syntax::ExprKind::int_lit && qs.args[1]->kind == syntax::ExprKind::int_lit) {
            std::string why;
            auto n = scaled_decimal(qs.args[0]->text, 0, why);
            auto m = scaled_decimal(qs.args[1]->text, 0, why);
            if (!n || !m || *n <= 0 || *m <= 0 || *n > *m)
              err(qs.args[0]->loc, "an assembly quorum written as a fraction must be above 0 and at most 1, like `2/3`");
            else
              set_quorum(a, *n, *m);
            break;
          }
          ExprPtr q = expr(qs);
          if (q && q->type.kind != Kind::void_) {
            auto v = fold(*q);
            if (q->type.kind != Kind::rate || !v || *v <= 0 || *v > kRateOne)
              err(qs.loc, "an assembly quorum must be a constant rate above 0% and at most 100%, "
                          "or a fraction like `2/3`");
            else
              set_quorum(a, *v, kRateOne);
          }
          break;
        }
      }
      fn.auth.push_back(a);
    }
    (void)d;
  }

  static void set_quorum(AuthTerm& a, std::int64_t num, std::int64_t den) {
    const std::int64_t g = std::gcd(num, den);
    a.quorum_num = num / g;
    a.quorum_den = den / g;
  }

  int add_local(const std::string& name, Type t, Loc loc) {
    auto& scope = fn_->scopes.back();
    for (auto it = fn_->scopes.rbegin(); it != fn_->scopes.rend(); ++it) {
      if (auto f = it->find(name); f != it->end()) {
        err(loc, "`" + name + "` is already a local name in this " +
                     (fn_->fn->kind == FunctionKind::clause ? "clause" : "rule"));
        return f->second;
      }
    }
    // A library is written without knowing the charters that import it, so
    // its locals may reuse the names of a charter's declarations.
    if (auto g = globals_.find(name);
        g != globals_.end() && g->second.what != Global::rule && g->second.file == current_file_) {
      err(loc, "`" + name + "` would hide the charter's " + global_what(g->second.what) + " of that name, defined at " +
                   loc_text(g->second.loc));
    }
    if (find_builtin(name)) err(loc, "`" + name + "` is the name of a built-in function; choose another name");
    const int index = static_cast<int>(fn_->fn->locals.size());
    fn_->fn->locals.push_back({name, t});
    scope[name] = index;
    return index;
  }

  static const char* global_what(Global::What w) {
    switch (w) {
      case Global::param: return "parameter";
      case Global::state: return "state";
      case Global::account: return "account";
      case Global::record: return "record";
      case Global::clause: return "clause";
      case Global::rule: return "rule";
    }
    return "name";
  }

  std::optional<int> find_local(const std::string& name) const {
    if (!fn_) return std::nullopt;
    for (auto it = fn_->scopes.rbegin(); it != fn_->scopes.rend(); ++it)
      if (auto f = it->find(name); f != it->end()) return f->second;
    return std::nullopt;
  }

  Block block(const syntax::Block& b) {
    Block out;
    fn_->scopes.emplace_back();
    for (const auto& s : b) {
      if (auto st = statement(*s)) out.push_back(std::move(st));
    }
    fn_->scopes.pop_back();
    return out;
  }

  StmtPtr make_stmt(StmtKind k, Loc loc) {
    auto s = std::make_unique<Stmt>();
    s->kind = k;
    s->loc = loc;
    s->article = fn_->article;
    return s;
  }

  bool expect(const ExprPtr& e, Kind k, Loc loc, const std::string& what) {
    if (!e || e->type.kind == Kind::void_) return false;
    if (e->type.kind != k) {
      err(loc, what + " must be " + kind_name(k) + ", not " + type_name(out_, e->type));
      return false;
    }
    return true;
  }

  StmtPtr statement(const SStmt& s) {
    using SK = syntax::StmtKind;
    switch (s.kind) {
      case SK::let: {
        auto st = make_stmt(StmtKind::let, s.loc);
        ExprPtr v = expr(*s.exprs[0]);
        Type t = v ? v->type : Type{};
        if (s.declared_type) {
          Type d = resolve_type(*s.declared_type, false);
          if (d.kind != Kind::void_ && t.kind != Kind::void_ && d != t)
            err(s.exprs[0]->loc, "`" + s.name + "` is declared " + type_name(out_, d) + " but its value is " +
                                     type_name(out_, t));
          t = d;
        }
        if (v && v->op == Op::collection) {
          err(s.exprs[0]->loc, "a collection cannot be stored in a variable; iterate over it with `for`");
          t = {};
        }
        if (t.kind == Kind::map || t.kind == Kind::record) {
          err(s.exprs[0]->loc, "a local variable cannot hold " + a_kind(t.kind));
          t = {};
        }
        st->exprs.push_back(std::move(v));
        st->local = add_local(s.name, t, s.name_loc);
        return st;
      }
      case SK::assign: return assign(s);
      case SK::remove: {
        lazy_forbids(s.loc, "changing charter state");
        auto st = make_stmt(StmtKind::remove_state, s.loc);
        auto g = globals_.find(s.target.name);
        if (g == globals_.end() || g->second.what != Global::state) {
          err(s.target.loc, "`remove` takes an entry of a state table, and `" + s.target.name + "` is not one");
          return nullptr;
        }
        const auto& sv = out_.states[static_cast<std::size_t>(g->second.index)];
        if (sv.type.kind != Kind::map || !s.target.index || !s.target.field.empty()) {
          err(s.target.loc, "`remove` takes one entry of a state table: `remove " + s.target.name + "[key]`");
          return nullptr;
        }
        st->state = g->second.index;
        st->key = expr(*s.target.index);
        check_key(st->key, sv, s.target.index->loc);
        return st;
      }
      case SK::require: {
        auto st = make_stmt(StmtKind::require, s.loc);
        ExprPtr c = expr(*s.exprs[0]);
        expect(c, Kind::boolean, s.exprs[0]->loc, "a `require` condition");
        st->exprs.push_back(std::move(c));
        if (s.message.empty()) err(s.loc, "a `require` needs a message that tells the member why");
        st->message = intern_message(s.message);
        return st;
      }
      case SK::transfer: {
        auto st = make_stmt(StmtKind::transfer, s.loc);
        ExprPtr amount = expr(*s.exprs[0]);
        ExprPtr from = expr(*s.exprs[1]);
        ExprPtr to = expr(*s.exprs[2]);
        expect(amount, Kind::money, s.exprs[0]->loc, "the amount of a transfer");
        expect(from, Kind::account, s.exprs[1]->loc, "the source of a transfer");
        check_lazy_source(from, s.exprs[1]->loc);
        expect(to, Kind::account, s.exprs[2]->loc, "the destination of a transfer");
        st->exprs.push_back(std::move(amount));
        st->exprs.push_back(std::move(from));
        st->exprs.push_back(std::move(to));
        return st;
      }
      case SK::split: return split(s);
      case SK::if_: {
        auto st = make_stmt(StmtKind::if_, s.loc);
        ExprPtr c = expr(*s.exprs[0]);
        expect(c, Kind::boolean, s.exprs[0]->loc, "an `if` condition");
        st->exprs.push_back(std::move(c));
        st->body = block(s.body);
        if (s.has_else) st->else_body = block(s.else_body);
        return st;
      }
      case SK::for_: {
        lazy_forbids(s.loc, "a loop over a collection");
        auto st = make_stmt(StmtKind::for_, s.loc);
        ExprPtr coll = expr(*s.exprs[0]);
        Type elem = element_type(coll, s.exprs[0]->loc);
        fn_->scopes.emplace_back();
        st->local = add_local(s.name, elem, s.name_loc);
        fn_->loop_vars.insert(st->local);
        ++fn_->loop_depth;
        if (fn_->loop_depth > 4) err(s.loc, "loops nested more than 4 deep");
        st->body = block(s.body);
        --fn_->loop_depth;
        fn_->scopes.pop_back();
        st->exprs.push_back(std::move(coll));
        return st;
      }
      case SK::emit: {
        auto st = make_stmt(StmtKind::emit, s.loc);
        if (s.exprs.size() > 3) err(s.loc, "an event carries at most 3 values");
        std::vector<EventValue> values;
        for (const auto& a : s.exprs) {
          ExprPtr v = expr(*a);
          if (v && v->type.kind != Kind::void_ && !is_scalar(v->type.kind))
            err(a->loc, std::string("an event value must be a scalar, not ") + type_name(out_, v->type));
          values.push_back({event_value_name(v.get(), values.size()), v ? v->type : Type{}, a->loc});
          st->exprs.push_back(std::move(v));
        }
        st->event = intern_event(s.name, std::move(values), s.name_loc);
        return st;
      }
      case SK::return_: {
        auto st = make_stmt(StmtKind::return_, s.loc);
        const Type& want = fn_->fn->result;
        if (s.exprs.empty()) {
          if (want.kind != Kind::void_) err(s.loc, "clause `" + fn_->fn->name + "` must return " + type_name(out_, want));
        } else {
          ExprPtr v = expr(*s.exprs[0]);
          if (fn_->fn->kind != FunctionKind::clause || want.kind == Kind::void_) {
            err(s.exprs[0]->loc, fn_->fn->kind == FunctionKind::clause
                                     ? "clause `" + fn_->fn->name + "` declares no result (add `-> TYPE`)"
                                     : std::string("a rule returns no value; use `return` alone to stop"));
          } else if (v && v->type.kind != Kind::void_ && v->type != want) {
            err(s.exprs[0]->loc, "clause `" + fn_->fn->name + "` returns " + type_name(out_, want) + ", not " +
                                     type_name(out_, v->type));
          }
          st->exprs.push_back(std::move(v));
        }
        return st;
      }
      case SK::call: {
        auto st = make_stmt(StmtKind::call, s.loc);
        ExprPtr c = call(s.name, s.name_loc, s.exprs, s.loc, true);
        if (!c) return nullptr;
        if (c->op == Op::builtin && c->type.kind == Kind::void_) {
          // A builtin that only acts (add_guarantee, remove_guarantee).
          st->exprs.push_back(std::move(c));
          return st;
        }
        if (c->op != Op::call) {
          // A call that failed was reported already; only a real value is unused.
          if (c->type.kind != Kind::void_)
            err(s.name_loc, std::string("the value of `") + s.name + "(...)` is not used");
          return nullptr;
        }
        st->clause = c->index;
        st->exprs = std::move(c->args);
        return st;
      }
    }
    return nullptr;
  }

  // In a per-account clause money may leave only the member's own share account.
  void check_lazy_source(const ExprPtr& from, Loc loc) {
    if (!fn_ || !fn_->per_account || !from || from->type.kind != Kind::account) return;
    const bool own_share = from->op == Op::builtin && from->builtin == Builtin::share && !from->args.empty() &&
                           from->args[0]->op == Op::local && from->args[0]->index == 0;
    if (!own_share)
      err(loc, "a clause run `for each member` may take money only from that member's share account, `share(" +
                   fn_->fn->locals[0].name + ")`");
  }

  void check_key(const ExprPtr& key, const StateVar& sv, Loc loc) {
    if (!key || key->type.kind == Kind::void_ || sv.type.kind != Kind::map) return;
    if (key->type.kind != sv.type.key)
      err(loc, "`" + sv.name + "` is keyed by " + kind_name(sv.type.key) + ", not " + type_name(out_, key->type));
  }

  StmtPtr assign(const SStmt& s) {
    const auto& lv = s.target;
    ExprPtr value = expr(*s.exprs[0]);
    if (auto local = find_local(lv.name)) {
      if (lv.index || !lv.field.empty()) {
        err(lv.loc, "`" + lv.name + "` is a local value; it has no entries or fields");
        return nullptr;
      }
      auto st = make_stmt(StmtKind::assign_local, s.loc);
      st->local = *local;
      const Type& t = fn_->fn->locals[static_cast<std::size_t>(*local)].type;
      if (value && value->type.kind != Kind::void_ && t.kind != Kind::void_ && value->type != t)
        err(s.exprs[0]->loc, "`" + lv.name + "` holds " + type_name(out_, t) + ", not " + type_name(out_, value->type));
      if (*local < fn_->fn->formal_count)
        err(lv.loc, "`" + lv.name + "` is an argument of the rule and cannot be changed");
      else if (fn_->loop_vars.count(*local))
        err(lv.loc, "`" + lv.name + "` is the variable of a `for` loop and cannot be changed; use `let` for a new value");
      st->exprs.push_back(std::move(value));
      return st;
    }
    auto g = globals_.find(lv.name);
    if (g == globals_.end()) {
      err(lv.loc, "unknown name `" + lv.name + "`");
      return nullptr;
    }
    if (g->second.what == Global::param) {
      err(lv.loc, "`" + lv.name + "` is a parameter of the charter; it changes only by amendment");
      return nullptr;
    }
    if (g->second.what != Global::state) {
      err(lv.loc, std::string("cannot assign to the ") + global_what(g->second.what) + " `" + lv.name + "`");
      return nullptr;
    }
    lazy_forbids(lv.loc, "changing charter state");
    const auto& sv = out_.states[static_cast<std::size_t>(g->second.index)];
    auto st = make_stmt(StmtKind::assign_state, s.loc);
    st->state = g->second.index;
    Type target = sv.type;
    if (sv.type.kind == Kind::map) {
      if (!lv.index) {
        err(lv.loc, "`" + lv.name + "` is a table; assign one entry: `" + lv.name + "[key] = ...`");
        return nullptr;
      }
      st->key = expr(*lv.index);
      check_key(st->key, sv, lv.index->loc);
      target = value_type(sv.type);
    } else if (lv.index) {
      err(lv.loc, "`" + lv.name + "` is not a table");
      return nullptr;
    }
    if (!lv.field.empty()) {
      if (target.kind != Kind::record) {
        err(lv.field_loc, "`" + lv.name + "` holds no record, so it has no field `" + lv.field + "`");
        return nullptr;
      }
      const auto& rec = out_.records[static_cast<std::size_t>(target.record)];
      for (std::size_t f = 0; f < rec.fields.size(); ++f)
        if (rec.fields[f].name == lv.field) st->field = static_cast<int>(f);
      if (st->field < 0) {
        err(lv.field_loc, "record `" + rec.name + "` has no field `" + lv.field + "`");
        return nullptr;
      }
      target = rec.fields[static_cast<std::size_t>(st->field)].type;
    } else if (target.kind == Kind::record) {
      err(lv.loc, "assign the fields of a record one by one: `" + lv.name + "[key].field = ...`");
      return nullptr;
    }
    if (value && value->type.kind != Kind::void_ && target.kind != Kind::void_ && value->type != target)
      err(s.exprs[0]->loc, "`" + lv.name + "` holds " + type_name(out_, target) + ", not " + type_name(out_, value->type));
    st->exprs.push_back(std::move(value));
    return st;
  }

  Type value_type(const Type& map) const {
    Type v = Type::of(map.value);
    v.record = map.record;
    return v;
  }

  StmtPtr split(const SStmt& s) {
    auto st = make_stmt(StmtKind::split, s.loc);
    ExprPtr amount = expr(*s.exprs[0]);
    ExprPtr from = expr(*s.exprs[1]);
    expect(amount, Kind::money, s.exprs[0]->loc, "the amount of a split");
    expect(from, Kind::account, s.exprs[1]->loc, "the source of a split");
    check_lazy_source(from, s.exprs[1]->loc);
    st->exprs.push_back(std::move(amount));
    st->exprs.push_back(std::move(from));
    if (s.parts.empty()) err(s.loc, "a split needs at least one part: `50% to fund`");
    std::int64_t total = 0;
    bool all_constant = true;
    for (const auto& p : s.parts) {
      SplitPart out;
      out.share = expr(*p.share);
      expect(out.share, Kind::rate, p.share->loc, "the share of a split part");
      if (out.share && out.share->type.kind == Kind::rate) {
        auto v = fold(*out.share);
        if (!v) all_constant = false;
        else if (*v < 0 || *v > kRateOne) err(p.share->loc, "a split part's share must be from 0% to 100%");
        else total += *v;
      }
      if (p.pro_rata) {
        out.pro_rata = true;
        out.collection = expr(*p.collection);
        Type elem = element_type(out.collection, p.collection->loc);
        fn_->scopes.emplace_back();
        out.var = add_local(p.var, elem, p.var_loc);
        out.weight = expr(*p.weight);
        if (out.weight && out.weight->type.kind != Kind::void_ && out.weight->type.kind != Kind::money &&
            out.weight->type.kind != Kind::count)
          err(p.weight->loc, "a pro rata weight must be money or a count, not " + type_name(out_, out.weight->type));
        out.target = expr(*p.target);
        expect(out.target, Kind::account, p.target->loc, "the destination of a split part");
        fn_->scopes.pop_back();
      } else {
        out.target = expr(*p.target);
        expect(out.target, Kind::account, p.target->loc, "the destination of a split part");
      }
      st->parts.push_back(std::move(out));
    }
    if (all_constant && total > kRateOne)
      err(s.loc, "the parts of this split add up to " + format_rate(total) + ", more than 100%");
    if (!s.remainder_to) {
      err(s.loc, "a split must say where the remainder goes, so its parts always add up to the "
                 "whole: add `remainder to ACCOUNT`");
    } else {
      st->remainder_to = expr(**s.remainder_to);
      expect(st->remainder_to, Kind::account, (*s.remainder_to)->loc, "the remainder of a split");
    }
    return st;
  }

  Type element_type(const ExprPtr& coll, Loc loc) {
    if (!coll || coll->type.kind == Kind::void_) return {};
    if (coll->op != Op::collection) {
      err(loc, "cannot iterate over " + type_name(out_, coll->type) +
                   ": only ledger collections are bounded (members, members of C, cooperatives, "
                   "guarantors of M, a state table, or range(A, B))");
      return {};
    }
    switch (coll->collection) {
      case Collection::members:
      case Collection::members_of:
      case Collection::guarantors_of: return Type::of(Kind::member);
      case Collection::cooperatives: return Type::of(Kind::cooperative);
      case Collection::state_keys:
        return Type::of(out_.states[static_cast<std::size_t>(coll->index)].type.key);
      case Collection::range: return Type::of(Kind::count);
    }
    return {};
  }

  int intern_message(const std::string& m) {
    for (std::size_t i = 0; i < out_.messages.size(); ++i)
      if (out_.messages[i] == m) return static_cast<int>(i);
    out_.messages.push_back(m);
    return static_cast<int>(out_.messages.size()) - 1;
  }

  // An event value is named after what the first `emit` of the event passes:
  // a parameter or local keeps its name, anything else is `valueN`.
  std::string event_value_name(const Expr* v, std::size_t i) const {
    if (v != nullptr && v->op == Op::local && fn_ != nullptr)
      return fn_->fn->locals[static_cast<std::size_t>(v->index)].name;
    if (v != nullptr && v->op == Op::param) return out_.params[static_cast<std::size_t>(v->index)].name;
    if (v != nullptr && v->op == Op::builtin && v->builtin == Builtin::caller) return "caller";
    return "value" + std::to_string(i + 1);
  }

  int intern_event(const std::string& name, std::vector<EventValue> values, Loc loc) {
    const int arity = static_cast<int>(values.size());
    for (std::size_t i = 0; i < out_.events.size(); ++i) {
      Event& e = out_.events[i];
      if (e.name != name) continue;
      if (static_cast<int>(e.values.size()) != arity) {
        err(loc, "event `" + name + "` carries " + std::to_string(e.values.size()) +
                     (e.values.size() == 1 ? " value" : " values") + " elsewhere, " + std::to_string(arity) +
                     " here: an event always carries the same number of values");
        return static_cast<int>(i);
      }
      for (std::size_t k = 0; k < values.size(); ++k) {
        if (values[k].type.kind == Kind::void_) continue;
        if (e.values[k].type.kind == Kind::void_) {
          e.values[k].type = values[k].type;
        } else if (!(e.values[k].type == values[k].type)) {
          err(values[k].loc, "event `" + name + "` carries " + type_name(out_, e.values[k].type) + " as value " +
                                 std::to_string(k + 1) + " (`" + e.values[k].name + "`) elsewhere, " +
                                 type_name(out_, values[k].type) + " here: an event's values keep their types");
        }
      }
      return static_cast<int>(i);
    }
    out_.events.push_back({name, std::move(values)});
    return static_cast<int>(out_.events.size()) - 1;
  }

  // ------------------------------------------------------------ expressions
  ExprPtr make(Op op, Type t, Loc loc) {
    auto e = std::make_unique<Expr>();
    e->op = op;
    e->type = t;
    e->loc = loc;
    return e;
  }
  ExprPtr poison(Loc loc) { return make(Op::constant, {}, loc); }

  // A decimal fraction as per cent, exactly: "0.01" -> "1", "0.125" ->
  // "12.5", "1.5" -> "150".
  static std::string percent_of_fraction(const std::string& text) {
    const auto dot = text.find('.');
    std::string whole = text.substr(0, dot), frac = dot == std::string::npos ? "" : text.substr(dot + 1);
    frac.resize(std::max<std::size_t>(frac.size(), 2), '0');
    std::string digits = whole + frac.substr(0, 2), rest = frac.substr(2);
    digits.erase(0, std::min(digits.find_first_not_of('0'), digits.size() - 1));
    while (!rest.empty() && rest.back() == '0') rest.pop_back();
    return rest.empty() ? digits : digits + "." + rest;
  }

  // When a bare number stands where money or a rate is wanted, says how to
  // write it with its unit; "" otherwise.
  std::string unit_hint(const Expr& e, Kind wanted) const {
    if (e.op != Op::constant || e.type.kind != Kind::count) return "";
    const std::string n = std::to_string(e.value);
    if (wanted == Kind::money)
      return " (write an amount with its currency: `" + n + (out_.scale > 0 ? "." + std::string(static_cast<std::size_t>(out_.scale), '0') : "") +
             " " + (out_.currency.empty() ? std::string("RUB") : out_.currency) + "`)";
    if (wanted == Kind::rate) return " (write a rate with `%`: `" + n + "%`)";
    return "";
  }

  ExprPtr constant(Kind k, std::int64_t v, Loc loc) {
    auto e = make(Op::constant, Type::of(k), loc);
    e->value = v;
    return e;
  }

  ExprPtr expr(const SExpr& e) {
    switch (e.kind) {
      case ExprKind::int_lit: {
        std::string why;
        auto v = scaled_decimal(e.text, 0, why);
        if (!v) {
          err(e.loc, "the number " + e.text + " is too large (the largest count is 9223372036854775807)");
          return poison(e.loc);
        }
        return constant(Kind::count, *v, e.loc);
      }
      case ExprKind::decimal_lit:
        // Both readings of a bare decimal as a rate, so that neither is a
        // hundred times off what was meant.
        err(e.loc, "the number " + e.text + " has no unit: for a rate, write `" + percent_of_fraction(e.text) +
                       "%` if " + e.text + " is a share of the whole, or `" + e.text + "%` if it is per cent; for "
                       "money, write `" + e.text + " " + (out_.currency.empty() ? std::string("RUB") : out_.currency) +
                       "`");
        return poison(e.loc);
      case ExprKind::percent_lit: {
        std::string why;
        // percent -> parts per billion: 1% = 10,000,000.
        auto v = scaled_decimal(e.text, 7, why);
        if (!v) {
          err(e.loc, "the rate " + e.text + "% " + (why.find("decimal") != std::string::npos
                                                        ? std::string("is finer than the language's resolution of 0.0000001%")
                                                        : why));
          return poison(e.loc);
        }
        return constant(Kind::rate, *v, e.loc);
      }
      case ExprKind::money_lit: {
        if (out_.currency.empty()) return poison(e.loc);
        if (e.name != out_.currency) {
          err(e.loc, "`" + e.name + "` is not this charter's currency (" + out_.currency + ")");
          return poison(e.loc);
        }
        std::string why;
        auto v = scaled_decimal(e.text, out_.scale, why);
        if (!v) {
          err(e.loc, "the amount " + e.text + " " + e.name + " " + why);
          return poison(e.loc);
        }
        return constant(Kind::money, *v, e.loc);
      }
      case ExprKind::bool_lit: return constant(Kind::boolean, e.bool_value ? 1 : 0, e.loc);
      case ExprKind::name: return name(e);
      case ExprKind::call: return call(e.name, e.loc, e.args, e.loc, false);
      case ExprKind::field: return field(e);
      case ExprKind::index: return index(e);
      case ExprKind::unary: return unary(e);
      case ExprKind::binary: return binary(e, std::nullopt);
      case ExprKind::rounded: {
        const SExpr& inner = *e.args[0];
        if (inner.kind != ExprKind::binary || (inner.op != "*" && inner.op != "/")) {
          err(e.loc, "`rounded` applies to a multiplication or a division, like `amount * rate rounded down`");
          return expr(inner);
        }
        return binary(inner, e.rounding, e.loc);
      }
      case ExprKind::members: {
        auto c = make(Op::collection, Type::of(Kind::map), e.loc);
        c->collection = Collection::members;
        if (!e.args.empty()) {
          c->collection = Collection::members_of;
          ExprPtr coop = expr(*e.args[0]);
          expect(coop, Kind::cooperative, e.args[0]->loc, "the argument of `members of`");
          c->args.push_back(std::move(coop));
        }
        return c;
      }
      case ExprKind::cooperatives: {
        auto c = make(Op::collection, Type::of(Kind::map), e.loc);
        c->collection = Collection::cooperatives;
        return c;
      }
      case ExprKind::guarantors: {
        auto c = make(Op::collection, Type::of(Kind::map), e.loc);
        c->collection = Collection::guarantors_of;
        ExprPtr m = expr(*e.args[0]);
        expect(m, Kind::member, e.args[0]->loc, "the argument of `guarantors of`");
        c->args.push_back(std::move(m));
        return c;
      }
    }
    return poison(e.loc);
  }

  ExprPtr name(const SExpr& e) {
    if (auto local = find_local(e.name)) {
      auto r = make(Op::local, fn_->fn->locals[static_cast<std::size_t>(*local)].type, e.loc);
      r->index = *local;
      return r;
    }
    if (auto g = globals_.find(e.name); g != globals_.end()) {
      const int i = g->second.index;
      switch (g->second.what) {
        case Global::param: {
          if (static_cast<std::size_t>(i) >= params_ready_) {
            err(e.loc, "parameter `" + e.name + "` is used before its definition");
            return poison(e.loc);
          }
          const auto& p = out_.params[static_cast<std::size_t>(i)];
          auto r = make(Op::param, p.type, e.loc);
          r->index = i;
          r->value = p.value;
          return r;
        }
        case Global::state: {
          lazy_forbids(e.loc, "reading charter state");
          const auto& sv = out_.states[static_cast<std::size_t>(i)];
          if (sv.type.kind == Kind::map) {
            // A table used whole: iterable, or the first argument of has().
            auto c = make(Op::collection, sv.type, e.loc);
            c->collection = Collection::state_keys;
            c->index = i;
            return c;
          }
          auto r = make(Op::state_get, sv.type, e.loc);
          r->index = i;
          return r;
        }
        case Global::account: {
          const auto& a = out_.accounts[static_cast<std::size_t>(i)];
          if (a.keyed) {
            err(e.loc, "`" + e.name + "` is a family of accounts; name one: `" + e.name + "[" +
                           kind_name(a.key) + "]`");
            return poison(e.loc);
          }
          auto r = make(Op::account_family, Type::of(Kind::account), e.loc);
          r->index = i;
          return r;
        }
        case Global::record:
          err(e.loc, "`" + e.name + "` is a record type, not a value");
          return poison(e.loc);
        case Global::clause:
          err(e.loc, "`" + e.name + "` is a clause; call it: `" + e.name + "(...)`");
          return poison(e.loc);
        case Global::rule:
          err(e.loc, "`" + e.name + "` is a rule; rules are called by transactions, not by other rules");
          return poison(e.loc);
      }
    }
    if (auto b = find_builtin(e.name)) {
      if (*b == Builtin::caller || *b == Builtin::current_period || *b == Builtin::fund) {
        std::vector<syntax::ExprPtr> none;
        return call(e.name, e.loc, none, e.loc, false);
      }
      err(e.loc, "`" + e.name + "` is a built-in function; call it with arguments");
      return poison(e.loc);
    }
    err(e.loc, "unknown name `" + e.name + "`");
    return poison(e.loc);
  }

  ExprPtr call(const std::string& fname, Loc loc, const std::vector<syntax::ExprPtr>& sargs, Loc, bool as_statement) {
    std::vector<ExprPtr> args;
    for (const auto& a : sargs) args.push_back(expr(*a));
    auto g = globals_.find(fname);
    if (g != globals_.end() && g->second.what == Global::clause) {
      const Function& callee = out_.functions[static_cast<std::size_t>(g->second.index)];
      const auto& decl = *function_decls_[static_cast<std::size_t>(g->second.index)].decl;
      if (args.size() != decl.formals.size()) {
        err(loc, "clause `" + fname + "` takes " + std::to_string(decl.formals.size()) + " argument(s), not " +
                     std::to_string(args.size()));
        return poison(loc);
      }
      for (std::size_t k = 0; k < args.size(); ++k) {
        // Formals of a clause not yet checked are resolved here from syntax.
        Type want = resolve_type_quiet(*decl.formals[k].type);
        if (args[k] && args[k]->type.kind != Kind::void_ && want.kind != Kind::void_ && args[k]->type != want)
          err(sargs[k]->loc, "argument " + std::to_string(k + 1) + " of `" + fname + "` must be " +
                                 type_name(out_, want) + ", not " + type_name(out_, args[k]->type));
      }
      Type result = decl.type ? resolve_type_quiet(*decl.type) : Type{};
      if (!as_statement && !decl.type) {
        err(loc, "clause `" + fname + "` returns no value");
        return poison(loc);
      }
      lazy_forbids(loc, "calling a clause");
      auto r = make(Op::call, result, loc);
      r->index = g->second.index;
      r->args = std::move(args);
      if (current_fn_ >= 0) calls_[current_fn_].insert(g->second.index);
      (void)callee;
      return r;
    }
    if (g != globals_.end() && g->second.what == Global::rule) {
      err(loc, "`" + fname + "` is a rule; rules are called by transactions, not by other rules");
      return poison(loc);
    }
    if (fname == "range" || fname == "диапазон") {
      // The counts from A to B, both included: a loop source, as bounded as
      // its end (`for stage in range(1, chains[c].stages)`).
      if (args.size() != 2) {
        err(loc, "`" + fname + "` takes 2 arguments: the first and the last count");
        return poison(loc);
      }
      bool ok = expect(args[0], Kind::count, sargs[0]->loc, "the first argument of `" + fname + "`");
      ok = expect(args[1], Kind::count, sargs[1]->loc, "the second argument of `" + fname + "`") && ok;
      if (!ok) return poison(loc);
      lazy_forbids(loc, "`" + fname + "`");
      auto c = make(Op::collection, Type::of(Kind::map), loc);
      c->collection = Collection::range;
      c->args = std::move(args);
      return c;
    }
    auto b = find_builtin(fname);
    if (!b) {
      err(loc, "unknown function `" + fname + "`");
      return poison(loc);
    }
    ExprPtr r = builtin(*b, fname, loc, std::move(args), sargs);
    if (!as_statement && r && r->op == Op::builtin && r->type.kind == Kind::void_) {
      err(loc, "`" + fname + "(...)` acts and gives no value: write it as a statement of its own");
      return poison(loc);
    }
    return r;
  }

  Type resolve_type_quiet(const syntax::Type& t) {
    // Types are checked where they are declared; here only the meaning is needed.
    Diagnostics scratch;
    Diagnostics* saved = &diags_;
    (void)saved;
    using TK = syntax::TypeKind;
    switch (t.kind) {
      case TK::money: return Type::of(Kind::money);
      case TK::rate: return Type::of(Kind::rate);
      case TK::count: return Type::of(Kind::count);
      case TK::boolean: return Type::of(Kind::boolean);
      case TK::period: return Type::of(Kind::period);
      case TK::member:
      case TK::guarantor: return Type::of(Kind::member);
      case TK::cooperative: return Type::of(Kind::cooperative);
      case TK::account: return Type::of(Kind::account);
      default: return {};
    }
  }

  ExprPtr builtin(Builtin b, const std::string& fname, Loc loc, std::vector<ExprPtr> args,
                  const std::vector<syntax::ExprPtr>& sargs) {
    if (b == Builtin::balance || b == Builtin::cooperative_account || b == Builtin::size || b == Builtin::has ||
        b == Builtin::caller || b == Builtin::current_period || b == Builtin::guarantees ||
        b == Builtin::guaranteed_count || b == Builtin::add_guarantee || b == Builtin::remove_guarantee ||
        b == Builtin::first)
      lazy_forbids(loc, "`" + fname + "`");
    struct Sig {
      Builtin b;
      int arity;
      Kind arg[3];
      Kind result;
    };
    static constexpr Kind V = Kind::void_;
    static constexpr Sig sigs[] = {
        {Builtin::balance, 1, {Kind::account, V, V}, Kind::money},
        {Builtin::caller, 0, {V, V, V}, Kind::member},
        {Builtin::current_period, 0, {V, V, V}, Kind::period},
        {Builtin::cooperative_account, 1, {Kind::cooperative, V, V}, Kind::money},
        {Builtin::cooperative_of, 1, {Kind::member, V, V}, Kind::cooperative},
        {Builtin::share, 1, {Kind::member, V, V}, Kind::account},
        {Builtin::own, 1, {Kind::cooperative, V, V}, Kind::account},
        {Builtin::fund, 0, {V, V, V}, Kind::account},
        {Builtin::guarantees, 2, {Kind::member, Kind::member, V}, Kind::boolean},
        {Builtin::guaranteed_count, 1, {Kind::member, V, V}, Kind::count},
        {Builtin::add_guarantee, 2, {Kind::member, Kind::member, V}, Kind::void_},
        {Builtin::remove_guarantee, 2, {Kind::member, Kind::member, V}, Kind::void_},
    };
    auto argloc = [&](std::size_t k) { return k < sargs.size() ? sargs[k]->loc : loc; };
    for (const auto& s : sigs) {
      if (s.b != b) continue;
      if (static_cast<int>(args.size()) != s.arity) {
        err(loc, "`" + fname + "` takes " + std::to_string(s.arity) + " argument(s), not " + std::to_string(args.size()));
        return poison(loc);
      }
      bool ok = true;
      for (int k = 0; k < s.arity; ++k) {
        const auto i = static_cast<std::size_t>(k);
        const std::string what = s.arity == 1 ? "the argument of `" + fname + "`"
                                               : "argument " + std::to_string(k + 1) + " of `" + fname + "`";
        ok = expect(args[i], s.arg[i], argloc(i), what) && ok;
      }
      if (!ok) return poison(loc);
      auto r = make(Op::builtin, Type::of(s.result), loc);
      r->builtin = b;
      r->args = std::move(args);
      return r;
    }
    switch (b) {
      case Builtin::pro_rata: {
        // pro_rata(amount, weight, total): amount * weight / total rounded
        // down, exactly (one 128-bit multiplication and division); the
        // amount is money or a count, the weight and the total both money
        // or both counts.
        if (args.size() != 3) {
          err(loc, "`" + fname + "` takes 3 arguments: the amount, its weight and the total weight");
          return poison(loc);
        }
        for (const auto& a : args)
          if (!a || a->type.kind == Kind::void_) return poison(loc);
        const Kind a0 = args[0]->type.kind, w = args[1]->type.kind;
        if (a0 != Kind::money && a0 != Kind::count) {
          err(argloc(0), "the amount `" + fname + "` shares is money or a count, not " + type_name(out_, args[0]->type));
          return poison(loc);
        }
        if ((w != Kind::money && w != Kind::count) || args[2]->type.kind != w) {
          err(argloc(1), "the weight and the total of `" + fname + "` are both money or both counts, not " +
                             type_name(out_, args[1]->type) + " and " + type_name(out_, args[2]->type));
          return poison(loc);
        }
        auto r = make(Op::builtin, Type::of(a0), loc);
        r->builtin = b;
        r->args = std::move(args);
        return r;
      }
      case Builtin::min:
      case Builtin::max: {
        if (args.size() != 2) {
          err(loc, "`" + fname + "` takes 2 arguments");
          return poison(loc);
        }
        if (!args[0] || !args[1] || args[0]->type.kind == Kind::void_ || args[1]->type.kind == Kind::void_)
          return poison(loc);
        const Kind k = args[0]->type.kind;
        if (args[0]->type != args[1]->type || (k != Kind::money && k != Kind::count && k != Kind::rate && k != Kind::period)) {
          err(loc, "`" + fname + "` compares two values of the same kind (money, count, rate or period), not " +
                       type_name(out_, args[0]->type) + " and " + type_name(out_, args[1]->type));
          return poison(loc);
        }
        auto r = make(Op::builtin, args[0]->type, loc);
        r->builtin = b;
        r->args = std::move(args);
        return r;
      }
      case Builtin::abs: {
        if (args.size() != 1 || !args[0] || args[0]->type.kind == Kind::void_) {
          if (args.size() != 1) err(loc, "`" + fname + "` takes 1 argument");
          return poison(loc);
        }
        const Kind k = args[0]->type.kind;
        if (k != Kind::money && k != Kind::count && k != Kind::rate) {
          err(argloc(0), "`" + fname + "` takes money, a count or a rate");
          return poison(loc);
        }
        auto r = make(Op::builtin, args[0]->type, loc);
        r->builtin = b;
        r->args = std::move(args);
        return r;
      }
      case Builtin::size: {
        if (args.size() != 1) {
          err(loc, "`" + fname + "` takes 1 argument");
          return poison(loc);
        }
        if (!args[0] || args[0]->type.kind == Kind::void_) return poison(loc);
        if (args[0]->op != Op::collection) {
          err(argloc(0), "`" + fname + "` counts a collection (members, cooperatives, guarantors of M, a state table)");
          return poison(loc);
        }
        auto r = make(Op::builtin, Type::of(Kind::count), loc);
        r->builtin = b;
        r->args = std::move(args);
        return r;
      }
      case Builtin::first: {
        if (args.size() != 1) {
          err(loc, "`" + fname + "` takes a state table");
          return poison(loc);
        }
        if (!args[0] || args[0]->type.kind == Kind::void_) return poison(loc);
        if (args[0]->op != Op::collection || args[0]->collection != Collection::state_keys ||
            out_.states[static_cast<std::size_t>(args[0]->index)].type.kind != Kind::map) {
          err(argloc(0), "the argument of `" + fname + "` must be a state table");
          return poison(loc);
        }
        const auto& sv = out_.states[static_cast<std::size_t>(args[0]->index)];
        auto r = make(Op::builtin, Type::of(sv.type.key), loc);
        r->builtin = b;
        r->index = args[0]->index;
        r->args = std::move(args);
        return r;
      }
      case Builtin::has: {
        if (args.size() != 2) {
          err(loc, "`" + fname + "` takes a state table and a key");
          return poison(loc);
        }
        if (!args[0] || !args[1] || args[0]->type.kind == Kind::void_ || args[1]->type.kind == Kind::void_)
          return poison(loc);
        if (args[0]->op != Op::collection || args[0]->collection != Collection::state_keys) {
          err(argloc(0), "the first argument of `" + fname + "` must be a state table");
          return poison(loc);
        }
        const auto& sv = out_.states[static_cast<std::size_t>(args[0]->index)];
        check_key(args[1], sv, argloc(1));
        auto r = make(Op::builtin, Type::of(Kind::boolean), loc);
        r->builtin = b;
        r->index = args[0]->index;
        r->args = std::move(args);
        return r;
      }
      default: break;
    }
    err(loc, "`" + std::string(builtin_name(b)) + "` cannot be used here");
    return poison(loc);
  }

  ExprPtr index(const SExpr& e) {
    const SExpr& base = *e.args[0];
    ExprPtr key = expr(*e.args[1]);
    if (base.kind != ExprKind::name) {
      err(e.loc, "only state tables and account families can be indexed");
      return poison(e.loc);
    }
    auto g = globals_.find(base.name);
    if (find_local(base.name) || g == globals_.end() ||
        (g->second.what != Global::state && g->second.what != Global::account)) {
      if (!find_local(base.name) && g == globals_.end()) err(base.loc, "unknown name `" + base.name + "`");
      else err(base.loc, "`" + base.name + "` is not a state table or an account family, so it cannot be indexed");
      return poison(e.loc);
    }
    const int i = g->second.index;
    if (g->second.what == Global::account) {
      const auto& a = out_.accounts[static_cast<std::size_t>(i)];
      if (!a.keyed) {
        err(base.loc, "`" + base.name + "` is a single account, not a family");
        return poison(e.loc);
      }
      if (key && key->type.kind != Kind::void_ && a.key != Kind::void_ && key->type.kind != a.key)
        err(e.args[1]->loc, "`" + base.name + "` is keyed by " + kind_name(a.key) + ", not " + type_name(out_, key->type));
      auto r = make(Op::account_family, Type::of(Kind::account), e.loc);
      r->index = i;
      r->args.push_back(std::move(key));
      return r;
    }
    lazy_forbids(e.loc, "reading charter state");
    const auto& sv = out_.states[static_cast<std::size_t>(i)];
    if (sv.type.kind != Kind::map) {
      err(base.loc, "`" + base.name + "` is not a table");
      return poison(e.loc);
    }
    check_key(key, sv, e.args[1]->loc);
    auto r = make(Op::state_get, value_type(sv.type), e.loc);
    r->index = i;
    r->args.push_back(std::move(key));
    return r;
  }

  ExprPtr field(const SExpr& e) {
    ExprPtr base = expr(*e.args[0]);
    if (!base || base->type.kind == Kind::void_) return poison(e.loc);
    if (base->type.kind != Kind::record || base->op != Op::state_get) {
      err(e.loc, type_name(out_, base->type) + " has no field `" + e.name + "`");
      return poison(e.loc);
    }
    const auto& rec = out_.records[static_cast<std::size_t>(base->type.record)];
    for (std::size_t f = 0; f < rec.fields.size(); ++f) {
      if (rec.fields[f].name != e.name) continue;
      base->field = static_cast<int>(f);
      base->type = rec.fields[f].type;
      base->loc = e.loc;
      return base;
    }
    err(e.loc, "record `" + rec.name + "` has no field `" + e.name + "`");
    return poison(e.loc);
  }

  ExprPtr unary(const SExpr& e) {
    ExprPtr a = expr(*e.args[0]);
    if (!a || a->type.kind == Kind::void_) return poison(e.loc);
    if (e.op == "not") {
      if (!expect(a, Kind::boolean, e.args[0]->loc, "the operand of `not`")) return poison(e.loc);
      auto r = make(Op::not_, a->type, e.loc);
      r->args.push_back(std::move(a));
      return r;
    }
    const Kind k = a->type.kind;
    if (k != Kind::money && k != Kind::count && k != Kind::rate) {
      err(e.loc, "cannot negate " + type_name(out_, a->type));
      return poison(e.loc);
    }
    auto r = make(Op::neg, a->type, e.loc);
    r->args.push_back(std::move(a));
    return r;
  }

  // `rounding` is set when the expression is wrapped in `rounded MODE`.
  ExprPtr binary(const SExpr& e, std::optional<RoundingMode> rounding, Loc rounded_loc = {}) {
    ExprPtr a = expr(*e.args[0]);
    ExprPtr b = expr(*e.args[1]);
    if (!a || !b || a->type.kind == Kind::void_ || b->type.kind == Kind::void_) return poison(e.loc);
    if (a->op == Op::collection || b->op == Op::collection) {
      err(e.loc, "a collection is not a value; use size(...) to count it");
      return poison(e.loc);
    }
    const Kind x = a->type.kind, y = b->type.kind;
    auto finish = [&](Op op, Kind result) {
      auto r = make(op, Type::of(result), e.loc);
      r->args.push_back(std::move(a));
      r->args.push_back(std::move(b));
      return r;
    };
    auto mismatch = [&](const std::string& why) {
      err(e.loc, why);
      return poison(e.loc);
    };
    const std::string& op = e.op;
    const std::string xs = type_name(out_, a->type), ys = type_name(out_, b->type);
    if (rounding && op != "*" && op != "/") return mismatch("`rounded` applies to a multiplication or a division");

    if (op == "and" || op == "or") {
      if (x != Kind::boolean || y != Kind::boolean)
        return mismatch("`" + op + "` joins two conditions (bool), not " + xs + " and " + ys);
      return finish(op == "and" ? Op::and_ : Op::or_, Kind::boolean);
    }
    if (op == "==" || op == "!=" || op == "<" || op == "<=" || op == ">" || op == ">=") {
      if (a->type != b->type)
        return mismatch("cannot compare " + xs + " with " + ys + unit_hint(*b, x) + unit_hint(*a, y));
      const bool ordered = x == Kind::money || x == Kind::count || x == Kind::rate || x == Kind::period;
      if (op != "==" && op != "!=" && !ordered) return mismatch(xs + " values can only be compared with == and !=");
      if (x == Kind::account && op != "==" && op != "!=") return mismatch("accounts can only be compared with == and !=");
      Op o = op == "==" ? Op::eq : op == "!=" ? Op::ne : op == "<" ? Op::lt : op == "<=" ? Op::le : op == ">" ? Op::gt : Op::ge;
      return finish(o, Kind::boolean);
    }
    if (op == "+" || op == "-") {
      const Op o = op == "+" ? Op::add : Op::sub;
      if (x == y && (x == Kind::money || x == Kind::count || x == Kind::rate)) return finish(o, x);
      if (x == Kind::period && y == Kind::count) return finish(o, Kind::period);
      if (op == "+" && x == Kind::count && y == Kind::period) return finish(o, Kind::period);
      if (op == "-" && x == Kind::period && y == Kind::period) return finish(o, Kind::count);
      return mismatch("cannot " + std::string(op == "+" ? "add " : "subtract ") + ys + (op == "+" ? " to " : " from ") + xs +
                      ": both sides must have the same unit" + unit_hint(*b, x) + unit_hint(*a, y));
    }
    // Multiplication and division.
    std::optional<RoundingMode> mode = rounding ? rounding : out_.rounding;
    auto needs_rounding = [&](Op o, Kind result) -> ExprPtr {
      if (!mode) {
        err(e.loc, xs + " " + op + " " + ys + " must be rounded, and the charter declares no rounding: add `rounded "
                       "down` (or up, half_even) here, or `rounding down` in the charter header");
        return poison(e.loc);
      }
      auto r = finish(o, result);
      r->rounding = mode;
      return r;
    };
    if (op == "*") {
      if (x == Kind::money && y == Kind::money)
        return mismatch("money × money has no meaning: multiply money by a rate or by a count");
      if ((x == Kind::money && y == Kind::rate) || (x == Kind::rate && y == Kind::money))
        return needs_rounding(Op::mul, Kind::money);
      if (x == Kind::rate && y == Kind::rate) return needs_rounding(Op::mul, Kind::rate);
      if (rounding) return mismatch("this multiplication is exact; `rounded` has nothing to round");
      if ((x == Kind::money && y == Kind::count) || (x == Kind::count && y == Kind::money)) return finish(Op::mul, Kind::money);
      if ((x == Kind::rate && y == Kind::count) || (x == Kind::count && y == Kind::rate)) return finish(Op::mul, Kind::rate);
      if (x == Kind::count && y == Kind::count) return finish(Op::mul, Kind::count);
      return mismatch("cannot multiply " + xs + " by " + ys);
    }
    // op == "/"
    if (auto divisor = fold(*b); divisor && *divisor == 0) return mismatch("division by zero");
    if (x == Kind::money && y == Kind::count) return needs_rounding(Op::div, Kind::money);
    if (x == Kind::money && y == Kind::money) return needs_rounding(Op::div, Kind::rate);
    if (x == Kind::money && y == Kind::rate) return needs_rounding(Op::div, Kind::money);
    if (x == Kind::count && y == Kind::count) return needs_rounding(Op::div, Kind::count);
    if (x == Kind::rate && y == Kind::count) return needs_rounding(Op::div, Kind::rate);
    (void)rounded_loc;
    return mismatch("cannot divide " + xs + " by " + ys);
  }

  // ------------------------------------------------------------ termination
  // The generated code reads a pro rata weight twice, once to sum the
  // weights and once to share the part (docs/abi.md), so a weight must not
  // change the ledger: no clause it calls may transfer, split, change
  // charter state or emit an event, directly or through other clauses.
  void check_weight_effects() {
    if (failed_) return;  // after a recursion error the call graph has no bottom
    std::vector<int> memo(out_.functions.size(), -1);  // -1 unknown, 0 no effect, 1 effects
    std::function<bool(int)> has_effects;
    // The first clause with effects that `e` calls, or -1.
    std::function<int(const Expr&)> effectful_call = [&](const Expr& e) -> int {
      if (e.op == Op::call && e.index >= 0 && has_effects(e.index)) return e.index;
      for (const auto& a : e.args)
        if (a)
          if (int c = effectful_call(*a); c >= 0) return c;
      return -1;
    };
    std::function<bool(const Block&)> block_effects = [&](const Block& b) {
      for (const auto& s : b) {
        if (!s) continue;
        switch (s->kind) {
          case StmtKind::assign_state:
          case StmtKind::remove_state:
          case StmtKind::transfer:
          case StmtKind::split:
          case StmtKind::emit: return true;
          case StmtKind::call:
            if (s->clause < 0 || has_effects(s->clause)) return true;  // < 0: a builtin that acts
            break;
          default: break;
        }
        for (const auto& x : s->exprs)
          if (x && effectful_call(*x) >= 0) return true;
        if (block_effects(s->body) || block_effects(s->else_body)) return true;
      }
      return false;
    };
    has_effects = [&](int f) {
      int& m = memo[static_cast<std::size_t>(f)];
      if (m < 0) {
        m = 0;  // no recursion (checked above): this only guards the walk
        m = block_effects(out_.functions[static_cast<std::size_t>(f)].body) ? 1 : 0;
      }
      return m == 1;
    };
    std::function<void(const Function&, const Block&)> walk = [&](const Function& fn, const Block& b) {
      for (const auto& s : b) {
        if (!s) continue;
        if (s->kind == StmtKind::split)
          for (const auto& part : s->parts) {
            if (!part.pro_rata || !part.weight) continue;
            if (int c = effectful_call(*part.weight); c >= 0)
              err_in(fn.file, part.weight->loc,
                     "a pro rata weight must not change the ledger (it is read twice: to sum the "
                     "weights, then to share the part), but clause `" +
                         out_.functions[static_cast<std::size_t>(c)].name +
                         "` transfers money, changes charter state or emits an event");
          }
        walk(fn, s->body);
        walk(fn, s->else_body);
      }
    };
    for (const auto& fn : out_.functions) walk(fn, fn.body);
  }

  void check_recursion() {
    // Depth-first search for a cycle in the clause call graph.
    std::map<int, int> state;  // 0 new, 1 on stack, 2 done
    std::vector<int> stack;
    std::function<void(int)> visit = [&](int f) {
      state[f] = 1;
      stack.push_back(f);
      for (int g : calls_[f]) {
        if (state[g] == 1) {
          std::string path;
          auto start = std::find(stack.begin(), stack.end(), g);
          // A long cycle is shown by its first and last few clauses.
          const auto length = stack.end() - start;
          for (auto it = start; it != stack.end(); ++it) {
            const auto i = it - start;
            if (length > 10 && i == 5) path += "... (" + std::to_string(length - 8) + " more) -> ";
            if (length > 10 && i >= 5 && i < length - 3) continue;
            path += "`" + out_.functions[static_cast<std::size_t>(*it)].name + "` -> ";
          }
          path += "`" + out_.functions[static_cast<std::size_t>(g)].name + "`";
          const auto& p = function_decls_[static_cast<std::size_t>(g)];
          err_in(p.file, p.decl->name_loc, "recursion is not allowed (every rule must be sure to finish): " + path);
        } else if (state[g] == 0) {
          visit(g);
        }
      }
      stack.pop_back();
      state[f] = 2;
    };
    for (std::size_t f = 0; f < out_.functions.size(); ++f)
      if (state[static_cast<int>(f)] == 0) visit(static_cast<int>(f));
  }

  const syntax::File& file_;
  LibraryLoader& libs_;
  Diagnostics& diags_;
  Charter out_;
  bool failed_ = false;
  std::string current_file_;
  std::vector<Library> libraries_;
  std::map<std::string, Global> globals_;
  std::vector<PendingDecl> pending_, record_decls_, param_decls_, state_decls_, account_decls_, function_decls_;
  std::size_t params_ready_ = 0;
  FnContext* fn_ = nullptr;
  int current_fn_ = -1;
  std::map<int, std::set<int>> calls_;
};

}  // namespace

const char* kind_name(Kind k) {
  switch (k) {
    case Kind::void_: return "nothing";
    case Kind::money: return "money";
    case Kind::rate: return "rate";
    case Kind::count: return "count";
    case Kind::boolean: return "bool";
    case Kind::period: return "period";
    case Kind::member: return "member";
    case Kind::cooperative: return "cooperative";
    case Kind::account: return "account";
    case Kind::map: return "map";
    case Kind::record: return "record";
  }
  return "?";
}

int slot_count(const Charter& c, const StateVar& s) {
  if (s.type.kind == Kind::map && s.type.value == Kind::record && s.type.record >= 0)
    return 1 + static_cast<int>(c.records[static_cast<std::size_t>(s.type.record)].fields.size());
  return 1;
}

std::optional<Charter> check(const syntax::File& file, LibraryLoader& libraries, Diagnostics& diags) {
  Checker checker(file, libraries, diags);
  return checker.run();
}

std::string type_name(const Charter& c, const Type& t) {
  switch (t.kind) {
    case Kind::record:
      return t.record >= 0 && static_cast<std::size_t>(t.record) < c.records.size()
                 ? c.records[static_cast<std::size_t>(t.record)].name
                 : "record";
    case Kind::map: {
      std::string v = t.value == Kind::record ? type_name(c, Type{Kind::record, t.record, Kind::void_, Kind::void_})
                                              : kind_name(t.value);
      return std::string("map ") + kind_name(t.key) + " -> " + v;
    }
    default: return kind_name(t.kind);
  }
}

std::string format_money(std::int64_t minor, int scale) {
  const bool neg = minor < 0;
  // Work in unsigned so INT64_MIN formats too.
  std::uint64_t u = neg ? 0 - static_cast<std::uint64_t>(minor) : static_cast<std::uint64_t>(minor);
  std::string digits = std::to_string(u);
  if (scale > 0) {
    if (digits.size() <= static_cast<std::size_t>(scale)) digits.insert(0, static_cast<std::size_t>(scale) + 1 - digits.size(), '0');
    digits.insert(digits.size() - static_cast<std::size_t>(scale), ".");
  }
  return neg ? "-" + digits : digits;
}

std::string format_rate(std::int64_t ppb) {
  // 1% = 10,000,000 ppb: print the percentage with up to 7 decimals.
  std::string s = format_money(ppb, 7);
  if (s.find('.') != std::string::npos) {
    while (s.back() == '0') s.pop_back();
    if (s.back() == '.') s.pop_back();
  }
  return s + "%";
}

}  // namespace artel::typed
