// `artel lsp`: a language server for charters over stdio (the Language
// Server Protocol, JSON-RPC with Content-Length framing). It keeps the
// open documents, runs the real front end on every change and answers:
// diagnostics as you type, hover (an article's text, a parameter's value
// with its unit, a rule's rights in words, a library clause's signature),
// go to definition across imports, document symbols by article, and
// completion of keywords in both languages and of the names in scope.
// Positions: LSP counts UTF-16 code units, the front end code points; they
// agree for every character a charter uses (Latin and Cyrillic).
#include <iostream>
#include <map>
#include <optional>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "commands.h"
#include "compiler/driver.h"
#include "compiler/module/writer.h"
#include "compiler/syntax/syntax.h"
#include "compiler/typed/typed.h"
#include "vm/charter_doc.h"

namespace artel::cli {

namespace {

using json = nlohmann::json;

// ---- URIs

std::string uri_to_path(const std::string& uri) {
  std::string s = uri.rfind("file://", 0) == 0 ? uri.substr(7) : uri;
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '%' && i + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[i + 1])) &&
        std::isxdigit(static_cast<unsigned char>(s[i + 2]))) {
      out.push_back(static_cast<char>(std::stoi(s.substr(i + 1, 2), nullptr, 16)));
      i += 2;
    } else {
      out.push_back(s[i]);
    }
  }
  return out;
}

std::string path_to_uri(const std::string& path) {
  static const char* hex = "0123456789ABCDEF";
  std::string out = "file://";
  for (unsigned char c : path) {
    if (std::isalnum(c) || c == '/' || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(hex[c >> 4]);
      out.push_back(hex[c & 15]);
    }
  }
  return out;
}

// ---- positions

bool word_byte(unsigned char c) { return std::isalnum(c) || c == '_' || c >= 0x80; }

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::string line;
  std::istringstream in(text);
  while (std::getline(in, line)) out.push_back(line);
  if (out.empty()) out.emplace_back();
  return out;
}

// The byte offset in `line` of UTF-16 position `character`.
std::size_t byte_at(const std::string& line, std::size_t character) {
  std::size_t i = 0, units = 0;
  while (i < line.size() && units < character) {
    const auto c = static_cast<unsigned char>(line[i]);
    const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return std::min(i, line.size());
}

std::size_t utf16_length(const std::string& s) {
  std::size_t units = 0;
  for (std::size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
    units += n == 4 ? 2 : 1;
    i += n;
  }
  return units;
}

json position(std::uint32_t line, std::uint32_t character) { return {{"line", line}, {"character", character}}; }
// A range for a name starting at front-end location `loc` (1-based line and column).
json name_range(Loc loc, const std::string& name) {
  const std::uint32_t line = loc.line > 0 ? loc.line - 1 : 0, col = loc.col > 0 ? loc.col - 1 : 0;
  return {{"start", position(line, col)},
          {"end", position(line, col + static_cast<std::uint32_t>(utf16_length(name)))}};
}

// ---- analysis

// Loads libraries as the checker asks for them, and keeps their text.
class RecordingLoader : public typed::LibraryLoader {
 public:
  explicit RecordingLoader(std::filesystem::path dir) : base_(std::move(dir)) {}
  std::optional<SourceFile> load(const std::string& name) override {
    auto f = base_.load(name);
    if (f) loaded[name] = *f;
    return f;
  }
  std::map<std::string, SourceFile> loaded;

 private:
  compiler::DirectoryLibraryLoader base_;
};

struct Analysis {
  std::string path, text;
  std::optional<syntax::File> syntax;
  std::optional<typed::Charter> typed;
  std::map<std::string, syntax::File> libraries;  // by import name, for definitions
  Diagnostics diags;
};

const char* kKeywords[] = {
    "charter", "version", "currency", "scale", "rounding", "down", "up", "half_even", "period", "week", "month",
    "import", "article", "text", "parameter", "state", "account", "record", "rule", "clause", "every", "by",
    "member", "cooperative", "assembly", "quorum", "guarantors", "of", "let", "require", "else", "if", "for",
    "each", "in", "transfer", "split", "from", "to", "among", "pro rata", "remainder", "emit", "remove",
    "return", "and", "or", "not", "true", "false", "money", "rate", "count", "bool", "map", "members",
    "устав", "версия", "валюта", "знаков", "округление", "вниз", "вверх", "период", "неделя", "месяц",
    "использовать", "статья", "текст", "параметр", "состояние", "счёт", "запись", "правило", "пункт", "каждую",
    "утверждает", "участник", "кооператив", "пусть", "требуется", "иначе", "если", "для", "каждого", "среди",
    "перевести", "разделить", "из", "в", "между", "пропорционально", "остаток", "событие", "удалить", "вернуть",
    "и", "или", "не", "истина", "ложь", "деньги", "ставка", "количество"};

class Server {
 public:
  int run(std::istream& in, std::ostream& out) {
    out_ = &out;
    while (true) {
      std::size_t length = 0;
      std::string header;
      bool any = false;
      while (std::getline(in, header)) {
        any = true;
        if (!header.empty() && header.back() == '\r') header.pop_back();
        if (header.empty()) break;
        const std::string key = "Content-Length:";
        if (header.rfind(key, 0) == 0) length = std::stoul(header.substr(key.size()));
      }
      if (!any || !in) return shutdown_ ? 0 : 1;
      std::string body(length, '\0');
      in.read(body.data(), static_cast<std::streamsize>(length));
      if (static_cast<std::size_t>(in.gcount()) != length) return 1;
      json msg = json::parse(body, nullptr, false);
      if (msg.is_discarded()) {
        reply_error(nullptr, -32700, "the message is not JSON");
        continue;
      }
      if (msg.value("method", "") == "exit") return shutdown_ ? 0 : 1;
      try {
        handle(msg);
      } catch (const std::exception& e) {
        if (msg.contains("id")) reply_error(msg["id"], -32603, e.what());
      }
    }
  }

 private:
  void send(const json& j) {
    const std::string body = j.dump();
    *out_ << "Content-Length: " << body.size() << "\r\n\r\n" << body;
    out_->flush();
  }
  void reply(const json& id, const json& result) { send({{"jsonrpc", "2.0"}, {"id", id}, {"result", result}}); }
  void reply_error(const json& id, int code, const std::string& message) {
    send({{"jsonrpc", "2.0"}, {"id", id}, {"error", {{"code", code}, {"message", message}}}});
  }

  void handle(const json& msg) {
    const std::string method = msg.value("method", "");
    const json params = msg.value("params", json::object());
    const bool request = msg.contains("id");
    if (method == "initialize") {
      json caps{{"textDocumentSync", 1},
                {"hoverProvider", true},
                {"definitionProvider", true},
                {"documentSymbolProvider", true},
                {"completionProvider", {{"triggerCharacters", json::array()}}}};
      return reply(msg["id"], {{"capabilities", caps}, {"serverInfo", {{"name", "artel"}, {"version", "0.1.0"}}}});
    }
    if (method == "shutdown") {
      shutdown_ = true;
      return reply(msg["id"], nullptr);
    }
    if (method == "textDocument/didOpen") {
      const auto& doc = params["textDocument"];
      return update(doc["uri"], doc["text"]);
    }
    if (method == "textDocument/didChange") {
      const auto& changes = params["contentChanges"];
      if (!changes.empty()) update(params["textDocument"]["uri"], changes.back()["text"]);
      return;
    }
    if (method == "textDocument/didClose") {
      const std::string uri = params["textDocument"]["uri"];
      docs_.erase(uri);
      send({{"jsonrpc", "2.0"},
            {"method", "textDocument/publishDiagnostics"},
            {"params", {{"uri", uri}, {"diagnostics", json::array()}}}});
      return;
    }
    if (method == "textDocument/hover") return reply(msg["id"], hover(params));
    if (method == "textDocument/definition") return reply(msg["id"], definition(params));
    if (method == "textDocument/documentSymbol") return reply(msg["id"], symbols(params));
    if (method == "textDocument/completion") return reply(msg["id"], completion(params));
    if (request) reply_error(msg["id"], -32601, "artel lsp does not answer " + method);
  }

  // ---- documents

  void update(const std::string& uri, const std::string& text) {
    Analysis& a = docs_[uri];
    a.path = uri_to_path(uri);
    a.text = text;
    a.diags = Diagnostics();
    RecordingLoader libs(compiler::default_stdlib_dir());
    std::optional<syntax::File> syn;
    std::optional<typed::Charter> typed;
    compiler::with_large_stack([&] {
      syn = syntax::parse(SourceFile{a.path, text}, a.diags);
      if (syn && !syn->is_library) typed = typed::check(*syn, libs, a.diags);
    });
    // Keep the last good analysis for hover and completion while the
    // text does not parse or check.
    if (syn) a.syntax = std::move(syn);
    if (typed) a.typed = std::move(typed);
    for (const auto& [name, src] : libs.loaded) {
      Diagnostics ignored;
      if (auto f = syntax::parse(src, ignored)) a.libraries.insert_or_assign(name, std::move(*f));
    }
    json list = json::array();
    const auto lines = lines_of(a.text);
    for (const auto& d : a.diags.all()) {
      const bool here = d.file.empty() || d.file == a.path;
      // A problem in an imported library is shown at the top of the file.
      const Loc at = here ? d.loc : Loc{1, 1};
      std::string word;
      if (at.line >= 1 && at.line <= lines.size()) {
        const std::string& line = lines[at.line - 1];
        for (std::size_t i = byte_at(line, at.col > 0 ? at.col - 1 : 0); i < line.size() && word_byte(static_cast<unsigned char>(line[i])); ++i)
          word.push_back(line[i]);
      }
      json range = name_range(at, word.empty() ? std::string(" ") : word);
      list.push_back({{"range", range},
                      {"severity", d.severity == Severity::error ? 1 : d.severity == Severity::warning ? 2 : 3},
                      {"source", "artel"},
                      {"message", here ? d.message
                                       : d.file + ":" + std::to_string(d.loc.line) + ":" + std::to_string(d.loc.col) +
                                             ": " + d.message}});
    }
    send({{"jsonrpc", "2.0"},
          {"method", "textDocument/publishDiagnostics"},
          {"params", {{"uri", uri}, {"diagnostics", list}}}});
  }

  const Analysis* doc(const json& params) const {
    auto it = docs_.find(params["textDocument"]["uri"].get<std::string>());
    return it == docs_.end() ? nullptr : &it->second;
  }

  // The word under the cursor and the (1-based) line it is on.
  static std::string word_at(const Analysis& a, const json& pos, std::uint32_t& line_no) {
    const auto lines = lines_of(a.text);
    const std::size_t ln = pos["line"].get<std::size_t>();
    line_no = static_cast<std::uint32_t>(ln + 1);
    if (ln >= lines.size()) return "";
    const std::string& line = lines[ln];
    std::size_t at = byte_at(line, pos["character"].get<std::size_t>());
    std::size_t begin = at, end = at;
    while (begin > 0 && word_byte(static_cast<unsigned char>(line[begin - 1]))) --begin;
    while (end < line.size() && word_byte(static_cast<unsigned char>(line[end]))) ++end;
    // Step back over UTF-8 continuation bytes, which word_byte accepts too.
    return line.substr(begin, end - begin);
  }

  static std::string article_heading(const typed::Charter& c, int index) {
    if (index < 0 || static_cast<std::size_t>(index) >= c.articles.size()) return "";
    const auto& art = c.articles[static_cast<std::size_t>(index)];
    return "Article " + art.number + ". " + (art.titles.empty() ? std::string() : art.titles.front().text);
  }

  static std::string signature(const typed::Charter& c, const typed::Function& f) {
    std::string s = f.name + "(";
    for (int i = 0; i < f.formal_count; ++i) {
      const auto& l = f.locals[static_cast<std::size_t>(i)];
      s += (i ? ", " : "") + l.name + ": " + typed::type_name(c, l.type);
    }
    return s + ")";
  }

  json hover(const json& params) const {
    const Analysis* a = doc(params);
    if (a == nullptr || !a->typed) return nullptr;
    const typed::Charter& c = *a->typed;
    std::uint32_t line = 0;
    const std::string word = word_at(*a, params["position"], line);
    std::string md;
    // The heading line of an article: its text.
    if (a->syntax)
      for (const auto& art : a->syntax->articles)
        if (art.loc.line == line) {
          md = "**Article " + art.number + ". " + (art.titles.empty() ? std::string() : art.titles.front().text) + "**";
          // The text as members read it: each `{parameter}` with its value.
          vm::Module values;
          for (const auto& p : c.params) values.parameters.push_back({p.name, "", p.value, p.display});
          for (const auto& t : art.texts)
            md += "\n\n" + (t.lang.empty() ? "" : "*" + t.lang + "* ") + vm::render_text(t.text, values, t.lang);
        }
    if (md.empty() && !word.empty()) {
      for (const auto& p : c.params)
        if (p.name == word)
          md = "**parameter** `" + p.name + "`: " + typed::type_name(c, p.type) + " = `" + p.display + "`\n\n" +
               article_heading(c, p.article);
      for (const auto& f : c.functions) {
        if (f.name != word || !md.empty()) continue;
        if (f.kind == typed::FunctionKind::rule) {
          vm::EntryPoint e;
          e.kind = vm::EntryKind::Rule;
          for (int i = 0; i < f.formal_count; ++i) e.params.push_back({f.locals[static_cast<std::size_t>(i)].name, ""});
          e.rights = module::rights(f);
          md = "**rule** `" + signature(c, f) + "`\n\nWho may call it: " + vm::rights_in_words(e, "en") + " (" +
               vm::rights_in_words(e, "ru") + ")\n\n" + article_heading(c, f.article);
        } else if (f.kind == typed::FunctionKind::clause) {
          std::string result = f.result.kind == typed::Kind::void_ ? "" : " -> " + typed::type_name(c, f.result);
          md = "**clause** `" + signature(c, f) + result + "`" +
               (f.library.empty() ? "\n\n" + article_heading(c, f.article) : "\n\nfrom the library `" + f.library + "`");
        } else {
          md = "**every " + std::string(f.every == typed::PeriodUnit::week ? "week" : "month") + "**, run by the ledger\n\n" +
               article_heading(c, f.article);
        }
      }
      for (const auto& s : c.states)
        if (s.name == word && md.empty())
          md = "**state** `" + s.name + "`: " + typed::type_name(c, s.type) + "\n\n" + article_heading(c, s.article);
      for (const auto& acc : c.accounts)
        if (acc.name == word && md.empty())
          md = "**account** `" + acc.name + "`" + (acc.keyed ? std::string(" (one per ") + typed::kind_name(acc.key) + ")" : "") +
               "\n\n" + article_heading(c, acc.article);
      for (const auto& r : c.records)
        if (r.name == word && md.empty()) {
          md = "**record** `" + r.name + "`";
          for (const auto& f : r.fields) md += "\n- `" + f.name + "`: " + typed::type_name(c, f.type);
        }
    }
    if (md.empty()) return nullptr;
    return {{"contents", {{"kind", "markdown"}, {"value", md}}}};
  }

  json definition(const json& params) const {
    const Analysis* a = doc(params);
    if (a == nullptr || !a->syntax) return nullptr;
    std::uint32_t line = 0;
    const std::string word = word_at(*a, params["position"], line);
    if (word.empty()) return nullptr;
    for (const auto& art : a->syntax->articles)
      for (const auto& d : art.decls)
        if (d.name == word) return json{{"uri", path_to_uri(a->path)}, {"range", name_range(d.name_loc, d.name)}};
    for (const auto& [name, lib] : a->libraries)
      for (const auto& d : lib.library_decls)
        if (d.name == word) return json{{"uri", path_to_uri(lib.path)}, {"range", name_range(d.name_loc, d.name)}};
    return nullptr;
  }

  json symbols(const json& params) const {
    const Analysis* a = doc(params);
    json out = json::array();
    if (a == nullptr || !a->syntax) return out;
    const auto& arts = a->syntax->articles;
    const auto lines = lines_of(a->text);
    auto kind_of = [](syntax::DeclKind k) {
      switch (k) {
        case syntax::DeclKind::param: return 14;     // Constant
        case syntax::DeclKind::state: return 13;     // Variable
        case syntax::DeclKind::account: return 8;    // Field
        case syntax::DeclKind::record: return 23;    // Struct
        case syntax::DeclKind::rule: return 12;      // Function
        case syntax::DeclKind::periodic: return 24;  // Event
        case syntax::DeclKind::clause: return 6;     // Method
      }
      return 13;
    };
    for (std::size_t i = 0; i < arts.size(); ++i) {
      const auto& art = arts[i];
      const std::uint32_t first = art.loc.line - 1;
      std::uint32_t last = i + 1 < arts.size() ? arts[i + 1].loc.line - 2 : static_cast<std::uint32_t>(lines.size() - 1);
      if (last < first) last = first;
      json children = json::array();
      for (const auto& d : art.decls) {
        const std::string name = d.kind == syntax::DeclKind::periodic ? std::string("every ") + (d.every == syntax::PeriodUnit::week ? "week" : "month") : d.name;
        const Loc at = d.kind == syntax::DeclKind::periodic ? d.loc : d.name_loc;
        json r = name_range(at, d.kind == syntax::DeclKind::periodic ? std::string("every") : d.name);
        children.push_back({{"name", name}, {"kind", kind_of(d.kind)}, {"range", r}, {"selectionRange", r}});
      }
      const std::string title = art.titles.empty() ? std::string() : art.titles.front().text;
      json range{{"start", position(first, 0)},
                 {"end", position(last, static_cast<std::uint32_t>(utf16_length(lines[std::min<std::size_t>(last, lines.size() - 1)])))}};
      out.push_back({{"name", "Article " + art.number + ". " + title},
                     {"kind", 2},  // Module
                     {"range", range},
                     {"selectionRange", name_range(art.loc, "article")},
                     {"children", children}});
    }
    return out;
  }

  json completion(const json& params) const {
    json items = json::array();
    std::set<std::string> seen;
    auto add = [&](const std::string& label, int kind, const std::string& detail) {
      if (seen.insert(label).second) items.push_back({{"label", label}, {"kind", kind}, {"detail", detail}});
    };
    const Analysis* a = doc(params);
    if (a != nullptr && a->typed) {
      const typed::Charter& c = *a->typed;
      for (const auto& p : c.params) add(p.name, 21, "parameter: " + typed::type_name(c, p.type) + " = " + p.display);
      for (const auto& f : c.functions)
        if (f.kind != typed::FunctionKind::periodic)
          add(f.name, 3, std::string(f.kind == typed::FunctionKind::rule ? "rule " : "clause ") + signature(c, f));
      for (const auto& s : c.states) add(s.name, 6, "state: " + typed::type_name(c, s.type));
      for (const auto& acc : c.accounts) add(acc.name, 5, "account");
      for (const auto& r : c.records) add(r.name, 22, "record");
    }
    for (const char* k : kKeywords) add(k, 14, "keyword");
    return {{"isIncomplete", false}, {"items", items}};
  }

  std::map<std::string, Analysis> docs_;
  std::ostream* out_ = nullptr;
  bool shutdown_ = false;
};

}  // namespace

void add_lsp_command(CLI::App& app, Context& ctx) {
  auto* lsp = app.add_subcommand(
      "lsp", "A language server for charters over stdio (diagnostics, hover, definitions, symbols, completion)");
  static bool stdio = true;  // editors pass --stdio; it is the only way
  lsp->add_flag("--stdio", stdio, "talk over the standard input and output (the default and only way)");
  lsp->callback([&ctx] {
    std::ios::sync_with_stdio(false);
    Server server;
    ctx.exit_code = server.run(std::cin, std::cout);
  });
}

}  // namespace artel::cli
