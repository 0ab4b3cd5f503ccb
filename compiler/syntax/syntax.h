// Stage 1: the syntax tree. It mirrors what the charter says, with places,
// and no meaning: names are unresolved strings, literals keep their digits.
// Entered through parse(); the next stage is typed::check().
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/diagnostics.h"

namespace artel::syntax {

enum class RoundingMode : std::uint8_t { down, up, half_even };
enum class PeriodUnit : std::uint8_t { week, month };

struct Type;
using TypePtr = std::unique_ptr<Type>;

enum class TypeKind : std::uint8_t {
  money, rate, count, boolean, period, member, cooperative, guarantor, account, map, named
};

struct Type {
  TypeKind kind = TypeKind::named;
  Loc loc;
  std::string name;    // for named (record) types
  TypePtr key, value;  // for map
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class ExprKind : std::uint8_t {
  int_lit,       // text = digits (underscores removed)
  decimal_lit,   // text = "12.40"
  percent_lit,   // text = "0.5"
  money_lit,     // text = "12.40", name = currency code
  bool_lit,      // bool_value
  name,          // name
  call,          // name(args)
  field,         // args[0].name
  index,         // args[0][args[1]]
  unary,         // op args[0]   (op "-" or "not")
  binary,        // args[0] op args[1]
  rounded,       // args[0] rounded `rounding`
  members,       // members [of args[0]]
  cooperatives,  // cooperatives
  guarantors,    // guarantors of args[0]
};

struct Expr {
  ExprKind kind = ExprKind::name;
  Loc loc;
  std::string text;
  std::string name;
  std::string op;
  bool bool_value = false;
  RoundingMode rounding = RoundingMode::down;
  std::vector<ExprPtr> args;
};

struct LValue {
  Loc loc;
  std::string name;
  ExprPtr index;      // name[index]
  std::string field;  // .field
  Loc field_loc;
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

struct SplitPart {
  Loc loc;
  ExprPtr share;  // a rate: the part's share of the amount
  // Pro rata parts: `share among var in collection pro rata weight to target`.
  bool pro_rata = false;
  std::string var;
  Loc var_loc;
  ExprPtr collection, weight;
  ExprPtr target;
};

enum class StmtKind : std::uint8_t {
  let, assign, require, transfer, split, if_, for_, emit, remove, return_, call
};

struct Stmt {
  StmtKind kind = StmtKind::let;
  Loc loc;
  std::string name;       // let / for variable / emit event / called clause
  Loc name_loc;
  TypePtr declared_type;  // let x: T = ...
  LValue target;          // assign / remove
  std::string message;    // require
  // let/assign: exprs[0] = value; require: exprs[0] = condition;
  // transfer: amount, from, to; split: amount, from; if: condition;
  // for: collection; emit/call: arguments; return: optional value.
  std::vector<ExprPtr> exprs;
  std::vector<SplitPart> parts;  // split
  std::optional<ExprPtr> remainder_to;  // split
  Loc remainder_loc;
  Block body;       // if-then / for body
  Block else_body;  // if-else (an `else if` is one nested if statement)
  bool has_else = false;
};

struct Formal {
  Loc loc;
  std::string name;
  TypePtr type;
};

enum class AuthKind : std::uint8_t { member, cooperative, guarantors, assembly, unknown };

struct AuthTerm {
  AuthKind kind = AuthKind::member;
  Loc loc;
  std::string count;    // guarantors: how many (digits)
  std::string subject;  // guarantors of <param> (empty = of the caller); unknown: the name
  Loc subject_loc;
  ExprPtr quorum;       // assembly quorum
};

struct LangString {
  Loc loc;
  std::string lang;  // "" when untagged
  std::string text;  // unescaped
};

enum class DeclKind : std::uint8_t { param, state, account, record, rule, periodic, clause };

struct Field {
  Loc loc;
  std::string name;
  TypePtr type;
};

struct Decl {
  DeclKind kind = DeclKind::param;
  Loc loc;
  std::string name;
  Loc name_loc;
  TypePtr type;              // param / state type, account family key, clause result
  ExprPtr value;             // param value
  std::vector<Field> fields; // record
  std::vector<Formal> formals;
  std::vector<AuthTerm> auth;
  bool has_auth = false;
  PeriodUnit every = PeriodUnit::week;  // periodic
  // Periodic clause for each share account: `for each member NAME holding BALANCE`.
  bool per_account = false;
  std::string holder, held;
  Loc holder_loc, held_loc;
  Block body;
};

struct Article {
  Loc loc;
  std::string number;
  std::vector<LangString> titles;
  std::vector<LangString> texts;
  std::vector<Decl> decls;
};

struct Import {
  Loc loc;
  std::string name;
};

struct Header {
  std::optional<std::string> currency;
  Loc currency_loc;
  std::optional<std::string> scale;
  std::optional<RoundingMode> rounding;
  Loc rounding_loc;
  std::optional<PeriodUnit> period;
  Loc period_loc;
  bool duplicate_seen = false;
};

// A parsed file: a charter, or a library of clauses and records.
struct File {
  std::string path;
  bool is_library = false;
  Loc loc;
  std::string name;     // charter name (string) or library name
  std::string version;  // charter version digits
  Header header;
  std::vector<Import> imports;
  std::vector<Article> articles;  // charter
  std::vector<Decl> library_decls;  // library: records and clauses
};

// Parses `source` (the text of `path`). Never throws; every problem becomes a
// diagnostic. Returns nullopt when the file has syntax errors.
[[nodiscard]] std::optional<File> parse(const SourceFile& source, Diagnostics& diags);

// Prints the syntax tree in a stable, readable form (`--emit=ast`).
std::string dump(const File& file);

std::string_view to_string(RoundingMode m);
std::string_view to_string(PeriodUnit u);

}  // namespace artel::syntax
