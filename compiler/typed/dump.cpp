// The typed AST as stable text: resolved names, types and exact values, no
// source places, so English and Russian twins dump identically.
#include <sstream>

#include "compiler/typed/typed.h"

namespace artel::typed {

namespace {

const char* op_name(Op op) {
  switch (op) {
    case Op::neg: return "neg";
    case Op::not_: return "not";
    case Op::add: return "add";
    case Op::sub: return "sub";
    case Op::mul: return "mul";
    case Op::div: return "div";
    case Op::eq: return "eq";
    case Op::ne: return "ne";
    case Op::lt: return "lt";
    case Op::le: return "le";
    case Op::gt: return "gt";
    case Op::ge: return "ge";
    case Op::and_: return "and";
    case Op::or_: return "or";
    default: return "?";
  }
}

const char* builtin_text(Builtin b) {
  switch (b) {
    case Builtin::balance: return "balance";
    case Builtin::caller: return "caller";
    case Builtin::current_period: return "current_period";
    case Builtin::cooperative_account: return "cooperative_account";
    case Builtin::cooperative_of: return "cooperative_of";
    case Builtin::share: return "share";
    case Builtin::own: return "own";
    case Builtin::fund: return "fund";
    case Builtin::min: return "min";
    case Builtin::max: return "max";
    case Builtin::abs: return "abs";
    case Builtin::size: return "size";
    case Builtin::has: return "has";
    case Builtin::guarantees: return "guarantees";
    case Builtin::guaranteed_count: return "guaranteed_count";
    case Builtin::add_guarantee: return "add_guarantee";
    case Builtin::remove_guarantee: return "remove_guarantee";
    case Builtin::pro_rata: return "pro_rata";
    case Builtin::first: return "first_key";
  }
  return "?";
}

std::string quote(const std::string& s) {
  std::string q = "\"";
  for (char c : s) {
    if (c == '"' || c == '\\') q += '\\';
    if (c == '\n') {
      q += "\\n";
      continue;
    }
    q += c;
  }
  return q + "\"";
}

class Dumper {
 public:
  explicit Dumper(const Charter& c) : c_(c) {}

  std::string run() {
    out_ << "(charter " << quote(c_.name) << " version " << c_.version << "\n";
    out_ << "  (currency " << c_.currency << " scale " << c_.scale << ")\n";
    out_ << "  (rounding " << (c_.rounding ? std::string(syntax::to_string(*c_.rounding)) : "none") << ")\n";
    out_ << "  (period " << syntax::to_string(c_.period) << ")\n";
    for (const auto& i : c_.imports) out_ << "  (import " << i << ")\n";
    for (std::size_t i = 0; i < c_.articles.size(); ++i) {
      const auto& a = c_.articles[i];
      out_ << "  (article #" << i << " " << a.number;
      for (const auto& t : a.titles) out_ << " " << (t.lang.empty() ? "" : t.lang + " ") << quote(t.text);
      out_ << "\n";
      for (const auto& t : a.texts) out_ << "    (text " << (t.lang.empty() ? "" : t.lang + " ") << quote(t.text) << ")\n";
      out_ << "  )\n";
    }
    for (std::size_t i = 0; i < c_.params.size(); ++i) {
      const auto& p = c_.params[i];
      out_ << "  (param #" << i << " " << p.name << " " << type_name(c_, p.type) << " " << p.value << " "
           << quote(p.display) << " article #" << p.article << ")\n";
    }
    for (std::size_t i = 0; i < c_.records.size(); ++i) {
      out_ << "  (record #" << i << " " << c_.records[i].name;
      for (const auto& f : c_.records[i].fields) out_ << " (" << f.name << " " << type_name(c_, f.type) << ")";
      out_ << ")\n";
    }
    for (std::size_t i = 0; i < c_.states.size(); ++i) {
      const auto& s = c_.states[i];
      out_ << "  (state #" << i << " " << s.name << " " << type_name(c_, s.type) << " slots " << s.first_slot
           << "+" << slot_count(c_, s) << " article #" << s.article << ")\n";
    }
    for (std::size_t i = 0; i < c_.accounts.size(); ++i) {
      const auto& a = c_.accounts[i];
      out_ << "  (account #" << i << " " << a.name;
      if (a.keyed) out_ << " [" << type_name(c_, Type::of(a.key)) << "]";
      out_ << " article #" << a.article << ")\n";
    }
    for (std::size_t i = 0; i < c_.messages.size(); ++i) out_ << "  (message #" << i << " " << quote(c_.messages[i]) << ")\n";
    for (std::size_t i = 0; i < c_.events.size(); ++i)
    {
      out_ << "  (event #" << i << " " << c_.events[i].name;
      for (const auto& v : c_.events[i].values) out_ << " " << v.name << ":" << type_name(c_, v.type);
      out_ << ")\n";
    }
    for (std::size_t i = 0; i < c_.functions.size(); ++i) function(i, c_.functions[i]);
    out_ << ")\n";
    return out_.str();
  }

 private:
  void function(std::size_t index, const Function& f) {
    const char* kind = f.kind == FunctionKind::rule     ? "rule"
                       : f.kind == FunctionKind::clause ? "clause"
                       : f.per_account                  ? "periodic-per-account"
                                                        : "periodic";
    out_ << "  (" << kind << " #" << index << " " << f.name;
    if (!f.library.empty()) out_ << " library " << f.library;
    out_ << " article #" << f.article << " (";
    for (int i = 0; i < f.formal_count; ++i)
      out_ << (i ? " " : "") << local(i, f) << ":" << type_name(c_, f.locals[static_cast<std::size_t>(i)].type);
    out_ << ")";
    if (f.result.kind != Kind::void_) out_ << " -> " << type_name(c_, f.result);
    for (const auto& a : f.auth) {
      switch (a.kind) {
        case AuthKind::member: out_ << " (by member)"; break;
        case AuthKind::cooperative: out_ << " (by cooperative)"; break;
        case AuthKind::guarantors: out_ << " (by " << a.count << " guarantors of " << (a.subject < 0 ? std::string("caller") : local(a.subject, f)) << ")"; break;
        case AuthKind::assembly: out_ << " (by assembly quorum " << a.quorum_num << "/" << a.quorum_den << ")"; break;
      }
    }
    out_ << "\n    (locals";
    for (std::size_t i = 0; i < f.locals.size(); ++i) out_ << " " << local(static_cast<int>(i), f) << ":" << type_name(c_, f.locals[i].type);
    out_ << ")\n";
    fn_ = &f;
    block(2, f.body);
    out_ << "  )\n";
  }

  static std::string local(int i, const Function& f) {
    return "%" + std::to_string(i) + "." + f.locals[static_cast<std::size_t>(i)].name;
  }

  void block(int d, const Block& b) {
    for (const auto& s : b) stmt(d, *s);
  }

  void line(int d, const std::string& s) { out_ << std::string(static_cast<std::size_t>(d) * 2, ' ') << s << "\n"; }

  std::string expr(const Expr* e) const {
    if (e == nullptr) return "?";
    const std::string t = ":" + type_name(c_, e->type);
    std::string args;
    for (const auto& a : e->args) args += " " + expr(a.get());
    switch (e->op) {
      case Op::constant: return std::to_string(e->value) + t;
      case Op::local: return local(e->index, *fn_);
      case Op::param: return "(param " + c_.params[static_cast<std::size_t>(e->index)].name + ")" + t;
      case Op::builtin: return "(" + std::string(builtin_text(e->builtin)) + args + ")" + t;
      case Op::collection: {
        switch (e->collection) {
          case Collection::members: return "members";
          case Collection::members_of: return "(members-of" + args + ")";
          case Collection::cooperatives: return "cooperatives";
          case Collection::guarantors_of: return "(guarantors-of" + args + ")";
          case Collection::state_keys: return "(keys " + c_.states[static_cast<std::size_t>(e->index)].name + ")";
          case Collection::range: return "(range" + args + ")";
        }
        return "?";
      }
      case Op::account_family: return "(account " + c_.accounts[static_cast<std::size_t>(e->index)].name + args + ")";
      case Op::state_get: {
        std::string s = "(get " + c_.states[static_cast<std::size_t>(e->index)].name + args;
        if (e->field >= 0) s += " ." + std::to_string(e->field);
        return s + ")" + t;
      }
      case Op::call: return "(call " + c_.functions[static_cast<std::size_t>(e->index)].name + args + ")" + t;
      default: {
        std::string s = "(" + std::string(op_name(e->op));
        if (e->rounding) s += "/" + std::string(syntax::to_string(*e->rounding));
        return s + args + ")" + t;
      }
    }
  }

  void stmt(int d, const Stmt& s) {
    std::string args;
    for (const auto& a : s.exprs) args += " " + expr(a.get());
    const std::string art = " @article#" + std::to_string(s.article);
    switch (s.kind) {
      case StmtKind::let: line(d, "(let " + local(s.local, *fn_) + args + ")"); break;
      case StmtKind::assign_local: line(d, "(set " + local(s.local, *fn_) + args + ")"); break;
      case StmtKind::assign_state:
        line(d, "(store " + c_.states[static_cast<std::size_t>(s.state)].name + (s.key ? " " + expr(s.key.get()) : "") +
                    (s.field >= 0 ? " ." + std::to_string(s.field) : "") + args + ")");
        break;
      case StmtKind::remove_state:
        line(d, "(remove " + c_.states[static_cast<std::size_t>(s.state)].name + " " + expr(s.key.get()) + ")");
        break;
      case StmtKind::require: line(d, "(require" + args + " message#" + std::to_string(s.message) + art + ")"); break;
      case StmtKind::transfer: line(d, "(transfer" + args + art + ")"); break;
      case StmtKind::split:
        line(d, "(split" + args + art);
        for (const auto& p : s.parts) {
          if (p.pro_rata)
            line(d + 1, "(part " + expr(p.share.get()) + " among " + local(p.var, *fn_) + " in " + expr(p.collection.get()) +
                            " weight " + expr(p.weight.get()) + " to " + expr(p.target.get()) + ")");
          else
            line(d + 1, "(part " + expr(p.share.get()) + " to " + expr(p.target.get()) + ")");
        }
        line(d + 1, "(remainder " + expr(s.remainder_to.get()) + "))");
        break;
      case StmtKind::if_:
        line(d, "(if" + args);
        block(d + 1, s.body);
        if (!s.else_body.empty()) {
          line(d, " else");
          block(d + 1, s.else_body);
        }
        line(d, ")");
        break;
      case StmtKind::for_:
        line(d, "(for " + local(s.local, *fn_) + " in" + args);
        block(d + 1, s.body);
        line(d, ")");
        break;
      case StmtKind::emit: line(d, "(emit " + c_.events[static_cast<std::size_t>(s.event)].name + args + ")"); break;
      case StmtKind::return_: line(d, "(return" + args + ")"); break;
      case StmtKind::call:
        if (s.clause < 0)
          line(d, "(do" + args + art + ")");
        else
          line(d, "(call " + c_.functions[static_cast<std::size_t>(s.clause)].name + args + art + ")");
        break;
    }
  }

  const Charter& c_;
  const Function* fn_ = nullptr;
  std::ostringstream out_;
};

}  // namespace

std::string dump(const Charter& charter) { return Dumper(charter).run(); }

}  // namespace artel::typed
