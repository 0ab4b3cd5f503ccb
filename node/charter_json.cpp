#include "charter_json.h"

#include <set>

namespace artel::node {

using json = nlohmann::json;

namespace {

const char* period_name(vm::PeriodKind p) { return p == vm::PeriodKind::Month ? "month" : "week"; }

json rule_json(const vm::EntryPoint& e) {
  json params = json::array();
  for (const auto& p : e.params) params.push_back({{"name", p.name}, {"type", p.type}});
  return json{{"name", e.name},
              {"kind", vm::entry_kind_name(e.kind)},
              {"params", params},
              {"article", e.article},
              {"rights", {{"en", vm::rights_in_words(e, "en")}, {"ru", vm::rights_in_words(e, "ru")}}}};
}

}  // namespace

json charter_document_json(const vm::Module& m) {
  json header{{"name", m.header.name},
              {"currency", m.header.currency},
              {"scale", m.header.scale},
              {"period", period_name(m.header.period)},
              {"compiler", m.compiler_version}};
  json params = json::array();
  for (const auto& p : m.parameters)
    params.push_back({{"name", p.name}, {"type", p.type}, {"value", p.value}, {"display", p.display}});
  std::set<std::string> numbers;
  json articles = json::array();
  for (const auto& a : m.articles) {
    numbers.insert(a.number);
    json rules = json::array();
    for (const auto& e : m.entries)
      if (e.article == a.number) rules.push_back(rule_json(e));
    // Texts as members read them: each `{parameter}` with this version's value.
    json texts = json::object();
    for (const auto& [lang, text] : a.texts) texts[lang] = vm::render_text(text, m, lang);
    articles.push_back({{"number", a.number}, {"titles", a.titles}, {"texts", texts}, {"rules", rules}});
  }
  json other = json::array();
  for (const auto& e : m.entries)
    if (!numbers.count(e.article)) other.push_back(rule_json(e));
  json events = json::array();
  for (const auto& e : m.events) events.push_back(e.name);
  return json{{"header", header}, {"parameters", params}, {"articles", articles}, {"rules", other}, {"events", events}};
}

json charter_diff_json(const vm::CharterDiff& d) {
  json header = json::array();
  for (const auto& f : d.header) header.push_back({{"field", f.field}, {"from", f.from}, {"to", f.to}});
  json params = json::array();
  for (const auto& p : d.parameters) {
    json j{{"change", vm::change_name(p.change)}, {"name", p.name}, {"type", p.type}};
    j["from"] = p.from_value ? json{{"value", *p.from_value}, {"display", p.from_display}} : json(nullptr);
    j["to"] = p.to_value ? json{{"value", *p.to_value}, {"display", p.to_display}} : json(nullptr);
    params.push_back(std::move(j));
  }
  json rules = json::array();
  for (const auto& r : d.rules) {
    json j{{"change", vm::change_name(r.change)}, {"name", r.name}, {"kind", r.kind}, {"article", r.article}};
    if (r.change == vm::CharterDiff::Change::changed) {
      json what = json::array();
      if (r.rights_changed) what.push_back("rights");
      if (r.params_changed) what.push_back("parameters");
      if (r.article_changed) what.push_back("article");
      j["what"] = what;
      if (r.rights_changed) j["rights"] = {{"from", r.from_rights}, {"to", r.to_rights}};
      if (r.article_changed) j["from_article"] = r.from_article;
    } else {
      j["rights"] = r.change == vm::CharterDiff::Change::added ? r.to_rights : r.from_rights;
    }
    rules.push_back(std::move(j));
  }
  json articles = json::array();
  for (const auto& a : d.articles) {
    json j{{"change", vm::change_name(a.change)}, {"number", a.number}};
    if (a.change == vm::CharterDiff::Change::changed) {
      j["titles"] = a.titles_changed;
      j["texts"] = a.texts_changed;
    }
    articles.push_back(std::move(j));
  }
  json code{{"changed", d.code_changed}, {"from_instructions", d.from_instructions},
            {"to_instructions", d.to_instructions}};
  return json{{"header", header}, {"parameters", params}, {"rules", rules}, {"articles", articles}, {"code", code}};
}

}  // namespace artel::node
