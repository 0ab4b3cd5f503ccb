// A stable S-expression rendering of the syntax tree, with places.
#include <sstream>

#include "compiler/syntax/syntax.h"

namespace artel::syntax {

namespace {

class Dumper {
 public:
  std::string run(const File& f) {
    line(0, std::string(f.is_library ? "(library " : "(charter ") + quote(f.name) +
                (f.is_library ? "" : " version " + f.version));
    const Header& h = f.header;
    if (h.currency) line(1, "(currency " + *h.currency + " scale " + h.scale.value_or("?") + ")");
    if (h.rounding) line(1, "(rounding " + std::string(to_string(*h.rounding)) + ")");
    if (h.period) line(1, "(period " + std::string(to_string(*h.period)) + ")");
    for (const auto& i : f.imports) line(1, "(import " + i.name + ")");
    for (const auto& a : f.articles) {
      std::string head = "(article " + a.number;
      for (const auto& t : a.titles) head += " " + lang(t);
      line(1, head + at(a.loc));
      for (const auto& t : a.texts) line(2, "(text " + lang(t) + ")");
      for (const auto& d : a.decls) decl(2, d);
      line(1, ")");
    }
    for (const auto& d : f.library_decls) decl(1, d);
    out_ << ")\n";
    return out_.str();
  }

 private:
  static std::string quote(const std::string& s) {
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
  static std::string at(Loc l) { return " @" + std::to_string(l.line) + ":" + std::to_string(l.col); }
  static std::string lang(const LangString& s) { return (s.lang.empty() ? "" : s.lang + " ") + quote(s.text); }

  void line(int depth, const std::string& s) { out_ << std::string(static_cast<std::size_t>(depth) * 2, ' ') << s << '\n'; }

  static std::string type(const Type* t) {
    if (t == nullptr) return "?";
    switch (t->kind) {
      case TypeKind::money: return "money";
      case TypeKind::rate: return "rate";
      case TypeKind::count: return "count";
      case TypeKind::boolean: return "bool";
      case TypeKind::period: return "period";
      case TypeKind::member: return "member";
      case TypeKind::cooperative: return "cooperative";
      case TypeKind::guarantor: return "guarantor";
      case TypeKind::account: return "account";
      case TypeKind::map: return "(map " + type(t->key.get()) + " " + type(t->value.get()) + ")";
      case TypeKind::named: return t->name;
    }
    return "?";
  }

  static std::string expr(const Expr* e) {
    if (e == nullptr) return "?";
    switch (e->kind) {
      case ExprKind::int_lit: return e->text;
      case ExprKind::decimal_lit: return e->text;
      case ExprKind::percent_lit: return e->text + "%";
      case ExprKind::money_lit: return "(money " + e->text + " " + e->name + ")";
      case ExprKind::bool_lit: return e->bool_value ? "true" : "false";
      case ExprKind::name: return e->name;
      case ExprKind::call: {
        std::string s = "(call " + e->name;
        for (const auto& a : e->args) s += " " + expr(a.get());
        return s + ")";
      }
      case ExprKind::field: return "(field " + expr(e->args[0].get()) + " " + e->name + ")";
      case ExprKind::index: return "(index " + expr(e->args[0].get()) + " " + expr(e->args[1].get()) + ")";
      case ExprKind::unary: return "(" + e->op + " " + expr(e->args[0].get()) + ")";
      case ExprKind::binary:
        return "(" + e->op + " " + expr(e->args[0].get()) + " " + expr(e->args[1].get()) + ")";
      case ExprKind::rounded:
        return "(rounded " + std::string(to_string(e->rounding)) + " " + expr(e->args[0].get()) + ")";
      case ExprKind::members: return e->args.empty() ? "members" : "(members-of " + expr(e->args[0].get()) + ")";
      case ExprKind::cooperatives: return "cooperatives";
      case ExprKind::guarantors: return "(guarantors-of " + expr(e->args[0].get()) + ")";
    }
    return "?";
  }

  static std::string lvalue(const LValue& lv) {
    std::string s = lv.name;
    if (lv.index) s = "(index " + s + " " + expr(lv.index.get()) + ")";
    if (!lv.field.empty()) s = "(field " + s + " " + lv.field + ")";
    return s;
  }

  void block(int depth, const Block& b) {
    for (const auto& s : b) stmt(depth, *s);
  }

  void stmt(int d, const Stmt& s) {
    auto args = [&](std::size_t from) {
      std::string r;
      for (std::size_t i = from; i < s.exprs.size(); ++i) r += " " + expr(s.exprs[i].get());
      return r;
    };
    switch (s.kind) {
      case StmtKind::let:
        line(d, "(let " + s.name + (s.declared_type ? " : " + type(s.declared_type.get()) : "") + args(0) + ")" + at(s.loc));
        break;
      case StmtKind::assign: line(d, "(set " + lvalue(s.target) + args(0) + ")" + at(s.loc)); break;
      case StmtKind::require: line(d, "(require" + args(0) + " " + quote(s.message) + ")" + at(s.loc)); break;
      case StmtKind::transfer: line(d, "(transfer" + args(0) + ")" + at(s.loc)); break;
      case StmtKind::split:
        line(d, "(split" + args(0) + at(s.loc));
        for (const auto& p : s.parts) {
          if (p.pro_rata)
            line(d + 1, "(part " + expr(p.share.get()) + " among " + p.var + " in " + expr(p.collection.get()) +
                            " pro-rata " + expr(p.weight.get()) + " to " + expr(p.target.get()) + ")");
          else
            line(d + 1, "(part " + expr(p.share.get()) + " to " + expr(p.target.get()) + ")");
        }
        if (s.remainder_to) line(d + 1, "(remainder " + expr(s.remainder_to->get()) + ")");
        line(d, ")");
        break;
      case StmtKind::if_:
        line(d, "(if" + args(0) + at(s.loc));
        block(d + 1, s.body);
        if (s.has_else) {
          line(d, " else");
          block(d + 1, s.else_body);
        }
        line(d, ")");
        break;
      case StmtKind::for_:
        line(d, "(for " + s.name + " in" + args(0) + at(s.loc));
        block(d + 1, s.body);
        line(d, ")");
        break;
      case StmtKind::emit: line(d, "(emit " + s.name + args(0) + ")" + at(s.loc)); break;
      case StmtKind::remove: line(d, "(remove " + lvalue(s.target) + ")" + at(s.loc)); break;
      case StmtKind::return_: line(d, "(return" + args(0) + ")" + at(s.loc)); break;
      case StmtKind::call: line(d, "(call " + s.name + args(0) + ")" + at(s.loc)); break;
    }
  }

  void decl(int d, const Decl& x) {
    switch (x.kind) {
      case DeclKind::param:
        line(d, "(param " + x.name + " : " + type(x.type.get()) + " = " + expr(x.value.get()) + ")" + at(x.loc));
        break;
      case DeclKind::state: line(d, "(state " + x.name + " : " + type(x.type.get()) + ")" + at(x.loc)); break;
      case DeclKind::account:
        line(d, "(account " + x.name + (x.type ? " [" + type(x.type.get()) + "]" : "") + ")" + at(x.loc));
        break;
      case DeclKind::record: {
        std::string s = "(record " + x.name;
        for (const auto& f : x.fields) s += " (" + f.name + " " + type(f.type.get()) + ")";
        line(d, s + ")" + at(x.loc));
        break;
      }
      case DeclKind::rule:
      case DeclKind::clause: {
        std::string s = std::string(x.kind == DeclKind::rule ? "(rule " : "(clause ") + x.name + " (";
        for (std::size_t i = 0; i < x.formals.size(); ++i)
          s += (i ? " " : "") + x.formals[i].name + ":" + type(x.formals[i].type.get());
        s += ")";
        if (x.type) s += " -> " + type(x.type.get());
        for (const auto& a : x.auth) {
          switch (a.kind) {
            case AuthKind::member: s += " by-member"; break;
            case AuthKind::cooperative: s += " by-cooperative"; break;
            case AuthKind::guarantors: s += " by-guarantors " + a.count + (a.subject.empty() ? "" : " of " + a.subject); break;
            case AuthKind::assembly: s += " by-assembly " + expr(a.quorum.get()); break;
            case AuthKind::unknown: s += " by-unknown " + a.subject; break;
          }
        }
        line(d, s + at(x.loc));
        block(d + 1, x.body);
        line(d, ")");
        break;
      }
      case DeclKind::periodic:
        line(d, "(every " + std::string(to_string(x.every)) +
                    (x.per_account ? " for-each-member " + x.holder + " holding " + x.held : "") + at(x.loc));
        block(d + 1, x.body);
        line(d, ")");
        break;
    }
  }

  std::ostringstream out_;
};

}  // namespace

std::string dump(const File& file) { return Dumper().run(file); }

}  // namespace artel::syntax
