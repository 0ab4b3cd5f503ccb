// Keys as people hold them: a person replaces its key and keeps everything
// else; a retired key never signs or approves again; the operator council
// acts only with as many of its keys as its threshold, and can replace
// itself.
#include "harness.h"

namespace artel::node::test {
namespace {

class Keys : public LedgerFixture {
 protected:
  void SetUp() override { crypto_init(); }
  // A ledger whose council is `council` with `threshold`.
  void open(const std::vector<const Actor*>& council, unsigned threshold) {
    std::vector<PublicKey> keys;
    for (const auto* member : council) keys.push_back(member->key.pk);
    Genesis g = Genesis::make("key test platform", keys, clock.key.pk, "2026-01-05", threshold);
    const std::string doc = g.document();
    signing_ledger() = ledger_id(doc);
    ledger = std::make_unique<Ledger>(dir.str(), doc);
  }
  // Refused with `code`, naming `mention` in the message; the state is
  // untouched and the signer's nonce stays where it was.
  void refused(Actor& signer, TxBody body, TxCode code, const std::vector<const Actor*>& approvers = {},
               std::string_view mention = {}) {
    const Hash before = ledger->summary().digest;
    Receipt r = one(signer.sign(std::move(body), approvers));
    EXPECT_FALSE(r.applied);
    EXPECT_EQ(r.error.code, code) << code_name(r.error.code) << ": " << r.error.message;
    EXPECT_NE(r.error.message.find(mention), std::string::npos) << r.error.message;
    EXPECT_EQ(ledger->summary().digest, before);
    --signer.nonce;
  }
  std::int64_t balance(std::uint64_t member) {
    Overlay v(ledger->store());
    return State(v).account(share(member)).balance;
  }
  // Cooperative A (person 1) with alice (person 2, member 1) and bob
  // (person 3, member 2), each with 1,000.
  void cooperative() {
    ok(op.sign(RegisterCoop{a.key.pk, "A"}));
    ok(a.sign(AdmitMember{1, alice.key.pk, 0}));
    ok(a.sign(AdmitMember{1, bob.key.pk, 0}));
    for (std::uint64_t m : {1, 2}) ok(a.sign(Contribute{m, 1000, ContributionKind::money, "", ""}));
  }

  Actor op, op2, op3, clock, a, alice, bob;
};

// Alice replaces her key: her person, membership, balance and nonce stay;
// the old key is refused from then on with the date and the transaction
// that retired it.
TEST_F(Keys, ARotatedKeyKeepsThePersonAndRetiresTheOldKey) {
  open({&op}, 1);
  cooperative();
  ok(alice.sign(Transfer{1, 0, 2, 100, "before"}));  // alice's nonce 1
  Actor alice2;
  const Bytes rotation = alice.sign(RotateKey{alice2.key.pk}, {&alice2});  // nonce 2
  const Hash rotation_id = tx_id(rotation);
  ok(rotation);
  {
    Overlay v(ledger->store());
    State st(v);
    EXPECT_EQ(st.person_by_key(alice2.key.pk), std::optional<std::uint64_t>(2));
    EXPECT_FALSE(st.person_by_key(alice.key.pk));
    EXPECT_EQ(st.memberships(2), (std::vector<std::uint64_t>{1}));
    EXPECT_EQ(st.nonce(2), 2u);
    auto r = st.retired_key(alice.key.pk);
    ASSERT_TRUE(r);
    EXPECT_EQ(r->person, 2u);
    EXPECT_EQ(r->tx, rotation_id);
    auto h = st.key_history(2);
    ASSERT_EQ(h.size(), 1u);
    EXPECT_EQ(h[0].old_key, alice.key.pk);
    EXPECT_EQ(h[0].new_key, alice2.key.pk);
    EXPECT_EQ(h[0].tx, rotation_id);
    EXPECT_TRUE(st.key_history(3).empty());
  }
  EXPECT_EQ(balance(1), 900);
  // The old key, even with the right next nonce, is refused.
  refused(alice, Transfer{1, 0, 2, 1, ""}, TxCode::retired_key, {}, "2026-01-05");
  // The new key continues the person's nonces: 3, not 1.
  alice2.nonce = 0;
  refused(alice2, Transfer{1, 0, 2, 1, ""}, TxCode::bad_nonce, {}, "next is 3");
  alice2.nonce = 2;
  ok(alice2.sign(Transfer{1, 0, 2, 50, "after"}));
  EXPECT_EQ(balance(1), 850);
  EXPECT_EQ(balance(2), 1150);
  // Money paid to the person arrives at the same membership.
  ok(bob.sign(Transfer{2, 2, 1, 25, ""}));
  EXPECT_EQ(balance(1), 875);
  // A second rotation: the history grows, both old keys stay retired.
  Actor alice3;
  alice3.nonce = 3;
  ok(alice2.sign(RotateKey{alice3.key.pk}, {&alice3}));
  {
    Overlay v(ledger->store());
    State st(v);
    EXPECT_EQ(st.key_history(2).size(), 2u);
    EXPECT_TRUE(st.retired_key(alice.key.pk));
    EXPECT_TRUE(st.retired_key(alice2.key.pk));
    EXPECT_EQ(st.person_by_key(alice3.key.pk), std::optional<std::uint64_t>(2));
  }
  alice3.nonce = 4;
  ok(alice3.sign(Transfer{1, 0, 2, 5, ""}));
  EXPECT_EQ(balance(1), 870);
}

// What a rotation must carry, and which keys it may not take.
TEST_F(Keys, ARotationIsRefusedWithoutTheNewKeysConsentOrWithAKeyInUse) {
  open({&op}, 1);
  cooperative();
  Actor fresh, other;
  refused(alice, RotateKey{fresh.key.pk}, TxCode::approval_missing, {}, "approval");
  refused(alice, RotateKey{fresh.key.pk}, TxCode::approval_missing, {&other}, "approval");
  refused(alice, RotateKey{fresh.key.pk}, TxCode::approval_missing, {&fresh, &other}, "approval");
  refused(alice, RotateKey{alice.key.pk}, TxCode::invalid, {&alice}, "in use");
  refused(alice, RotateKey{bob.key.pk}, TxCode::duplicate, {&bob}, "person 3");
  refused(alice, RotateKey{op.key.pk}, TxCode::invalid, {&op}, "council or clock");
  refused(alice, RotateKey{clock.key.pk}, TxCode::invalid, {&clock}, "council or clock");
  // The council rotates through change_council, not rotate_key.
  refused(op, RotateKey{fresh.key.pk}, TxCode::unauthorized, {&fresh}, "rotate_key");
  // A key once retired never serves again, for anyone.
  ok(bob.sign(RotateKey{fresh.key.pk}, {&fresh}));
  Actor bob2 = fresh;
  bob2.nonce = 1;
  refused(alice, RotateKey{bob.key.pk}, TxCode::invalid, {&bob}, "retired key never serves again");
  refused(bob2, RotateKey{bob.key.pk}, TxCode::invalid, {&bob}, "retired key never serves again");
  refused(a, AdmitMember{1, bob.key.pk, 0}, TxCode::invalid, {}, "retired key never serves again");
  refused(op, RegisterCoop{bob.key.pk, "B"}, TxCode::invalid, {}, "retired key never serves again");
}

// A retired key's approval counts for nothing: the assembly counts the
// person when it approves with its new key.
TEST_F(Keys, ARetiredKeyCannotApprove) {
  open({&op}, 1);
  cooperative();
  ok(a.sign(DeployCharter{1, build_module({{"decide", vm::EntryKind::Rule, "1", 0, "mov %r0, 0\nexit\n",
                                            {{vm::RightKind::Member, 0, 0, 0, 0},
                                             {vm::RightKind::Assembly, 0, 0, 2, 3}}}}),
                          "A"}));
  Actor bob2;
  ok(bob.sign(RotateKey{bob2.key.pk}, {&bob2}));
  bob2.nonce = bob.nonce;
  refused(alice, CallRule{1, 0, "decide", {}}, TxCode::bad_approval, {&alice, &bob}, "retired from person 3");
  ok(alice.sign(CallRule{1, 0, "decide", {}}, {&alice, &bob2}));  // 2 of 2
}

// A cooperative replaces its key and goes on admitting members with the new
// one; the old key is refused.
TEST_F(Keys, ACooperativeRotatesItsKey) {
  open({&op}, 1);
  cooperative();
  Actor a2;
  ok(a.sign(RotateKey{a2.key.pk}, {&a2}));
  a2.nonce = a.nonce;
  Actor carol;
  refused(a, AdmitMember{1, carol.key.pk, 0}, TxCode::retired_key, {}, "person 1");
  ok(a2.sign(AdmitMember{1, carol.key.pk, 0}));
  ok(a2.sign(Contribute{3, 300, ContributionKind::money, "", ""}));
  EXPECT_EQ(balance(3), 300);
}

// A council of three with threshold two: one key alone cannot act; an
// outsider's approval or a repeated key does not count; any two can. The
// council replaces itself and the clock key; the old keys can do nothing.
TEST_F(Keys, TheCouncilActsByItsThresholdAndReplacesItself) {
  open({&op, &op2, &op3}, 2);
  refused(op, RegisterCoop{a.key.pk, "A"}, TxCode::approval_missing, {}, "needs 2 of the operator council's 3");
  refused(op, RegisterCoop{a.key.pk, "A"}, TxCode::bad_approval, {&alice}, "not by an operator council key");
  refused(op, RegisterCoop{a.key.pk, "A"}, TxCode::bad_approval, {&op}, "twice");
  ok(op.sign(RegisterCoop{a.key.pk, "A"}, {&op3}));
  ok(op2.sign(RegisterCoop{alice.key.pk, "B"}, {&op}));
  {
    Overlay v(ledger->store());
    State st(v);
    EXPECT_EQ(st.coops_count(), 2u);
    EXPECT_EQ(st.council_threshold(), 2u);
    EXPECT_EQ(st.council_keys().size(), 3u);
  }
  // The new council: op3 and two fresh keys, threshold 3; a new clock key.
  Actor n1, n2, clock2;
  const ChangeCouncil change{{op3.key.pk, n1.key.pk, n2.key.pk}, 3, clock2.key.pk};
  refused(op, change, TxCode::approval_missing, {}, "needs 2");
  refused(op, ChangeCouncil{{n1.key.pk, n1.key.pk}, 1, clock2.key.pk}, TxCode::invalid, {&op2}, "listed twice");
  refused(op, ChangeCouncil{{n1.key.pk}, 2, clock2.key.pk}, TxCode::invalid, {&op2}, "threshold");
  refused(op, ChangeCouncil{{n1.key.pk}, 0, clock2.key.pk}, TxCode::invalid, {&op2}, "threshold");
  refused(op, ChangeCouncil{{}, 1, clock2.key.pk}, TxCode::invalid, {&op2}, "threshold");
  refused(op, ChangeCouncil{{n1.key.pk}, 1, n1.key.pk}, TxCode::invalid, {&op2}, "clock key");
  refused(op, ChangeCouncil{{a.key.pk}, 1, clock2.key.pk}, TxCode::duplicate, {&op2}, "person 1");
  ok(op.sign(change, {&op2}));
  {
    Overlay v(ledger->store());
    State st(v);
    EXPECT_EQ(st.council_threshold(), 3u);
    EXPECT_EQ(st.council_keys().size(), 3u);
    EXPECT_TRUE(st.is_council_key(op3.key.pk));
    EXPECT_FALSE(st.is_council_key(op.key.pk));
    EXPECT_EQ(st.clock_key(), std::optional<PublicKey>(clock2.key.pk));
  }
  Actor b;
  // op and op2 are no council keys any more.
  refused(op, RegisterCoop{b.key.pk, "C"}, TxCode::unknown_member, {&op2, &op3}, "no person");
  refused(op3, RegisterCoop{b.key.pk, "C"}, TxCode::bad_approval, {&op, &n1}, "not by an operator council key");
  refused(op3, RegisterCoop{b.key.pk, "C"}, TxCode::approval_missing, {&n1}, "needs 3");
  ok(op3.sign(RegisterCoop{b.key.pk, "C"}, {&n1, &n2}));
  // The old clock key is refused; the new one moves the calendar.
  refused(clock, AdvancePeriod{1}, TxCode::unknown_member, {}, "no person");
  ok(clock2.sign(AdvancePeriod{1}));
  Overlay v(ledger->store());
  EXPECT_EQ(State(v).day(), 1u);
}

// The genesis document's council is checked when a ledger is created.
TEST_F(Keys, GenesisRefusesAnImpossibleCouncil) {
  auto doc = [&](std::vector<PublicKey> keys, unsigned threshold) {
    return Genesis::make("p", std::move(keys), clock.key.pk, "2026-01-05", threshold).document();
  };
  std::string error;
  EXPECT_TRUE(Genesis::parse(doc({op.key.pk, op2.key.pk}, 2), error)) << error;
  EXPECT_FALSE(Genesis::parse(doc({op.key.pk, op2.key.pk}, 3), error));
  EXPECT_NE(error.find("threshold 3"), std::string::npos) << error;
  EXPECT_FALSE(Genesis::parse(doc({op.key.pk, op2.key.pk}, 0), error));
  EXPECT_FALSE(Genesis::parse(doc({op.key.pk, op.key.pk}, 1), error));
  EXPECT_NE(error.find("listed twice"), std::string::npos) << error;
  EXPECT_FALSE(Genesis::parse(doc({op.key.pk, clock.key.pk}, 1), error));
  EXPECT_NE(error.find("clock key"), std::string::npos) << error;
}

// The sealed form of a key file: the seed comes back only with the
// passphrase it was sealed with; a changed byte is found.
TEST(SealedKey, OpensOnlyWithItsPassphraseAndUnaltered) {
  crypto_init();
  const KeyPair k = KeyPair::generate();
  const std::string sealed = seal_seed(k.seed_hex(), "correct horse");
  EXPECT_TRUE(is_sealed_key(sealed));
  EXPECT_EQ(sealed.find(k.seed_hex()), std::string::npos);
  std::string why;
  EXPECT_EQ(open_sealed_seed(sealed, "correct horse", why), std::optional<std::string>(k.seed_hex())) << why;
  EXPECT_FALSE(open_sealed_seed(sealed, "correct horsE", why));
  EXPECT_NE(why.find("wrong passphrase"), std::string::npos) << why;
  std::string altered = sealed;
  altered[altered.size() - 3] = altered[altered.size() - 3] == '0' ? '1' : '0';
  EXPECT_FALSE(open_sealed_seed(altered, "correct horse", why));
  EXPECT_FALSE(open_sealed_seed("artel-sealed-key 1 00 11", "x", why));
  EXPECT_NE(why.find("damaged"), std::string::npos) << why;
  EXPECT_NE(seal_seed(k.seed_hex(), "correct horse"), sealed) << "a fresh salt and nonce each time";
}

}  // namespace
}  // namespace artel::node::test
