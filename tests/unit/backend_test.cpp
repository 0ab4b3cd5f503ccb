// The back end: reproducible modules, twins, and compiled charters running
// in the VM on the ledger's own host over an in-memory state, with numbers
// computed by hand.
#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <fstream>
#include <set>
#include <sstream>

#include "compiler/driver.h"
#include "compile_helpers.h"
#include "memory_ledger.h"
#include "vm/interpreter.h"

namespace artel {
namespace {

namespace fs = std::filesystem;
using abi::AccountKind;
using abi::account_handle;

using test::compile_text;

std::optional<module::Built> compile_file(const fs::path& path) {
  Diagnostics diags;
  compiler::DirectoryLibraryLoader libs(fs::path(ARTEL_SOURCE_DIR) / "stdlib");
  auto fe = compiler::run_frontend(path.string(), libs, diags);
  if (!fe.typed) {
    diags.print(std::cerr);
    return std::nullopt;
  }
  return compiler::compile(*fe.typed, path.string(), diags);
}

std::vector<fs::path> shipped_charters() {
  std::vector<fs::path> out;
  for (const auto& e : fs::directory_iterator(fs::path(ARTEL_SOURCE_DIR) / "charters"))
    if (e.path().extension() == ".artel") out.push_back(e.path());
  std::sort(out.begin(), out.end());
  return out;
}

TEST(Backend, EveryShippedCharterCompiles) {
  auto charters = shipped_charters();
  ASSERT_FALSE(charters.empty());
  for (const auto& p : charters) EXPECT_TRUE(compile_file(p).has_value()) << p;
}

TEST(Backend, SameSourceGivesSameBytes) {
  for (const auto& p : shipped_charters()) {
    auto a = compile_file(p);
    auto b = compile_file(p);
    ASSERT_TRUE(a && b) << p;
    EXPECT_EQ(a->bytes, b->bytes) << p;
  }
}

TEST(Backend, EnglishAndRussianTwinsGiveTheSameModule) {
  int twins = 0;
  for (const auto& p : shipped_charters()) {
    const std::string name = p.filename().string();
    if (name.find(".ru.") != std::string::npos) continue;
    fs::path ru = p;
    ru.replace_extension(".ru.artel");
    if (!fs::exists(ru)) continue;
    auto en_mod = compile_file(p);
    auto ru_mod = compile_file(ru);
    ASSERT_TRUE(en_mod && ru_mod) << p;
    EXPECT_EQ(vm::to_hex(en_mod->id), vm::to_hex(ru_mod->id)) << p << " and " << ru;
    ++twins;
  }
  EXPECT_GE(twins, 1);
}

// tests/unit/module_ids.txt records the id of every shipped charter's module,
// so a change of code generation is always deliberate and seen in review.
// Both CI builds (optimised and Debug + sanitizers) check the same ids.
TEST(Backend, ModuleIdsMatchTheRecordedOnes) {
  std::ifstream in(fs::path(ARTEL_SOURCE_DIR) / "tests/unit/module_ids.txt");
  ASSERT_TRUE(in) << "tests/unit/module_ids.txt is missing";
  std::map<std::string, std::string> recorded;
  std::string file, id;
  while (in >> file >> id) recorded[file] = id;
  for (const auto& p : shipped_charters()) {
    const std::string rel = "charters/" + p.filename().string();
    auto built = compile_file(p);
    ASSERT_TRUE(built) << rel;
    ASSERT_TRUE(recorded.count(rel)) << rel << " has no recorded id; add: " << rel << " " << vm::to_hex(built->id);
    EXPECT_EQ(recorded[rel], vm::to_hex(built->id))
        << rel << ": code generation changed; if that is intended, record the new id in tests/unit/module_ids.txt";
  }
}

constexpr const char* kSplitCharter = R"(
charter "Split test" version 1
currency RUB scale 2
rounding down
article 1 "Charges" {
  parameter charge_rate: rate = 0.5%
  rule charge(m: member) by assembly quorum 50% {
    let c = balance(share(m)) * charge_rate
    split c from share(m) {
      50% among k in cooperatives pro rata cooperative_account(k) to own(k)
      remainder to fund
    }
  }
}
article 2 "Payments" {
  rule pay(recipient: member, amount: money) by member {
    require balance(share(caller)) >= amount else "not enough on the share account"
    transfer amount from share(caller) to share(recipient)
  }
  rule doubled(amount: money) by member {
    let x = amount + amount
    transfer x from share(caller) to fund
  }
  rule fee_up(amount: money) by member {
    transfer amount * 0.5% rounded up from share(caller) to fund
  }
  rule fee_even(amount: money) by member {
    transfer amount * 0.5% rounded half_even from share(caller) to fund
  }
}
)";

class Running : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string errors;
    auto built = compile_text(kSplitCharter, &errors);
    ASSERT_TRUE(built) << errors;
    module_ = built->module;
    auto program = vm::load_module(module_, ledger_.table());
    ASSERT_TRUE(program.ok()) << program.error().describe();
    program_.emplace(std::move(program.value()));
    // Cooperative 1: members 1 and 2; cooperative 2: member 3.
    ledger_.add_coop();
    ledger_.add_coop();
    ledger_.add_member(1, 1'000'001);
    ledger_.add_member(1, 300'000);
    ledger_.add_member(2, 500'000);
  }

  static std::uint64_t share(std::uint64_t m) { return account_handle(AccountKind::share, m); }
  static std::uint64_t own(std::uint64_t c) { return account_handle(AccountKind::cooperative, c); }
  static std::uint64_t fund() { return account_handle(AccountKind::fund, 0); }

  vm::RunResult run(const std::string& entry, std::vector<std::int64_t> args) {
    auto offset = vm::find_entry(module_, entry);
    EXPECT_TRUE(offset.ok());
    return ledger_.run(module_, *program_, offset.value(), args);
  }

  std::int64_t total() const {
    std::int64_t sum = ledger_.balance(fund());
    for (std::uint64_t m = 1; m <= 3; ++m) sum += ledger_.balance(share(m));
    for (std::uint64_t c = 1; c <= 2; ++c) sum += ledger_.balance(own(c));
    return sum;
  }

  vm::Module module_;
  std::optional<vm::VerifiedProgram> program_;
  test::MemoryLedger ledger_;
};

TEST_F(Running, SplitIsExactAndProRata) {
  const std::int64_t before = total();
  ledger_.ctx.assembly_approved = true;  // `by assembly`: the ledger counted the quorum
  auto r = run("charge", {1});
  ASSERT_TRUE(r.ok()) << r.error->describe() << " " << ledger_.failure_message();
  ASSERT_FALSE(ledger_.failure) << ledger_.failure_message();
  // By hand: 0.5% of 1,000,001 kopecks rounded down is 5,000. The charge
  // leaves the account first, so the cooperative accounts are 995,001 +
  // 300,000 = 1,295,001 (coop 1) and 500,000 (coop 2), 1,795,001 in all.
  // Half of 5,000 is 2,500: coop 1 gets floor(2,500 * 1,295,001 / 1,795,001)
  // = 1,803, coop 2 floor(2,500 * 500,000 / 1,795,001) = 696, and the fund
  // the rest, 5,000 - 1,803 - 696 = 2,501.
  EXPECT_EQ(ledger_.balance(share(1)), 995'001);
  EXPECT_EQ(ledger_.balance(own(1)), 1'803);
  EXPECT_EQ(ledger_.balance(own(2)), 696);
  EXPECT_EQ(ledger_.balance(fund()), 2'501);
  EXPECT_EQ(total(), before);
}

// Without the assembly's approval the ledger's host refuses to take money
// from another member's share account (the authority rule).
TEST_F(Running, AChargeWithoutTheAssemblyIsRefusedByTheHost) {
  ledger_.ctx.scope = 1;  // a cooperative's charter (the platform's may charge)
  ledger_.ctx.caller = 2;
  auto r = run("charge", {1});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(ledger_.failure);
  EXPECT_EQ(ledger_.failure->code, node::TxCode::unauthorized) << ledger_.failure_message();
}

TEST_F(Running, TransferMovesExactlyTheAmount) {
  ledger_.ctx.caller = 2;
  auto r = run("pay", {3, 12'345});
  ASSERT_TRUE(r.ok()) << r.error->describe() << " " << ledger_.failure_message();
  EXPECT_EQ(ledger_.balance(share(2)), 300'000 - 12'345);
  EXPECT_EQ(ledger_.balance(share(3)), 500'000 + 12'345);
  // The postings cite article 2 (its ordinal), the rule's.
  auto p = ledger_.postings(share(3));
  ASSERT_EQ(p.size(), 2u);  // the opening balance, then the payment
  EXPECT_EQ(p[1].amount, 12'345);
  EXPECT_EQ(p[1].article, 2u);
  EXPECT_EQ(p[1].counterparty, share(2));
}

TEST_F(Running, APaymentToNoMemberFailsAsTheLedgerDoes) {
  ledger_.ctx.caller = 2;
  auto r = run("pay", {99, 100});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(ledger_.failure);
  EXPECT_EQ(ledger_.failure->code, node::TxCode::unknown_member) << ledger_.failure_message();
}

TEST_F(Running, FailedRequireAbortsWithItsMessageAndArticle) {
  ledger_.ctx.caller = 2;
  auto r = run("pay", {3, 300'001});
  ASSERT_FALSE(r.ok());
  ASSERT_TRUE(ledger_.failure);
  EXPECT_EQ(ledger_.failure->code, node::TxCode::charter_abort);
  EXPECT_EQ(ledger_.failure->article, 2u);  // ordinal 2: the second article, "2"
  EXPECT_EQ(ledger_.failure_message(), "article 2: not enough on the share account");
  EXPECT_EQ(ledger_.balance(share(2)), 300'000);
}

TEST_F(Running, OverflowAbortsTheRule) {
  ledger_.ctx.caller = 2;
  auto r = run("doubled", {INT64_MAX / 2 + 1});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ledger_.failure_message(), "article 2: arithmetic overflow");
  EXPECT_EQ(ledger_.balance(fund()), 0);
}

TEST_F(Running, RoundingModesAreTheDeclaredOnes) {
  ledger_.ctx.caller = 2;
  // 0.5% of 101 kopecks is 0.505: up gives 1.
  ASSERT_TRUE(run("fee_up", {101}).ok());
  EXPECT_EQ(ledger_.balance(fund()), 1);
  // 0.5% of 100 kopecks is exactly 0.5: half-even gives 0; of 300, 1.5 gives 2.
  ASSERT_TRUE(run("fee_even", {100}).ok());
  EXPECT_EQ(ledger_.balance(fund()), 1);
  ASSERT_TRUE(run("fee_even", {300}).ok());
  EXPECT_EQ(ledger_.balance(fund()), 3);
}

TEST_F(Running, WrongArgumentCountIsRefused) {
  ledger_.ctx.caller = 2;
  auto r = run("pay", {3});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(ledger_.failure_message(), "article 2: a rule was called with the wrong number of arguments");
}

// A library clause of five arguments also receives the calling article: six
// values, one more than a BPF call has registers. They reach it through
// memory, and the clause computes with all five.
TEST(Backend, ALibraryClauseOfFiveArgumentsRunsWithAllOfThem) {
  std::string lib =
      "library five\nclause sum5(a: money, b: money, c: money, d: money, e: money) -> money {\n";
  // Enough transfers that the clause stays a function of its own (called
  // from three rules) instead of being inlined.
  for (int i = 0; i < 8; ++i)
    lib += "  transfer a from share(caller) to fund\n  transfer e from share(caller) to fund\n";
  lib += "  return a + b + c + d + e\n}\n";
  const std::string text = R"(charter "Five" version 1
currency RUB scale 2
rounding down
import five
article 1 "A" {
  rule one(x: money) by member {
    transfer sum5(x, 1.00 RUB, 2.00 RUB, 3.00 RUB, 4.00 RUB) from share(caller) to fund
  }
  rule two(x: money) by member {
    transfer sum5(1.00 RUB, x, 2.00 RUB, 3.00 RUB, 4.00 RUB) from share(caller) to fund
  }
}
article 2 "B" {
  rule three(x: money) by member {
    transfer sum5(1.00 RUB, 2.00 RUB, 3.00 RUB, 4.00 RUB, x) from share(caller) to fund
  }
}
)";
  std::string errors;
  auto built = compile_text(text, &errors, {{"five", lib}});
  ASSERT_TRUE(built) << errors;
  // The clause is a function of its own, called from the rules.
  std::set<std::uint32_t> host_calls;
  for (const auto& r : built->module.relocations) host_calls.insert(r.insn);
  std::size_t clause_calls = 0;
  for (std::uint32_t i = 0; i < built->module.code.size(); ++i) {
    const auto word = built->module.code[i];
    if ((word & 0xFF) == 0x85 && ((word >> 12) & 0xF) == 1 && !host_calls.contains(i)) ++clause_calls;
  }
  EXPECT_EQ(clause_calls, 3u);

  test::MemoryLedger ledger;
  auto program = vm::load_module(built->module, ledger.table());
  ASSERT_TRUE(program.ok()) << program.error().describe();
  ledger.add_coop();
  ledger.ctx.caller = ledger.add_member(1, 100'000);
  const auto share = account_handle(AccountKind::share, 1);
  const auto fund = account_handle(AccountKind::fund, 0);
  auto run = [&](const std::string& rule, std::int64_t x) {
    auto entry = vm::find_entry(built->module, rule);
    EXPECT_TRUE(entry.ok());
    const std::int64_t args[] = {x};
    return ledger.run(built->module, program.value(), entry.value(), args);
  };
  // one(5.00): 8 × (a + e) = 8 × (500 + 400) = 7,200 in the clause, then
  // the sum 500 + 100 + 200 + 300 + 400 = 1,500: 8,700 kopecks in all.
  ASSERT_TRUE(run("one", 500).ok()) << ledger.failure_message();
  EXPECT_EQ(ledger.balance(fund), 8'700);
  // two(5.00): a = 1.00, e = 4.00: 8 × 500 + (100 + 500 + 200 + 300 + 400) = 5,500.
  ASSERT_TRUE(run("two", 500).ok());
  EXPECT_EQ(ledger.balance(fund), 8'700 + 5'500);
  // three(5.00): a = 1.00, e = 5.00: 8 × 600 + (100 + 200 + 300 + 400 + 500) = 6,300,
  // every transfer citing article 2 (ordinal 2), the caller's.
  const std::size_t before = ledger.postings(fund).size();
  ASSERT_TRUE(run("three", 500).ok());
  EXPECT_EQ(ledger.balance(fund), 8'700 + 5'500 + 6'300);
  EXPECT_EQ(ledger.balance(share), 100'000 - 8'700 - 5'500 - 6'300);
  const auto postings = ledger.postings(fund);
  ASSERT_EQ(postings.size() - before, 17u);
  for (std::size_t i = before; i < postings.size(); ++i) EXPECT_EQ(postings[i].article, 2u) << i;
}

// Many calls through memory in one rule share one argument array in its
// frame: twelve calls of a five-argument library clause fit the 512-byte
// frame (twelve arrays of six words would not) and each gets its own values.
TEST(Backend, ManyCallsOfAFiveArgumentClauseShareOneArgumentArray) {
  std::string lib =
      "library five\nclause sum5(a: money, b: money, c: money, d: money, e: money) -> money {\n";
  for (int i = 0; i < 8; ++i) lib += "  transfer a from share(caller) to fund\n";
  lib += "  return a + b + c + d + e\n}\n";
  std::string text = "charter \"Many\" version 1\ncurrency RUB scale 2\nrounding down\nimport five\n"
                     "article 1 \"A\" {\n  rule many(x: money) by member {\n";
  for (int i = 1; i <= 12; ++i)
    text += "    transfer sum5(x, " + std::to_string(i) + ".00 RUB, 0.00 RUB, 0.00 RUB, 0.01 RUB) from share(caller) to fund\n";
  text += "  }\n}\n";
  std::string errors;
  auto built = compile_text(text, &errors, {{"five", lib}});
  ASSERT_TRUE(built) << errors;
  test::MemoryLedger ledger;
  auto program = vm::load_module(built->module, ledger.table());
  ASSERT_TRUE(program.ok()) << program.error().describe();
  ledger.add_coop();
  ledger.ctx.caller = ledger.add_member(1, 1'000'000);
  const auto share = account_handle(AccountKind::share, 1);
  const auto fund = account_handle(AccountKind::fund, 0);
  auto entry = vm::find_entry(built->module, "many");
  ASSERT_TRUE(entry.ok());
  const std::int64_t args[] = {100};  // 1.00 RUB
  ASSERT_TRUE(ledger.run(built->module, program.value(), entry.value(), args).ok()) << ledger.failure_message();
  // Call i: the clause pays 8 × 1.00, then returns 1.00 + i.00 + 0.01, paid too.
  std::int64_t paid = 0;
  for (std::int64_t i = 1; i <= 12; ++i) paid += 8 * 100 + (100 + i * 100 + 1);
  EXPECT_EQ(ledger.balance(fund), paid);
  EXPECT_EQ(ledger.balance(share), 1'000'000 - paid);
}

// Pro rata weights: a negative one aborts with its own message, and a weight
// the split's own transfers change (here the fund's balance, paid into the
// fund) aborts the split instead of paying out more than the part.
class Weights : public ::testing::Test {
 protected:
  void SetUp() override {
    std::string errors;
    auto built = compile_text(R"(charter "Weights" version 1
currency RUB scale 2
rounding down
article 1 "Split" {
  rule spread(amount: money) by member {
    split amount from share(caller) {
      100% among m in members pro rata balance(share(m)) - 10.00 RUB to share(m)
      remainder to fund
    }
  }
  rule feed(amount: money) by member {
    split amount from share(caller) {
      100% among m in members pro rata balance(fund) to fund
      remainder to fund
    }
  }
}
)", &errors);
    ASSERT_TRUE(built) << errors;
    module_ = built->module;
    auto program = vm::load_module(module_, ledger_.table());
    ASSERT_TRUE(program.ok()) << program.error().describe();
    program_.emplace(std::move(program.value()));
    ledger_.add_coop();
    ledger_.ctx.caller = ledger_.add_member(1, 1'000'001);
    ledger_.add_member(1, 300'000);
    ledger_.add_member(1, 500'000);
  }
  static std::uint64_t share(std::uint64_t m) { return account_handle(AccountKind::share, m); }
  vm::RunResult run(const std::string& entry, std::int64_t amount) {
    const std::int64_t args[] = {amount};
    return ledger_.run(module_, *program_, vm::find_entry(module_, entry).value(), args);
  }
  std::string failure() const { return ledger_.failure_message(); }
  vm::Module module_;
  std::optional<vm::VerifiedProgram> program_;
  test::MemoryLedger ledger_;
};

TEST_F(Weights, EachElementGetsItsShareOfTheWeightsSummedFirst) {
  // 10.00 RUB leaves member 1 first: weights 999,001 - 1,000 = 998,001,
  // 299,000 and 499,000, 1,796,001 in all; pieces floor(1,000 × w / 1,796,001)
  // = 555, 166 and 277; the fund gets the 2 left.
  auto r = run("spread", 1'000);
  ASSERT_TRUE(r.ok()) << r.error->describe() << " " << failure();
  EXPECT_EQ(ledger_.balance(share(1)), 999'001 + 555);
  EXPECT_EQ(ledger_.balance(share(2)), 300'000 + 166);
  EXPECT_EQ(ledger_.balance(share(3)), 500'000 + 277);
  EXPECT_EQ(ledger_.balance(account_handle(AccountKind::fund, 0)), 2);
}

TEST_F(Weights, ANegativeWeightAbortsWithItsOwnMessage) {
  ledger_.set_balance(share(2), 500);  // 5.00 RUB - 10.00 RUB < 0
  auto r = run("spread", 1'000);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(failure(), "article 1: split weight is negative");
  ASSERT_TRUE(ledger_.failure);
  EXPECT_EQ(ledger_.failure->article, 1u);
}

TEST_F(Weights, AWeightChangedByTheSplitItselfAbortsIt) {
  // Weights 300, 300, 300 (the fund) sum to 900. Paying 90 kopecks out, the
  // first piece, 30, raises the fund to 330, the second weight read; the
  // second piece, floor(90 × 330 / 900) = 33, raises it to 363: the weights
  // read now add up to 993, more than the 900 the pieces were cut from.
  ledger_.set_balance(account_handle(AccountKind::fund, 0), 300);
  auto r = run("feed", 90);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(failure(), "article 1: split weights changed while the split was paid out");
}

TEST(Backend, AFrameOver512BytesIsADiagnosticWithThePlace) {
  // 300 values all alive until the end cannot fit the 512-byte BPF frame;
  // the user gets an error at the rule, never an LLVM crash or dump.
  std::string text = "charter \"Big\" version 1\ncurrency RUB scale 2\narticle 1 \"A\" {\n rule r() by member {\n";
  for (int i = 0; i < 300; ++i) text += "  let v" + std::to_string(i) + " = balance(share(caller))\n";
  for (int i = 0; i < 300; ++i) text += "  transfer v" + std::to_string((i * 7) % 300) + " from share(caller) to fund\n";
  text += " }\n}\n";
  std::string errors;
  auto built = compile_text(text, &errors);
  EXPECT_FALSE(built);
  EXPECT_EQ(errors.rfind("test.artel:4:2: error: rule `r` needs more than the 512-byte stack frame", 0), 0u)
      << errors;
  EXPECT_EQ(errors.find("error:", 10), errors.rfind("error:")) << "reported once: " << errors;
}

// Found by the charter fuzzer: a charter of articles and parameters without
// a single rule compiled, and the VM's loader refused its module ("module
// has no code"), so the ledger could not deploy it. It loads now, with no
// entry points.
TEST(Backend, ACharterWithoutRulesLoads) {
  std::string errors;
  auto built = compile_text("charter \"Text\" version 1\ncurrency RUB scale 2\n"
                            "article 1 \"Purpose\" {\n  text \"To meet the needs of its members.\"\n"
                            "  parameter fee: money = 10.00 RUB\n}\n",
                            &errors);
  ASSERT_TRUE(built) << errors;
  auto program = vm::load_module(built->module, test::MemoryLedger::table());
  ASSERT_TRUE(program.ok()) << program.error().describe();
  EXPECT_TRUE(built->module.entries.empty());
  EXPECT_EQ(built->module.parameters.size(), 1u);
}

}  // namespace
}  // namespace artel
