#include "charter_text.h"

#include <ostream>

namespace artel::cli {

using json = nlohmann::json;

namespace {

std::string in_lang(const json& by_lang, const std::string& lang) {
  if (!by_lang.is_object() || by_lang.empty()) return "";
  if (by_lang.contains(lang)) return by_lang[lang].get<std::string>();
  if (by_lang.contains("en")) return by_lang["en"].get<std::string>();
  return by_lang.begin()->get<std::string>();
}

void print_rule(const json& r, const std::string& lang, std::ostream& out) {
  std::string params;
  for (const auto& p : r["params"]) params += (params.empty() ? "" : ", ") + p["name"].get<std::string>();
  out << "    " << r["kind"].get<std::string>() << " " << r["name"].get<std::string>() << "(" << params
      << "): " << in_lang(r["rights"], lang) << "\n";
}

}  // namespace

void print_charter_document(const json& doc, const std::string& lang, std::ostream& out) {
  const auto& h = doc["header"];
  out << h["name"].get<std::string>() << " — money in " << h["currency"].get<std::string>() << " ("
      << h["scale"].get<int>() << " decimal places), periods of a " << h["period"].get<std::string>() << "\n";
  if (!doc["parameters"].empty()) {
    out << "\nParameters in force:\n";
    for (const auto& p : doc["parameters"])
      out << "  " << p["name"].get<std::string>() << " = " << p["display"].get<std::string>() << "\n";
  }
  for (const auto& a : doc["articles"]) {
    out << "\nArticle " << a["number"].get<std::string>() << ". " << in_lang(a["titles"], lang) << "\n";
    const std::string text = in_lang(a["texts"], lang);
    if (!text.empty()) out << "  " << text << "\n";
    if (!a["rules"].empty()) out << "  Who may do what:\n";
    for (const auto& r : a["rules"]) print_rule(r, lang, out);
  }
  if (!doc["rules"].empty()) {
    out << "\nRules citing no article:\n";
    for (const auto& r : doc["rules"]) print_rule(r, lang, out);
  }
}

void print_charter_diff(const json& d, std::ostream& out) {
  bool any = false;
  for (const auto& f : d["header"]) {
    out << "header " << f["field"].get<std::string>() << ": " << f["from"].get<std::string>() << " -> "
        << f["to"].get<std::string>() << "\n";
    any = true;
  }
  for (const auto& p : d["parameters"]) {
    const std::string change = p["change"];
    out << "parameter " << p["name"].get<std::string>() << " " << change << ": ";
    if (change == "added") out << p["to"]["display"].get<std::string>();
    else if (change == "removed") out << "was " << p["from"]["display"].get<std::string>();
    else out << p["from"]["display"].get<std::string>() << " -> " << p["to"]["display"].get<std::string>();
    out << " (" << p["type"].get<std::string>() << ")\n";
    any = true;
  }
  for (const auto& r : d["rules"]) {
    const std::string change = r["change"];
    out << r["kind"].get<std::string>() << " " << r["name"].get<std::string>() << " " << change;
    if (change == "changed") {
      std::string what;
      for (const auto& w : r["what"]) what += (what.empty() ? "" : ", ") + w.get<std::string>();
      out << " (" << what << ")";
      if (r.contains("rights"))
        out << ": who may call it: " << r["rights"]["from"].get<std::string>() << " -> "
            << r["rights"]["to"].get<std::string>();
    } else {
      out << ": " << r["rights"].get<std::string>();
    }
    out << " [article " << r["article"].get<std::string>() << "]\n";
    any = true;
  }
  for (const auto& a : d["articles"]) {
    const std::string change = a["change"];
    out << "article " << a["number"].get<std::string>() << " " << change;
    if (change == "changed") {
      std::string what;
      for (const auto& l : a["titles"]) what += (what.empty() ? "title (" : ", ") + l.get<std::string>();
      if (!a["titles"].empty()) what += ")";
      std::string texts;
      for (const auto& l : a["texts"]) texts += (texts.empty() ? "text (" : ", ") + l.get<std::string>();
      if (!a["texts"].empty()) texts += ")";
      out << ": " << what << (what.empty() || texts.empty() ? "" : ", ") << texts;
    }
    out << "\n";
    any = true;
  }
  if (d["code"]["changed"].get<bool>()) {
    out << "code changed: " << d["code"]["from_instructions"].get<std::size_t>() << " -> "
        << d["code"]["to_instructions"].get<std::size_t>()
        << " instructions (a rule's body, or a parameter it uses, changed)\n";
    any = true;
  }
  if (!any) out << "no changes\n";
}

}  // namespace artel::cli
