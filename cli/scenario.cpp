#include "scenario.h"

#include <algorithm>
#include <cctype>
#include <initializer_list>
#include <string_view>

namespace artel::cli::scenario {

namespace {

enum class T { word, number, string, punct };

struct Token {
  T kind = T::word;
  std::string text;  // word: as written; number: digits with '.'; string: unescaped; punct: the character
  int col = 0;
};

// One line's tokens, or the reason it has none.
struct Lexed {
  std::vector<Token> tokens;
  std::optional<ParseError> error;
};

bool word_byte(unsigned char c) {
  return std::isalnum(c) || c == '_' || c >= 0x80;
}

// Columns count characters, not bytes: a Russian line's caret lands right.
int column(std::string_view line, std::size_t byte) {
  int col = 1;
  for (std::size_t i = 0; i < byte && i < line.size(); ++i)
    if ((static_cast<unsigned char>(line[i]) & 0xC0) != 0x80) ++col;
  return col;
}

Lexed lex(std::string_view line, int line_no) {
  Lexed out;
  std::size_t i = 0;
  auto err = [&](std::size_t at, std::string msg) {
    out.error = ParseError{{line_no, column(line, at)}, std::move(msg)};
    return out;
  };
  while (i < line.size()) {
    const auto c = static_cast<unsigned char>(line[i]);
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
      continue;
    }
    if (c == '#' || (c == '/' && i + 1 < line.size() && line[i + 1] == '/')) break;
    const std::size_t start = i;
    if (c == '"') {
      std::string s;
      ++i;
      bool closed = false;
      while (i < line.size()) {
        if (line[i] == '\\' && i + 1 < line.size()) {
          s.push_back(line[i + 1]);
          i += 2;
          continue;
        }
        if (line[i] == '"') {
          closed = true;
          ++i;
          break;
        }
        s.push_back(line[i++]);
      }
      if (!closed) return err(start, "the quoted text is not closed with '\"' on this line");
      out.tokens.push_back({T::string, std::move(s), column(line, start)});
      continue;
    }
    if (std::isdigit(c)) {
      std::string digits;
      auto run = [&] {
        while (i < line.size() && std::isdigit(static_cast<unsigned char>(line[i])))
          digits.push_back(line[i++]);
      };
      run();
      // Thousands grouped by a space, as lawyers write them: "10 000.00".
      while (i + 3 < line.size() && line[i] == ' ' && std::isdigit(static_cast<unsigned char>(line[i + 1])) &&
             std::isdigit(static_cast<unsigned char>(line[i + 2])) &&
             std::isdigit(static_cast<unsigned char>(line[i + 3])) &&
             (i + 4 >= line.size() || !std::isdigit(static_cast<unsigned char>(line[i + 4])))) {
        ++i;
        run();
      }
      // A decimal point or a decimal comma directly between digits.
      if (i + 1 < line.size() && (line[i] == '.' || line[i] == ',') &&
          std::isdigit(static_cast<unsigned char>(line[i + 1]))) {
        digits.push_back('.');
        ++i;
        run();
      }
      if (i < line.size() && word_byte(static_cast<unsigned char>(line[i])) &&
          !(static_cast<unsigned char>(line[i]) >= 0x80))
        return err(start, "a number must be followed by a space, a currency or '%'");
      out.tokens.push_back({T::number, std::move(digits), column(line, start)});
      continue;
    }
    if (word_byte(c)) {
      while (i < line.size() && word_byte(static_cast<unsigned char>(line[i]))) ++i;
      out.tokens.push_back({T::word, std::string(line.substr(start, i - start)), column(line, start)});
      continue;
    }
    if (std::string_view("(),=:.[]%-+").find(static_cast<char>(c)) != std::string_view::npos) {
      out.tokens.push_back({T::punct, std::string(1, static_cast<char>(c)), column(line, start)});
      ++i;
      continue;
    }
    return err(start, std::string("unexpected character '") + static_cast<char>(c) + "'");
  }
  return out;
}

std::string lower_ascii(std::string s) {
  for (auto& ch : s)
    if (ch >= 'A' && ch <= 'Z') ch = static_cast<char>(ch - 'A' + 'a');
  return s;
}

// Keywords, each with its English and Russian spellings. A form ending in
// '*' matches any ending (Russian inflects: неделя, недели, недель).
struct Keyword {
  std::string_view name;
  std::initializer_list<std::string_view> forms;
};
const Keyword keywords[] = {
    {"scenario", {"scenario", "сценарий"}},
    {"platform", {"platform", "платформа", "платформы"}},
    {"cooperative", {"cooperative", "кооператив"}},
    {"person", {"person", "persons", "лицо", "лица"}},
    {"admit", {"admit", "принять"}},
    {"contribution", {"contribution", "взнос"}},
    {"transfer", {"transfer", "перевод"}},
    {"return", {"return", "возврат"}},
    {"call", {"call", "вызов"}},
    {"advance", {"advance", "через"}},
    {"next", {"next", "следующая", "следующий", "следующую", "следующее"}},
    {"amend", {"amend", "изменить", "изменение"}},
    {"expect", {"expect", "ожидается", "ожидать"}},
    {"balance", {"balance", "остаток", "баланс"}},
    {"refused", {"refused", "отказ", "отказано"}},
    {"event", {"event", "событие", "события"}},
    {"no", {"no", "нет"}},
    {"statement", {"statement", "выписка"}},
    {"state", {"state", "состояние"}},
    {"article", {"article", "стать*"}},
    {"of", {"of", "устава"}},
    {"to", {"to", "в", "к", "для", "пайщику"}},
    {"from", {"from", "от"}},
    {"in", {"in", "в"}},
    {"by", {"by", "от"}},
    {"approved", {"approved", "одобрили", "одобрено"}},
    {"setting", {"setting", "установив"}},
    {"share", {"share", "пай"}},
    {"own", {"own", "собственный", "свой"}},
    {"fund", {"fund", "фонд"}},
    {"true", {"true", "истина"}},
    {"false", {"false", "ложь"}},
    {"day", {"day", "days", "день", "дня", "дней"}},
    {"week", {"week", "weeks", "недел*"}},
    {"month", {"month", "months", "месяц*"}},
    {"period", {"period", "periods", "период*"}},
};

bool form_matches(std::string_view form, std::string_view word) {
  if (!form.empty() && form.back() == '*')
    return word.substr(0, form.size() - 1) == form.substr(0, form.size() - 1);
  return form == word;
}

bool is_kw(const Token& t, std::string_view name) {
  if (t.kind != T::word) return false;
  const std::string w = lower_ascii(t.text);
  for (const auto& k : keywords)
    if (k.name == name)
      for (auto f : k.forms)
        if (form_matches(f, w)) return true;
  return false;
}

bool is_currency(const Token& t) {
  if (t.kind != T::word) return false;
  if (t.text.size() == 3 &&
      std::all_of(t.text.begin(), t.text.end(), [](char ch) { return ch >= 'A' && ch <= 'Z'; }))
    return true;
  return form_matches("руб*", t.text) || t.text == "₽";
}

class Parser {
 public:
  Parser(std::vector<Token> toks, int line) : t_(std::move(toks)), line_(line) {}

  bool done() const { return i_ >= t_.size(); }
  const Token* peek(std::size_t ahead = 0) const {
    return i_ + ahead < t_.size() ? &t_[i_ + ahead] : nullptr;
  }
  Where here() const { return {line_, i_ < t_.size() ? t_[i_].col : (t_.empty() ? 1 : t_.back().col + 1)}; }

  [[noreturn]] void fail(const std::string& what) const {
    const Token* t = peek();
    throw ParseError{here(), what + (t ? ", found '" + t->text + "'" : ", found the end of the line")};
  }
  bool accept_kw(std::string_view k) {
    if (peek() && is_kw(*peek(), k)) {
      ++i_;
      return true;
    }
    return false;
  }
  void kw(std::string_view k, const std::string& what) {
    if (!accept_kw(k)) fail("expected " + what);
  }
  bool accept_punct(char c) {
    if (peek() && peek()->kind == T::punct && peek()->text[0] == c) {
      ++i_;
      return true;
    }
    return false;
  }
  void punct(char c) {
    if (!accept_punct(c)) fail(std::string("expected '") + c + "'");
  }
  std::string name(const std::string& what) {
    const Token* t = peek();
    if (!t || t->kind != T::word) fail("expected " + what);
    ++i_;
    return t->text;
  }
  std::string string(const std::string& what) {
    const Token* t = peek();
    if (!t || t->kind != T::string) fail("expected " + what + " in quotes");
    ++i_;
    return t->text;
  }
  std::optional<std::string> maybe_string() {
    if (peek() && peek()->kind == T::string) return string("");
    return std::nullopt;
  }
  std::uint64_t integer(const std::string& what) {
    const Token* t = peek();
    if (!t || t->kind != T::number || t->text.find('.') != std::string::npos || t->text.size() > 9)
      fail("expected " + what);
    ++i_;
    return std::stoull(t->text);
  }
  void end() {
    if (!done()) fail("expected the end of the line");
  }

  std::vector<std::string> names(const std::string& what) {
    std::vector<std::string> out{name(what)};
    while (accept_punct(',')) out.push_back(name(what));
    return out;
  }

  MemberRef member(const std::string& what) {
    MemberRef m;
    m.at = here();
    m.name = name(what);
    if (accept_kw("in")) m.coop = name("the cooperative after 'in'");
    return m;
  }

  Value value() {
    Value v;
    v.at = here();
    const bool negative = accept_punct('-');
    if (!negative) accept_punct('+');
    const Token* t = peek();
    if (t && t->kind == T::number) {
      ++i_;
      v.digits = (negative ? "-" : "") + t->text;
      if (accept_punct('%')) {
        v.kind = Value::Kind::rate;
      } else if (peek() && is_currency(*peek())) {
        v.kind = Value::Kind::money;
        v.currency = peek()->text;
        ++i_;
        if (form_matches("руб*", v.currency)) accept_punct('.');  // "руб."
      } else {
        v.kind = Value::Kind::number;
      }
      return v;
    }
    if (negative) fail("expected a number after '-'");
    if (t && (is_kw(*t, "true") || is_kw(*t, "false"))) {
      v.kind = Value::Kind::boolean;
      v.flag = is_kw(*t, "true");
      ++i_;
      return v;
    }
    if (t && t->kind == T::word) {
      v.kind = Value::Kind::name;
      v.name = member("a value");
      return v;
    }
    fail("expected a value (an amount such as 100.00 RUB, a rate such as 0.5%, a number or a name)");
  }

  std::vector<Value> values(char close) {
    std::vector<Value> out;
    if (accept_punct(close)) return out;
    out.push_back(value());
    while (accept_punct(',')) out.push_back(value());
    punct(close);
    return out;
  }

  AccountRef account() {
    AccountRef a;
    a.at = here();
    if (peek(1) && peek(1)->kind == T::punct && peek(1)->text == "(") {
      if (accept_kw("share")) {
        punct('(');
        a.kind = AccountRef::Kind::share;
        a.member = member("a member");
        punct(')');
        return a;
      }
      if (accept_kw("own")) {
        punct('(');
        a.kind = AccountRef::Kind::own;
        a.coop = name("a cooperative");
        punct(')');
        return a;
      }
      fail("expected an account: share(MEMBER), own(COOP), fund, COOP.ACCOUNT or a member");
    }
    if (peek() && is_kw(*peek(), "fund") && !(peek(1) && peek(1)->kind == T::punct && peek(1)->text == ".")) {
      ++i_;
      a.kind = AccountRef::Kind::fund;
      return a;
    }
    if (peek(1) && peek(1)->kind == T::punct && peek(1)->text == ".") {
      a.kind = AccountRef::Kind::charter;
      a.coop = name("a cooperative");
      punct('.');
      a.family = name("the name of an account the charter declares");
      if (accept_punct('[')) {
        a.keyed = true;
        a.member = member("a member");
        punct(']');
      }
      return a;
    }
    a.kind = AccountRef::Kind::share;
    a.member = member("an account: share(MEMBER), own(COOP), fund, COOP.ACCOUNT or a member");
    return a;
  }

  // `article N [of COOP]`
  void citation(Step& s) {
    if (!accept_kw("article")) return;
    s.article = static_cast<std::uint32_t>(integer("the article's number"));
    if (accept_kw("of"))
      s.coop = accept_kw("platform") ? "platform" : name("the cooperative whose charter it is");
  }

  void approvals(Step& s) {
    if (!accept_kw("approved")) return;
    accept_kw("by");
    s.names = names("the name of an approver");
  }

  Step step() {
    Step s;
    s.at = here();
    if (accept_kw("platform")) {
      s.kind = StepKind::platform;
      s.path = string("the platform charter's file");
    } else if (accept_kw("cooperative")) {
      s.kind = StepKind::cooperative;
      s.coop = name("the cooperative's name");
      if (auto p = maybe_string()) s.path = *p;
    } else if (accept_kw("person")) {
      s.kind = StepKind::person;
      s.names = names("a person's name");
    } else if (accept_kw("admit")) {
      s.kind = StepKind::admit;
      s.names = names("a person's name");
      kw("to", "'to' and the cooperative");
      s.coop = name("the cooperative's name");
    } else if (accept_kw("contribution")) {
      s.kind = StepKind::contribution;
      s.amount = value();
      kw("from", "'from' and the member");
      s.member = member("the contributing member");
    } else if (accept_kw("transfer")) {
      s.kind = StepKind::transfer;
      s.amount = value();
      kw("from", "'from' and the paying member");
      s.member = member("the paying member");
      kw("to", "'to' and the receiving member");
      s.to = member("the receiving member");
      if (auto m = maybe_string()) s.text = *m;
    } else if (accept_kw("return")) {
      s.kind = StepKind::return_share;
      s.amount = value();
      kw("to", "'to' and the member");
      s.member = member("the member");
    } else if (accept_kw("call")) {
      s.kind = StepKind::call;
      if (peek(1) && peek(1)->kind == T::punct && peek(1)->text == ".") {
        s.coop = accept_kw("platform") ? "platform" : name("the cooperative");
        punct('.');
      }
      s.rule = name("the rule's name");
      punct('(');
      s.args = values(')');
      kw("by", "'by' and who signs");
      s.member = member("who signs");
      approvals(s);
    } else if (accept_kw("advance")) {
      s.kind = StepKind::advance;
      if (peek() && peek()->kind == T::number) s.count = integer("a number of periods");
      s.unit = unit();
    } else if (accept_kw("next")) {
      s.kind = StepKind::advance;
      s.unit = unit();
    } else if (accept_kw("amend")) {
      s.kind = StepKind::amend;
      s.coop = accept_kw("platform") ? "platform" : name("the cooperative whose charter is amended");
      if (accept_kw("setting")) {
        do {
          std::string n = name("a parameter's name");
          punct('=');
          s.settings.emplace_back(std::move(n), value());
        } while (accept_punct(','));
      } else {
        s.path = string("the new version's file (or 'setting NAME = VALUE')");
      }
      kw("by", "'by' and who proposes the amendment");
      s.member = member("who proposes the amendment");
      approvals(s);
    } else if (accept_kw("expect")) {
      expectation(s);
    } else {
      fail(
          "expected a step (platform, cooperative, person, admit, contribution, transfer, return, call, "
          "advance, "
          "next, amend) or an expectation (expect ...)");
    }
    end();
    return s;
  }

  std::string unit() {
    if (accept_kw("day")) return "day";
    if (accept_kw("week")) return "week";
    if (accept_kw("month")) return "month";
    if (accept_kw("period")) return "period";
    fail("expected day, week, month or period");
  }

  void expectation(Step& s) {
    if (accept_kw("balance")) {
      s.kind = StepKind::expect_balance;
      s.account = account();
      punct('=');
      s.amount = value();
    } else if (accept_kw("refused")) {
      s.kind = StepKind::expect_refused;
      if (peek() && peek()->kind == T::word && !is_kw(*peek(), "article"))
        s.rule = name("the refusal's code");
      citation(s);
      if (auto m = maybe_string()) s.text = *m;
    } else if (accept_kw("no")) {
      s.kind = StepKind::expect_event;
      s.negated = true;
      kw("event", "'event'");
      s.rule = name("the event's name");
      if (accept_punct('(')) {
        s.has_args = true;
        s.args = values(')');
      }
    } else if (accept_kw("event")) {
      s.kind = StepKind::expect_event;
      s.rule = name("the event's name");
      if (accept_punct('(')) {
        s.has_args = true;
        s.args = values(')');
      }
    } else if (accept_kw("statement")) {
      s.kind = StepKind::expect_statement;
      s.account = account();
      punct(':');
      s.amount = value();
      citation(s);
      if (auto m = maybe_string()) s.text = *m;
    } else if (accept_kw("state")) {
      s.kind = StepKind::expect_state;
      s.coop = accept_kw("platform") ? "platform" : name("the cooperative");
      punct('.');
      s.rule = name("the charter's state variable");
      if (accept_punct('[')) {
        s.key = value();
        punct(']');
        if (accept_punct('.')) s.field = name("a field of the record");
      }
      punct('=');
      s.amount = value();
    } else {
      fail("expected balance, refused, event, no event, statement or state after 'expect'");
    }
  }

 private:
  std::vector<Token> t_;
  int line_;
  std::size_t i_ = 0;
};

}  // namespace

std::string Value::text() const {
  switch (kind) {
    case Kind::number:
      return digits;
    case Kind::money:
      return digits + " " + currency;
    case Kind::rate:
      return digits + "%";
    case Kind::boolean:
      return flag ? "true" : "false";
    case Kind::name:
      return name.coop.empty() ? name.name : name.name + " in " + name.coop;
  }
  return digits;
}

std::string AccountRef::text() const {
  auto m = [&] { return member.coop.empty() ? member.name : member.name + " in " + member.coop; };
  switch (kind) {
    case Kind::share:
      return "share(" + m() + ")";
    case Kind::own:
      return "own(" + coop + ")";
    case Kind::fund:
      return "fund";
    case Kind::charter:
      return coop + "." + family + (keyed ? "[" + m() + "]" : "");
  }
  return "?";
}

std::optional<File> parse(const std::string& path, const std::string& text, std::vector<ParseError>& errors) {
  File file;
  file.path = path;
  std::vector<Step> prelude;
  std::size_t pos = 0;
  int line_no = 0;
  bool in_scenario = false;
  while (pos <= text.size()) {
    std::size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) nl = text.size();
    std::string_view line(text.data() + pos, nl - pos);
    pos = nl + 1;
    ++line_no;
    Lexed lx = lex(line, line_no);
    if (lx.error) {
      errors.push_back(*lx.error);
      continue;
    }
    if (lx.tokens.empty()) {
      if (nl == text.size()) break;
      continue;
    }
    try {
      if (is_kw(lx.tokens[0], "scenario")) {
        Parser p(std::move(lx.tokens), line_no);
        p.accept_kw("scenario");
        Scenario sc;
        sc.at = {line_no, 1};
        sc.title = p.string("the scenario's title");
        p.end();
        sc.steps = prelude;
        file.scenarios.push_back(std::move(sc));
        in_scenario = true;
      } else {
        Parser p(std::move(lx.tokens), line_no);
        Step s = p.step();
        (in_scenario ? file.scenarios.back().steps : prelude).push_back(std::move(s));
      }
    } catch (const ParseError& e) {
      errors.push_back(e);
    }
    if (nl == text.size()) break;
  }
  if (!in_scenario && errors.empty()) {
    // A file without `scenario` lines is one scenario named after the file.
    Scenario sc;
    sc.title = path;
    sc.at = {1, 1};
    sc.steps = std::move(prelude);
    file.scenarios.push_back(std::move(sc));
  }
  if (!errors.empty()) return std::nullopt;
  return file;
}

}  // namespace artel::cli::scenario
