// End to end: a real arteld process with a real RocksDB directory, driven over
// HTTP on a loopback port.
#include <atomic>
#include <chrono>
#include <thread>

#include "harness.h"
#include "node/read_auth.h"

namespace artel::node::test {
namespace {

Bytes charter_module(std::uint32_t version = 1);

class E2E : public NodeOverHttp {
 protected:
  json status(HttpClient& c) { return get_json(c, "/v1/status"); }
  std::int64_t balance(HttpClient& c, const std::string& account) {
    return get_json(c, "/v1/accounts/" + account)["balance"].get<std::int64_t>();
  }
  // Submits a rejected transaction; checks the status, the error code and that
  // the state digest did not move.
  json rejected(HttpClient& c, const std::string& body, unsigned http_status, const std::string& code) {
    std::string before = status(c)["state_digest"];
    auto r = c.post("/v1/transactions", body);
    EXPECT_EQ(r.status, http_status) << r.body;
    json j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded()) << r.body;
    if (j.is_discarded()) return j;
    EXPECT_EQ(j["error"]["code"], code) << r.body;
    EXPECT_FALSE(j["error"]["message"].get<std::string>().empty());
    EXPECT_EQ(status(c)["state_digest"], before);
    return j;
  }
  static std::string tx_body(const Bytes& tx) { return json{{"tx", to_hex(tx)}}.dump(); }
};

TEST_F(E2E, BalancesStatementsAndCharterOverHttp) {
  Daemon d(dir.str(), genesis);
  HttpClient c(d.url());
  populate(c, 3, 100'000);
  ok(c, members[0].sign(Transfer{0, 0, 2, 12'345, "groceries"}));
  ok(c, members[1].sign(Transfer{0, 0, 3, 345, ""}));
  ok(c, coop.sign(ReturnShare{1, 7'000}));
  ok(c, coop.sign(Contribute{3, 250'000, ContributionKind::property, "a greenhouse", "appraiser's act 4/2026"}));
  EXPECT_EQ(balance(c, "share:1"), 100'000 - 12'345 - 7'000);
  EXPECT_EQ(balance(c, "2"), 100'000 + 12'345 - 345);
  EXPECT_EQ(balance(c, "share:3"), 100'000 + 345 + 250'000);
  json coopj = get_json(c, "/v1/accounts/coop:1");
  EXPECT_EQ(coopj["cooperative"]["cooperative_account"], 300'000 - 7'000 + 250'000);

  json st = get_json(c, "/v1/accounts/share:2/statement");
  ASSERT_EQ(st["statement"].size(), 3u);
  auto line = st["statement"][1];
  EXPECT_EQ(line["amount"], 12'345);
  EXPECT_EQ(line["balance"], 100'000 + 12'345);
  EXPECT_EQ(line["counterparty"], "share:1");
  EXPECT_EQ(line["kind"], "transfer");
  EXPECT_EQ(line["article"], 0);
  EXPECT_EQ(line["tx"].get<std::string>().size(), 64u);

  // Charter: deploy, call a rule, read every version.
  Bytes m = charter_module();
  ok(c, op.sign(DeployCharter{0, m, "Article 7. Members may pay each other."}));
  ok(c, members[2].sign(CallRule{0, 0, "pay", {1, 5'000}}));
  EXPECT_EQ(balance(c, "share:1"), 100'000 - 12'345 - 7'000 + 5'000);
  json ch = get_json(c, "/v1/charter");
  EXPECT_EQ(ch["version"], 1);
  EXPECT_EQ(ch["module_id"], hexs(blake2b256(m)));
  EXPECT_EQ(ch["versions"].size(), 1u);
  EXPECT_EQ(ch["source"], "Article 7. Members may pay each other.");
  json st1 = get_json(c, "/v1/accounts/share:1/statement");
  auto last = st1["statement"].back();
  EXPECT_EQ(last["article"], 7);
  EXPECT_EQ(last["charter_version"], 1);
  json s = status(c);
  ASSERT_EQ(s["charters"].size(), 1u) << s;
  EXPECT_EQ(s["charters"][0]["cooperative"], 0);
  EXPECT_EQ(s["charters"][0]["version"], 1);
  EXPECT_EQ(s["members"], 3);
  EXPECT_EQ(s["ledger_id"], hexs(signing_ledger()));

  // Binary batch: length-prefixed transactions; only rejections itemised.
  {
    Writer w;
    w.bytes(members[0].sign(Transfer{0, 0, 2, 10, ""}));
    w.bytes(members[1].sign(Transfer{0, 0, 1, 999'999'999, ""}));  // overdraft
    members[1].nonce--;
    w.bytes(members[1].sign(Transfer{0, 0, 1, 20, ""}));
    auto r = c.request("POST", "/v1/transactions", w.as_string(), "application/octet-stream");
    ASSERT_EQ(r.status, 200u) << r.body;
    json j = json::parse(r.body);
    EXPECT_EQ(j["applied"], 2);
    ASSERT_EQ(j["rejections"].size(), 1u);
    EXPECT_EQ(j["rejections"][0]["index"], 1);
    EXPECT_EQ(j["rejections"][0]["error"]["code"], "overdraft");
    Bytes cut = members[1].sign(Transfer{0, 0, 1, 1, ""});
    members[1].nonce--;
    Writer bad;
    bad.u32(static_cast<std::uint32_t>(cut.size() + 5));
    bad.raw(cut);
    auto rb = c.request("POST", "/v1/transactions", bad.as_string(), "application/octet-stream");
    EXPECT_EQ(rb.status, 400u);
    EXPECT_EQ(json::parse(rb.body)["error"]["code"], "bad_encoding");
  }

  auto metrics = c.get("/metrics");
  EXPECT_EQ(metrics.status, 200u);
  EXPECT_NE(metrics.body.find("artel_transactions_applied_total"), std::string::npos);
  EXPECT_NE(metrics.body.find("artel_block_commit_seconds_count"), std::string::npos);
}

// Privacy (the design's decision): a member's accounts, statements and
// notices are read with a signature of the member, its cooperative or the
// council, bound to this ledger, this request and a short window; charters
// and aggregates stay public.
TEST_F(E2E, MembersRecordsNeedASignedRead) {
  Daemon d(dir.str(), genesis, {"--private-reads"});
  HttpClient c(d.url());
  populate(c, 2, 1'000);
  Actor other_coop;
  ok(c, op.sign(RegisterCoop{other_coop.key.pk, "Another society"}));
  const auto now = static_cast<std::uint64_t>(
      std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count());
  auto read = [&](const std::string& target, const Actor* who, std::uint64_t expires = 0,
                  const Hash* ledger = nullptr, const std::string& signed_target = "") {
    if (who == nullptr) return c.get(target);
    return c.get(target, sign_read(who->key, ledger ? *ledger : signing_ledger(), expires ? expires : now + 60,
                                   signed_target.empty() ? target : signed_target));
  };
  auto code = [](const HttpResponse& r) { return json::parse(r.body)["error"].value("code", ""); };
  const std::string st1 = "/v1/accounts/share:1/statement";

  // Public: the cooperative's aggregate, the fund, the charter list, the status.
  EXPECT_EQ(c.get("/v1/accounts/coop:1").status, 200u);
  EXPECT_EQ(c.get("/v1/accounts/fund").status, 200u);
  EXPECT_EQ(c.get("/v1/status").status, 200u);
  // Unsigned: refused, and the answer says who may read.
  auto r = read(st1, nullptr);
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(code(r), "read_signature_required");
  EXPECT_NE(r.body.find("its cooperative"), std::string::npos) << r.body;
  EXPECT_EQ(read("/v1/accounts/share:1", nullptr).status, 401u);
  EXPECT_EQ(read("/v1/accounts/1", nullptr).status, 401u);
  EXPECT_EQ(read("/v1/members/1/events", nullptr).status, 401u);
  EXPECT_EQ(read("/v1/blocks/1", nullptr).status, 401u);
  // The member itself, its cooperative and the council may.
  r = read(st1, &members[0]);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(json::parse(r.body)["balance"], 1'000);
  EXPECT_EQ(read(st1, &coop).status, 200u);
  EXPECT_EQ(read(st1, &op).status, 200u);
  EXPECT_EQ(read("/v1/members/1/events", &members[0]).status, 200u);
  EXPECT_EQ(read("/v1/blocks/1", &op).status, 200u);
  // Another member, another cooperative: a valid signature, not allowed.
  r = read(st1, &members[1]);
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(code(r), "read_not_allowed");
  EXPECT_EQ(read(st1, &other_coop).status, 403u);
  EXPECT_EQ(read("/v1/blocks/1", &members[0]).status, 403u);
  // A signature for another request, another ledger, an old or too long a
  // window, or forged bytes: refused.
  r = read(st1, &members[0], 0, nullptr, "/v1/accounts/share:1");
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(code(r), "bad_read_signature");
  Hash elsewhere = signing_ledger();
  elsewhere[0] ^= 1;
  EXPECT_EQ(code(read(st1, &members[0], 0, &elsewhere)), "bad_read_signature");
  EXPECT_EQ(code(read(st1, &members[0], now - 1)), "read_signature_expired");
  EXPECT_EQ(code(read(st1, &members[0], now + kMaxReadLifetime + 60)), "bad_read_signature");
  std::string forged = sign_read(members[0].key, signing_ledger(), now + 60, st1);
  forged[forged.size() - 1] = forged.back() == '0' ? '1' : '0';
  EXPECT_EQ(code(c.get(st1, forged)), "bad_read_signature");
  EXPECT_EQ(code(c.get(st1, "Bearer abc")), "bad_read_signature");
  EXPECT_EQ(code(c.get(st1, "Artel-Read key=12")), "bad_read_signature");
}

TEST_F(E2E, BadInputGetsAClearErrorAndChangesNothing) {
  Daemon d(dir.str(), genesis);
  HttpClient c(d.url());
  populate(c, 3, 1'000);
  ok(c, op.sign(DeployCharter{0, charter_module(), "charter"}));

  Bytes t = members[0].sign(Transfer{0, 0, 2, 1, ""});
  Bytes forged = t;
  forged[forged.size() - 1] ^= 0x40;
  rejected(c, tx_body(forged), 401, "bad_signature");
  ok(c, t);
  rejected(c, tx_body(t), 409, "bad_nonce");  // replay
  rejected(c, tx_body(members[0].sign(Transfer{0, 0, 77, 1, ""})), 422, "unknown_member");
  members[0].nonce--;
  Actor stranger;
  rejected(c, tx_body(stranger.sign(Transfer{0, 0, 1, 1, ""})), 422, "unknown_member");
  rejected(c, tx_body(members[0].sign(Transfer{0, 0, 2, 1'000'000, ""})), 422, "overdraft");
  members[0].nonce--;
  Bytes tr = members[0].sign(Transfer{0, 0, 2, 1, ""});
  members[0].nonce--;
  rejected(c, tx_body(Bytes(tr.begin(), tr.end() - 10)), 400, "malformed");
  rejected(c, json{{"tx", "zz12"}}.dump(), 400, "bad_encoding");
  rejected(c, "{\"tx\": ", 400, "invalid_json");
  rejected(c, "[1,2,3]", 400, "invalid_json");
  rejected(c, json{{"tx", to_hex(tr)}, {"encoding", 5}}.dump(), 400, "invalid_json");
  rejected(c, json{{"transactions", {1, 2}}}.dump(), 400, "bad_encoding");
  json abort = rejected(c, tx_body(members[1].sign(CallRule{0, 0, "boom", {}})), 422, "charter_abort");
  EXPECT_EQ(abort["error"]["article"], 12);
  members[1].nonce--;
  rejected(c, tx_body(members[1].sign(AmendCharter{0, charter_module(2), "v2"}, {&members[1]})), 403,
           "approval_missing");
  members[1].nonce--;
  // A module whose header does not say the version the ledger would give it.
  rejected(c, tx_body(members[1].sign(AmendCharter{0, charter_module(1), "v2"}, {&members[1], &members[2]})), 422,
           "invalid");
  members[1].nonce--;
  // A cooperative that does not exist; a rule of a cooperative the signer is
  // not a member of; a membership admitted twice; a deploy of an existing charter.
  rejected(c, tx_body(members[1].sign(CallRule{9, 0, "pay", {1, 1}})), 422, "unknown_cooperative");
  members[1].nonce--;
  rejected(c, tx_body(coop.sign(AdmitMember{1, members[1].key.pk, 0})), 409, "duplicate");
  coop.nonce--;
  rejected(c, tx_body(op.sign(DeployCharter{0, charter_module(1), "again"})), 409, "charter_exists");
  op.nonce--;

  // Unknown endpoint, wrong method, unknown account.
  auto r = c.get("/v1/nothing-here");
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(json::parse(r.body)["error"]["code"], "not_found");
  EXPECT_EQ(c.request("DELETE", "/v1/status").status, 405u);
  EXPECT_EQ(c.get("/v1/accounts/share:99").status, 404u);
  EXPECT_EQ(c.get("/v1/accounts/bogus:1").status, 400u);

  // 100 MB body: refused quickly with 413, the node stays up.
  std::string before = status(c)["state_digest"];
  std::string big(100u << 20, 'x');
  auto t0 = std::chrono::steady_clock::now();
  HttpClient c2(d.url());
  auto big_r = c2.post("/v1/transactions", big);
  double secs = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
  EXPECT_EQ(big_r.status, 413u);
  EXPECT_EQ(json::parse(big_r.body)["error"]["code"], "body_too_large");
  EXPECT_LT(secs, 5.0);
  EXPECT_EQ(status(c)["state_digest"], before);

  auto metrics = c.get("/metrics").body;
  for (const char* reason : {"bad_signature", "bad_nonce", "unknown_member", "overdraft", "malformed",
                             "charter_abort", "approval_missing"})
    EXPECT_NE(metrics.find(std::string("reason=\"") + reason + "\""), std::string::npos) << reason;
  // Requests refused before reaching the ledger are counted too: a body cut
  // short, one of the wrong shape, a field of the wrong type; two bad
  // encodings; one 413.
  EXPECT_NE(metrics.find("artel_http_refused_total{code=\"invalid_json\"} 3"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("artel_http_refused_total{code=\"bad_encoding\"} 2"), std::string::npos) << metrics;
  EXPECT_NE(metrics.find("artel_http_refused_total{code=\"body_too_large\"} 1"), std::string::npos) << metrics;
  // Still serving.
  ok(c, members[2].sign(Transfer{0, 0, 1, 1, ""}));
}

TEST_F(E2E, RestartResumesFromTheLastBlock) {
  json before;
  {
    Daemon d(dir.str(), genesis);
    HttpClient c(d.url());
    populate(c, 2, 5'000);
    ok(c, members[0].sign(Transfer{0, 0, 2, 1'234, ""}));
    before = status(c);
    EXPECT_EQ(d.stop(), 0);
  }
  Daemon d(dir.str(), genesis);
  HttpClient c(d.url());
  json after = status(c);
  EXPECT_EQ(after["height"], before["height"]);
  EXPECT_EQ(after["state_digest"], before["state_digest"]);
  EXPECT_EQ(balance(c, "share:2"), 6'234);
  ok(c, members[1].sign(Transfer{0, 0, 1, 34, ""}));  // nonces carry on
  EXPECT_EQ(balance(c, "share:1"), 5'000 - 1'234 + 34);
}

// Two nodes fed the same transactions, one per block, agree at every height.
TEST_F(E2E, TwoNodesAgreeAtEveryHeight) {
  TempDir other;
  Daemon a(dir.str(), genesis), b(other.str(), genesis);
  HttpClient ca(a.url()), cb(b.url());
  std::vector<Bytes> txs;
  txs.push_back(op.sign(RegisterCoop{coop.key.pk, "c"}));
  for (int i = 0; i < 4; ++i) {
    members.emplace_back();
    txs.push_back(coop.sign(AdmitMember{1, members.back().key.pk, 0}));
    txs.push_back(coop.sign(Contribute{static_cast<std::uint64_t>(i + 1), 10'000, ContributionKind::money, "", ""}));
  }
  txs.push_back(op.sign(DeployCharter{0, charter_module(), "c"}));
  for (int i = 0; i < 20; ++i) {
    auto from = static_cast<std::size_t>(i % 4);
    auto to = static_cast<std::uint64_t>((i + 1) % 4 + 1);
    txs.push_back(i % 3 == 0 ? members[from].sign(CallRule{0, 0, "pay", {static_cast<std::int64_t>(to), 11 + i}})
                             : members[from].sign(Transfer{0, 0, to, 13 + i, ""}));
  }
  txs.push_back(clock.sign(AdvancePeriod{7}));
  for (const auto& t : txs) {
    ok(ca, t);
    ok(cb, t);
  }
  auto h = status(ca)["height"].get<std::uint64_t>();
  ASSERT_EQ(h, txs.size());
  for (std::uint64_t i = 0; i <= h; ++i) {
    json ba = get_json(ca, "/v1/blocks/" + std::to_string(i)), bb = get_json(cb, "/v1/blocks/" + std::to_string(i));
    EXPECT_EQ(ba["state_digest"], bb["state_digest"]) << "height " << i;
    EXPECT_EQ(ba["block_hash"], bb["block_hash"]) << "height " << i;
  }
}

// SIGKILL in the middle of a load: every acknowledged transaction survives and
// the digest equals that of a fresh node fed the same transactions.
TEST_F(E2E, CrashKeepsEveryAcknowledgedTransaction) {
  auto d = std::make_unique<Daemon>(dir.str(), genesis);
  constexpr int threads = 4, per_thread = 5;
  {
    HttpClient c(d->url());
    populate(c, threads * per_thread, 1'000'000);
  }
  std::mutex mu;
  std::vector<std::string> acked;
  std::atomic<bool> stop{false};
  std::atomic<int> batches{0};
  std::vector<std::thread> load;
  for (int t = 0; t < threads; ++t) {
    load.emplace_back([&, t] {
      try {
        HttpClient c(d->url());
        for (int round = 0; !stop; ++round) {
          json arr = json::array();
          for (int k = 0; k < per_thread; ++k) {
            auto m = static_cast<std::size_t>(t * per_thread + k);
            for (int j = 0; j < 4; ++j)
              arr.push_back(to_hex(members[m].sign(Transfer{0, 0, (m + 1 + static_cast<std::size_t>(j)) % members.size() + 1, 1 + j, ""})));
          }
          auto r = c.post("/v1/transactions", json{{"transactions", arr}}.dump());
          if (r.status != 200) break;
          json j = json::parse(r.body);
          std::lock_guard lock(mu);
          for (const auto& x : j["results"])
            if (x["applied"].get<bool>()) acked.push_back(x["id"]);
          ++batches;
        }
      } catch (const std::exception&) {
        // the node died under us: expected
      }
    });
  }
  while (batches < 30) std::this_thread::sleep_for(std::chrono::milliseconds(5));
  d->kill_hard();
  stop = true;
  for (auto& th : load) th.join();
  ASSERT_GT(acked.size(), 100u);

  d = std::make_unique<Daemon>(dir.str(), genesis);
  HttpClient c(d->url());
  for (const auto& id : acked) {
    auto r = c.get("/v1/transactions/" + id);
    ASSERT_EQ(r.status, 200u) << "acknowledged transaction " << id << " lost: " << r.body;
  }
  json s = status(c);
  auto height = s["height"].get<std::uint64_t>();

  TempDir fresh_dir;
  Daemon fresh(fresh_dir.str(), genesis);
  HttpClient cf(fresh.url());
  for (std::uint64_t h = 1; h <= height; ++h) {
    json b = get_json(c, "/v1/blocks/" + std::to_string(h));
    auto r = cf.post("/v1/transactions", json{{"transactions", b["transactions"]}}.dump());
    ASSERT_EQ(r.status, 200u) << r.body;
    EXPECT_EQ(json::parse(r.body)["rejected"], 0) << r.body;
  }
  EXPECT_EQ(status(cf)["state_digest"], s["state_digest"]);
  // And the node that crashed goes on (from the nonce the ledger has).
  members[0].nonce = get_json(c, "/v1/signers/" + to_hex(members[0].key.pk))["nonce"].get<std::uint64_t>();
  ok(c, members[0].sign(Transfer{0, 0, 2, 1, ""}));
}

const char* pay_rule = R"(
  ldxdw %r6, [%r1+0]
  ldxdw %r7, [%r1+8]
  call 5
  mov %r1, %r0
  lddw %r2, 0x0100000000000000
  or %r1, %r2
  mov %r2, %r6
  lddw %r3, 0x0100000000000000
  or %r2, %r3
  mov %r3, %r7
  mov %r4, 7
  call 2
  mov %r0, 0
  exit
)";

const char* boom_rule = R"(
  mov %r1, 12
  mov %r2, 3
  call 4
  mov %r0, 0
  exit
)";

const char* on_amend = R"(
  mov %r1, 4
  mov %r2, 0
  call 22
  jge %r0, 2, ok
  mov %r1, 20
  mov %r2, 1
  call 4
ok:
  mov %r0, 0
  exit
)";

Bytes charter_module(std::uint32_t version) {
  return build_module({{"pay", vm::EntryKind::Rule, "7", 2, pay_rule},
                       {"boom", vm::EntryKind::Rule, "12", 0, boom_rule},
                       {"on_amend", vm::EntryKind::Rule, "20", 0, on_amend}},
                      {}, version);
}

}  // namespace
}  // namespace artel::node::test
