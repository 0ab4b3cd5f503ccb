// The `artel` client against a real arteld made with `arteld init`, with
// the platform charter and a consumer society's own charter compiled by the
// real compiler: contributions, transfers and returns through the society's
// ledger hooks, the platform's weekly demurrage, the platform assembly's
// quorum, statements citing both charters.
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
  CliRun artel_env(const std::string& env, const std::string& args) {
    CommandRun run = run_command(env + " " + std::string(ARTEL_CLI_PATH) + " " + args + " </dev/null");
    return CliRun{run.status, run.out, json::parse(run.out, nullptr, false)};
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
  // Reads are private on these nodes: the council's key signs them.
  std::int64_t balance(const std::string& account) {
    const bool signed_read = std::filesystem::exists(dir.str("op.key"));
    CliRun r = artel("account " + account + (signed_read ? k("op") : "") + " --node " + url);
    EXPECT_EQ(r.status, 0) << r.out;
    return r.j["balance"].get<std::int64_t>();
  }
  std::string k(const std::string& name) { return " --key " + dir.str(name + ".key"); }

  TempDir dir;
  std::string url;
};

TEST_F(CliTest, ConsumerSocietyCharterEndToEnd) {
  std::string platform = dir.str("platform.acm"), module = dir.str("cs.acm");
  CliRun pb = artel(std::string("build ") + ARTEL_SOURCE_DIR + "/charters/platform.artel -o " + platform);
  ASSERT_EQ(pb.status, 0) << pb.out;
  CliRun b = artel(std::string("build ") + ARTEL_SOURCE_DIR + "/charters/consumer_society.artel -o " + module);
  ASSERT_EQ(b.status, 0) << b.out;
  std::string op = key("op"), clock = key("clock"), coop = key("coop"), alice = key("alice"), bob = key("bob");
  CommandRun init = run_command(std::string(ARTELD_PATH) + " init --data " + dir.str("db") + " --council " + op +
                                " --clock " + clock + " --platform 'CLI test platform' --created 2026-01-05");
  ASSERT_EQ(init.status, 0) << init.out;
  ASSERT_EQ(init.out.rfind("ledger id ", 0), 0u) << init.out;
  const std::string ledger = init.out.substr(10, 64);
  // A ledger's genesis is never rewritten.
  EXPECT_EQ(run_command(std::string(ARTELD_PATH) + " init --data " + dir.str("db") + " --council " + op +
                        " --clock " + clock).status,
            1);
  Daemon d(dir.str("db"), "", {"--private-reads"});
  url = d.url();
  EXPECT_EQ(artel("status --node " + url).j["ledger_id"], ledger);

  ok("submit deploy" + k("op") + " --coop 0 --module " + platform + " --source " + ARTEL_SOURCE_DIR +
     "/charters/platform.artel");
  ok("submit register-coop" + k("op") + " --coop-key " + coop + " --name 'Consumer society'");
  // Persons: the society is person 1, alice 2, bob 3; memberships: alice 1, bob 2.
  ok("submit admit" + k("coop") + " --coop 1 --member-key " + alice);
  ok("submit admit" + k("coop") + " --coop 1 --member-key " + bob);
  ok("submit deploy" + k("coop") + " --coop 1 --module " + module + " --source " + ARTEL_SOURCE_DIR +
     "/charters/consumer_society.artel");
  // Contributions go through the society's on_contribute (article 2).
  ok("submit contribute" + k("coop") + " --member 1 --amount 100000");
  ok("submit contribute" + k("coop") + " --member 2 --amount 50000 --property --description 'a cow' "
     "--valuation 'veterinary appraisal 12'");
  CliRun ch = artel("charter --coop 1 --json --node " + url);
  ASSERT_EQ(ch.status, 0) << ch.out;
  EXPECT_EQ(ch.j["version"], 1);
  EXPECT_NE(ch.j["source"].get<std::string>().find("\"Consumer Society\""), std::string::npos);
  CliRun pch = artel("charter --json --node " + url);
  EXPECT_NE(pch.j["source"].get<std::string>().find("Platform of Consumer Cooperation"), std::string::npos);
  // The society's on_contribute emits contribution_accepted(contributor,
  // amount): kept with the transaction under its declared names, and found
  // by the member it names.
  CliRun unsigned_read = artel("events 2 --node " + url);
  EXPECT_EQ(unsigned_read.status, 1);
  EXPECT_EQ(unsigned_read.j["error"]["code"], "read_signature_required") << unsigned_read.out;
  EXPECT_EQ(artel("events 2" + k("alice") + " --node " + url).j["error"]["code"], "read_not_allowed");
  CliRun blk = artel("block 1" + k("op") + " --node " + url);  // the blocks: the council's
  EXPECT_EQ(blk.status, 0) << blk.out;
  EXPECT_EQ(blk.j["height"], 1);
  EXPECT_EQ(artel("block 1" + k("alice") + " --node " + url).j["error"]["code"], "read_not_allowed");
  CliRun ev = artel("events 2" + k("bob") + " --node " + url);
  ASSERT_EQ(ev.status, 0) << ev.out;
  ASSERT_EQ(ev.j["events"].size(), 1u) << ev.out;
  EXPECT_EQ(ev.j["events"][0]["event"], "contribution_accepted");
  EXPECT_EQ(ev.j["events"][0]["cooperative"], 1);
  EXPECT_EQ(ev.j["events"][0]["values"][0]["name"], "contributor");
  EXPECT_EQ(ev.j["events"][0]["values"][0]["type"], "member");
  EXPECT_EQ(ev.j["events"][0]["values"][0]["value"], 2);
  EXPECT_EQ(ev.j["events"][0]["values"][1]["name"], "amount");
  EXPECT_EQ(ev.j["events"][0]["values"][1]["type"], "money");
  EXPECT_EQ(ev.j["events"][0]["values"][1]["value"], 50'000);
  EXPECT_EQ(artel("events 99" + k("op") + " --node " + url).status, 1);
  // A transaction signed for another ledger is refused.
  CliRun other = artel("submit transfer" + k("alice") + " --to 3 --amount 1 --ledger " + std::string(64, '0') +
                       " --node " + url);
  EXPECT_EQ(other.j["error"]["code"], "bad_signature") << other.out;

  // Article 3: a transfer between members, carried out by the charter's
  // on_transfer rule.
  ok("submit transfer" + k("alice") + " --to 3 --amount 2000");
  EXPECT_EQ(balance("share:1"), 98'000);
  EXPECT_EQ(balance("share:2"), 52'000);
  // A rule's `require` aborts with its article and message; nothing changes.
  CliRun self = artel("submit transfer" + k("alice") + " --to 2 --amount 5 --node " + url);
  EXPECT_EQ(self.status, 1);
  EXPECT_EQ(self.j["error"]["code"], "charter_abort") << self.out;
  EXPECT_EQ(self.j["error"]["article"], 3);
  EXPECT_NE(self.out.find("a member cannot transfer to themselves"), std::string::npos) << self.out;
  // "by cooperative" rules refuse a member's signature.
  CliRun notcoop = artel("submit call --coop 1" + k("alice") + " grant_advance 2 100 --node " + url);
  EXPECT_EQ(notcoop.j["error"]["code"], "unauthorized") << notcoop.out;

  // The platform's article 2: the weekly demurrage, 0.5 % rounded down; half
  // of each charge, rounded down, to the member's cooperative, the rest to
  // the fund. It is charged lazily: the API shows share accounts as of now,
  // and the fund and the cooperative receive a charge when the account is
  // next used. Only the clock key advances the period.
  CliRun not_clock = artel("submit advance" + k("op") + " --node " + url);
  EXPECT_EQ(not_clock.j["error"]["code"], "unauthorized") << not_clock.out;
  ok("submit advance" + k("clock"));
  const std::int64_t c1 = 98'000 * 5 / 1000, c2 = 52'000 * 5 / 1000;  // 490 and 260
  std::int64_t a = 98'000 - c1, bb = 52'000 - c2;
  EXPECT_EQ(balance("share:1"), a);
  EXPECT_EQ(balance("share:2"), bb);
  CliRun coopj = artel("account coop:1 --uncollected --node " + url);  // an aggregate: public
  EXPECT_EQ(coopj.j["balance"], 0) << coopj.out;  // nothing collected yet
  EXPECT_EQ(coopj.j["uncollected_demurrage"], c1 / 2 + c2 / 2) << coopj.out;
  EXPECT_EQ(coopj.j["cooperative"]["cooperative_account"], a + bb);
  CliRun fundj = artel("account fund --uncollected --node " + url);
  EXPECT_EQ(fundj.j["uncollected_demurrage"], (c1 - c1 / 2) + (c2 - c2 / 2)) << fundj.out;
  CliRun cow = artel("statement share:2 --json" + k("bob") + " --node " + url);
  ASSERT_GE(cow.j["statement"].size(), 1u) << cow.out;
  EXPECT_EQ(cow.j["statement"][0]["contribution"]["kind"], "property") << cow.out;
  EXPECT_EQ(cow.j["statement"][0]["contribution"]["description"], "a cow");
  EXPECT_EQ(cow.j["statement"][0]["contribution"]["valuation"], "veterinary appraisal 12");
  EXPECT_EQ(cow.j["statement"][0]["amount"], 50'000);
  CliRun st = artel("statement share:1 --json" + k("alice") + " --node " + url);
  auto lines = st.j["statement"];
  // The same statement as a table in money, each line citing its article.
  CliRun table = artel("statement share:1" + k("coop") + " --node " + url);
  ASSERT_EQ(table.status, 0) << table.out;
  {
    const std::string demurrage = "-" + std::to_string(c1 / 100) + "." + (c1 % 100 < 10 ? "0" : "") +
                                  std::to_string(c1 % 100) + " RUB";
    EXPECT_NE(table.out.find(demurrage), std::string::npos) << demurrage << "\n" << table.out;
    EXPECT_NE(table.out.find("2026-01-12"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("Platform of Consumer Cooperation v1 art. 2 Demurrage"), std::string::npos) << table.out;
    EXPECT_NE(table.out.find("+1000.00 RUB"), std::string::npos) << table.out;  // alice's contribution
  }
  ASSERT_GE(lines.size(), 3u);
  EXPECT_EQ(lines.back()["article"], 2);
  EXPECT_EQ(lines.back()["charter_coop"], 0);
  EXPECT_EQ(lines.back()["cites"]["charter"], "Platform of Consumer Cooperation");
  EXPECT_EQ(lines.back()["cites"]["number"], "2");
  EXPECT_EQ(lines.back()["cites"]["titles"]["en"], "Demurrage");
  EXPECT_EQ(lines.back()["day"], 7);
  EXPECT_EQ(lines.back()["date"], "2026-01-12");
  EXPECT_EQ(lines.back()["amount"], -c1);
  EXPECT_EQ(lines.back()["charter_version"], 1);
  EXPECT_EQ(lines[1]["article"], 3);
  EXPECT_EQ(lines[1]["charter_coop"], 1);
  EXPECT_EQ(lines[1]["cites"]["charter"], "Consumer Society");
  // Using the accounts collects their charges.
  ok("submit transfer" + k("alice") + " --to-member 2 --amount 1000");
  a -= 1000;
  bb += 1000;
  std::int64_t own = balance("coop:1"), fund = balance("fund");
  EXPECT_EQ(own, c1 / 2 + c2 / 2);
  EXPECT_EQ(fund, (c1 - c1 / 2) + (c2 - c2 / 2));
  EXPECT_EQ(own + fund, c1 + c2);  // money is conserved

  // The platform's article 3: spending the fund needs the platform's
  // assembly (50 % of the 2 people holding share accounts).
  CliRun noquorum = artel("submit call" + k("alice") + " spend_fund 2 100 --node " + url);
  EXPECT_EQ(noquorum.j["error"]["code"], "approval_missing") << noquorum.out;
  ok("submit call --coop 0" + k("alice") + " spend_fund 2 100 --approve " + dir.str("bob.key"));
  EXPECT_EQ(balance("share:2"), bb + 100);
  EXPECT_EQ(balance("fund"), fund - 100);

  // Article 5: a return of a share contribution, recorded by the cooperative,
  // goes through its own account and out of the ledger; what remains must be
  // nothing or at least the minimum contribution (100.00 RUB).
  bb += 100;
  CliRun leaves_too_little = artel("submit return" + k("coop") + " --member 2 --amount " +
                                   std::to_string(bb - 9'999) + " --node " + url);
  EXPECT_EQ(leaves_too_little.j["error"]["code"], "charter_abort") << leaves_too_little.out;
  EXPECT_EQ(leaves_too_little.j["error"]["article"], 5);
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
  CliRun direct = artel("submit call --coop 1" + k("coop") + " on_contribute 1 15000 --node " + url);
  EXPECT_EQ(direct.j["error"]["code"], "unknown_rule") << direct.out;
  CliRun st2 = artel("status --node " + url);
  ASSERT_EQ(st2.j["charters"].size(), 2u) << st2.out;
  EXPECT_EQ(st2.j["charters"][1]["cooperative"], 1);
  EXPECT_EQ(st2.j["charters"][1]["version"], 1);
  EXPECT_EQ(st2.j["day"], 7);
  EXPECT_EQ(st2.j["date"], "2026-01-12");

  // The charter as members read it: articles, the parameters in force, who
  // may do what in words (English and Russian).
  CliRun doc = artel("charter --coop 1 --node " + url);
  ASSERT_EQ(doc.status, 0) << doc.out;
  for (const char* want : {"Version 1 (in force), effective 2026-01-05", "Consumer Society — money in RUB",
                           "minimum_contribution = 100.00 RUB", "amendment_majority = 75%",
                           "Article 2. Share accounts and contributions",
                           "rule on_contribute(contributor, amount): the cooperative",
                           "rule repay_advance(amount): any member",
                           "rule on_amend(): three quarters of the general assembly"})
    EXPECT_NE(doc.out.find(want), std::string::npos) << want << "\n" << doc.out;
  CliRun doc_ru = artel("charter --coop 1 --lang ru --node " + url);
  EXPECT_NE(doc_ru.out.find("Article 2. Паевые счета и взносы"), std::string::npos) << doc_ru.out;
  EXPECT_NE(doc_ru.out.find("rule on_amend(): три четверти общего собрания"), std::string::npos) << doc_ru.out;

  // Article 6: an amendment approved by both members (three quarters of
  // two) halves the minimum contribution from the next week; version 2
  // says what changed and who approved it.
  std::ifstream v1_in(std::string(ARTEL_SOURCE_DIR) + "/charters/consumer_society.artel");
  std::string v2_text((std::istreambuf_iterator<char>(v1_in)), {});
  const std::string from = "minimum_contribution: money = 100.00 RUB";
  ASSERT_NE(v2_text.find(from), std::string::npos);
  v2_text.replace(v2_text.find(from), from.size(), "minimum_contribution: money = 50.00 RUB");
  const std::string header = "charter \"Consumer Society\" version 1";
  ASSERT_NE(v2_text.find(header), std::string::npos);
  v2_text.replace(v2_text.find(header), header.size(), "charter \"Consumer Society\" version 2");
  {
    std::ofstream(dir.str("cs2.artel")) << v2_text;
  }
  ASSERT_EQ(artel("build " + dir.str("cs2.artel") + " -o " + dir.str("cs2.acm")).status, 0);
  ok("submit amend" + k("alice") + " --coop 1 --module " + dir.str("cs2.acm") + " --source " + dir.str("cs2.artel") +
     " --approve " + dir.str("alice.key") + " --approve " + dir.str("bob.key"));
  CliRun v2 = artel("charter --coop 1 --version 2 --json --node " + url);
  ASSERT_EQ(v2.status, 0) << v2.out;
  EXPECT_EQ(v2.j["in_force"], false);  // from next week
  EXPECT_EQ(v2.j["effective_date"], "2026-01-19");
  const auto& changed = v2.j["changes"]["parameters"];
  ASSERT_EQ(changed.size(), 1u) << v2.out;
  EXPECT_EQ(changed[0]["name"], "minimum_contribution");
  EXPECT_EQ(changed[0]["from"]["value"], 10'000);
  EXPECT_EQ(changed[0]["to"]["value"], 5'000);
  EXPECT_EQ(changed[0]["to"]["display"], "50.00 RUB");
  EXPECT_TRUE(v2.j["changes"]["rules"].empty());
  EXPECT_TRUE(v2.j["changes"]["articles"].empty());
  const auto& by = v2.j["approved_by"];
  ASSERT_EQ(by.size(), 3u) << v2.out;  // alice signed; alice and bob approved
  EXPECT_EQ(by[0]["key"], alice);
  EXPECT_EQ(by[0]["role"], "signed");
  EXPECT_EQ(by[2]["key"], bob);
  EXPECT_EQ(by[2]["person"], 3);
  CliRun v2text = artel("charter --coop 1 --version 2 --node " + url);
  EXPECT_NE(v2text.out.find("parameter minimum_contribution changed: 100.00 RUB -> 50.00 RUB (money)"),
            std::string::npos)
      << v2text.out;
  CliRun none = artel("charter --coop 1 --version 9 --node " + url);
  EXPECT_EQ(none.status, 1);
  EXPECT_EQ(none.j["error"]["code"], "unknown_charter_version") << none.out;
}

// Keys through the client: a council of two with threshold 2 registers a
// cooperative; a member rotates its key and /v1/signers shows the history;
// the council replaces itself.
TEST_F(CliTest, KeysRotateAndTheCouncilChanges) {
  std::string op1 = key("op1"), op2 = key("op2"), clock = key("clock"), coop = key("coop"), alice = key("alice");
  std::string alice2 = key("alice2"), op3 = key("op3"), clock2 = key("clock2");
  CommandRun init = run_command(std::string(ARTELD_PATH) + " init --data " + dir.str("db") + " --council " + op1 +
                                " --council " + op2 + " --threshold 2 --clock " + clock + " --created 2026-01-05");
  ASSERT_EQ(init.status, 0) << init.out;
  Daemon d(dir.str("db"), "");
  url = d.url();
  CliRun one = artel("submit register-coop" + k("op1") + " --coop-key " + coop + " --name C --node " + url);
  EXPECT_EQ(one.status, 1);
  EXPECT_EQ(one.j["error"]["code"], "approval_missing") << one.out;
  ok("submit register-coop" + k("op1") + " --approve " + dir.str("op2.key") + " --coop-key " + coop + " --name C");
  ok("submit admit" + k("coop") + " --coop 1 --member-key " + alice);
  ok("submit contribute" + k("coop") + " --member 1 --amount 700");
  ok("submit rotate-key" + k("alice") + " --new-key " + dir.str("alice2.key"));
  CliRun old = artel("submit transfer" + k("alice") + " --to 1 --amount 1 --nonce 2 --node " + url);
  EXPECT_EQ(old.j["error"]["code"], "retired_key") << old.out;
  CliRun sg = artel("signer " + alice + " --node " + url);
  ASSERT_EQ(sg.status, 0) << sg.out;
  EXPECT_EQ(sg.j["retired"]["person"], 2) << sg.j.dump();
  EXPECT_EQ(sg.j["retired"]["date"], "2026-01-05");
  EXPECT_EQ(sg.j["current_key"], alice2);
  ASSERT_EQ(sg.j["key_history"].size(), 1u);
  EXPECT_EQ(sg.j["key_history"][0]["old_key"], alice);
  EXPECT_EQ(sg.j["key_history"][0]["new_key"], alice2);
  json now = artel("signer " + alice2 + " --node " + url).j;
  EXPECT_EQ(now["person"], 2);
  EXPECT_EQ(now["next_nonce"], 2);  // the person's nonces go on
  EXPECT_EQ(now["memberships"][0]["member"], 1);
  EXPECT_EQ(balance("share:1"), 700);
  // The council of op1 and op2 hands over to op3 alone, with a new clock.
  ok("submit change-council" + k("op2") + " --approve " + dir.str("op1.key") + " --council-key " + op3 +
     " --threshold 1 --clock-key " + clock2);
  CliRun gone = artel("submit advance" + k("clock") + " --node " + url);
  EXPECT_EQ(gone.j["error"]["code"], "unknown_member") << gone.out;
  ok("submit advance" + k("clock2"));
  ok("submit register-coop" + k("op3") + " --coop-key " + key("coop2") + " --name D");
}

// A key file sealed with a passphrase: nothing of the seed is in the file,
// the right passphrase opens it, a wrong one is refused with a clear word.
TEST_F(CliTest, ASealedKeyFileOpensOnlyWithItsPassphrase) {
  const std::string path = dir.str("sealed.key");
  CliRun made = artel_env("ARTEL_KEY_PASSPHRASE='correct horse'", "keygen --seal --out " + path);
  ASSERT_EQ(made.status, 0) << made.out;
  const std::string pk = made.j["public_key"].get<std::string>();
  std::ifstream in(path);
  std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(text.rfind("artel-sealed-key 1 ", 0), 0u) << text;
  CliRun shown = artel_env("ARTEL_KEY_PASSPHRASE='correct horse'", "keygen --show " + path);
  EXPECT_EQ(shown.status, 0) << shown.out;
  EXPECT_EQ(shown.out.substr(0, 64), pk);
  CliRun wrong = artel_env("ARTEL_KEY_PASSPHRASE='wrong horse'", "keygen --show " + path);
  EXPECT_EQ(wrong.status, 1);
  EXPECT_NE(wrong.out.find("wrong passphrase"), std::string::npos) << wrong.out;
  CliRun none = artel_env("ARTEL_KEY_PASSPHRASE=", "keygen --seal --out " + dir.str("empty.key"));
  EXPECT_EQ(none.status, 2) << none.out;
}

}  // namespace
}  // namespace artel::node::test
