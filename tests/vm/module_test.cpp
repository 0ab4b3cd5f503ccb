// Charter module format: canonical round trip, identity, refusal of every
// malformed input, loading and running an entry point.
#include <gtest/gtest.h>

#include <fstream>
#include <iterator>
#include <random>

#include "vm/assembler.h"
#include "vm/conformance.h"
#include "vm/interpreter.h"
#include "vm/module.h"

namespace artel::vm {
namespace {

Module sample() {
  Module m;
  m.compiler_version = "artelc 0.1.0";
  for (std::size_t i = 0; i < m.source_hash.size(); ++i) m.source_hash[i] = static_cast<uint8_t>(i * 7);
  auto code = assemble(R"(
    mov %r1, 40
    mov %r2, 2
    call -1
    exit
  second:
    lddw %r1, 0x300000000
    ldxb %r0, [%r1+1]
    exit
  )");
  EXPECT_TRUE(code.ok());
  m.code = code.value();
  m.relocations = {{2, "add", 1}};
  m.header = {"Sample", 1, "RUB", 2, PeriodKind::Week, RoundingKind::Down};
  m.entries = {{"transfer", EntryKind::Rule, 0, {{"to", "member"}, {"amount", "money"}},
                {{RightKind::Member, 0, 0, 0, 0}, {RightKind::Guarantors, 2, 0, 0, 0},
                 {RightKind::Assembly, 0, 0, 2, 3}}, "4"},
               {"weekly", EntryKind::Periodic, 4, {}, {}, "7.1"}};
  m.parameters = {{"rate", "rate", 50, "0.5%"}, {"fee", "money", -3, "-0.03 RUB"}};
  Article a;
  a.number = "4";
  a.titles = {{"en", "Transfers"}, {"ru", "Переводы"}};
  a.texts = {{"en", "A member may transfer..."}, {"ru", "Пайщик вправе..."}};
  m.articles = {a};
  m.messages = {"insufficient funds", "not a member"};
  m.events = {{"paid", {{"to", "member"}, {"amount", "money"}}}};
  m.rodata = {9, 8, 7};
  return m;
}

TEST(Module, RoundTripIsCanonical) {
  const Module m = sample();
  const std::vector<uint8_t> bytes = serialize(m);
  auto back = parse(bytes);
  ASSERT_TRUE(back.ok()) << back.error().describe();
  EXPECT_EQ(back.value(), m);
  EXPECT_EQ(serialize(back.value()), bytes);
  EXPECT_EQ(module_id(bytes), module_id(serialize(sample())));
  EXPECT_EQ(bytes[0], 'A');
  EXPECT_EQ(bytes[3], '1');
  EXPECT_EQ(bytes[4], 3);  // format version, little-endian
  EXPECT_EQ(bytes[5], 0);
}

TEST(Module, IdIsBlake2b256) {
  // BLAKE2b-256 of the empty input (RFC 7693 parameters, 32-byte digest).
  EXPECT_EQ(to_hex(blake2b_256({})), "0e5751c026e543b2e8ab2eb06099daa1d1e5df47778f7787faab45cdf12fe3a8");
  Module m = sample();
  const Hash256 id = module_id(serialize(m));
  m.parameters[0].value = 51;
  EXPECT_NE(module_id(serialize(m)), id);
}

// sample.acm was written by tests/vm/modules/make_sample.py from the format
// document alone; the C++ parser must read it and re-serialize it exactly.
TEST(Module, ReadsTheIndependentlyWrittenSample) {
  std::ifstream in(std::string(ARTEL_VM_MODULES_DIR) + "/sample.acm", std::ios::binary);
  std::vector<uint8_t> bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  ASSERT_FALSE(bytes.empty());
  auto m = parse(bytes);
  ASSERT_TRUE(m.ok()) << m.error().describe();
  EXPECT_EQ(serialize(m.value()), bytes);
  EXPECT_EQ(m->entries.size(), 2u);
  EXPECT_EQ(m->entries[1].kind, EntryKind::Periodic);
  EXPECT_EQ(m->articles[0].titles.at("ru"), "Переводы");
  EXPECT_EQ(m->messages.size(), 2u);
  ASSERT_EQ(m->events.size(), 1u);
  EXPECT_EQ(m->events[0].name, "paid");
  EXPECT_EQ(m->events[0].params, (std::vector<EntryParam>{{"to", "member"}, {"amount", "money"}}));
  EXPECT_EQ(m->header.name, "Sample");
  EXPECT_EQ(m->header.currency, "RUB");
  EXPECT_EQ(m->header.period, PeriodKind::Month);
  ASSERT_EQ(m->entries[0].rights.size(), 2u);
  EXPECT_EQ(m->entries[0].rights[1].num, 2u);
  EXPECT_EQ(m->entries[0].rights[1].den, 3u);
  EXPECT_EQ(describe_rights(m->entries[0]), "member and assembly quorum 2/3");
  EXPECT_EQ(to_hex(m->source_hash),
            to_hex(blake2b_256(std::span<const uint8_t>(
                reinterpret_cast<const uint8_t*>("charter \"Sample\" version 1\n"), 27))));
}

TEST(Module, EveryTruncationIsRefused) {
  const std::vector<uint8_t> bytes = serialize(sample());
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    auto r = parse(std::span<const uint8_t>(bytes.data(), n));
    ASSERT_FALSE(r.ok()) << n;
    EXPECT_EQ(r.error().code, ErrorCode::BadModule);
    EXPECT_FALSE(r.error().message.empty());
  }
}

TEST(Module, TrailingBytesAndBadHeaderAreRefused) {
  std::vector<uint8_t> bytes = serialize(sample());
  bytes.push_back(0);
  EXPECT_FALSE(parse(bytes).ok());
  bytes.pop_back();
  bytes[0] = 'X';
  auto r = parse(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("magic"), std::string::npos);
  bytes[0] = 'A';
  bytes[4] = 2;  // version 2 recorded rights as text
  r = parse(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message, "byte 4: format version 2 is not supported (expected 3)");
}

TEST(Module, NonCanonicalContentIsRefused) {
  Module m = sample();
  m.compiler_version = std::string("bad\xff", 4);
  auto r = parse(serialize(m));
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("UTF-8"), std::string::npos);

  // Swap the two title language codes in the bytes ("en" < "ru" -> "ru", "en").
  std::vector<uint8_t> bytes = serialize(sample());
  const std::string needle = "Transfers";
  auto it = std::search(bytes.begin(), bytes.end(), needle.begin(), needle.end());
  ASSERT_NE(it, bytes.end());
  // Layout before "Transfers": len("en")=2, 'e','n', len(title).
  auto code = it - 4 - 2;
  ASSERT_EQ(*code, 'e');
  *code = 's';  // "sn" > "ru"? no: make the first code larger than the second
  *(code + 1) = 'z';
  r = parse(bytes);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("sorted"), std::string::npos);

  Module k = sample();
  std::vector<uint8_t> kb = serialize(k);
  // Entry kind byte follows the first entry's name "transfer".
  const std::string name = "transfer";
  auto at = std::search(kb.begin(), kb.end(), name.begin(), name.end());
  ASSERT_NE(at, kb.end());
  *(at + static_cast<std::ptrdiff_t>(name.size())) = 9;
  r = parse(kb);
  ASSERT_FALSE(r.ok());
  EXPECT_NE(r.error().message.find("kind"), std::string::npos);
}

// Rights are structure the ledger acts on: anything it could misread is
// refused when the module is read, with the entry's name.
TEST(Module, RightsThatDoNotFitTheirEntryAreRefused) {
  auto refused = [](const Module& m) {
    auto r = parse(serialize(m));
    return r.ok() ? std::string() : r.error().message;
  };
  Module m = sample();
  EXPECT_EQ(refused(m), "");
  m.entries[0].rights = {};
  EXPECT_NE(refused(m).find("entry 'transfer': a rule must say who may call it"), std::string::npos);
  m = sample();
  m.entries[1].rights = {{RightKind::Member, 0, 0, 0, 0}};
  EXPECT_NE(refused(m).find("only a rule has rights"), std::string::npos);
  m = sample();
  m.entries[0].rights[2] = {RightKind::Assembly, 0, 0, 4, 6};
  EXPECT_NE(refused(m).find("quorum 4/6, not in lowest terms"), std::string::npos);
  m.entries[0].rights[2] = {RightKind::Assembly, 0, 0, 4, 3};
  EXPECT_NE(refused(m).find("at most 1"), std::string::npos);
  m.entries[0].rights[2] = {RightKind::Assembly, 0, 0, 1, 0};
  EXPECT_NE(refused(m).find("quorum 1/0"), std::string::npos);
  m = sample();
  m.entries[0].rights[1] = {RightKind::Guarantors, 2, 1, 0, 0};  // parameter 1 is money
  EXPECT_NE(refused(m).find("no member parameter"), std::string::npos);
  m.entries[0].rights[1] = {RightKind::Guarantors, 0, kCallerSubject, 0, 0};
  EXPECT_NE(refused(m).find("asks for 0 guarantors"), std::string::npos);
  m.entries[0].rights[1] = {RightKind::Guarantors, 2, kCallerSubject, 0, 0};
  EXPECT_EQ(refused(m), "");
  EXPECT_EQ(describe_rights(m.entries[0]), "member and 2 guarantors of caller and assembly quorum 2/3");
  m.entries[0].rights[0] = {RightKind::Member, 1, 0, 0, 0};
  EXPECT_NE(refused(m).find("fields its kind does not use"), std::string::npos);
  m = sample();
  m.header.scale = 10;
  EXPECT_NE(refused(m).find("scale 10 is above 9"), std::string::npos);
  m = sample();
  m.events[0].params.resize(4, {"x", "count"});
  EXPECT_NE(refused(m).find("more than 3 values"), std::string::npos);
}

TEST(Module, GarbageNeverCrashes) {
  std::mt19937_64 rng(42);
  const std::vector<uint8_t> good = serialize(sample());
  for (int i = 0; i < 20000; ++i) {
    std::vector<uint8_t> b = good;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int k = 0; k < flips; ++k) b[rng() % b.size()] = static_cast<uint8_t>(rng());
    auto r = parse(b);
    if (r.ok()) {
      EXPECT_EQ(serialize(r.value()), b);  // whatever parses is canonical
    }
  }
  for (int i = 0; i < 2000; ++i) {
    std::vector<uint8_t> b(rng() % 200);
    for (auto& x : b) x = static_cast<uint8_t>(rng());
    if (i % 2 == 0 && b.size() >= 6) {
      b[0] = 'A';
      b[1] = 'C';
      b[2] = 'M';
      b[3] = '1';
      b[4] = 3;
      b[5] = 0;
    }
    auto r = parse(b);
    if (r.ok()) {
      EXPECT_EQ(serialize(r.value()), b);
    }
  }
}

TEST(Module, LoadLinksAndRunsEntries) {
  const Module m = sample();
  auto v = load_module(m, ConformanceHost::table());
  ASSERT_TRUE(v.ok()) << v.error().describe();
  ConformanceHost host;
  Vm vm;
  auto e = find_entry(m, "transfer");
  ASSERT_TRUE(e.ok());
  RunResult r = vm.run(v.value(), host, {}, e.value());
  ASSERT_TRUE(r.ok()) << r.error->describe();
  EXPECT_EQ(r.r0, 42u);
  RunResult w = vm.run(v.value(), host, {}, find_entry(m, "weekly").value());
  ASSERT_TRUE(w.ok()) << w.error->describe();
  EXPECT_EQ(w.r0, 8u);
  EXPECT_FALSE(find_entry(m, "nope").ok());
}

TEST(Module, LoadRefusesUnknownHostAndBadRelocations) {
  Module m = sample();
  m.relocations = {{2, "steal", 1}};
  auto v = load_module(m, ConformanceHost::table());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::UnknownHostCall);
  EXPECT_EQ(v.error().pc, 2u);
  m.relocations = {{0, "add", 1}};
  v = load_module(m, ConformanceHost::table());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::BadRelocation);
  m.relocations = {{99, "add", 1}};
  EXPECT_FALSE(load_module(m, ConformanceHost::table()).ok());
  // The name and the id must be the same host function's: "add" is 1.
  m.relocations = {{2, "add", 5}};
  v = load_module(m, ConformanceHost::table());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::BadRelocation);
  EXPECT_EQ(v.error().message, "relocation for 'add' records id 5, but 'add' is host function 1");
  m = sample();
  m.entries[1].offset = 5;  // second half of lddw
  v = load_module(m, ConformanceHost::table());
  ASSERT_FALSE(v.ok());
  EXPECT_EQ(v.error().code, ErrorCode::BadEntry);
}

}  // namespace
}  // namespace artel::vm
