// The ledger in-process: real RocksDB in a temporary directory, real Ed25519,
// real charter bytecode in the real VM.
#include "harness.h"
#include "vm/money.h"

namespace artel::node::test {
namespace {

class LedgerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    crypto_init();
    genesis = test_genesis(op, clock);
    ledger = std::make_unique<Ledger>(dir.str(), genesis);
  }
  // Applies one block; returns its receipts.
  std::vector<Receipt> block(std::vector<Bytes> txs) {
    std::vector<Prepared> p;
    for (auto& t : txs) p.push_back(prepare(std::move(t), signing_ledger()));
    return ledger->apply_block(p).receipts;
  }
  Receipt one(Bytes tx) { return block({std::move(tx)}).at(0); }
  void ok(Bytes tx) {
    Receipt r = one(std::move(tx));
    ASSERT_TRUE(r.applied) << r.error.code << ": " << r.error.message;
  }
  std::int64_t balance(std::uint64_t handle) {
    Overlay v(ledger->store());
    return State(v).account(handle).balance;
  }
  std::int64_t coop_account(std::uint64_t c) {
    Overlay v(ledger->store());
    return State(v).coop_aggregate(c);
  }
  Hash digest() { return ledger->summary().digest; }
  // Operator registers coop 1 with members 1..n, each contributing `each`.
  void populate(int n, std::int64_t each) {
    ok(op.sign(RegisterCoop{coop.key.pk, "Artel consumer society"}));
    for (int i = 0; i < n; ++i) {
      members.emplace_back();
      ok(coop.sign(AdmitMember{1, members.back().key.pk, 0}));
      ok(coop.sign(Contribute{static_cast<std::uint64_t>(i + 1), each, ContributionKind::money, "cash", ""}));
    }
  }
  void expect_rejected(Bytes tx, const std::string& code) {
    Hash before = digest();
    auto h = ledger->summary().height;
    Receipt r = one(std::move(tx));
    EXPECT_FALSE(r.applied);
    EXPECT_EQ(code_name(r.error.code), code) << r.error.message;
    EXPECT_FALSE(r.error.message.empty());
    EXPECT_EQ(digest(), before);
    EXPECT_EQ(ledger->summary().height, h);
  }

  TempDir dir;
  Actor op, clock, coop;
  std::string genesis;
  std::deque<Actor> members;
  std::unique_ptr<Ledger> ledger;
};

TEST_F(LedgerTest, NativeFlowsMatchArithmetic) {
  populate(3, 10'000);
  ok(members[0].sign(Transfer{0, 0, 2, 2'500, "rent"}));
  ok(members[1].sign(Transfer{0, 0, 3, 700, ""}));
  ok(coop.sign(ReturnShare{3, 1'000}));
  ok(coop.sign(Contribute{2, 50'000, ContributionKind::property, "a tractor", "appraisal act 17"}));
  EXPECT_EQ(balance(share(1)), 10'000 - 2'500);
  EXPECT_EQ(balance(share(2)), 10'000 + 2'500 - 700 + 50'000);
  EXPECT_EQ(balance(share(3)), 10'000 + 700 - 1'000);
  EXPECT_EQ(coop_account(1), 3 * 10'000 - 1'000 + 50'000);
  Overlay v(ledger->store());
  State st(v);
  auto ps = st.postings(share(2), 0, 100);
  ASSERT_EQ(ps.size(), 4u);
  EXPECT_EQ(ps[1].amount, 2'500);
  EXPECT_EQ(ps[1].counterparty, share(1));
  EXPECT_EQ(ps[3].balance, balance(share(2)));
  EXPECT_EQ(ps[3].tx_kind, static_cast<std::uint8_t>(TxKind::contribute));
}

TEST_F(LedgerTest, CooperativeAsMemberOfUnion) {
  Actor union_key, shop;
  ok(op.sign(RegisterCoop{union_key.key.pk, "Union of societies"}));
  ok(op.sign(RegisterCoop{shop.key.pk, "Village shop"}));
  ok(union_key.sign(AdmitMember{1, shop.key.pk, 2}));
  Actor person;
  ok(shop.sign(AdmitMember{2, person.key.pk, 0}));
  ok(union_key.sign(Contribute{1, 400, ContributionKind::money, "", ""}));
  ok(shop.sign(Contribute{2, 90, ContributionKind::money, "", ""}));
  EXPECT_EQ(coop_account(1), 400);
  EXPECT_EQ(coop_account(2), 90);
  // Another cooperative's key cannot contribute for the union's member.
  expect_rejected(shop.sign(Contribute{1, 5, ContributionKind::money, "", ""}), "unauthorized");
}

TEST_F(LedgerTest, BadInputLeavesStateUntouched) {
  populate(2, 1'000);
  // Bad signature: flip one byte of the signature.
  Bytes t = members[0].sign(Transfer{0, 0, 2, 10, ""});
  t[t.size() - 3] ^= 1;
  expect_rejected(t, "bad_signature");
  members[0].nonce--;  // that nonce was never used
  // Replay.
  Bytes good = members[0].sign(Transfer{0, 0, 2, 10, ""});
  ok(good);
  expect_rejected(good, "bad_nonce");
  // Unknown member (as receiver and as signer).
  expect_rejected(members[0].sign(Transfer{0, 0, 99, 10, ""}), "unknown_member");
  members[0].nonce--;
  Actor stranger;
  expect_rejected(stranger.sign(Transfer{0, 0, 1, 10, ""}), "unknown_member");
  // Overdraft.
  expect_rejected(members[0].sign(Transfer{0, 0, 2, 1'000'000, ""}), "overdraft");
  members[0].nonce--;
  // Overflow of checked arithmetic.
  ok(coop.sign(Contribute{2, INT64_MAX - 2'000, ContributionKind::money, "", ""}));
  expect_rejected(coop.sign(Contribute{2, 1'000, ContributionKind::money, "", ""}), "overflow");
  coop.nonce--;
  // Truncated and malformed bytes.
  Bytes tr = members[0].sign(Transfer{0, 0, 2, 1, ""});
  for (std::size_t n : {std::size_t(0), std::size_t(1), std::size_t(10), tr.size() - 1}) {
    expect_rejected(Bytes(tr.begin(), tr.begin() + static_cast<std::ptrdiff_t>(n)), "malformed");
  }
  Bytes trailing = tr;
  trailing.push_back(0);
  expect_rejected(trailing, "malformed");
  // Only the operator may register or advance.
  expect_rejected(coop.sign(RegisterCoop{coop.key.pk, "mine"}), "unauthorized");
  coop.nonce--;
  expect_rejected(clock.sign(AdvancePeriod{0}), "bad_period");  // not a later day
}

TEST_F(LedgerTest, EveryPrefixOfATransactionIsRejectedByTheDecoder) {
  Actor a;
  Bytes t = a.sign(Contribute{1, 5, ContributionKind::property, "desk", "invoice"});
  for (std::size_t n = 0; n < t.size(); ++n) {
    auto d = decode(std::span<const std::uint8_t>(t.data(), n));
    EXPECT_TRUE(std::holds_alternative<DecodeError>(d)) << n;
  }
  auto d = decode(t);
  ASSERT_TRUE(std::holds_alternative<Transaction>(d));
  EXPECT_EQ(encode(std::get<Transaction>(d)), t);
  EXPECT_TRUE(verify_signatures(std::get<Transaction>(d), t, signing_ledger()));
  // Signatures cover the ledger's id: for any other ledger they do not verify.
  Hash other = signing_ledger();
  other[0] ^= 1;
  EXPECT_FALSE(verify_signatures(std::get<Transaction>(d), t, other));
}

TEST_F(LedgerTest, OneBadTransactionDoesNotSpoilItsBlock) {
  populate(2, 100);
  auto h = ledger->summary().height;
  auto rs = block({members[0].sign(Transfer{0, 0, 2, 60, ""}), members[0].sign(Transfer{0, 0, 2, 60, ""}),
                   members[1].sign(Transfer{0, 0, 1, 10, ""})});
  EXPECT_TRUE(rs[0].applied);
  EXPECT_FALSE(rs[1].applied);
  EXPECT_EQ(rs[1].error.code, TxCode::overdraft);
  EXPECT_TRUE(rs[2].applied);
  EXPECT_EQ(ledger->summary().height, h + 1);
  EXPECT_EQ(balance(share(1)), 100 - 60 + 10);
  EXPECT_EQ(balance(share(2)), 100 + 60 - 10);
}

TEST_F(LedgerTest, ResumesFromTheLastCommittedBlock) {
  populate(2, 500);
  ok(members[0].sign(Transfer{0, 0, 2, 123, ""}));
  auto s = ledger->summary();
  ledger.reset();
  ledger = std::make_unique<Ledger>(dir.str(), std::nullopt);
  EXPECT_EQ(ledger->summary().height, s.height);
  EXPECT_EQ(ledger->summary().digest, s.digest);
  EXPECT_EQ(balance(share(2)), 623);
  ok(members[1].sign(Transfer{0, 0, 1, 23, ""}));
  // Another ledger's genesis document is refused, naming both ids.
  const Hash mine = signing_ledger();
  Actor other, other_clock;
  const std::string foreign = test_genesis(other, other_clock);
  signing_ledger() = mine;
  ledger.reset();
  try {
    Ledger wrong(dir.str(), foreign);
    ADD_FAILURE() << "a foreign genesis document was accepted";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find(to_hex(mine)), std::string::npos) << e.what();
  }
}

// The digest is a function of the state alone: the same transactions in any
// grouping into blocks give the same digest, and every node the same digest at
// every height when the blocks are the same.
TEST_F(LedgerTest, DigestIsDeterministic) {
  populate(4, 1'000);
  std::vector<Bytes> txs;
  for (int i = 0; i < 40; ++i)
    txs.push_back(members[static_cast<std::size_t>(i % 4)].sign(Transfer{0, 0, static_cast<std::uint64_t>((i + 1) % 4 + 1), 7 + i, ""}));
  // Node A: blocks of 5. Node B replays A's blocks one by one. Node C: blocks of 13.
  for (std::size_t i = 0; i < txs.size(); i += 5)
    block(std::vector<Bytes>(txs.begin() + static_cast<std::ptrdiff_t>(i), txs.begin() + static_cast<std::ptrdiff_t>(i + 5)));
  TempDir bdir, cdir;
  Ledger b(bdir.str(), genesis), c(cdir.str(), genesis);
  auto top = ledger->summary().height;
  for (std::uint64_t h = 1; h <= top; ++h) {
    auto rec = ledger->block(h);
    ASSERT_TRUE(rec);
    std::vector<Prepared> p;
    for (auto& t : rec->transactions) p.push_back(prepare(t, signing_ledger()));
    auto r = b.apply_block(p);
    ASSERT_TRUE(r.committed);
    EXPECT_EQ(r.digest, rec->digest) << "height " << h;
    EXPECT_EQ(b.block(h)->block_hash, rec->block_hash);
  }
  std::vector<Bytes> all;
  for (std::uint64_t h = 1; h <= top; ++h) {
    auto rec = ledger->block(h);
    for (auto& t : rec->transactions) all.push_back(t);
  }
  for (std::size_t i = 0; i < all.size(); i += 13) {
    std::vector<Prepared> p;
    for (std::size_t j = i; j < std::min(all.size(), i + 13); ++j) p.push_back(prepare(all[j], signing_ledger()));
    c.apply_block(p);
  }
  EXPECT_EQ(c.summary().digest, ledger->summary().digest);
  EXPECT_NE(c.summary().height, ledger->summary().height);
}

// Random native traffic against a plain model: balances, cooperative
// accounts (sums of their members' shares) and money conservation after
// every block; rejections exactly where the model says they must happen.
TEST_F(LedgerTest, RandomTrafficMatchesAPlainModel) {
  std::mt19937_64 rng(20261122);
  Actor coop2;
  ok(op.sign(RegisterCoop{coop.key.pk, "one"}));
  ok(op.sign(RegisterCoop{coop2.key.pk, "two"}));
  const int n = 12;
  std::vector<std::int64_t> bal(n + 1, 0);
  std::vector<std::uint64_t> coop_of(n + 1, 0);
  std::int64_t outside = 0;  // money that entered minus money that left
  for (int i = 1; i <= n; ++i) {
    members.emplace_back();
    coop_of[static_cast<std::size_t>(i)] = (i % 3 == 0) ? 2 : 1;
    Actor& c = coop_of[static_cast<std::size_t>(i)] == 1 ? coop : coop2;
    ok(c.sign(AdmitMember{coop_of[static_cast<std::size_t>(i)], members.back().key.pk, 0}));
  }
  for (int round = 0; round < 30; ++round) {
    std::vector<Bytes> txs;
    std::vector<bool> expect_ok;
    std::vector<std::int64_t> next = bal;
    for (int k = 0; k < 20; ++k) {
      auto m = static_cast<std::size_t>(rng() % n + 1);
      Actor& c = coop_of[m] == 1 ? coop : coop2;
      std::int64_t amount = static_cast<std::int64_t>(rng() % 5'000) + 1;
      switch (rng() % 3) {
        case 0:
          txs.push_back(c.sign(Contribute{m, amount, ContributionKind::money, "", ""}));
          next[m] += amount;
          outside += amount;
          expect_ok.push_back(true);
          break;
        case 1: {
          auto to = static_cast<std::size_t>(rng() % n + 1);
          if (to == m) to = m % n + 1;
          bool okay = next[m] >= amount;
          txs.push_back(members[m - 1].sign(Transfer{0, 0, to, amount, ""}));
          if (okay) {
            next[m] -= amount;
            next[to] += amount;
          } else {
            members[m - 1].nonce--;  // the rejected nonce stays free
          }
          expect_ok.push_back(okay);
          break;
        }
        default: {
          bool okay = next[m] >= amount;
          txs.push_back(c.sign(ReturnShare{m, amount}));
          if (okay) {
            next[m] -= amount;
            outside -= amount;
          } else {
            c.nonce--;
          }
          expect_ok.push_back(okay);
        }
      }
    }
    auto rs = block(txs);
    for (std::size_t i = 0; i < rs.size(); ++i) {
      EXPECT_EQ(rs[i].applied, expect_ok[i]) << "round " << round << " tx " << i << ": " << rs[i].error.message;
      if (!expect_ok[i]) {
        EXPECT_EQ(rs[i].error.code, TxCode::overdraft);
      }
    }
    bal = next;
    std::int64_t total = 0, sum1 = 0, sum2 = 0;
    for (int i = 1; i <= n; ++i) {
      auto u = static_cast<std::size_t>(i);
      EXPECT_EQ(balance(share(u)), bal[u]) << "member " << i << " round " << round;
      total += bal[u];
      (coop_of[u] == 1 ? sum1 : sum2) += bal[u];
    }
    EXPECT_EQ(total, outside);
    EXPECT_EQ(coop_account(1), sum1);
    EXPECT_EQ(coop_account(2), sum2);
  }
}

TEST_F(LedgerTest, MulDivRoundsExactly) {
  using abi::Rounding;
  using artel::money::muldiv;
  EXPECT_EQ(muldiv(1'000'001, 5, 1000, Rounding::down), 5000);  // 5000.005 down
  EXPECT_EQ(muldiv(1'000'001, 5, 1000, Rounding::up), 5001);    // up
  EXPECT_EQ(muldiv(-7, 1, 2, Rounding::down), -4);
  EXPECT_EQ(muldiv(-7, 1, 2, Rounding::up), -3);
  EXPECT_EQ(muldiv(5, 1, 2, Rounding::half_even), 2);  // 2.5 -> 2 (even)
  EXPECT_EQ(muldiv(7, 1, 2, Rounding::half_even), 4);  // 3.5 -> 4
  EXPECT_EQ(muldiv(-5, 1, 2, Rounding::half_even), -2);
  EXPECT_EQ(muldiv(INT64_MAX, INT64_MAX, INT64_MAX, Rounding::down), INT64_MAX);
  EXPECT_FALSE(muldiv(INT64_MAX, 2, 1, Rounding::down));
  EXPECT_FALSE(muldiv(1, 1, 0, Rounding::down));
  EXPECT_FALSE(artel::money::rounding_from(3));
}

// ---- Charter execution: real modules in the real VM through ChartersHost.

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

// Pays 1 % (rounded down) of each member's share into the fund.
const char* weekly_fee = R"(
  mov %r1, 0
  call 13
  mov %r6, %r0
  mov %r7, 0
loop:
  jge %r7, %r6, done
  mov %r1, 0
  mov %r2, %r7
  call 14
  lddw %r2, 0x0100000000000000
  or %r0, %r2
  mov %r8, %r0
  mov %r1, %r8
  call 1
  mov %r1, %r0
  mov %r2, 1
  mov %r3, 100
  mov %r4, 0
  call 3
  mov %r3, %r0
  mov %r1, %r8
  lddw %r2, 0x0300000000000000
  mov %r4, 9
  call 2
  add %r7, 1
  ja loop
done:
  call 6
  mov %r1, 2
  mov %r2, %r0
  mov %r3, 1
  call 8
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

// Amendments need two approvals of the assembly.
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

const char* store_rule = R"(
  ldxdw %r2, [%r1+0]
  ldxdw %r3, [%r1+8]
  mov %r1, 1
  call 8
  mov %r0, 0
  exit
)";

Bytes charter_v1() {
  return build_module({{"pay", vm::EntryKind::Rule, "7", 2, pay_rule},
                       {"boom", vm::EntryKind::Rule, "12", 0, boom_rule},
                       {"store", vm::EntryKind::Rule, "3", 2, store_rule},
                       {"weekly", vm::EntryKind::Periodic, "9", 0, weekly_fee},
                       {"on_amend", vm::EntryKind::Rule, "20", 0, on_amend}},
                      {"m0", "amendments need two approvals", "m2", "this rule always refuses"});
}
Bytes charter_v2() { return build_module({{"store", vm::EntryKind::Rule, "3", 2, store_rule}}, {}, 2); }

TEST_F(LedgerTest, CharterRulesRunInTheVm) {
  populate(3, 10'000);
  Bytes m1 = charter_v1();
  ok(op.sign(DeployCharter{0, m1, "charter v1 source"}));
  ok(members[0].sign(CallRule{0, 0, "pay", {3, 2'000}}));
  EXPECT_EQ(balance(share(1)), 8'000);
  EXPECT_EQ(balance(share(3)), 12'000);
  Overlay v(ledger->store());
  auto ps = State(v).postings(share(3), 0, 10);
  ASSERT_EQ(ps.size(), 2u);
  EXPECT_EQ(ps[1].article, 7u);
  EXPECT_EQ(ps[1].charter_version, 1u);

  // A rule that aborts names its article; nothing changes.
  expect_rejected(members[1].sign(CallRule{0, 0, "boom", {}}), "charter_abort");
  members[1].nonce--;
  Receipt r = one(members[1].sign(CallRule{0, 0, "boom", {}}));
  EXPECT_EQ(r.error.article, 12u);
  EXPECT_NE(r.error.message.find("article 12: this rule always refuses"), std::string::npos) << r.error.message;
  members[1].nonce--;
  // A rule that overdraws inside the VM is rejected whole.
  expect_rejected(members[1].sign(CallRule{0, 0, "pay", {1, 1'000'000}}), "overdraft");
  members[1].nonce--;
  expect_rejected(members[1].sign(CallRule{0, 0, "nope", {}}), "unknown_rule");
  members[1].nonce--;
  expect_rejected(members[1].sign(CallRule{0, 0, "pay", {1}}), "bad_arguments");
  members[1].nonce--;

  // The periodic clause charges 1 % at the period boundary.
  ok(clock.sign(AdvancePeriod{7}));
  EXPECT_EQ(balance(share(1)), 8'000 - 80);
  EXPECT_EQ(balance(share(2)), 10'000 - 100);
  EXPECT_EQ(balance(share(3)), 12'000 - 120);
  EXPECT_EQ(balance(abi::account_handle(abi::AccountKind::fund, 0)), 300);
  EXPECT_EQ(coop_account(1), 30'000 - 300);
  Overlay v2(ledger->store());
  EXPECT_EQ(State(v2).cstate_get(0, 2, 1), 1);
}

TEST_F(LedgerTest, AmendmentNeedsTheApprovalsTheCharterDemands) {
  populate(3, 100);
  ok(op.sign(DeployCharter{0, charter_v1(), "v1"}));
  Bytes m2 = charter_v2();
  expect_rejected(members[0].sign(AmendCharter{0, m2, "v2"}, {&members[0]}), "approval_missing");
  members[0].nonce--;
  // A forged approval (signature of another key) is a bad signature.
  {
    Transaction tx;
    tx.signer = members[0].key.pk;
    tx.nonce = members[0].nonce + 1;
    tx.body = AmendCharter{0, m2, "v2"};
    add_approval(tx, members[1].key, signing_ledger());
    tx.approvals[0].key = members[2].key.pk;
    expect_rejected(sign_transaction(tx, members[0].key, signing_ledger()), "bad_signature");
  }
  ok(members[0].sign(AmendCharter{0, m2, "v2"}, {&members[0], &members[1]}));
  Overlay v(ledger->store());
  EXPECT_EQ(State(v).charter_slot(0).active, 1u);  // effective at the next period
  EXPECT_EQ(State(v).charter_slot(0).pending, 2u);
  ok(clock.sign(AdvancePeriod{7}));
  Overlay v2(ledger->store());
  State st(v2);
  EXPECT_EQ(st.charter_slot(0).active, 2u);
  EXPECT_EQ(st.charter(0, 1)->source, "v1");  // old versions stay readable
  EXPECT_EQ(st.charter(0, 2)->module_id, blake2b256(m2));
  expect_rejected(members[0].sign(CallRule{0, 0, "pay", {2, 1}}), "unknown_rule");
  members[0].nonce--;
  ok(members[0].sign(CallRule{0, 0, "store", {-5, 42}}));
  Overlay v3(ledger->store());
  EXPECT_EQ(State(v3).cstate_get(0, 1, -5), 42);
  EXPECT_EQ(State(v3).cstate_key_at(0, 1, 0), -5);
}

TEST_F(LedgerTest, OnlyVerifiedModulesDeploy) {
  populate(1, 1);
  Bytes bad = charter_v1();
  bad[bad.size() / 2] ^= 0xff;
  expect_rejected(op.sign(DeployCharter{0, Bytes{1, 2, 3}, "junk"}), "bad_module");
  op.nonce--;
  expect_rejected(op.sign(DeployCharter{0, build_module({{"falls", vm::EntryKind::Rule, "1", 0, "mov %r0, 0\n"}}), "x"}),
                  "bad_module");
  op.nonce--;
  expect_rejected(members[0].sign(DeployCharter{0, charter_v1(), "x"}), "unauthorized");
}

}  // namespace
}  // namespace artel::node::test

namespace artel::node::test {
namespace {

// `by assembly quorum 2/3` is an exact fraction of all members: with 6
// members, 4 approvals are "at least two thirds" (4/6 = 2/3) and 3 are not.
// No percentage with finitely many digits says this: 66.67 % would refuse 4
// of 6, 66.66 % would accept 4 of 6.0001.
TEST_F(LedgerTest, AssemblyQuorumIsAnExactFraction) {
  populate(6, 100);
  const char* body = "mov %r0, 0\nexit\n";
  ok(op.sign(DeployCharter{0, build_module({{"decide", vm::EntryKind::Rule, "1", 0, body,
                                          {{vm::RightKind::Member, 0, 0, 0, 0},
                                           {vm::RightKind::Assembly, 0, 0, 2, 3}}}}),
                           "quorum"}));
  expect_rejected(members[0].sign(CallRule{0, 0, "decide", {}}, {&members[0], &members[1], &members[2]}),
                  "approval_missing");
  members[0].nonce--;
  ok(members[0].sign(CallRule{0, 0, "decide", {}}, {&members[0], &members[1], &members[2], &members[3]}));
}

}  // namespace
}  // namespace artel::node::test
