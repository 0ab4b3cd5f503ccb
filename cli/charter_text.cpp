#include "charter_text.h"

#include <ostream>
#include <string_view>
#include <vector>

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

namespace {

struct Words {
  const char* version;
  const char* money;
  const char* decimals;
  const char* period;
  const char* parameters;
  const char* parameter;
  const char* value;
  const char* article;
  const char* who;
  const char* no_article;
};
const Words& words(const std::string& lang) {
  static const Words en{"Version", "Money in", "decimal places", "periods of a", "Parameters in force", "Parameter",
                        "Value", "Article", "Who may do what", "Rules citing no article"};
  static const Words ru{"Редакция", "Деньги в", "знаков после запятой", "период —", "Действующие параметры",
                        "Параметр", "Значение", "Статья", "Кто что может", "Правила без статьи"};
  return lang == "ru" ? ru : en;
}

std::string period_word(const std::string& p, const std::string& lang) {
  if (lang != "ru") return p;
  return p == "month" ? "месяц" : "неделя";
}

std::vector<std::string> paragraphs(const std::string& text) {
  std::vector<std::string> out;
  std::size_t at = 0;
  while (at <= text.size()) {
    std::size_t end = text.find("\n\n", at);
    std::string p = text.substr(at, end == std::string::npos ? std::string::npos : end - at);
    while (!p.empty() && (p.back() == '\n' || p.back() == ' ')) p.pop_back();
    while (!p.empty() && (p.front() == '\n' || p.front() == ' ')) p.erase(0, 1);
    if (!p.empty()) out.push_back(p);
    if (end == std::string::npos) break;
    at = end + 2;
  }
  return out;
}

// A rule by its name and parameters; what the ledger runs on its own by
// when it runs (its name is the compiler's).
std::string rule_signature(const json& r) {
  if (r["kind"] != "rule") return r["kind"].get<std::string>();
  std::string params;
  for (const auto& p : r["params"]) params += (params.empty() ? "" : ", ") + p["name"].get<std::string>();
  return r["name"].get<std::string>() + "(" + params + ")";
}

std::string html_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    switch (c) {
      case '&': out += "&amp;"; break;
      case '<': out += "&lt;"; break;
      case '>': out += "&gt;"; break;
      case '"': out += "&quot;"; break;
      default: out.push_back(c);
    }
  }
  return out;
}

// Markdown would read `*`, `_`, `#` and the like in a charter's text as markup.
std::string md_escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (std::string_view("\\`*_{}[]<>#|").find(c) != std::string_view::npos) out.push_back('\\');
    out.push_back(c);
  }
  return out;
}

}  // namespace

std::string charter_markdown(const json& doc, const std::string& lang) {
  const Words& w = words(lang);
  const auto& h = doc["header"];
  std::string out = "# " + md_escape(h["name"].get<std::string>()) + "\n\n";
  out += "*" + std::string(w.money) + " " + h["currency"].get<std::string>() + ", " +
         std::to_string(h["scale"].get<int>()) + " " + w.decimals + "; " + w.period + " " +
         period_word(h["period"].get<std::string>(), lang) + ".*\n\n";
  if (!doc["parameters"].empty()) {
    out += "## " + std::string(w.parameters) + "\n\n| " + w.parameter + " | " + w.value + " |\n|---|---|\n";
    for (const auto& p : doc["parameters"])
      out += "| `" + p["name"].get<std::string>() + "` | " + md_escape(p["display"].get<std::string>()) + " |\n";
    out += "\n";
  }
  auto rules = [&](const json& list) {
    for (const auto& r : list) out += "- `" + rule_signature(r) + "` — " + md_escape(in_lang(r["rights"], lang)) + "\n";
    out += "\n";
  };
  for (const auto& a : doc["articles"]) {
    out += "## " + std::string(w.article) + " " + a["number"].get<std::string>() + ". " +
           md_escape(in_lang(a["titles"], lang)) + "\n\n";
    for (const auto& p : paragraphs(in_lang(a["texts"], lang))) out += md_escape(p) + "\n\n";
    if (!a["rules"].empty()) {
      out += "**" + std::string(w.who) + ":**\n\n";
      rules(a["rules"]);
    }
  }
  if (!doc["rules"].empty()) {
    out += "## " + std::string(w.no_article) + "\n\n";
    rules(doc["rules"]);
  }
  return out;
}

std::string charter_html(const json& doc, const std::string& lang) {
  const Words& w = words(lang);
  const auto& h = doc["header"];
  const std::string name = html_escape(h["name"].get<std::string>());
  std::string out = "<!doctype html>\n<html lang=\"" + html_escape(lang) +
                    "\">\n<head>\n<meta charset=\"utf-8\">\n<meta name=\"viewport\" content=\"width=device-width, "
                    "initial-scale=1\">\n<title>" + name + "</title>\n<style>\n"
                    "body{font:16px/1.5 'DejaVu Serif',Georgia,serif;max-width:46rem;margin:2rem auto;padding:0 1rem;color:#1d2430}\n"
                    "h1{font-size:1.6rem}h2{font-size:1.15rem;margin-top:2rem}table{border-collapse:collapse}\n"
                    "td,th{border-bottom:1px solid #d9dee7;padding:.3rem .8rem;text-align:left}td.v{text-align:right}\n"
                    ".meta,.who{color:#5d6878}code{font-size:.9em}\n"
                    "</style>\n</head>\n<body>\n";
  out += "<h1>" + name + "</h1>\n<p class=\"meta\">" + w.money + " " + html_escape(h["currency"].get<std::string>()) +
         ", " + std::to_string(h["scale"].get<int>()) + " " + w.decimals + "; " + w.period + " " +
         period_word(h["period"].get<std::string>(), lang) + ".</p>\n";
  if (!doc["parameters"].empty()) {
    out += "<h2>" + std::string(w.parameters) + "</h2>\n<table id=\"parameters\">\n<tr><th>" + w.parameter +
           "</th><th>" + w.value + "</th></tr>\n";
    for (const auto& p : doc["parameters"])
      out += "<tr><td><code>" + html_escape(p["name"].get<std::string>()) + "</code></td><td class=\"v\">" +
             html_escape(p["display"].get<std::string>()) + "</td></tr>\n";
    out += "</table>\n";
  }
  auto rules = [&](const json& list) {
    out += "<ul class=\"who\">\n";
    for (const auto& r : list)
      out += "<li><code>" + html_escape(rule_signature(r)) + "</code> — " + html_escape(in_lang(r["rights"], lang)) +
             "</li>\n";
    out += "</ul>\n";
  };
  for (const auto& a : doc["articles"]) {
    const std::string number = html_escape(a["number"].get<std::string>());
    out += "<section id=\"article-" + number + "\">\n<h2>" + w.article + " " + number + ". " +
           html_escape(in_lang(a["titles"], lang)) + "</h2>\n";
    for (const auto& p : paragraphs(in_lang(a["texts"], lang))) out += "<p>" + html_escape(p) + "</p>\n";
    if (!a["rules"].empty()) {
      out += "<p class=\"who\">" + std::string(w.who) + ":</p>\n";
      rules(a["rules"]);
    }
    out += "</section>\n";
  }
  if (!doc["rules"].empty()) {
    out += "<h2>" + std::string(w.no_article) + "</h2>\n";
    rules(doc["rules"]);
  }
  return out + "</body>\n</html>\n";
}

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
