// The shipped guarantor network (charters/guarantor_network.artel, compiled
// by the real compiler) on an in-process ledger under random operations by
// 200 participants: offers and acceptances of guarantees, withdrawals,
// deposits paid and taken back, deals proposed, accepted and compensated,
// period advances. An independent model in this test keeps the relation
// graph and predicts which relation changes the charter must accept; after
// every operation the ledger's guarantor lists (both directions) must equal
// the model's, nobody has more than two guarantors, no deposit is negative,
// money is conserved over every account on the ledger, and a refused
// transaction leaves the state digest unchanged.
#include <fstream>
#include <iterator>
#include <map>
#include <random>
#include <set>

#include "harness.h"

namespace artel::node::test {
namespace {

constexpr std::int64_t kRequired = 10'000'00;

// The relation graph as the charter's rules change it, written without the
// ledger: who vouches for whom, open offers, and who owes its guarantors.
struct Model {
  std::map<std::uint64_t, std::set<std::uint64_t>> guarantors;  // member -> its guarantors
  std::map<std::uint64_t, std::uint64_t> offers;                // guarantor -> member offered to
  std::set<std::uint64_t> in_debt;                              // members whose guarantors paid for them
  bool guarantees(std::uint64_t g, std::uint64_t m) const {
    auto it = guarantors.find(m);
    return it != guarantors.end() && it->second.count(g) > 0;
  }
  std::size_t count(std::uint64_t m) const {
    auto it = guarantors.find(m);
    return it == guarantors.end() ? 0 : it->second.size();
  }
};

class Network : public ::testing::TestWithParam<std::uint64_t> {
 protected:
  void SetUp() override {
    crypto_init();
    if (!std::filesystem::exists(ARTEL_CLI_PATH)) GTEST_SKIP() << "the artel binary is not built";
    ledger = std::make_unique<Ledger>(dir.str(), test_genesis(op, clock));
  }

  Bytes compile(const std::string& name) { return build_shipped_charter(dir, name); }

  Receipt one(Actor& a, TxBody body, const std::vector<const Actor*>& approvers = {}) {
    last_before = ledger->summary().digest;
    std::vector<Prepared> p;
    p.push_back(prepare(a.sign(std::move(body), approvers), signing_ledger()));
    Receipt r = ledger->apply_block(p).receipts.at(0);
    if (!r.applied) --a.nonce;  // a refused transaction leaves the nonce as it was
    return r;
  }
  void ok(Actor& a, TxBody body) {
    Receipt r = one(a, std::move(body));
    ASSERT_TRUE(r.applied) << code_name(r.error.code) << ": " << r.error.message;
  }
  Receipt call(std::uint64_t m, const std::string& rule, std::vector<std::int64_t> args,
               const std::vector<std::uint64_t>& approvers = {}) {
    std::vector<const Actor*> ap;
    for (auto a : approvers) ap.push_back(&people[a - 1]);
    return one(people[m - 1], CallRule{1, m, rule, std::move(args)}, ap);
  }
  std::int64_t balance(std::uint64_t handle) {
    Overlay v(ledger->store());
    State st(v);
    ledger->install_settler(st);
    if (abi::account_kind(handle) == abi::AccountKind::share) (void)st.settle(abi::account_owner(handle));
    return st.account(handle).balance;
  }
  static std::uint64_t deposit(std::uint64_t m) {
    // The network's first account family (deposit), of cooperative 1.
    return abi::account_handle(abi::AccountKind::charter, abi::charter_account_owner(1, 0, m));
  }

  // Every invariant, against the model.
  void check_invariants(const Model& model, std::int64_t contributed, const std::string& after) {
    Overlay v(ledger->store());
    State st(v);
    std::map<std::uint64_t, std::uint64_t> vouches;  // guarantor -> how many it vouches for (model)
    for (std::uint64_t m = 1; m <= kPeople; ++m) {
      std::set<std::uint64_t> got;
      for (std::uint64_t i = 0; i < st.guarantors_count(m); ++i) got.insert(st.guarantor_at(m, i));
      const auto it = model.guarantors.find(m);
      const std::set<std::uint64_t> want = it == model.guarantors.end() ? std::set<std::uint64_t>{} : it->second;
      ASSERT_EQ(got, want) << "guarantors of member " << m << " after " << after;
      ASSERT_LE(got.size(), 2u) << "member " << m << " after " << after;
      for (auto g : want) ++vouches[g];
      ASSERT_GE(st.account(deposit(m)).balance, 0) << "deposit of " << m << " after " << after;
    }
    for (std::uint64_t g = 1; g <= kPeople; ++g) {
      ASSERT_EQ(st.guaranteed_count(g), vouches[g]) << "members " << g << " vouches for, after " << after;
      for (std::uint64_t i = 0; i < st.guaranteed_count(g); ++i)
        ASSERT_TRUE(model.guarantees(g, st.guaranteed_at(g, i))) << g << " after " << after;
    }
    std::int64_t held = 0;
    v.scan("A", [&](std::string_view k, std::string_view) {
      if (k.size() == 9) held += st.account(get_be64(k.substr(1))).balance;
      return true;
    });
    ASSERT_EQ(held, contributed) << "conservation after " << after;
  }

  static constexpr std::uint64_t kPeople = 200;
  TempDir dir;
  Actor op, clock, coop;
  std::vector<Actor> people = std::vector<Actor>(kPeople);
  std::unique_ptr<Ledger> ledger;
  Hash last_before{};  // the state digest before the last transaction
};

TEST_P(Network, RandomOperationsKeepTheRelationGraphMoneyAndDepositsSound) {
  std::mt19937_64 rng(GetParam());
  auto below = [&](std::uint64_t n) { return std::uniform_int_distribution<std::uint64_t>(0, n - 1)(rng); };
  ok(op, DeployCharter{0, compile("platform"), "platform.artel"});
  ok(op, RegisterCoop{coop.key.pk, "Network"});
  ok(coop, DeployCharter{1, compile("guarantor_network"), "guarantor_network.artel"});
  std::int64_t contributed = 0;
  for (std::uint64_t m = 1; m <= kPeople; ++m) {
    ok(coop, AdmitMember{1, people[m - 1].key.pk, 0});
    const std::int64_t amount = 20'000'00 + static_cast<std::int64_t>(below(20'000)) * 100;
    ok(coop, Contribute{m, amount, ContributionKind::money, "", ""});
    contributed += amount;
    // Two in three complete their deposit; the others pay a part.
    ASSERT_TRUE(call(m, "post_deposit", {m % 3 != 0 ? kRequired : 4'000'00}).applied);
  }
  Model model;
  std::uint64_t deals = 0, applied = 0, refused = 0, compensations = 0;
  std::uint64_t period = 0;
  for (int step = 0; step < 1500; ++step) {
    const std::uint64_t a = 1 + below(kPeople), b = 1 + below(kPeople);
    std::string what;
    Receipt r;
    bool predicted = true;  // whether the model predicts the outcome
    bool expect_applied = false;
    switch (below(10)) {
      case 0:
      case 1: {  // a offers its guarantee to b
        what = "offer " + std::to_string(a) + " -> " + std::to_string(b);
        expect_applied = a != b && !model.guarantees(a, b) && model.count(b) < 2 && balance(deposit(a)) >= kRequired;
        r = call(a, "offer_guarantee", {static_cast<std::int64_t>(b)});
        if (r.applied) model.offers[a] = b;
        break;
      }
      case 2:
      case 3: {  // someone who was offered a guarantee accepts it
        if (model.offers.empty()) continue;
        auto it = model.offers.begin();
        std::advance(it, static_cast<long>(below(model.offers.size())));
        const std::uint64_t g = it->first, m = it->second;
        what = "accept " + std::to_string(g) + " by " + std::to_string(m);
        expect_applied = model.count(m) < 2 && balance(deposit(g)) >= kRequired;
        r = call(m, "accept_guarantee", {static_cast<std::int64_t>(g)});
        if (r.applied) {
          model.guarantors[m].insert(g);
          model.offers.erase(g);
        }
        break;
      }
      case 4: {  // a guarantor withdraws (or someone who is none tries to)
        std::uint64_t m = b, g = a;
        if (model.count(m) > 0 && below(4) != 0) g = *model.guarantors[m].begin();
        what = "withdraw " + std::to_string(g) + " from " + std::to_string(m);
        expect_applied = model.guarantees(g, m) && !model.in_debt.count(m);
        r = call(g, "withdraw_guarantee", {static_cast<std::int64_t>(m)});
        if (r.applied) model.guarantors[m].erase(g);
        break;
      }
      case 5: {  // a deposit paid, or its excess taken back
        predicted = false;
        const std::int64_t amount = 1'00 + static_cast<std::int64_t>(below(6'000)) * 100;
        what = "deposit " + std::to_string(a);
        r = call(a, below(2) == 0 ? "post_deposit" : "take_back_deposit", {amount});
        break;
      }
      case 6:
      case 7: {  // a deal: proposed, accepted, then performed or compensated
        predicted = false;
        // Mostly between participants in good standing (two guarantors).
        std::vector<std::uint64_t> standing;
        for (const auto& [m, gs] : model.guarantors)
          if (gs.size() == 2) standing.push_back(m);
        std::uint64_t s = a, c = b;
        if (standing.size() >= 2 && below(5) != 0) {
          s = standing[below(standing.size())];
          c = standing[below(standing.size())];
        }
        what = "deal " + std::to_string(s) + " -> " + std::to_string(c);
        const std::int64_t amount = 1'00 + static_cast<std::int64_t>(below(15'000)) * 100;
        r = call(s, "propose_deal", {static_cast<std::int64_t>(c), amount, static_cast<std::int64_t>(period + 5)});
        if (!r.applied) break;
        const std::int64_t number = static_cast<std::int64_t>(++deals);
        r = call(c, "accept_deal", {number});
        if (!r.applied) break;
        if (below(2) == 0 || model.count(s) < 2) {
          r = call(c, "confirm_deal", {number});
          break;
        }
        const std::vector<std::uint64_t> gs(model.guarantors[s].begin(), model.guarantors[s].end());
        const std::int64_t own = balance(deposit(s));
        r = call(gs[0], "compensate_deal", {number, static_cast<std::int64_t>(s)}, gs);
        if (r.applied) {
          ++compensations;
          if (own < amount) model.in_debt.insert(s);  // the guarantors paid a part
        }
        break;
      }
      case 8: {  // the guarantors of an indebted member decide
        predicted = false;
        if (model.in_debt.empty()) continue;
        const std::uint64_t m = *model.in_debt.begin();
        const std::vector<std::uint64_t> gs(model.guarantors[m].begin(), model.guarantors[m].end());
        what = "decision on " + std::to_string(m);
        r = below(2) == 0 ? call(gs[0], "release_debt", {static_cast<std::int64_t>(m)}, gs)
                          : call(gs[0], "order_repayment", {static_cast<std::int64_t>(m), 50'000'000}, gs);
        if (r.applied) model.in_debt.erase(m);
        break;
      }
      case 9: {
        what = "advance";
        expect_applied = true;
        r = one(clock, AdvancePeriod{7 * ++period});
        ASSERT_TRUE(r.applied) << r.error.message;
        break;
      }
    }
    if (predicted) {
      EXPECT_EQ(r.applied, expect_applied) << what << ": " << code_name(r.error.code) << ": " << r.error.message;
    }
    if (r.applied) {
      ++applied;
    } else {
      ++refused;
      EXPECT_EQ(ledger->summary().digest, last_before) << what;
    }
    check_invariants(model, contributed, what);
    if (HasFatalFailure()) return;
  }
  std::uint64_t edges = 0;
  for (const auto& [m, gs] : model.guarantors) edges += gs.size();
  RecordProperty("guarantees", static_cast<int>(edges));
  std::printf("seed %llu: %llu applied, %llu refused, %llu guarantees, %llu deals, %llu compensations\n",
              static_cast<unsigned long long>(GetParam()), static_cast<unsigned long long>(applied),
              static_cast<unsigned long long>(refused), static_cast<unsigned long long>(edges),
              static_cast<unsigned long long>(deals), static_cast<unsigned long long>(compensations));
  // The run must have exercised the network, not only refused everything.
  EXPECT_GT(edges, 60u);
  EXPECT_GT(compensations, 5u);
  EXPECT_GT(applied, 300u);
  EXPECT_GT(refused, 100u);
}

INSTANTIATE_TEST_SUITE_P(Seeds, Network, ::testing::Values(1u, 2u));

// The navigator: GET /v1/networks/C/graph and `artel network` on a real
// arteld, for the network  1 <- 2, 3;  2 <- 4, 5;  4 <- 6.
TEST(Navigator, ShowsAParticipantsNeighbourhoodUpToKLevels) {
  crypto_init();
  if (!std::filesystem::exists(ARTEL_CLI_PATH)) GTEST_SKIP() << "the artel binary is not built";
  TempDir dir;
  Actor op, clock, coop;
  std::vector<Actor> p(6);
  Daemon d(dir.str("db"), test_genesis(op, clock));
  HttpClient c(d.url());
  auto must = [&](Actor& a, TxBody body) {
    auto r = post_tx(c, a.sign(std::move(body)));
    ASSERT_EQ(r.status, 200u) << r.body;
  };
  const Bytes network = build_shipped_charter(dir, "guarantor_network");
  ASSERT_FALSE(network.empty());
  must(op, RegisterCoop{coop.key.pk, "Network"});
  must(coop, DeployCharter{1, network, "guarantor_network.artel"});
  for (std::uint64_t m = 1; m <= 6; ++m) {
    must(coop, AdmitMember{1, p[m - 1].key.pk, 0});
    must(coop, Contribute{m, 20'000'00, ContributionKind::money, "", ""});
    must(p[m - 1], CallRule{1, m, "post_deposit", {kRequired}});
  }
  for (auto [m, g] : std::vector<std::pair<std::uint64_t, std::uint64_t>>{{1, 2}, {1, 3}, {2, 4}, {2, 5}, {4, 6}}) {
    must(p[g - 1], CallRule{1, g, "offer_guarantee", {static_cast<std::int64_t>(m)}});
    must(p[m - 1], CallRule{1, m, "accept_guarantee", {static_cast<std::int64_t>(g)}});
  }
  json j = get_json(c, "/v1/networks/1/graph?member=1&levels=2");
  std::map<std::uint64_t, std::uint64_t> levels;
  for (const auto& n : j["nodes"]) levels[n["member"]] = n["level"];
  EXPECT_EQ(levels, (std::map<std::uint64_t, std::uint64_t>{{1, 0}, {2, 1}, {3, 1}, {4, 2}, {5, 2}}));
  std::set<std::pair<std::uint64_t, std::uint64_t>> edges;
  for (const auto& e : j["edges"]) edges.insert({e["guarantor"].get<std::uint64_t>(), e["member"].get<std::uint64_t>()});
  EXPECT_EQ(edges, (std::set<std::pair<std::uint64_t, std::uint64_t>>{{2, 1}, {3, 1}, {4, 2}, {5, 2}}));
  EXPECT_FALSE(j["truncated"].get<bool>());
  EXPECT_EQ(get_json(c, "/v1/networks/1/graph?member=1&levels=3")["nodes"].size(), 6u);
  json cut = get_json(c, "/v1/networks/1/graph?member=1&levels=3&limit=3");
  EXPECT_EQ(cut["nodes"].size(), 3u);
  EXPECT_TRUE(cut["truncated"].get<bool>());
  json all = get_json(c, "/v1/networks/1/graph?limit=4");
  EXPECT_EQ(all["participants"], 6);
  EXPECT_EQ(all["next"], 4);
  EXPECT_EQ(c.get("/v1/networks/7/graph").status, 404u);
  EXPECT_EQ(c.get("/v1/networks/1/graph?member=99").status, 404u);

  CommandRun tree = run_command(std::string(ARTEL_CLI_PATH) + " network 1 --coop 1 --levels 2 --node " + d.url());
  ASSERT_EQ(tree.status, 0) << tree.out;
  EXPECT_EQ(tree.out,
            "member 1 in the network of cooperative 1: 5 participants within 2 steps\n"
            "member 1\n"
            "├── guaranteed by member 2 (vouches for 1)\n"
            "│   ├── guaranteed by member 4 (vouches for 1)\n"
            "│   └── guaranteed by member 5 (vouches for 1)\n"
            "└── guaranteed by member 3 (vouches for 1)\n");
  CommandRun up = run_command(std::string(ARTEL_CLI_PATH) + " network 6 --coop 1 --levels 2 --node " + d.url());
  EXPECT_EQ(up.out,
            "member 6 in the network of cooperative 1: 3 participants within 2 steps\n"
            "member 6\n"
            "└── vouches for member 4 (vouches for 1)\n"
            "    └── vouches for member 2 (vouches for 1)\n");
}

}  // namespace
}  // namespace artel::node::test
