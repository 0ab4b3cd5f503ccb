// The ledger as a platform: one person in several cooperatives, a charter
// per cooperative under the platform's, the order in which their hooks run,
// rights scoped to the cooperative, one member one vote, and each charter's
// own state and accounts.
#include "harness.h"

namespace artel::node::test {
namespace {

// The event the test hooks emit: which hook, the payer, the recipient.
const std::vector<vm::EventDecl> kPaid{{"paid", {{"marker", "count"}, {"payer", "member"}, {"recipient", "member"}}}};
const std::vector<vm::EventDecl> kCharged{{"charged", {{"held", "money"}}}};

// on_transfer(recipient, amount): records (marker, caller, recipient) as
// event 0, then, when `moves`, pays the amount from the caller's share
// account to the recipient's, citing article 3.
std::string transfer_hook(int marker, bool moves) {
  std::string s = R"(
  ldxdw %r6, [%r1+0]
  ldxdw %r7, [%r1+8]
  call 5
  mov %r8, %r0
  mov %r1, 0
  mov %r2, )" + std::to_string(marker) + R"(
  mov %r3, %r8
  mov %r4, %r6
  call 21
)";
  if (moves)
    s += R"(
  mov %r1, %r8
  lddw %r2, 0x0100000000000000
  or %r1, %r2
  mov %r2, %r6
  lddw %r3, 0x0100000000000000
  or %r2, %r3
  mov %r3, %r7
  mov %r4, 3
  call 2
)";
  return s + "  mov %r0, 0\n  exit\n";
}

// A rule that stores `value` in its charter's state slot 1, key 0.
std::string store_rule(int value) {
  return "mov %r1, 1\nmov %r2, 0\nmov %r3, " + std::to_string(value) + "\ncall 8\nmov %r0, 0\nexit\n";
}

// charge(): moves 1 minor unit from the caller's share account to the
// charter's account family 0 for that member, then emits its balance.
const char* charge_rule = R"(
  call 5
  mov %r6, %r0
  mov %r1, %r6
  lddw %r2, 0x0100000000000000
  or %r1, %r2
  mov %r2, %r6
  lddw %r3, 0x0400000000000000
  or %r2, %r3
  mov %r7, %r2
  mov %r3, 1
  mov %r4, 1
  call 2
  mov %r1, %r7
  call 1
  mov %r2, %r0
  mov %r1, 0
  mov %r3, 0
  mov %r4, 0
  call 21
  mov %r0, 0
  exit
)";

// seize(m, amount): moves the amount from member m's share account to
// cooperative 1's own account, citing article 4.
const char* seize_rule = R"(
  ldxdw %r6, [%r1+0]
  ldxdw %r7, [%r1+8]
  mov %r1, %r6
  lddw %r2, 0x0100000000000000
  or %r1, %r2
  lddw %r2, 0x0200000000000001
  mov %r3, %r7
  mov %r4, 4
  call 2
  mov %r0, 0
  exit
)";

class Platform : public LedgerFixture {
 protected:
  void SetUp() override {
    crypto_init();
    ledger = std::make_unique<Ledger>(dir.str(), test_genesis(op, clock));
  }
  void refused(Actor& signer, TxBody body, TxCode code, const std::vector<const Actor*>& approvers = {}) {
    const Hash before = ledger->summary().digest;
    Receipt r = one(signer.sign(std::move(body), approvers));
    EXPECT_FALSE(r.applied);
    EXPECT_EQ(r.error.code, code) << r.error.message;
    EXPECT_FALSE(r.error.message.empty());
    EXPECT_EQ(ledger->summary().digest, before);
    --signer.nonce;  // a refused transaction leaves the nonce as it was
  }
  std::int64_t balance(std::uint64_t handle) {
    Overlay v(ledger->store());
    return State(v).account(handle).balance;
  }
  // Cooperatives 1 and 2; persons: the cooperatives 1 and 2, then alice (3),
  // bob (4), carol (5). Memberships: alice in 1 (member 1) and in 2 (member
  // 3), bob in 1 (member 2), carol in 2 (member 4). Each with 1,000.
  void two_cooperatives() {
    ok(op.sign(RegisterCoop{a.key.pk, "A"}));
    ok(op.sign(RegisterCoop{b.key.pk, "B"}));
    ok(a.sign(AdmitMember{1, alice.key.pk, 0}));
    ok(a.sign(AdmitMember{1, bob.key.pk, 0}));
    ok(b.sign(AdmitMember{2, alice.key.pk, 0}));
    ok(b.sign(AdmitMember{2, carol.key.pk, 0}));
    for (std::uint64_t m : {1, 2}) ok(a.sign(Contribute{m, 1000, ContributionKind::money, "", ""}));
    for (std::uint64_t m : {3, 4}) ok(b.sign(Contribute{m, 1000, ContributionKind::money, "", ""}));
  }

  Actor op, clock, a, b, alice, bob, carol;
};

TEST_F(Platform, OnePersonHoldsMembershipsInTwoCooperatives) {
  two_cooperatives();
  Overlay v(ledger->store());
  State st(v);
  const auto person = st.person_by_key(alice.key.pk);
  ASSERT_TRUE(person);
  EXPECT_EQ(*person, 3u);
  EXPECT_EQ(st.memberships(*person), (std::vector<std::uint64_t>{1, 3}));
  EXPECT_EQ(st.member(3)->coop_id, 2u);
  EXPECT_EQ(st.persons_count(), 5u);
  EXPECT_EQ(st.members_count(), 4u);
  EXPECT_EQ(st.member_persons_count(), 3u);  // alice counts once on the platform
  EXPECT_EQ(st.coop_aggregate(1), 2000);
  EXPECT_EQ(st.coop_aggregate(2), 2000);
  // The same person again in the same cooperative is refused.
  refused(a, AdmitMember{1, alice.key.pk, 0}, TxCode::duplicate);
  // Nonces are the person's, whichever membership acts.
  EXPECT_EQ(st.nonce(*person), 0u);
  // With two memberships a payment names the paying one.
  refused(alice, Transfer{0, 0, 2, 10, ""}, TxCode::invalid);
  ok(alice.sign(Transfer{3, 0, 2, 10, ""}));  // from the membership in B to bob's in A
  ok(alice.sign(Transfer{1, 0, 4, 20, ""}));  // from the membership in A to carol's in B
  EXPECT_EQ(balance(share(3)), 990);
  EXPECT_EQ(balance(share(1)), 980);
  EXPECT_EQ(balance(share(2)), 1010);
  EXPECT_EQ(balance(share(4)), 1020);
  // Paying into alice's account needs the membership named: she has two.
  refused(bob, Transfer{0, 3, 0, 5, ""}, TxCode::invalid);
  ok(bob.sign(Transfer{0, 3, 3, 5, ""}));
  EXPECT_EQ(balance(share(3)), 995);
  // Nobody pays from another person's membership.
  refused(bob, Transfer{1, 0, 2, 5, ""}, TxCode::unauthorized);
  Overlay v2(ledger->store());
  EXPECT_EQ(State(v2).nonce(*person), 2u);
}

// The clock moves by days; each charter runs its periodic clauses at its own
// boundaries, in calendar order: from Monday 2026-01-05, forty days cross
// the Mondays of days 7, 14, 21, 28 and 35 (the weekly platform charter)
// and February 1st, day 27 (the monthly charter of cooperative 1).
TEST_F(Platform, EachCharterRunsAtItsOwnBoundariesInCalendarOrder) {
  const std::vector<vm::EventDecl> tick{{"tick", {{"period", "period"}}}};
  // Emits event 0 with current_period().
  const std::string emit_period = "call 6\nmov %r2, %r0\nmov %r1, 0\nmov %r3, 0\nmov %r4, 0\ncall 21\nmov %r0, 0\nexit\n";
  ok(op.sign(DeployCharter{0, build_module({{"every_week", vm::EntryKind::Periodic, "1", 0, emit_period}}, {}, 1, tick),
                           "weekly"}));
  ok(op.sign(RegisterCoop{a.key.pk, "A"}));
  ok(a.sign(DeployCharter{1,
                          build_module({{"every_month", vm::EntryKind::Periodic, "1", 0, emit_period}}, {}, 1, tick,
                                       vm::PeriodKind::Month),
                          "monthly"}));
  std::vector<Prepared> p;
  p.push_back(prepare(clock.sign(AdvancePeriod{40}), signing_ledger()));
  Receipt r = ledger->apply_block(p).receipts.at(0);
  ASSERT_TRUE(r.applied) << r.error.message;
  std::vector<std::pair<std::uint64_t, std::int64_t>> seen;  // (cooperative, period)
  for (const auto& e : r.events) seen.emplace_back(e.coop, e.a);
  EXPECT_EQ(seen, (std::vector<std::pair<std::uint64_t, std::int64_t>>{{0, 1}, {0, 2}, {0, 3}, {1, 1}, {0, 4}, {0, 5}}));
  Overlay v(ledger->store());
  EXPECT_EQ(State(v).day(), 40u);
  // The clock never goes back, nor jumps more than a year at once.
  refused(clock, AdvancePeriod{40}, TxCode::bad_period);
  refused(clock, AdvancePeriod{40 + 367}, TxCode::bad_period);
  // A charter keeps its period: a weekly version 2 of the monthly charter is
  // refused, approved as it is by its only member.
  ok(a.sign(AdmitMember{1, alice.key.pk, 0}));
  refused(alice,
          AmendCharter{1, build_module({{"every_week", vm::EntryKind::Periodic, "1", 0, emit_period}}, {}, 2, tick),
                       "weekly now"},
          TxCode::invalid, {&alice});
}

// The platform charter's hook runs first, then the hook of the paying
// membership's cooperative; the events of the receipt show the order.
TEST_F(Platform, ThePlatformsHookRunsFirstThenTheCooperatives) {
  two_cooperatives();
  ok(op.sign(DeployCharter{
      0, build_module({{"on_transfer", vm::EntryKind::Rule, "1", 2, transfer_hook(10, false)}}, {}, 1, kPaid),
      "platform"}));
  ok(a.sign(DeployCharter{
      1, build_module({{"on_transfer", vm::EntryKind::Rule, "3", 2, transfer_hook(20, true)}}, {}, 1, kPaid), "A"}));
  Bytes paying = alice.sign(Transfer{1, 0, 2, 100, ""});
  const Hash paid_tx = tx_id(paying);
  Receipt r = one(std::move(paying));
  ASSERT_TRUE(r.applied) << r.error.message;
  ASSERT_EQ(r.events.size(), 2u);
  EXPECT_EQ(r.events[0].a, 10);  // the platform's
  EXPECT_EQ(r.events[1].a, 20);  // cooperative A's
  for (const auto& e : r.events) {
    EXPECT_EQ(e.b, 1);  // the caller is the paying membership
    EXPECT_EQ(e.c, 2);  // the recipient
  }
  EXPECT_EQ(balance(share(1)), 900);
  EXPECT_EQ(balance(share(2)), 1100);
  // The events are kept with the transaction under their declared names,
  // and each member they name finds them.
  {
    Overlay v(ledger->store());
    State st(v);
    auto kept = st.events(paid_tx);
    ASSERT_EQ(kept.size(), 2u);
    EXPECT_EQ(kept[0].name, "paid");
    EXPECT_EQ(kept[0].coop, 0u);
    EXPECT_EQ(kept[1].coop, 1u);
    ASSERT_EQ(kept[1].values.size(), 3u);
    EXPECT_EQ(kept[1].values[1].name, "payer");
    EXPECT_EQ(kept[1].values[1].type, "member");
    EXPECT_EQ(kept[1].values[1].value, 1);
    EXPECT_EQ(kept[1].values[0].value, 20);
    EXPECT_EQ(st.member_events_count(2), 2u);  // bob is named by both
    auto of_bob = st.member_events(2, 0, 10);
    ASSERT_EQ(of_bob.size(), 2u);
    EXPECT_EQ(of_bob[0], std::make_pair(paid_tx, 0u));
    EXPECT_EQ(of_bob[1], std::make_pair(paid_tx, 1u));
    EXPECT_EQ(st.member_events_count(4), 0u);  // carol is named by none
  }
  // Cooperative B has no charter: only the platform's hook runs, and it
  // moves nothing, so nothing moves.
  Receipt rb = one(carol.sign(Transfer{4, 0, 3, 100, ""}));
  ASSERT_TRUE(rb.applied) << rb.error.message;
  ASSERT_EQ(rb.events.size(), 1u);
  EXPECT_EQ(rb.events[0].a, 10);
  EXPECT_EQ(balance(share(4)), 1000);
  // The statement line cites cooperative A's charter, version 1, article 3.
  Overlay v(ledger->store());
  auto lines = State(v).postings(share(1), 0, 10);
  ASSERT_FALSE(lines.empty());
  EXPECT_EQ(lines.back().charter_coop, 1u);
  EXPECT_EQ(lines.back().charter_version, 1u);
  EXPECT_EQ(lines.back().article, 3u);
}

TEST_F(Platform, ACooperativesRulesAreForItsMembers) {
  two_cooperatives();
  ok(b.sign(DeployCharter{2, build_module({{"store", vm::EntryKind::Rule, "1", 0, store_rule(7)}}), "B"}));
  // Bob is no member of B: its `by member` rule refuses him.
  refused(bob, CallRule{2, 0, "store", {}}, TxCode::unauthorized);
  // Alice acts as her membership in B, found or named; not as her membership in A.
  refused(alice, CallRule{2, 1, "store", {}}, TxCode::unauthorized);
  ok(alice.sign(CallRule{2, 0, "store", {}}));
  ok(alice.sign(CallRule{2, 3, "store", {}}));
  // Unknown cooperative; a cooperative without a charter.
  refused(alice, CallRule{9, 0, "store", {}}, TxCode::unknown_cooperative);
  refused(alice, CallRule{1, 0, "store", {}}, TxCode::no_charter);
}

TEST_F(Platform, EachCharterHasItsOwnStateAndAccounts) {
  two_cooperatives();
  ok(a.sign(DeployCharter{1,
                          build_module({{"store", vm::EntryKind::Rule, "1", 0, store_rule(11)},
                                        {"charge", vm::EntryKind::Rule, "1", 0, charge_rule}},
                                       {}, 1, kCharged),
                          "A"}));
  ok(b.sign(DeployCharter{2,
                          build_module({{"store", vm::EntryKind::Rule, "1", 0, store_rule(22)},
                                        {"charge", vm::EntryKind::Rule, "1", 0, charge_rule}},
                                       {}, 1, kCharged),
                          "B"}));
  ok(alice.sign(CallRule{1, 0, "store", {}}));
  ok(alice.sign(CallRule{2, 0, "store", {}}));
  Overlay v(ledger->store());
  State st(v);
  EXPECT_EQ(st.cstate_get(1, 1, 0), 11);
  EXPECT_EQ(st.cstate_get(2, 1, 0), 22);
  // Both charters name "family 0 of member 1"; the ledger keeps them apart.
  Receipt r1 = one(alice.sign(CallRule{1, 0, "charge", {}}));
  ASSERT_TRUE(r1.applied) << r1.error.message;
  Receipt r2 = one(bob.sign(CallRule{1, 0, "charge", {}}));
  ASSERT_TRUE(r2.applied) << r2.error.message;
  Receipt r3 = one(alice.sign(CallRule{2, 0, "charge", {}}));
  ASSERT_TRUE(r3.applied) << r3.error.message;
  EXPECT_EQ(r1.events.at(0).a, 1);
  EXPECT_EQ(r3.events.at(0).a, 1);  // B's family 0 for its member 3, apart from A's
  EXPECT_EQ(balance(abi::account_handle(abi::AccountKind::charter, abi::charter_account_owner(1, 0, 1))), 1);
  EXPECT_EQ(balance(abi::account_handle(abi::AccountKind::charter, abi::charter_account_owner(1, 0, 2))), 1);
  EXPECT_EQ(balance(abi::account_handle(abi::AccountKind::charter, abi::charter_account_owner(2, 0, 3))), 1);
  EXPECT_EQ(account_name(abi::account_handle(abi::AccountKind::charter, abi::charter_account_owner(2, 0, 3))),
            "charter:2:0:3");
  EXPECT_EQ(parse_account_name("charter:2:0:3"),
            abi::account_handle(abi::AccountKind::charter, abi::charter_account_owner(2, 0, 3)));
}

// An event the module does not declare cannot be kept under a name: the run fails.
TEST_F(Platform, AnUndeclaredEventIsRefused) {
  two_cooperatives();
  ok(a.sign(DeployCharter{1, build_module({{"charge", vm::EntryKind::Rule, "1", 0, charge_rule}}), "A"}));
  refused(alice, CallRule{1, 0, "charge", {}}, TxCode::charter_error);
}

// The authority rule at run time, for bytecode `artel check` never saw: a
// cooperative's rule takes from a member's share account only when that
// member signs it or the assembly approved it.
TEST_F(Platform, AShareAccountDecreasesOnlyByItsMembersActOrTheAssembly) {
  two_cooperatives();
  ok(a.sign(DeployCharter{1,
                          build_module({{"seize", vm::EntryKind::Rule, "4", 2, seize_rule,
                                         {{vm::RightKind::Cooperative, 0, 0, 0, 0}}},
                                        {"give", vm::EntryKind::Rule, "4", 2, seize_rule},
                                        {"decide", vm::EntryKind::Rule, "4", 2, seize_rule,
                                         {{vm::RightKind::Assembly, 0, 0, 1, 2}}}}),
                          "A"}));
  refused(a, CallRule{1, 0, "seize", {2, 10}}, TxCode::unauthorized);  // bob's share, a's say
  refused(alice, CallRule{1, 0, "give", {2, 10}}, TxCode::unauthorized);  // alice signs, bob's share
  ok(bob.sign(CallRule{1, 0, "give", {2, 10}}));                          // bob gives from his own
  ok(alice.sign(CallRule{1, 0, "decide", {2, 10}}, {&alice, &bob}));     // the assembly decides
  EXPECT_EQ(balance(share(2)), 980);
  EXPECT_EQ(balance(abi::account_handle(abi::AccountKind::cooperative, 1)), 20);
}

// vouch(m) / unvouch(m): the caller starts or stops vouching for member m.
std::string vouch_rule(int host) {
  return "ldxdw %r6, [%r1+0]\ncall 5\nmov %r2, %r0\nmov %r1, %r6\ncall " + std::to_string(host) +
         "\nmov %r0, 0\nexit\n";
}

// The ledger keeps who vouches for whom, both ways, and counts `by N
// guarantors of m` against it.
TEST_F(Platform, GuarantorRelationsAreLedgerStateWithIndexes) {
  two_cooperatives();
  Actor dave;
  ok(b.sign(AdmitMember{2, bob.key.pk, 0}));   // member 5: bob in B
  ok(b.sign(AdmitMember{2, dave.key.pk, 0}));  // member 6: dave in B
  const vm::Right two_of_m{vm::RightKind::Guarantors, 2, 0, 0, 0};
  ok(b.sign(DeployCharter{2,
                          build_module({{"vouch", vm::EntryKind::Rule, "1", 1, vouch_rule(23), {}, {"member"}},
                                        {"unvouch", vm::EntryKind::Rule, "1", 1, vouch_rule(24), {}, {"member"}},
                                        {"cover", vm::EntryKind::Rule, "3", 1, "mov %r0, 0\nexit\n",
                                         {two_of_m}, {"member"}}}),
                          "network"}));
  ok(carol.sign(CallRule{2, 0, "vouch", {3}}));  // carol (4) vouches for alice (3)
  ok(bob.sign(CallRule{2, 0, "vouch", {3}}));    // bob (5) too
  ok(bob.sign(CallRule{2, 0, "vouch", {6}}));    // and for dave (6)
  refused(bob, CallRule{2, 0, "vouch", {3}}, TxCode::charter_error);  // twice
  refused(bob, CallRule{2, 0, "vouch", {5}}, TxCode::charter_error);  // itself
  refused(bob, CallRule{2, 0, "vouch", {1}}, TxCode::charter_error);  // alice's membership in A
  {
    Overlay v(ledger->store());
    State st(v);
    EXPECT_EQ(st.guarantors_count(3), 2u);
    EXPECT_EQ(st.guarantor_at(3, 0), 4u);
    EXPECT_EQ(st.guarantor_at(3, 1), 5u);
    EXPECT_EQ(st.guaranteed_count(5), 2u);
    EXPECT_EQ(st.guaranteed_at(5, 0), 3u);
    EXPECT_EQ(st.guaranteed_at(5, 1), 6u);
    EXPECT_TRUE(st.guarantees(4, 3));
    EXPECT_FALSE(st.guarantees(3, 4));
  }
  // Two guarantors of alice's membership must approve; dave is none.
  refused(alice, CallRule{2, 0, "cover", {3}}, TxCode::approval_missing, {&carol, &dave});
  ok(alice.sign(CallRule{2, 0, "cover", {3}}, {&carol, &bob}));
  // Bob stops vouching for alice: the lists close the gap, and two
  // guarantors can no longer be found.
  ok(bob.sign(CallRule{2, 0, "unvouch", {3}}));
  refused(bob, CallRule{2, 0, "unvouch", {3}}, TxCode::charter_error);
  {
    Overlay v(ledger->store());
    State st(v);
    EXPECT_EQ(st.guarantors_count(3), 1u);
    EXPECT_EQ(st.guarantor_at(3, 0), 4u);
    EXPECT_EQ(st.guaranteed_count(5), 1u);
    EXPECT_EQ(st.guaranteed_at(5, 0), 6u);
  }
  refused(alice, CallRule{2, 0, "cover", {3}}, TxCode::approval_missing, {&carol, &bob});
}

// An assembly counts one vote per member of the cooperative voting: approvals
// of persons who are no members there do not count, and a person counts
// once however many keys approve.
TEST_F(Platform, AssembliesCountTheirOwnMembers) {
  two_cooperatives();
  ok(a.sign(AdmitMember{1, carol.key.pk, 0}));  // A: alice, bob, carol (members 1, 2, 5)
  ok(a.sign(DeployCharter{1, build_module({{"decide", vm::EntryKind::Rule, "1", 0, "mov %r0, 0\nexit\n",
                                            {{vm::RightKind::Member, 0, 0, 0, 0},
                                             {vm::RightKind::Assembly, 0, 0, 2, 3}}}}),
                          "A"}));
  // b (cooperative B's key) is no member of A; alice alone is 1 of 3.
  refused(alice, CallRule{1, 0, "decide", {}}, TxCode::approval_missing, {&alice, &b});
  // A repeated approval is refused outright.
  refused(alice, CallRule{1, 0, "decide", {}}, TxCode::bad_approval, {&alice, &alice});
  ok(alice.sign(CallRule{1, 0, "decide", {}}, {&alice, &carol}));  // 2 of 3
}

TEST_F(Platform, WhoMayDeployAndWhatVersion) {
  two_cooperatives();
  const Bytes v1 = build_module({{"store", vm::EntryKind::Rule, "1", 0, store_rule(1)}});
  const Bytes v2 = build_module({{"store", vm::EntryKind::Rule, "1", 0, store_rule(2)}}, {}, 2);
  // Cooperative A's first charter is A's own to deploy; the platform's, the council's.
  refused(b, DeployCharter{1, v1, "A"}, TxCode::unauthorized);
  refused(alice, DeployCharter{1, v1, "A"}, TxCode::unauthorized);
  refused(a, DeployCharter{0, v1, "platform"}, TxCode::unauthorized);
  refused(a, DeployCharter{1, v2, "A"}, TxCode::invalid);  // says version 2, would be 1
  refused(a, DeployCharter{7, v1, "?"}, TxCode::unknown_cooperative);
  ok(a.sign(DeployCharter{1, v1, "A"}));
  refused(a, DeployCharter{1, v1, "A"}, TxCode::charter_exists);
  // An amendment comes from a member of A, with more than half of A approving
  // (no on_amend rule), and says version 2.
  refused(carol, AmendCharter{1, v2, "A2"}, TxCode::unauthorized, {&carol});
  refused(alice, AmendCharter{1, v1, "A2"}, TxCode::invalid, {&alice, &bob});
  refused(alice, AmendCharter{1, v2, "A2"}, TxCode::approval_missing, {&alice});
  ok(alice.sign(AmendCharter{1, v2, "A2"}, {&alice, &bob}));
  ok(clock.sign(AdvancePeriod{7}));
  ok(alice.sign(CallRule{1, 0, "store", {}}));
  Overlay v(ledger->store());
  State st(v);
  EXPECT_EQ(st.charter_slot(1).active, 2u);
  EXPECT_EQ(st.cstate_get(1, 1, 0), 2);
  // The council key cannot advance the clock, nor the clock key do anything else.
  refused(op, AdvancePeriod{14}, TxCode::unauthorized);
  refused(clock, RegisterCoop{carol.key.pk, "C"}, TxCode::unauthorized);
  // Not even a rule only the assembly must approve: the council and clock
  // keys are no persons and sign only their own kinds of transaction.
  ok(b.sign(DeployCharter{2, build_module({{"vote", vm::EntryKind::Rule, "1", 0, "mov %r0, 0\nexit\n",
                                            {{vm::RightKind::Assembly, 0, 0, 1, 2}}}}),
                          "B"}));
  refused(clock, CallRule{2, 0, "vote", {}}, TxCode::unauthorized, {&alice, &carol});
  refused(op, CallRule{2, 0, "vote", {}}, TxCode::unauthorized, {&alice, &carol});
  ok(carol.sign(CallRule{2, 0, "vote", {}}, {&alice, &carol}));
}

}  // namespace
}  // namespace artel::node::test
