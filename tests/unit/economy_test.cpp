// The consumer society's economics on a real ledger (RocksDB, Ed25519, the
// VM): lazy weekly demurrage and its split, checked against plain integer
// arithmetic that follows docs/economics.md; an amendment of the rate; and
// random sequences that must conserve money and never overdraw a share.
#include <gtest/gtest.h>

#include <boost/multiprecision/cpp_int.hpp>
#include <fstream>
#include <map>
#include <random>
#include <sstream>

#include "compile_helpers.h"
#include "node/ledger.h"
#include "tests/node/harness.h"

namespace artel {
namespace {

using node::Bytes;
using node::TxCode;
using node::test::Actor;
using node::test::TempDir;
using abi::AccountKind;
using abi::account_handle;

std::string charter_text(const std::string& rate, int version) {
  return R"(charter "Economy test" version )" + std::to_string(version) + R"(
currency RUB scale 2
rounding down
article 1 "Transfers" {
  rule pay(recipient: member, amount: money) by member {
    transfer amount from share(caller) to share(recipient)
  }
}
article 2 "Demurrage" {
  parameter demurrage_rate: rate = )" + rate + R"(
  parameter cooperatives_share: rate = 50%
  every week for each member m holding b {
    let charge = b * demurrage_rate
    if charge > 0.00 RUB {
      split charge from share(m) {
        cooperatives_share to own(cooperative_of(m))
        remainder to fund
      }
    }
  }
}
)";
}

// The rule of docs/economics.md in plain integers: at each boundary every
// share account pays floor(balance × rate); its cooperative gets
// floor(charge / 2) and the fund the rest.
struct Model {
  std::map<std::uint64_t, std::int64_t> share;
  std::map<std::uint64_t, std::uint64_t> coop_of;
  std::map<std::uint64_t, std::int64_t> own;
  std::int64_t fund = 0;
  void boundary(std::int64_t rate_ppb) {
    for (auto& [m, b] : share) {
      const std::int64_t charge = b * rate_ppb / 1'000'000'000;
      b -= charge;
      own[coop_of[m]] += charge / 2;
      fund += charge - charge / 2;
    }
  }
};

class Economy : public ::testing::Test {
 protected:
  void SetUp() override {
    node::crypto_init();
    ledger_ = std::make_unique<node::Ledger>(dir_.str(), node::test::test_genesis(op_, clock_));
  }

  std::vector<node::Receipt> apply(std::vector<Bytes> txs) {
    std::vector<node::Prepared> ps;
    for (auto& b : txs) ps.push_back(node::prepare(std::move(b), node::test::signing_ledger()));
    return ledger_->apply_block(ps).receipts;
  }
  void ok(std::vector<Bytes> txs) {
    for (const auto& r : apply(std::move(txs))) ASSERT_TRUE(r.applied) << r.error.code << ": " << r.error.message;
  }
  Bytes module_bytes(const std::string& rate, int version) { return module_of(charter_text(rate, version)); }
  Bytes module_of(const std::string& text) {
    std::string errors;
    auto built = test::compile_text(text, &errors);
    EXPECT_TRUE(built) << errors;
    return built ? built->bytes : Bytes{};
  }

  // Two cooperatives; members alternate between them (member i in cooperative 1 + (i-1) % 2).
  void found(std::size_t members, const std::string& charter = charter_text("0.5%", 1)) {
    ok({op_.sign(node::DeployCharter{0, module_of(charter), "charter"})});
    coops_.resize(2);
    ok({op_.sign(node::RegisterCoop{coops_[0].key.pk, "A"}), op_.sign(node::RegisterCoop{coops_[1].key.pk, "B"})});
    members_.resize(members);
    std::vector<Bytes> admit;
    for (std::size_t i = 0; i < members; ++i) {
      admit.push_back(coops_[i % 2].sign(node::AdmitMember{1 + i % 2, members_[i].key.pk, 0}));
      model_.coop_of[i + 1] = 1 + i % 2;
      model_.share[i + 1] = 0;
    }
    ok(std::move(admit));
  }
  void contribute(std::uint64_t m, std::int64_t amount) {
    ok({coops_[(m - 1) % 2].sign(node::Contribute{m, amount, node::ContributionKind::money, "", ""})});
    model_.share[m] += amount;
    contributed_ += amount;
  }
  void pay(std::uint64_t from, std::uint64_t to, std::int64_t amount) {
    ok({members_[from - 1].sign(node::CallRule{0, 0, "pay", {static_cast<std::int64_t>(to), amount}})});
    model_.share[from] -= amount;
    model_.share[to] += amount;
  }
  void advance(std::int64_t model_rate_ppb) {
    ++period_;
    ok({clock_.sign(node::AdvancePeriod{7 * period_})});
    model_.boundary(model_rate_ppb);
  }

  // Every account as of now: settled in a scratch view, nothing committed.
  struct View {
    node::Overlay overlay;
    node::State st;
    explicit View(const node::Ledger& l) : overlay(l.store()), st(overlay) {
      l.install_settler(st);
      for (std::uint64_t m = 1; m <= st.members_count(); ++m) EXPECT_FALSE(st.settle(m).has_value());
    }
    std::int64_t balance(AccountKind k, std::uint64_t owner) { return st.account(account_handle(k, owner)).balance; }
  };

  void expect_model(View& v) {
    std::int64_t total = 0;
    for (const auto& [m, b] : model_.share) {
      EXPECT_EQ(v.balance(AccountKind::share, m), b) << "member " << m;
      total += v.balance(AccountKind::share, m);
    }
    for (std::uint64_t c = 1; c <= 2; ++c) {
      EXPECT_EQ(v.balance(AccountKind::cooperative, c), model_.own[c]) << "cooperative " << c;
      total += v.balance(AccountKind::cooperative, c);
    }
    EXPECT_EQ(v.balance(AccountKind::fund, 0), model_.fund);
    total += v.balance(AccountKind::fund, 0);
    EXPECT_EQ(total, contributed_) << "money is conserved";
  }

  TempDir dir_;
  Actor op_, clock_;
  std::unique_ptr<node::Ledger> ledger_;
  std::vector<Actor> coops_, members_;
  Model model_;
  std::int64_t contributed_ = 0;
  std::uint64_t period_ = 0;
};

// Multiplication and division run in the host (artel_muldiv); a division by
// zero or a product outside 64 bits aborts the rule citing the article of the
// statement, as a checked addition does, and changes nothing.
TEST_F(Economy, DivisionByZeroAndOverflowInTheHostCiteTheArticle) {
  found(2, R"(charter "Muldiv test" version 1
currency RUB scale 2
rounding down
article 1 "Transfers" {
  rule pay(recipient: member, amount: money) by member {
    transfer amount from share(caller) to share(recipient)
  }
}
article 2 "Division" {
  rule share_out(amount: money, parts: count) by member {
    transfer amount / parts from share(caller) to fund
  }
}
article 3 "Multiplication" {
  rule times(amount: money, n: count) by member {
    transfer amount * n from share(caller) to fund
  }
}
)");
  contribute(1, 10'000);
  auto call = [&](const std::string& rule, std::int64_t a, std::int64_t b) {
    auto r = apply({members_[0].sign(node::CallRule{0, 0, rule, {a, b}})});
    EXPECT_EQ(r.size(), 1u);
    if (r.empty()) return node::Receipt{};
    if (!r[0].applied) --members_[0].nonce;  // a rejected transaction leaves its nonce unused
    return r[0];
  };
  // 100.00 RUB / 4 = 25.00 RUB: the rules work when the numbers are fine.
  ASSERT_TRUE(call("share_out", 10'000, 4).applied);
  ASSERT_TRUE(call("times", 1'000, 3).applied);  // 10.00 RUB × 3
  // 10,000 − 2,500 − 3,000 kopecks are left.
  {
    View v(*ledger_);
    EXPECT_EQ(v.balance(AccountKind::share, 1), 4'500);
    EXPECT_EQ(v.balance(AccountKind::fund, 0), 5'500);
  }

  auto by_zero = call("share_out", 100, 0);
  EXPECT_FALSE(by_zero.applied);
  EXPECT_EQ(by_zero.error.code, TxCode::overflow);
  EXPECT_EQ(by_zero.error.article, 2u);  // ordinal 2: article "2", "Division"
  EXPECT_EQ(by_zero.error.message, "article 2: division by zero (100 × 1 / 0)");

  // 2^62 kopecks × 2 = 2^63, one past the largest int64.
  auto overflow = call("times", std::int64_t{1} << 62, 2);
  EXPECT_FALSE(overflow.applied);
  EXPECT_EQ(overflow.error.code, TxCode::overflow);
  EXPECT_EQ(overflow.error.article, 3u);
  EXPECT_EQ(overflow.error.message,
            "article 3: arithmetic overflow (4611686018427387904 × 2 / 1 is outside 64 bits)");

  View v(*ledger_);
  EXPECT_EQ(v.balance(AccountKind::share, 1), 4'500) << "a rejected rule changes nothing";
  EXPECT_EQ(v.balance(AccountKind::fund, 0), 5'500);
}

TEST_F(Economy, TwelveWeeksOfLazyDemurrageMatchPlainArithmetic) {
  found(6);
  const std::int64_t initial[6] = {123'456, 99'999, 500'000, 1'001, 77'777, 250'000};
  for (std::uint64_t m = 1; m <= 6; ++m) contribute(m, initial[m - 1]);
  for (int week = 1; week <= 12; ++week) {
    if (period_ == 3) pay(1, 2, 10'000);
    if (period_ == 7) pay(4, 6, 500);
    if (period_ == 9) contribute(5, 30'000);
    advance(5'000'000);
  }
  View v(*ledger_);
  expect_model(v);
  // Member 3 was never touched after joining: twelve charges appear in the
  // statement, one per boundary, each citing article 2 of version 1.
  auto postings = v.st.postings(account_handle(AccountKind::share, 3), 0, 100);
  ASSERT_EQ(postings.size(), 13u);
  for (std::size_t i = 1; i < postings.size(); ++i) {
    EXPECT_EQ(postings[i].day, 7 * i);  // the Monday the week's charge fell due
    EXPECT_EQ(postings[i].article, 2u);
    EXPECT_EQ(postings[i].charter_version, 1u);
  }
  // 0.5% of 5,000.00 is 25.00; of the 4,975.00 left, 24.87 (rounded down).
  EXPECT_EQ(postings[1].amount, -2'500);
  EXPECT_EQ(postings[2].amount, -2'487);
}

TEST_F(Economy, AnAmendedRateAppliesFromTheNextPeriodAndOldLinesKeepTheirVersion) {
  found(6);
  for (std::uint64_t m = 1; m <= 6; ++m) contribute(m, 100'000 * static_cast<std::int64_t>(m));
  for (int week = 1; week <= 5; ++week) advance(5'000'000);
  // Rebuilt with 0.3%; four of six members approve (more than half).
  node::Transaction tx;
  tx.signer = members_[0].key.pk;
  tx.nonce = ++members_[0].nonce;
  tx.body = node::AmendCharter{0, module_bytes("0.3%", 2), "charter v2"};
  for (std::size_t i = 0; i < 4; ++i) node::add_approval(tx, members_[i].key, node::test::signing_ledger());
  ok({node::sign_transaction(tx, members_[0].key, node::test::signing_ledger())});
  for (int week = 6; week <= 12; ++week) advance(3'000'000);
  View v(*ledger_);
  expect_model(v);
  auto postings = v.st.postings(account_handle(AccountKind::share, 6), 0, 100);
  ASSERT_EQ(postings.size(), 13u);
  for (std::size_t i = 1; i < postings.size(); ++i) EXPECT_EQ(postings[i].charter_version, i <= 5 ? 1u : 2u) << i;
}

// The shipped platform charter, edited as a lawyer would (0.5% -> 0.3%),
// rebuilt, and adopted through its own amendment rule (article 4: three
// quarters of the people holding share accounts must approve).
TEST_F(Economy, TheShippedCharterAmendedThroughItsAmendmentRule) {
  const std::string path = std::string(ARTEL_SOURCE_DIR) + "/charters/platform.artel";
  std::ifstream in(path);
  std::stringstream text;
  text << in.rdbuf();
  std::string v1 = text.str();
  auto compile = [&](const std::string& source) {
    Diagnostics diags;
    compiler::DirectoryLibraryLoader libs(std::string(ARTEL_SOURCE_DIR) + "/stdlib");
    auto parsed = syntax::parse(SourceFile{path, source}, diags);
    std::optional<module::Built> built;
    if (parsed)
      if (auto checked = typed::check(*parsed, libs, diags)) built = compiler::compile(*checked, path, diags);
    EXPECT_TRUE(built);
    return built ? built->bytes : Bytes{};
  };
  std::string v2 = v1;
  const std::string rate_line = "parameter demurrage_rate: rate = 0.5%";
  ASSERT_NE(v2.find(rate_line), std::string::npos);
  v2.replace(v2.find(rate_line), rate_line.size(), "parameter demurrage_rate: rate = 0.3%");
  v2.replace(v2.find("version 1"), 9, "version 2");

  ok({op_.sign(node::DeployCharter{0, compile(v1), v1})});
  coops_.resize(1);
  ok({op_.sign(node::RegisterCoop{coops_[0].key.pk, "A"})});
  members_.resize(4);
  std::vector<Bytes> admit;
  for (std::size_t i = 0; i < 4; ++i) admit.push_back(coops_[0].sign(node::AdmitMember{1, members_[i].key.pk, 0}));
  ok(std::move(admit));
  std::int64_t share[4] = {400'000, 300'000, 200'000, 100'000};
  for (std::uint64_t m = 1; m <= 4; ++m)
    ok({coops_[0].sign(node::Contribute{m, share[m - 1], node::ContributionKind::money, "", ""})});
  auto week = [&](std::int64_t rate_ppb) {
    ++period_;
    ok({clock_.sign(node::AdvancePeriod{7 * period_})});
    for (auto& b : share) b -= b * rate_ppb / 1'000'000'000;
  };
  for (int w = 1; w <= 3; ++w) week(5'000'000);

  auto amend = [&](std::size_t approvers) {
    node::Transaction tx;
    tx.signer = members_[0].key.pk;
    tx.nonce = members_[0].nonce + 1;
    tx.body = node::AmendCharter{0, compile(v2), v2};
    for (std::size_t i = 0; i < approvers; ++i) node::add_approval(tx, members_[i].key, node::test::signing_ledger());
    auto r = apply({node::sign_transaction(tx, members_[0].key, node::test::signing_ledger())});
    if (r[0].applied) ++members_[0].nonce;
    return r[0];
  };
  const auto before = ledger_->summary().digest;
  auto refused = amend(2);  // half is not three quarters
  EXPECT_FALSE(refused.applied);
  EXPECT_EQ(refused.error.code, TxCode::approval_missing) << refused.error.message;
  EXPECT_EQ(ledger_->summary().digest, before);
  auto adopted = amend(3);
  ASSERT_TRUE(adopted.applied) << adopted.error.code << ": " << adopted.error.message;
  for (int w = 4; w <= 10; ++w) week(3'000'000);  // from the next period on, 0.3%

  View v(*ledger_);
  for (std::uint64_t m = 1; m <= 4; ++m) EXPECT_EQ(v.balance(AccountKind::share, m), share[m - 1]) << "member " << m;
  auto postings = v.st.postings(account_handle(AccountKind::share, 4), 0, 100);
  ASSERT_EQ(postings.size(), 11u);
  for (std::size_t i = 1; i < postings.size(); ++i) {
    EXPECT_EQ(postings[i].charter_version, i <= 3 ? 1u : 2u) << i;
    EXPECT_EQ(postings[i].article, 2u) << i;  // article 2, "Demurrage", of either version
    EXPECT_EQ(postings[i].charter_coop, 0u) << i;  // of the platform charter
  }
  std::int64_t total = v.balance(AccountKind::fund, 0) + v.balance(AccountKind::cooperative, 1);
  for (std::uint64_t m = 1; m <= 4; ++m) total += v.balance(AccountKind::share, m);
  EXPECT_EQ(total, 1'000'000);
}

TEST_F(Economy, AnAmendmentWithoutApprovalIsRefusedAndChangesNothing) {
  found(4);
  contribute(1, 50'000);
  const auto before = ledger_->summary().digest;
  auto r = apply({members_[0].sign(node::AmendCharter{0, module_bytes("0.3%", 2), "v2"})});
  ASSERT_EQ(r.size(), 1u);
  EXPECT_FALSE(r[0].applied);
  EXPECT_EQ(r[0].error.code, TxCode::approval_missing);
  EXPECT_EQ(ledger_->summary().digest, before);
}

TEST_F(Economy, RandomSequencesConserveMoneyAndNeverOverdraw) {
  found(10);
  std::mt19937_64 rng(20261122);
  std::int64_t returned = 0;
  for (int step = 0; step < 300; ++step) {
    const auto pick = rng() % 10;
    const std::uint64_t m = 1 + rng() % members_.size();
    if (pick < 3) {
      contribute(m, static_cast<std::int64_t>(1 + rng() % 1'000'000));
    } else if (pick < 6) {
      const std::uint64_t to = 1 + rng() % members_.size();
      auto r = apply({members_[m - 1].sign(node::CallRule{0, 0, "pay", {static_cast<std::int64_t>(to),
                                                                   static_cast<std::int64_t>(1 + rng() % 200'000)}})});
      // Refused when the share account is short: that is the point. A
      // refused transaction is not on the ledger, so its nonce is free again.
      if (!r[0].applied) --members_[m - 1].nonce;
    } else if (pick < 8) {
      const auto amount = static_cast<std::int64_t>(1 + rng() % 100'000);
      auto r = apply({coops_[(m - 1) % 2].sign(node::ReturnShare{m, amount})});
      if (r[0].applied) returned += amount;
      else --coops_[(m - 1) % 2].nonce;
    } else if (pick == 8 && members_.size() < 40) {
      members_.emplace_back();
      const std::size_t i = members_.size() - 1;
      ok({coops_[i % 2].sign(node::AdmitMember{1 + i % 2, members_[i].key.pk, 0})});
    } else {
      ok({clock_.sign(node::AdvancePeriod{7 * ++period_})});
      View v(*ledger_);
      std::int64_t total = v.balance(AccountKind::fund, 0);
      for (std::uint64_t c = 1; c <= 2; ++c) total += v.balance(AccountKind::cooperative, c);
      for (std::uint64_t id = 1; id <= v.st.members_count(); ++id) {
        const auto b = v.balance(AccountKind::share, id);
        ASSERT_GE(b, 0) << "member " << id;
        total += b;
      }
      ASSERT_EQ(total, contributed_ - returned) << "after period " << period_;
    }
  }
  EXPECT_GT(period_, 5u);
}

// The checker folds constant expressions (parameters) with the same money
// arithmetic the ledger runs for artel_muldiv. Random operands -- small,
// large, negative, near the 64-bit edge -- in the four scaled operations
// and the three roundings: each folded parameter, and each result the
// ledger computes at run time for the same operands, equals the exact
// rational rounded by definition (floor: the largest k with k·d <= n;
// ceiling: the smallest k with k·d >= n; half-even: the nearer, ties to the
// even one), computed here with arbitrary-precision integers. A result
// outside 64 bits, or a division by zero, is refused as `overflow`.
TEST_F(Economy, FoldedConstantsAgreeWithTheLedgerAndExactRationals) {
  using big = boost::multiprecision::cpp_int;
  const big kScale = 1'000'000'000;  // a rate's parts per billion
  struct Op {
    const char* name;
    const char* left;
    const char* right;
    const char* result;
    bool divide, scaled;  // a × b / (scaled ? 10^9 : 1), or a × (scaled ? 10^9 : 1) / b
  };
  const Op ops[] = {{"money_times_rate", "money", "rate", "money", false, true},
                    {"rate_times_rate", "rate", "rate", "rate", false, true},
                    {"money_by_count", "money", "count", "money", true, false},
                    {"money_by_rate", "money", "rate", "money", true, true}};
  const char* modes[] = {"down", "up", "half_even"};
  auto exact = [&](big n, big d, int mode) -> std::optional<std::int64_t> {
    if (d == 0) return std::nullopt;
    if (d < 0) n = -n, d = -d;
    big k = n / d;  // a start; the definitions decide
    while (k * d > n) --k;
    while ((k + 1) * d <= n) ++k;  // k = floor
    if (mode == 1 && k * d != n) ++k;
    if (mode == 2) {
      const big twice = 2 * (n - k * d);
      if (twice > d || (twice == d && k % 2 != 0)) ++k;
    }
    if (k > INT64_MAX || k < INT64_MIN) return std::nullopt;
    return static_cast<std::int64_t>(k);
  };
  auto literal = [](const char* type, std::int64_t v) {
    const std::string sign = v < 0 ? "-" : "";
    const std::uint64_t u = v < 0 ? 0 - static_cast<std::uint64_t>(v) : static_cast<std::uint64_t>(v);
    char frac[16];
    if (std::string_view(type) == "money") {
      std::snprintf(frac, sizeof frac, "%02llu", static_cast<unsigned long long>(u % 100));
      return sign + std::to_string(u / 100) + "." + frac + " RUB";
    }
    if (std::string_view(type) == "rate") {  // 10^7 parts per billion make 1 %
      std::snprintf(frac, sizeof frac, "%07llu", static_cast<unsigned long long>(u % 10'000'000));
      return sign + std::to_string(u / 10'000'000) + "." + frac + "%";
    }
    return sign + std::to_string(u);
  };
  std::mt19937_64 rng(20261203);
  auto operand = [&](const char* type) -> std::int64_t {
    const std::int64_t limits[] = {10, 100'000, 1'000'000'000, 4'000'000'000'000'000'000};
    std::int64_t limit = limits[rng() % 4];
    if (std::string_view(type) == "count") limit = std::min<std::int64_t>(limit, 1'000'000);
    std::int64_t v = static_cast<std::int64_t>(rng() % static_cast<std::uint64_t>(limit + 1));
    return rng() % 3 == 0 ? -v : v;
  };
  struct Case {
    int op, mode;
    std::int64_t a, b;
    std::optional<std::int64_t> want;
  };
  std::vector<Case> cases;
  for (int i = 0; i < 240; ++i) {
    Case c{i % 4, (i / 4) % 3, 0, 0, {}};
    const Op& op = ops[c.op];
    c.a = operand(op.left);
    c.b = i % 40 == 39 ? 0 : operand(op.right);  // now and then a division by zero
    const big a = c.a, b = c.b, scale = op.scaled ? kScale : big(1);
    c.want = op.divide ? exact(a * scale, b, c.mode) : exact(a * b, scale, c.mode);
    cases.push_back(c);
  }
  std::string text = "charter \"Folding\" version 1\ncurrency RUB scale 2\narticle 1 \"Cases\" {\n";
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const Op& op = ops[c.op];
    if (!c.want) continue;  // folding it would be a compile error (below)
    text += "  parameter p" + std::to_string(i) + ": " + op.result + " = " + literal(op.left, c.a) +
            (op.divide ? " / " : " * ") + literal(op.right, c.b) + " rounded " + modes[c.mode] + "\n";
  }
  for (const Op& op : ops)
    for (const char* mode : modes)
      text += std::string("  rule ") + op.name + "_" + mode + "(a: " + op.left + ", b: " + op.right +
              ", expected: " + op.result + ") by member {\n    require a " + (op.divide ? "/" : "*") +
              " b rounded " + mode + " == expected else \"differs\"\n  }\n";
  text += "}\n";
  std::string errors;
  auto built = test::compile_text(text, &errors);
  ASSERT_TRUE(built) << errors;
  std::map<std::string, std::int64_t> folded;
  for (const auto& p : built->module.parameters) folded[p.name] = p.value;
  found(1, text);
  std::size_t compared = 0, refused = 0;
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const Case& c = cases[i];
    const Op& op = ops[c.op];
    const std::string what = std::string(op.name) + " " + modes[c.mode] + " " + std::to_string(c.a) + ", " +
                             std::to_string(c.b);
    if (c.want) {
      ASSERT_TRUE(folded.contains("p" + std::to_string(i))) << what;
      EXPECT_EQ(folded["p" + std::to_string(i)], *c.want) << "folded " << what;
    }
    const std::string rule = std::string(op.name) + "_" + modes[c.mode];
    auto r = apply({members_[0].sign(node::CallRule{0, 0, rule, {c.a, c.b, c.want.value_or(0)}})});
    ASSERT_EQ(r.size(), 1u);
    if (c.want) {
      EXPECT_TRUE(r[0].applied) << "at run time " << what << ": " << r[0].error.message;
      ++compared;
    } else {
      EXPECT_FALSE(r[0].applied) << what;
      EXPECT_EQ(r[0].error.code, TxCode::overflow) << what << ": " << r[0].error.message;
      ++refused;
    }
    if (!r[0].applied) --members_[0].nonce;
    // One off is refused: the comparison can fail.
    if (c.want && *c.want != INT64_MAX && i % 10 == 0) {
      auto off = apply({members_[0].sign(node::CallRule{0, 0, rule, {c.a, c.b, *c.want + 1}})});
      EXPECT_EQ(off.at(0).error.code, TxCode::charter_abort) << what;
      --members_[0].nonce;
    }
  }
  EXPECT_GT(compared, 150u);
  EXPECT_GT(refused, 5u);
  // Folding a result outside 64 bits is a compile error at its parameter.
  std::string overflow_errors;
  EXPECT_FALSE(test::compile_text("charter \"O\" version 1\ncurrency RUB scale 2\narticle 1 \"A\" {\n"
                                  "  parameter big: money = 90000000000000000.00 RUB * 200% rounded down\n}\n",
                                  &overflow_errors));
  EXPECT_NE(overflow_errors.find("test.artel:4:"), std::string::npos) << overflow_errors;
}

}  // namespace
}  // namespace artel
