// The front end: exact literals, diagnostics with places, hostile input.
#include <gtest/gtest.h>

#include "compiler/driver.h"

namespace artel {
namespace {

struct NoLibraries : typed::LibraryLoader {
  std::optional<SourceFile> load(const std::string&) override { return std::nullopt; }
};

struct Outcome {
  std::optional<typed::Charter> charter;
  std::vector<Diagnostic> diags;
};

Outcome check_text(const std::string& text) {
  Outcome out;
  Diagnostics diags;
  NoLibraries libs;
  compiler::with_large_stack([&] {
    auto parsed = syntax::parse(SourceFile{"t.artel", text}, diags);
    if (parsed) out.charter = typed::check(*parsed, libs, diags);
  });
  out.diags = diags.all();
  return out;
}

const std::string kHeader = "charter \"T\" version 3\ncurrency RUB scale 2\nrounding down\n";

TEST(Frontend, LiteralsAreExactIntegers) {
  auto r = check_text(kHeader + R"(article 1 "A" {
    parameter a: rate = 0.5%
    parameter b: money = 12.40 RUB
    parameter c: rate = 0.0000001%
    parameter d: money = 1_000_000.00 RUB
    parameter e: count = 2
  })");
  ASSERT_TRUE(r.charter) << (r.diags.empty() ? "" : r.diags[0].message);
  const auto& p = r.charter->params;
  ASSERT_EQ(p.size(), 5u);
  EXPECT_EQ(p[0].value, 5'000'000);  // 0.5% of 10^9
  EXPECT_EQ(p[1].value, 1'240);
  EXPECT_EQ(p[2].value, 1);
  EXPECT_EQ(p[3].value, 100'000'000);
  EXPECT_EQ(p[4].value, 2);
  EXPECT_EQ(p[0].display, "0.5%");
  EXPECT_EQ(p[1].display, "12.40 RUB");
  EXPECT_EQ(r.charter->version, 3);
}

TEST(Frontend, EveryErrorIsReportedInOneRunWithItsPlace) {
  auto r = check_text(kHeader + R"(article 1 "A" {
  rule r(m: member) by member {
    let a = balance(share(m)) * balance(share(m))
    let b = 0.5% + 1.00 RUB
    transfer 1.00 RUB from share(m) to nowhere
  }
})");
  EXPECT_FALSE(r.charter);
  ASSERT_EQ(r.diags.size(), 3u);
  EXPECT_EQ(r.diags[0].loc, (Loc{6, 31}));
  EXPECT_NE(r.diags[0].message.find("money × money"), std::string::npos);
  EXPECT_EQ(r.diags[1].loc, (Loc{7, 18}));
  EXPECT_NE(r.diags[1].message.find("cannot add money to rate"), std::string::npos);
  EXPECT_EQ(r.diags[2].loc, (Loc{8, 40}));
  EXPECT_NE(r.diags[2].message.find("unknown name `nowhere`"), std::string::npos);
}

TEST(Frontend, RussianKeywordsGiveTheSameTypedTree) {
  auto en = check_text(kHeader + R"(article 1 "A" {
  parameter r: rate = 1%
  rule pay(m: member, x: money) by member {
    require x > 0.00 RUB else "positive"
    transfer x * r from share(caller) to share(m)
  }
})");
  auto ru = check_text(R"(устав "T" версия 3
валюта RUB знаков 2
округление вниз
статья 1 "A" {
  параметр r: ставка = 1%
  правило pay(m: участник, x: деньги) утверждает участник {
    требуется x > 0.00 RUB иначе "positive"
    перевести x * r из пай(подписант) в пай(m)
  }
})");
  ASSERT_TRUE(en.charter && ru.charter);
  EXPECT_EQ(typed::dump(*en.charter), typed::dump(*ru.charter));
}

TEST(Frontend, InvalidUtf8IsReportedWhereItIs) {
  auto r = check_text(kHeader + "article 1 \"A\xff\" {}");
  EXPECT_FALSE(r.charter);
  ASSERT_EQ(r.diags.size(), 1u);
  EXPECT_EQ(r.diags[0].loc, (Loc{4, 13}));
  EXPECT_NE(r.diags[0].message.find("invalid UTF-8"), std::string::npos);
}

TEST(Frontend, DeepNestingIsRefusedNotACrash) {
  std::string parens(10'000, '(');
  auto r = check_text(kHeader + "article 1 \"A\" { parameter p: count = " + parens + "1" + std::string(10'000, ')') + " }");
  EXPECT_FALSE(r.charter);
  ASSERT_FALSE(r.diags.empty());
  EXPECT_NE(r.diags[0].message.find("nested more than"), std::string::npos);

  std::string minus;
  for (int i = 0; i < 5'000; ++i) minus += "- ";
  auto m = check_text(kHeader + "article 1 \"A\" { parameter p: count = " + minus + "1 }");
  EXPECT_FALSE(m.charter);
  ASSERT_FALSE(m.diags.empty());
}

TEST(Frontend, LongOperatorChainsAreBounded) {
  std::string sum = "1";
  for (int i = 0; i < 20'000; ++i) sum += " + 1";
  auto r = check_text(kHeader + "article 1 \"A\" { parameter p: count = " + sum + " }");
  EXPECT_FALSE(r.charter);
  ASSERT_FALSE(r.diags.empty());
  EXPECT_NE(r.diags[0].message.find("levels deep"), std::string::npos);
}

TEST(Frontend, MoneyAndRatesFormatExactly) {
  EXPECT_EQ(typed::format_money(1240, 2), "12.40");
  EXPECT_EQ(typed::format_money(-5, 2), "-0.05");
  EXPECT_EQ(typed::format_money(INT64_MIN, 2), "-92233720368547758.08");
  EXPECT_EQ(typed::format_rate(5'000'000), "0.5%");
  EXPECT_EQ(typed::format_rate(1'000'000'000), "100%");
  EXPECT_EQ(typed::format_rate(1), "0.0000001%");
}

}  // namespace
}  // namespace artel
