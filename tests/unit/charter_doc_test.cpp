// A charter as members read it (vm/charter_doc.h): rights in words, texts
// that name parameters, figures a text states, and the changes between two
// modules — against hand-written modules and values worked out by hand.
#include <gtest/gtest.h>

#include "vm/charter_doc.h"

namespace artel::vm {
namespace {

EntryPoint rule(std::vector<Right> rights, std::vector<EntryParam> params = {}) {
  EntryPoint e;
  e.name = "r";
  e.kind = EntryKind::Rule;
  e.params = std::move(params);
  e.rights = std::move(rights);
  return e;
}

TEST(CharterDoc, RightsInWordsInBothLanguages) {
  EXPECT_EQ(rights_in_words(rule({{RightKind::Member}}), "en"), "any member");
  EXPECT_EQ(rights_in_words(rule({{RightKind::Cooperative}}), "ru"), "кооператив");
  const EntryPoint loan = rule({{RightKind::Member}, {RightKind::Guarantors, 2, 0}}, {{"borrower", "member"}});
  EXPECT_EQ(rights_in_words(loan, "en"), "any member and two guarantors of the borrower");
  EXPECT_EQ(rights_in_words(loan, "ru"), "любой член кооператива и два поручителя участника «borrower»");
  EXPECT_EQ(rights_in_words(rule({{RightKind::Guarantors, 1, kCallerSubject}}), "en"), "a guarantor of the member acting");
  EXPECT_EQ(rights_in_words(rule({{RightKind::Guarantors, 5, kCallerSubject}}), "ru"),
            "пять поручителей действующего участника");
  EXPECT_EQ(rights_in_words(rule({{RightKind::Assembly, 0, 0, 2, 3}}), "en"), "two thirds of the general assembly");
  EXPECT_EQ(rights_in_words(rule({{RightKind::Assembly, 0, 0, 3, 4}}), "ru"), "три четверти общего собрания");
  EXPECT_EQ(rights_in_words(rule({{RightKind::Assembly, 0, 0, 4, 5}}), "en"),
            "4/5 of the members of the general assembly");
  EntryPoint hook = rule({});
  hook.kind = EntryKind::Periodic;
  EXPECT_EQ(rights_in_words(hook, "en"), "the ledger, on its own");
}

TEST(CharterDoc, TextsNameParametersAndRenderTheirValues) {
  Module m;
  m.parameters = {{"monthly_fee", "money", 50'000, "500.00 RUB"}, {"rate", "rate", 5'000'000, "0.5%"}};
  EXPECT_EQ(render_text("Each member pays {monthly_fee} a month, {rate} a week; {{not a name}}.", m, "en"),
            "Each member pays 500.00 RUB a month, 0.5% a week; {not a name}.");
  EXPECT_EQ(render_text("взнос {monthly_fee}, плата {rate}", m, "ru"), "взнос 500,00 RUB, плата 0,5%");
  EXPECT_EQ(render_text("{unknown} stays", m, "en"), "{unknown} stays");
  std::string why;
  std::size_t at = 99;
  auto pieces = split_text("a {x} b", why, at);
  ASSERT_TRUE(pieces);
  ASSERT_EQ(pieces->size(), 3u);
  EXPECT_TRUE((*pieces)[1].placeholder);
  EXPECT_EQ((*pieces)[1].text, "x");
  EXPECT_EQ((*pieces)[1].offset, 2u);
  EXPECT_FALSE(split_text("open { here", why, at));
  EXPECT_EQ(at, 5u);
  EXPECT_FALSE(split_text("close } here", why, at));
  EXPECT_EQ(at, 6u);
  EXPECT_FALSE(split_text("{1st}", why, at));
  EXPECT_FALSE(split_text("{two words}", why, at));
}

TEST(CharterDoc, FiguresATextStates) {
  // Rates in parts per billion (1 % = 10,000,000), money in kopecks.
  auto n = stated_numbers("0.5 % a week, 0,25 % reward, 10% down, 10 000.00 RUB at least, 52 %; 2 members, 3.5", 2,
                          "RUB");
  ASSERT_EQ(n.size(), 5u);
  EXPECT_TRUE(n[0].rate);
  EXPECT_EQ(n[0].value, 5'000'000);
  EXPECT_EQ(n[0].text, "0.5 %");
  EXPECT_EQ(n[1].value, 2'500'000);
  EXPECT_EQ(n[2].value, 100'000'000);
  EXPECT_FALSE(n[3].rate);
  EXPECT_EQ(n[3].value, 1'000'000);
  EXPECT_EQ(n[3].text, "10 000.00 RUB");
  EXPECT_EQ(n[4].value, 520'000'000);
  EXPECT_EQ(n[4].offset, std::string("0.5 % a week, 0,25 % reward, 10% down, 10 000.00 RUB at least, ").size());
  // More decimals than the scale is no amount of this charter.
  EXPECT_TRUE(stated_numbers("1.005 RUB", 2, "RUB").empty());
}

TEST(CharterDoc, DiffNamesWhatChanged) {
  Module a;
  a.header.name = "C";
  a.header.currency = "RUB";
  a.parameters = {{"fee", "money", 100, "1.00 RUB"}, {"gone", "count", 1, "1"}};
  EntryPoint pay = rule({{RightKind::Member}}, {{"amount", "money"}});
  pay.name = "pay";
  pay.article = "1";
  a.entries = {pay};
  a.articles = {{"1", {{"en", "Fees"}}, {{"en", "Members pay {fee}."}}}};
  a.code = {0x95};
  Module b = a;
  b.parameters = {{"fee", "money", 200, "2.00 RUB"}, {"new", "rate", 10'000'000, "1%"}};
  b.entries[0].rights = {{RightKind::Cooperative}};
  EntryPoint extra = pay;
  extra.name = "refund";
  b.entries.push_back(extra);
  b.articles[0].titles["ru"] = "Взносы";
  const CharterDiff d = diff_modules(a, b);
  ASSERT_EQ(d.parameters.size(), 3u);
  EXPECT_EQ(d.parameters[0].name, "fee");
  EXPECT_EQ(d.parameters[0].change, CharterDiff::Change::changed);
  EXPECT_EQ(d.parameters[0].from_display, "1.00 RUB");
  EXPECT_EQ(d.parameters[0].to_display, "2.00 RUB");
  EXPECT_EQ(d.parameters[1].name, "gone");
  EXPECT_EQ(d.parameters[1].change, CharterDiff::Change::removed);
  EXPECT_EQ(d.parameters[2].change, CharterDiff::Change::added);
  ASSERT_EQ(d.rules.size(), 2u);
  EXPECT_EQ(d.rules[0].name, "pay");
  EXPECT_TRUE(d.rules[0].rights_changed);
  EXPECT_EQ(d.rules[0].from_rights, "any member");
  EXPECT_EQ(d.rules[0].to_rights, "the cooperative");
  EXPECT_EQ(d.rules[1].name, "refund");
  EXPECT_EQ(d.rules[1].change, CharterDiff::Change::added);
  ASSERT_EQ(d.articles.size(), 1u);
  EXPECT_EQ(d.articles[0].titles_changed, std::vector<std::string>{"ru"});
  EXPECT_TRUE(d.articles[0].texts_changed.empty());  // the text names {fee}: unchanged
  EXPECT_FALSE(d.code_changed);
  EXPECT_TRUE(diff_modules(a, a).empty());
}

}  // namespace
}  // namespace artel::vm
