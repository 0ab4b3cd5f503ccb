// Charter scenarios for `artel test` (docs/testing.md): a small line-based
// language in which a lawyer sets up a platform, cooperatives and people,
// runs steps against the real ledger and states what must follow. English
// and Russian keywords are interchangeable. This header is the parsed form;
// test_cli.cpp runs it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace artel::cli::scenario {

// A place in the scenario file (1-based), for `file:line:col` messages.
struct Where {
  int line = 0;
  int col = 0;
};

// A membership as the scenario names it: a person (or a cooperative that
// is a member of a union), optionally `in COOP` when it has several.
struct MemberRef {
  std::string name;
  std::string coop;  // empty: the person's only membership, or the one the context implies
  Where at;
};

// A value as written: `300.00 RUB`, `-2.50 руб.`, `0.5%`, `12`, `alice`,
// `alice in Rodnik`, `true`.
struct Value {
  enum class Kind { number, money, rate, name, boolean } kind = Kind::number;
  std::string digits;    // number, money, rate: "-12.50" (a '.' decimal point, no separators)
  std::string currency;  // money: as written ("RUB", "руб")
  MemberRef name;        // name
  bool flag = false;     // boolean
  Where at;
  std::string text() const;  // as a person would read it back
};

// An account: `alice` / `share(alice in Rodnik)` (a share account),
// `own(Rodnik)` (a cooperative's own account), `fund` (the platform fund),
// `Network.deposit[alice]` or `Network.reserve` (an account the charter of
// a cooperative declares).
struct AccountRef {
  enum class Kind { share, own, fund, charter } kind = Kind::share;
  MemberRef member;    // share; charter (when keyed)
  std::string coop;    // own; charter (whose charter declares it; "platform" for the platform's)
  std::string family;  // charter
  bool keyed = false;  // charter: `family[member]`
  Where at;
  std::string text() const;
};

enum class StepKind {
  platform,          // platform "PATH"
  cooperative,       // cooperative NAME ["PATH"]
  person,            // person NAME, NAME...
  admit,             // admit NAME, NAME... to COOP
  contribution,      // contribution AMOUNT from MEMBER
  transfer,          // transfer AMOUNT from MEMBER to MEMBER ["memo"]
  return_share,      // return AMOUNT to MEMBER
  call,              // call [COOP.]RULE(ARGS) by SIGNER [approved by NAMES]
  advance,           // advance [N] week(s)|month(s)|period(s); next week
  amend,             // amend COOP|platform ("PATH" | setting NAME = VALUE, ...) by SIGNER [approved by NAMES]
  expect_balance,    // expect balance ACCOUNT = AMOUNT
  expect_refused,    // expect refused [CODE] [article N [of COOP]] ["message part"]
  expect_event,      // expect [no] event NAME[(VALUES)]
  expect_statement,  // expect statement ACCOUNT: AMOUNT [article N [of COOP]] ["title"]
  expect_state,      // expect state COOP.NAME[KEY][.FIELD] = VALUE
};

struct Step {
  StepKind kind = StepKind::person;
  Where at;
  std::vector<std::string> names;  // person, admit; call/amend approvers
  std::string coop;             // cooperative, admit, call (optional), amend, refused/statement `of`, state
  std::string path;             // platform, cooperative, amend
  std::optional<Value> amount;  // contribution, transfer, return, balance, statement, state value
  MemberRef member;             // contribution, return; transfer payer; call/amend signer
  MemberRef to;                 // transfer payee
  std::string text;             // transfer memo; refused message part; statement title
  std::string rule;             // call; event name; state variable; refused code
  std::vector<Value> args;      // call; event values
  bool has_args = false;        // event: values were given
  bool negated = false;         // event: `no event`
  std::optional<Value> key;     // state key
  std::string field;            // state: a field of the record in a table
  std::uint64_t count = 1;      // advance: how many periods
  std::string unit;             // advance: "day", "week", "month" or "period"
  std::optional<std::uint32_t> article;                 // refused, statement
  AccountRef account;                                   // balance, statement
  std::vector<std::pair<std::string, Value>> settings;  // amend: parameters the new version sets
};

// One scenario: a title and its steps. Lines before a file's first
// `scenario` line are a prelude that every scenario of the file starts with.
struct Scenario {
  std::string title;
  Where at;
  std::vector<Step> steps;
};

struct File {
  std::string path;
  std::vector<Scenario> scenarios;
};

struct ParseError {
  Where at;
  std::string message;
};

// Parses a scenario file. Reports every line it cannot read; returns the
// scenarios only when there were none.
std::optional<File> parse(const std::string& path, const std::string& text, std::vector<ParseError>& errors);

}  // namespace artel::cli::scenario
