// The `artel` client against a real arteld, with the consumer-society
// charter compiled by the real compiler: contributions, transfers and
// returns through its ledger hooks, the weekly demurrage, the assembly's
// quorum, statements.
#include <fstream>

#include "harness.h"

namespace artel::node::test {
namespace {

struct CliRun {
  int status = 0;
  std::string out;
  json j;
};

class CliTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto_init();
    if (!std::filesystem::exists(ARTEL_CLI_PATH)) GTEST_SKIP() << "the artel binary is not built";
  }
  CliRun artel(const std::string& args) {
    CommandRun run = run_command(std::string(ARTEL_CLI_PATH) + " " + args);
    return CliRun{run.status, run.out, json::parse(run.out, nullptr, false)};
  }
  std::string key(const std::string& name) {
    std::string path = dir.str(name + ".key");
    EXPECT_EQ(artel("keygen --out " + path).status, 0);
    CliRun r = artel("keygen --show " + path);
    std::string pk = r.out.substr(0, 64);
    return pk;
  }
  void ok(const std::string& args) {
    CliRun r = artel(args + " --node " + url);
    ASSERT_EQ(r.status, 0) << args << "\n" << r.out;
  }
  std::int64_t balance(const std::string& account) {
    CliRun r = artel("account " + account + " --node " + url);
    EXPECT_EQ(r.status, 0) << r.out;
    return r.j["balance"].get<std::int64_t>();
  }
  std::string k(const std::string& name) { return " --key " + dir.str(name + ".key"); }

  TempDir dir;
  std::string url;
};

TEST_F(CliTest, ConsumerSocietyCharterEndToEnd) {
  std::string module = dir.str("cs.acm");
  CliRun b = artel(std::string("build ") + ARTEL_SOURCE_DIR + "/charters/consumer_society.artel -o " + module);
  ASSERT_EQ(b.status, 0) << b.out;
  std::string op = key("op"), coop = key("coop"), alice = key("alice"), bob = key("bob");
  Daemon d(dir.str("db"), *public_key_from_hex(op));
  url = d.url();

  ok("submit register-coop" + k("op") + " --coop-key " + coop + " --name 'Consumer society'");
  ok("submit admit" + k("coop") + " --coop 1 --member-key " + alice);
  ok("submit admit" + k("coop") + " --coop 1 --member-key " + bob);
  ok("submit contribute" + k("coop") + " --member 1 --amount 100000");
  ok("submit contribute" + k("coop") + " --member 2 --amount 50000 --property --description 'a cow' "
     "--valuation 'veterinary appraisal 12'");
  ok("submit deploy" + k("op") + " --module " + module + " --source " + ARTEL_SOURCE_DIR +
     "/charters/consumer_society.artel");
  CliRun ch = artel("charter --node " + url);
  ASSERT_EQ(ch.status, 0) << ch.out;
  EXPECT_EQ(ch.j["version"], 1);
  EXPECT_NE(ch.j["source"].get<std::string>().find("Union of Consumer Societies"), std::string::npos);

  // Article 3: a transfer between members, carried out by the charter's
  // on_transfer rule.
  ok("submit transfer" + k("alice") + " --to 2 --amount 2000");
  EXPECT_EQ(balance("share:1"), 98'000);
  EXPECT_EQ(balance("share:2"), 52'000);
  // A rule's `require` aborts with its article and message; nothing changes.
  CliRun self = artel("submit transfer" + k("alice") + " --to 1 --amount 5 --node " + url);
  EXPECT_EQ(self.status, 1);
  EXPECT_EQ(self.j["error"]["code"], "charter_abort") << self.out;
  EXPECT_EQ(self.j["error"]["article"], 3);
  EXPECT_NE(self.out.find("a member cannot transfer to themselves"), std::string::npos) << self.out;
  // "by cooperative" rules refuse a member's signature.
  CliRun notcoop = artel("submit call" + k("alice") + " grant_advance 2 100 --node " + url);
  EXPECT_EQ(notcoop.j["error"]["code"], "unauthorized") << notcoop.out;

  // Article 5: the weekly demurrage, 0.5 % rounded down; half of each
  // charge, rounded down, to the member's cooperative, the rest to the fund.
  // It is charged lazily: the API shows share accounts as of now, and the
  // fund and the cooperative receive a charge when the account is next used.
  ok("submit advance" + k("op"));
  const std::int64_t c1 = 98'000 * 5 / 1000, c2 = 52'000 * 5 / 1000;  // 490 and 260
  std::int64_t a = 98'000 - c1, bb = 52'000 - c2;
  EXPECT_EQ(balance("share:1"), a);
  EXPECT_EQ(balance("share:2"), bb);
  CliRun coopj = artel("account coop:1 --uncollected --node " + url);
  EXPECT_EQ(coopj.j["balance"], 0) << coopj.out;  // nothing collected yet
  EXPECT_EQ(coopj.j["uncollected_demurrage"], c1 / 2 + c2 / 2) << coopj.out;
  EXPECT_EQ(coopj.j["cooperative"]["cooperative_account"], a + bb);
  CliRun fundj = artel("account fund --uncollected --node " + url);
  EXPECT_EQ(fundj.j["uncollected_demurrage"], (c1 - c1 / 2) + (c2 - c2 / 2)) << fundj.out;
  CliRun cow = artel("statement share:2 --node " + url);
  ASSERT_GE(cow.j["statement"].size(), 1u) << cow.out;
  EXPECT_EQ(cow.j["statement"][0]["contribution"]["kind"], "property") << cow.out;
  EXPECT_EQ(cow.j["statement"][0]["contribution"]["description"], "a cow");
  EXPECT_EQ(cow.j["statement"][0]["contribution"]["valuation"], "veterinary appraisal 12");
  EXPECT_EQ(cow.j["statement"][0]["amount"], 50'000);
  CliRun st = artel("statement share:1 --node " + url);
  auto lines = st.j["statement"];
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines.back()["article"], 5);
  EXPECT_EQ(lines.back()["cites"]["number"], "5");
  EXPECT_EQ(lines.back()["cites"]["titles"]["en"], "Demurrage");
  EXPECT_EQ(lines.back()["period"], 1);
  EXPECT_EQ(lines.back()["amount"], -c1);
  EXPECT_EQ(lines.back()["charter_version"], 1);
  EXPECT_EQ(lines[1]["article"], 3);
  // Using the accounts collects their charges.
  ok("submit transfer" + k("alice") + " --to 2 --amount 1000");
  a -= 1000;
  bb += 1000;
  std::int64_t own = balance("coop:1"), fund = balance("fund");
  EXPECT_EQ(own, c1 / 2 + c2 / 2);
  EXPECT_EQ(fund, (c1 - c1 / 2) + (c2 - c2 / 2));
  EXPECT_EQ(own + fund, c1 + c2);  // money is conserved

  // Article 7: spending the fund needs the assembly (50 % of 2 members).
  CliRun noquorum = artel("submit call" + k("alice") + " spend_fund 2 100 --node " + url);
  EXPECT_EQ(noquorum.j["error"]["code"], "approval_missing") << noquorum.out;
  ok("submit call" + k("alice") + " spend_fund 2 100 --approve " + dir.str("bob.key"));
  EXPECT_EQ(balance("share:2"), bb + 100);
  EXPECT_EQ(balance("fund"), fund - 100);

  // Article 6: a return of a share contribution, recorded by the cooperative,
  // goes through its own account and out of the ledger; what remains must be
  // nothing or at least the minimum contribution (100.00 RUB).
  bb += 100;
  CliRun leaves_too_little = artel("submit return" + k("coop") + " --member 2 --amount " +
                                   std::to_string(bb - 9'999) + " --node " + url);
  EXPECT_EQ(leaves_too_little.j["error"]["code"], "charter_abort") << leaves_too_little.out;
  EXPECT_EQ(leaves_too_little.j["error"]["article"], 6);
  ok("submit return" + k("coop") + " --member 2 --amount 20000");
  EXPECT_EQ(balance("share:2"), bb - 20'000);
  EXPECT_EQ(balance("coop:1"), own);  // in and straight out again
  // Article 2: a contribution is credited by on_contribute, at least 100.00 RUB.
  CliRun small = artel("submit contribute" + k("coop") + " --member 1 --amount 9999 --node " + url);
  EXPECT_EQ(small.j["error"]["code"], "charter_abort") << small.out;
  EXPECT_EQ(small.j["error"]["article"], 2);
  ok("submit contribute" + k("coop") + " --member 1 --amount 15000");
  EXPECT_EQ(balance("share:1"), a + 15'000);
  EXPECT_EQ(balance("coop:1"), own);
  // Hooks are the ledger's: call_rule cannot reach them.
  CliRun direct = artel("submit call" + k("coop") + " on_contribute 1 15000 --node " + url);
  EXPECT_EQ(direct.j["error"]["code"], "unknown_rule") << direct.out;
  CliRun st2 = artel("status --node " + url);
  EXPECT_EQ(st2.j["charter"]["version"], 1);
  EXPECT_EQ(st2.j["period"], 1);
}

}  // namespace
}  // namespace artel::node::test
