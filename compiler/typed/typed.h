// Stage 2: the typed AST. Every name is resolved to what it denotes, every
// expression has a type with its unit, literals are exact integers (money in
// minor units, rates in parts per billion), and every statement knows the
// article it implements. Entered through check(); the next stage is lowering.
//
// Places (Loc) are kept for later diagnostics but are not part of the tree's
// meaning: dump() leaves them out, so an English charter and its Russian twin
// dump identically.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "compiler/diag/diagnostics.h"
#include "compiler/syntax/syntax.h"

namespace artel::typed {

using syntax::PeriodUnit;
using syntax::RoundingMode;

// Rates are fixed point with this many units per 1 (100 %).
inline constexpr std::int64_t kRateOne = 1'000'000'000;

enum class Kind : std::uint8_t {
  void_, money, rate, count, boolean, period, member, cooperative, account, map, record
};

struct Type {
  Kind kind = Kind::void_;
  int record = -1;            // record index (kind record, or map of records)
  Kind key = Kind::void_;     // map key kind
  Kind value = Kind::void_;   // map value kind (record: see `record`)
  friend bool operator==(const Type&, const Type&) = default;
  static Type of(Kind k) { return Type{k, -1, Kind::void_, Kind::void_}; }
};

enum class Builtin : std::uint8_t {
  balance,           // (account) -> money
  caller,            // () -> member
  current_period,    // () -> period
  cooperative_account,  // (cooperative) -> money
  cooperative_of,    // (member) -> cooperative
  share,             // (member) -> account
  own,               // (cooperative) -> account
  fund,              // () -> account
  min, max,          // (T, T) -> T
  abs,               // (T) -> T
  size,              // (collection) -> count
  has,               // (state map, key) -> bool
  guarantees,        // (guarantor member, member) -> bool
  guaranteed_count,  // (guarantor member) -> count of members it vouches for
  add_guarantee,     // (member, guarantor member) -> nothing; a statement
  remove_guarantee,  // (member, guarantor member) -> nothing; a statement
  pro_rata,          // (amount money, weight, total) -> money: amount * weight / total, rounded down
  first,             // (state table) -> its smallest key; aborts the run when the table is empty
};

// range: the counts args[0]..args[1], both included (`range(1, n)`).
enum class Collection : std::uint8_t { members, members_of, cooperatives, guarantors_of, state_keys, range };

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

enum class Op : std::uint8_t {
  constant,    // value
  local,       // index = local slot
  param,       // index = charter parameter (value also folded into `value`)
  neg, not_,   // args[0]
  add, sub, mul, div,  // args[0] op args[1]; mul/div of money/rate carry `rounding`
  eq, ne, lt, le, gt, ge,
  and_, or_,
  builtin,     // builtin(args)
  collection,  // a collection (only as a for/size/split source): `collection`, args
  account_family,  // index = family, args[0] = key when keyed
  state_get,   // index = state var, args[0] = key (absent for scalar state), field
  call,        // index = clause
};

struct Expr {
  Op op = Op::constant;
  Type type;
  Loc loc;
  std::int64_t value = 0;
  int index = -1;
  int field = -1;
  Builtin builtin = Builtin::balance;
  Collection collection = Collection::members;
  // Rounding of a money/rate multiplication or division; set only where the
  // result must be rounded.
  std::optional<RoundingMode> rounding;
  std::vector<ExprPtr> args;
};

struct Stmt;
using StmtPtr = std::unique_ptr<Stmt>;
using Block = std::vector<StmtPtr>;

struct SplitPart {
  ExprPtr share;           // rate
  bool pro_rata = false;
  int var = -1;            // local bound to each element
  ExprPtr collection;      // Op::collection
  ExprPtr weight;          // money or count
  ExprPtr target;          // account
};

enum class StmtKind : std::uint8_t {
  let, assign_local, assign_state, remove_state, require, transfer, split, if_, for_, emit,
  return_, call
};

struct Stmt {
  StmtKind kind = StmtKind::let;
  Loc loc;
  int article = -1;    // the article whose rules this statement implements
  int local = -1;      // let / assign_local / for variable
  int state = -1;      // assign_state / remove_state
  int field = -1;      // assign_state to a record field
  int message = -1;    // require: index into Charter::messages
  int event = -1;      // emit
  int clause = -1;     // call
  ExprPtr key;         // assign_state / remove_state key
  std::vector<ExprPtr> exprs;  // value(s): see syntax::Stmt
  std::vector<SplitPart> parts;
  ExprPtr remainder_to;
  Block body, else_body;
};

struct Local {
  std::string name;
  Type type;
};

enum class AuthKind : std::uint8_t { member, cooperative, guarantors, assembly };

struct AuthTerm {
  AuthKind kind = AuthKind::member;
  std::int64_t count = 0;   // guarantors: how many must approve
  int subject = -1;         // guarantors: formal index whose guarantors approve; -1 = caller
  std::int64_t quorum_num = 0;  // assembly: quorum_num/quorum_den of all members,
  std::int64_t quorum_den = 1;  //   exact and in lowest terms (`2/3`, or 50% as 1/2)
};

enum class FunctionKind : std::uint8_t { rule, periodic, clause };

struct Function {
  FunctionKind kind = FunctionKind::rule;
  std::string name;      // periodic: "every_week" / "every_month"
  Loc loc;
  int article = -1;      // -1 for library clauses: effects cite the caller's article
  std::string library;   // library a clause comes from, "" for the charter
  std::string file;      // path of the file that defines it (diagnostics only)
  PeriodUnit every = PeriodUnit::week;
  // A periodic clause run for each share account (formals: the member and
  // the account's balance). It may touch only that account, so running it
  // lazily, week by week when the account is next touched, gives the same
  // result as running it at every period boundary.
  bool per_account = false;
  int formal_count = 0;  // the first formal_count locals are the formals
  std::vector<Local> locals;
  Type result;           // clause result (void_ when none)
  std::vector<AuthTerm> auth;
  Block body;
};

struct Param {
  std::string name;
  Type type;
  std::int64_t value = 0;
  std::string display;  // the value as the charter wrote it, e.g. "0.5%"
  int article = -1;
};

struct Field {
  std::string name;
  Type type;
};

struct Record {
  std::string name;
  std::vector<Field> fields;
};

struct StateVar {
  std::string name;
  Type type;       // a map, or a scalar stored under key 0
  int article = -1;
  int first_slot = 0;  // storage slots: see slot_count()
};

struct AccountFamily {
  std::string name;
  bool keyed = false;
  Kind key = Kind::void_;
  int article = -1;
};

struct Article {
  std::string number;
  std::vector<syntax::LangString> titles;
  std::vector<syntax::LangString> texts;
};

struct EventValue {
  std::string name;  // named after the first `emit`'s argument (a name), else valueN
  Type type;
  Loc loc;           // where the first emit passes it (diagnostics only)
};

struct Event {
  std::string name;
  std::vector<EventValue> values;
};

struct Charter {
  std::string name;
  std::int64_t version = 0;
  std::string currency;
  int scale = 0;
  std::optional<RoundingMode> rounding;
  PeriodUnit period = PeriodUnit::week;
  std::vector<std::string> imports;
  std::vector<Article> articles;
  std::vector<Param> params;
  std::vector<Record> records;
  std::vector<StateVar> states;
  std::vector<AccountFamily> accounts;
  std::vector<Function> functions;
  std::vector<std::string> messages;
  std::vector<Event> events;
};

// Number of storage slots a state variable uses: a map of records uses one
// presence slot plus one per field; anything else one slot.
int slot_count(const Charter& c, const StateVar& s);

// Reads library files for `import NAME`. Returns nullopt when there is none.
struct LibraryLoader {
  virtual ~LibraryLoader() = default;
  virtual std::optional<SourceFile> load(const std::string& name) = 0;
};

// Checks a parsed charter: names, types, units, rounding, splits,
// authorisation, termination. Reports every error; returns nullopt if any.
[[nodiscard]] std::optional<Charter> check(const syntax::File& file, LibraryLoader& libraries,
                                           Diagnostics& diags);

// The authority rule: a rule may debit a member's share account only when
// that member signs it, the general assembly approves it, or it is the
// return of the share (on_return). Reports each violation with the account
// and the article; returns false if any.
[[nodiscard]] bool check_authority(const Charter& charter, Diagnostics& diags);

// Warns about clauses whose cost grows with the membership: a periodic
// clause or a rule that walks every member, and loops over members or state
// tables nested two deep (directly or through clauses).
void check_costs(const Charter& charter, Diagnostics& diags);

// How many steps (statements and operations) a rule or a periodic clause
// may take, as a polynomial in the sizes of what it walks: `members`,
// `cooperatives`, `|table|` (a state table's entries), `n` (a range not
// fixed by constants); a call counts its clause. An upper bound of the
// charter's own work (host calls such as a transfer count as one step), for
// `artel check --cost`.
struct CostLine {
  std::string who;      // "rule pay", "every week", "every week, for each account"
  std::string article;  // its article's number
  std::string bound;    // e.g. "12 + 40·members"
  bool per_account = false;  // run for one account at a time, lazily
};
std::vector<CostLine> cost_report(const Charter& charter);

// A stable, readable rendering of the typed AST (`--emit=typed`), without
// source places.
std::string dump(const Charter& charter);

std::string type_name(const Charter& c, const Type& t);
// The name of a kind as the module's type tags spell it: "money", "member", "bool".
const char* kind_name(Kind k);

// Formats minor units with the charter's scale: 1240, scale 2 -> "12.40".
std::string format_money(std::int64_t minor, int scale);
// Formats a rate in parts per billion as a percentage: 5000000 -> "0.5%".
std::string format_rate(std::int64_t ppb);

}  // namespace artel::typed
