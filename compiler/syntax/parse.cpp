// ANTLR parse tree -> syntax tree. Syntax only: no names are resolved here.
#include <antlr4-runtime.h>

#include <algorithm>
#include <sstream>

#include "ArtelLexer.h"
#include "ArtelParser.h"
#include "compiler/syntax/syntax.h"
#include "compiler/syntax/utf8.h"

namespace artel::syntax {

namespace {

using P = artel_grammar::ArtelParser;
using L = artel_grammar::ArtelLexer;

// Limits that keep a hostile file from exhausting the stack or memory.
// 4 MiB, 160 times the largest shipped charter: parsing that much real
// charter text takes about 2 s and 420 MB here (docs/performance.md), so
// any file a charter may be is answered within a few seconds.
constexpr std::size_t kMaxFileBytes = 4u << 20;
constexpr int kMaxBracketDepth = 256;
constexpr int kMaxPrefixRun = 256;
constexpr int kMaxExprDepth = 1000;
// Blocks nested in blocks, counting each `else if` as one more level (it
// nests the next `if` in the else branch): later stages recurse over them.
constexpr int kMaxNesting = 512;

// How a token is named in "expected ..." messages.
std::string token_display(std::size_t type, const antlr4::dfa::Vocabulary& vocab) {
  switch (type) {
    case antlr4::Token::EOF: return "end of file";
    case L::IDENT: return "a name";
    case L::INT: return "a whole number";
    case L::DECIMAL: return "a decimal number";
    case L::STRING: return "a string in quotes";
    case L::PRO_RATA: return "'pro rata'";
    case L::GUARANTOR: return "'guarantors'";
    case L::PARAM: return "'parameter'";
    default: break;
  }
  std::string lit = vocab.getLiteralName(type);
  if (!lit.empty()) return lit;
  std::string sym = vocab.getSymbolicName(type);
  std::transform(sym.begin(), sym.end(), sym.begin(), [](unsigned char c) { return std::tolower(c); });
  return "'" + sym + "'";
}

std::string describe_token(const antlr4::Token* t, const antlr4::dfa::Vocabulary& vocab) {
  if (t == nullptr) return "input";
  if (t->getType() == antlr4::Token::EOF) return "end of file";
  std::string text = t->getText();
  if (text.size() > 40) text = text.substr(0, 37) + "...";
  if (t->getType() == L::STRING) return "string " + text;
  if (t->getType() == L::BAD_CHAR) return "character '" + text + "'";
  (void)vocab;
  return "'" + text + "'";
}

// A `{` the file never closes, found before parsing, so that an error at
// the end of the file can say which one it is.
struct UnclosedBrace {
  Loc construct;     // first token of the line that opens it
  Loc brace;         // the `{` itself
  std::string what;  // "article 2", "rule pay", "the `if` block"
};

// Words that begin a line of a charter (an item or a statement), in both
// languages: the candidates for "did you mean".
constexpr const char* kLineKeywords[] = {
    "charter", "currency", "rounding", "period", "import", "article", "text", "parameter", "state", "account",
    "record", "rule", "clause", "every", "let", "require", "if", "else", "for", "transfer", "split", "emit",
    "remove", "return", "устав", "валюта", "округление", "период", "использовать", "статья", "текст", "параметр",
    "состояние", "счёт", "запись", "правило", "пункт", "каждую", "пусть", "требуется", "если", "иначе", "для",
    "перевести", "разделить", "событие", "удалить", "вернуть"};

// Optimal string alignment distance over code points (a swap of two
// neighbours counts once): "whlie" is 1 from "while".
std::size_t edit_distance(const std::string& a8, const std::string& b8) {
  auto points = [](const std::string& s) {
    std::vector<std::uint32_t> out;
    for (std::size_t i = 0; i < s.size();) {
      const auto c = static_cast<unsigned char>(s[i]);
      const std::size_t n = c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
      std::uint32_t cp = 0;
      for (std::size_t k = 0; k < n && i + k < s.size(); ++k) cp = cp << 8 | static_cast<unsigned char>(s[i + k]);
      out.push_back(cp);
      i += n;
    }
    return out;
  };
  const auto a = points(a8), b = points(b8);
  std::vector<std::vector<std::size_t>> d(a.size() + 1, std::vector<std::size_t>(b.size() + 1));
  for (std::size_t i = 0; i <= a.size(); ++i) d[i][0] = i;
  for (std::size_t j = 0; j <= b.size(); ++j) d[0][j] = j;
  for (std::size_t i = 1; i <= a.size(); ++i)
    for (std::size_t j = 1; j <= b.size(); ++j) {
      d[i][j] = std::min({d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] == b[j - 1] ? 0 : 1)});
      if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1]) d[i][j] = std::min(d[i][j], d[i - 2][j - 2] + 1);
    }
  return d[a.size()][b.size()];
}

// Constructs Artel does not have, with what to write instead.
std::optional<std::string> missing_construct(const std::string& word) {
  if (word == "while" || word == "пока" || word == "loop" || word == "do" || word == "until")
    return "Artel has no `" + word + "` loop: every rule must end, so it repeats only over something finite — "
           "`for m in members { ... }`, over a state table, or `for i in range(1, n) { ... }`";
  if (word == "goto") return std::string("Artel has no `goto`: write the steps in order, with `if` and `for`");
  if (word == "break" || word == "continue")
    return "Artel has no `" + word + "`: put the condition in an `if` around the loop's body";
  return std::nullopt;
}

// The currency as people write it in Russian, which Artel spells by its code.
bool is_currency_habit(const std::string& w) {
  for (const char* h : {"руб", "Руб", "руб.", "р", "р.", "₽", "рублей", "рубля", "рубль", "rub", "Rub"})
    if (w == h) return true;
  return false;
}

// A word at the start of its line, where a keyword belongs, that is not
// one: the keyword it most likely misspells, or nullopt.
std::optional<std::string> misspelled_keyword(const std::string& word) {
  std::optional<std::string> best;
  std::size_t best_d = 0;
  const std::size_t allowed = word.size() <= 4 ? 1 : 2;
  for (const char* k : kLineKeywords) {
    const std::size_t d = edit_distance(word, k);
    if (d > 0 && d <= allowed && (!best || d < best_d)) {
      best = k;
      best_d = d;
    }
  }
  for (const char* k : {"while", "goto"})
    if (edit_distance(word, k) == 1 && (!best || best_d > 1)) best = k;
  return best;
}

class ErrorListener : public antlr4::BaseErrorListener {
 public:
  ErrorListener(const std::string& path, Diagnostics& diags) : path_(path), diags_(diags) {}

  void set_unclosed(std::optional<UnclosedBrace> u) { unclosed_ = std::move(u); }

  void syntaxError(antlr4::Recognizer* recognizer, antlr4::Token* offending, std::size_t line,
                   std::size_t col, const std::string& msg, std::exception_ptr) override {
    ++count_;
    Loc loc{static_cast<std::uint32_t>(line), static_cast<std::uint32_t>(col + 1)};
    // The end of the file, or an `article` (which only the top level may
    // hold), where the parser still expected a block's content: a `}` is
    // missing, and the listener knows which `{` lacks it.
    // Only past the unclosed `{`: an error before it is a different one.
    const bool past_brace = unclosed_ && (loc.line > unclosed_->brace.line ||
                                          (loc.line == unclosed_->brace.line && loc.col > unclosed_->brace.col));
    if (offending != nullptr && past_brace &&
        (offending->getType() == antlr4::Token::EOF || offending->getType() == L::ARTICLE)) {
      const bool at_end = offending->getType() == antlr4::Token::EOF;
      const Loc b = unclosed_->brace;
      const std::string opened = std::to_string(b.line) + ":" + std::to_string(b.col);
      diags_.error(path_, unclosed_->construct,
                   "missing '}' to close " + unclosed_->what + " opened at " + opened + ": " +
                       (at_end ? std::string("the file ends before it")
                               : "the next article begins at " + std::to_string(line) + ":" +
                                     std::to_string(col + 1) + " before it"));
      unclosed_.reset();  // once: the parser may report the end of file again
      return;
    }
    auto* parser = dynamic_cast<antlr4::Parser*>(recognizer);
    if (parser == nullptr) {
      diags_.error(path_, loc, "unreadable input: " + msg);
      return;
    }
    // A word taught about above (`while x > y {`) opened a `{` the parser
    // did not read as a block, so the last `}` of the file is one too many:
    // a consequence, not a second mistake.
    if (taught_ && offending != nullptr && offending->getText() == "}" &&
        dynamic_cast<P::FileContext*>(parser->getContext()) != nullptr)
      return;
    const auto& vocab = parser->getVocabulary();
    std::string expected;
    antlr4::misc::IntervalSet set;
    try {
      set = parser->getExpectedTokens();
    } catch (...) {
      // The expected set is a courtesy; the error is reported regardless.
    }
    std::vector<std::string> names;
    for (auto t : set.toList()) {
      if (t == L::BAD_CHAR) continue;
      names.push_back(token_display(static_cast<std::size_t>(t), vocab));
    }
    std::sort(names.begin(), names.end());
    names.erase(std::unique(names.begin(), names.end()), names.end());
    if (!names.empty()) {
      expected = ", expected ";
      const std::size_t shown = std::min<std::size_t>(names.size(), 8);
      for (std::size_t i = 0; i < shown; ++i) {
        if (i > 0) expected += (i + 1 == shown && shown == names.size()) ? " or " : ", ";
        expected += names[i];
      }
      if (shown < names.size()) expected += ", ...";
    }
    std::string what = describe_token(offending, vocab);
    if (offending != nullptr && teach(offending, parser)) {
      taught_ = true;
      return;
    }
    // A string running over several lines just before the error usually
    // lacks its closing quote: the error is then where the string began.
    std::string hint;
    if (offending != nullptr && offending->getTokenIndex() > 0 && parser->getTokenStream() != nullptr) {
      const antlr4::Token* prev = parser->getTokenStream()->get(offending->getTokenIndex() - 1);
      if (prev != nullptr && prev->getType() == L::STRING && prev->getText().find('\n') != std::string::npos)
        hint = " (the string that begins at " + std::to_string(prev->getLine()) + ":" +
               std::to_string(prev->getCharPositionInLine() + 1) +
               " runs over several lines: is its closing `\"` missing?)";
    }
    // Only end of file is expected after the last article or library item:
    // say what else could have come there.
    if (names.size() == 1 && set.contains(static_cast<ssize_t>(antlr4::Token::EOF))) {
      if (auto* file = dynamic_cast<P::FileContext*>(parser->getContext())) {
        const auto type = offending != nullptr ? offending->getType() : 0;
        if (file->libraryFile() != nullptr) {
          diags_.error(path_, loc, "unexpected " + what + ": a library holds only records and clauses, "
                                   "expected 'clause', 'record' or end of file");
          return;
        }
        if (type == L::CURRENCY || type == L::ROUNDING || type == L::PERIOD || type == L::IMPORT) {
          diags_.error(path_, loc, "unexpected " + what + ": the header (currency, rounding, period) and the "
                                   "imports come before the first article");
          return;
        }
        expected = ", expected 'article' or end of file";
      }
    }
    // A keyword where a name was expected: say so, it is the usual cause.
    if (offending != nullptr && set.contains(static_cast<ssize_t>(L::IDENT)) && offending->getType() != L::IDENT &&
        !vocab.getSymbolicName(offending->getType()).empty() && offending->getType() < L::DECIMAL) {
      diags_.error(path_, loc, "'" + offending->getText() + "' is a keyword and cannot be used as a name" +
                                   expected);
      return;
    }
    if (offending != nullptr && offending->getType() == L::BAD_CHAR && offending->getText() == "\"")
      diags_.error(path_, loc, "this string is never closed: end it with `\"` (write `\\\"` for a quote "
                               "inside a string)");
    else if (offending != nullptr && offending->getType() == L::BAD_CHAR)
      diags_.error(path_, loc, "unexpected " + what + expected);
    else if (offending != nullptr && offending->getText() == "=" && expected.find("'='") == std::string::npos)
      diags_.error(path_, loc, "unexpected '='" + expected + " (to compare two values, write `==`)");
    else if (msg.rfind("missing", 0) == 0)
      diags_.error(path_, loc, "missing " + (names.empty() ? std::string("token") : names[0]) +
                                   " before " + what);
    else
      diags_.error(path_, loc, "unexpected " + what + expected + hint);
  }

  [[nodiscard]] std::size_t count() const { return count_; }

 private:
  // Habits from other languages and from Russian legal writing, each with
  // a message that says what to write; the caret on the word at fault.
  // True when it reported the error.
  bool teach(const antlr4::Token* offending, antlr4::Parser* parser) {
    const antlr4::Token* prev = nullptr;
    const antlr4::Token* next = nullptr;
    if (auto* ts = parser->getTokenStream()) {
      if (offending->getTokenIndex() > 0) prev = ts->get(offending->getTokenIndex() - 1);
      if (offending->getType() != antlr4::Token::EOF) next = ts->LT(2);
    }
    const std::string text = offending->getText();
    if (offending->getType() == L::DECIMAL_COMMA) {
      std::string dotted = text;
      dotted[dotted.find(',')] = '.';
      diags_.error(path_, loc_at(offending),
                   "a decimal comma: write `" + dotted + "` (Artel writes decimals with a point; between "
                   "arguments write a comma and a space, `f(1, 5)`)");
      return true;
    }
    for (const antlr4::Token* t : {prev, offending, next}) {
      if (t == nullptr) continue;
      if (is_currency_habit(t->getText())) {
        diags_.error(path_, loc_at(t),
                     "write the currency by its code after the amount: `10 000.00 RUB`, not `" + t->getText() + "`");
        return true;
      }
    }
    // A word at the start of its line that is no keyword: Artel's lines
    // begin with one, so the word is where the mistake is.
    for (const antlr4::Token* t : {prev, offending}) {
      if (t == nullptr || t->getType() != L::IDENT || !first_on_line(t, parser)) continue;
      const std::string word = t->getText();
      if (auto m = missing_construct(word)) {
        diags_.error(path_, loc_at(t), *m);
        return true;
      }
      if (auto k = misspelled_keyword(word)) {
        if (auto m = missing_construct(*k)) {
          diags_.error(path_, loc_at(t), "unknown word '" + word + "'; " + *m);
          return true;
        }
        diags_.error(path_, loc_at(t), "unknown word '" + word + "': did you mean '" + *k + "'?");
        return true;
      }
    }
    return false;
  }

  static Loc loc_at(const antlr4::Token* t) {
    return {static_cast<std::uint32_t>(t->getLine()), static_cast<std::uint32_t>(t->getCharPositionInLine() + 1)};
  }
  static bool first_on_line(const antlr4::Token* t, antlr4::Parser* parser) {
    auto* ts = parser->getTokenStream();
    if (ts == nullptr || t->getTokenIndex() == 0) return true;
    const antlr4::Token* before = ts->get(t->getTokenIndex() - 1);
    return before == nullptr || before->getLine() < t->getLine();
  }

  const std::string& path_;
  Diagnostics& diags_;
  std::size_t count_ = 0;
  std::optional<UnclosedBrace> unclosed_;
  bool taught_ = false;  // a habit was taught about: its stray `}` is not reported again
};

Loc loc_of(const antlr4::Token* t) {
  if (t == nullptr) return {};
  return {static_cast<std::uint32_t>(t->getLine()),
          static_cast<std::uint32_t>(t->getCharPositionInLine() + 1)};
}
Loc loc_of(antlr4::ParserRuleContext* c) { return c ? loc_of(c->getStart()) : Loc{}; }
Loc loc_of(antlr4::tree::TerminalNode* n) { return n ? loc_of(n->getSymbol()) : Loc{}; }

// A number's digits without `_` and the thousands separators (a space, a
// no-break space U+00A0 or a narrow one U+202F): "10 000" -> "10000".
std::string strip_underscores(std::string s) {
  std::string out;
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c == '_' || c == ' ') continue;
    if (c == 0xC2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0xA0) {
      ++i;
      continue;
    }
    if (c == 0xE2 && i + 2 < s.size() && static_cast<unsigned char>(s[i + 1]) == 0x80 &&
        static_cast<unsigned char>(s[i + 2]) == 0xAF) {
      i += 2;
      continue;
    }
    out.push_back(s[i]);
  }
  return out;
}

// Removes the quotes and resolves \" \\ \n \t.
std::string unquote(const std::string& s) {
  std::string out;
  if (s.size() < 2) return out;
  for (std::size_t i = 1; i + 1 < s.size(); ++i) {
    if (s[i] == '\\' && i + 2 < s.size()) {
      char n = s[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
    } else {
      out += s[i];
    }
  }
  return out;
}

class Builder {
 public:
  Builder(const std::string& path, Diagnostics& diags) : path_(path), diags_(diags) {}

  File file(P::FileContext* ctx) {
    File f;
    f.path = path_;
    if (auto* c = ctx->charterFile()) {
      f.loc = loc_of(c);
      f.name = unquote(c->STRING()->getText());
      f.version = strip_underscores(c->INT()->getText());
      for (auto* h : c->headerItem()) header(h, f.header);
      for (auto* i : c->importDecl()) f.imports.push_back({loc_of(i->ident()), i->ident()->getText()});
      for (auto* a : c->article()) f.articles.push_back(article(a));
    } else if (auto* l = ctx->libraryFile()) {
      f.is_library = true;
      f.loc = loc_of(l);
      f.name = l->ident()->getText();
      for (auto* i : l->importDecl()) f.imports.push_back({loc_of(i->ident()), i->ident()->getText()});
      for (auto* item : l->libraryItem()) {
        if (item->recordDecl()) f.library_decls.push_back(record(item->recordDecl()));
        else f.library_decls.push_back(clause(item->clauseDecl()));
      }
    }
    return f;
  }

 private:
  void header(P::HeaderItemContext* h, Header& out) {
    if (auto* c = dynamic_cast<P::CurrencyHeaderContext*>(h)) {
      if (out.currency) dup(loc_of(c), "currency");
      out.currency = c->ident()->getText();
      out.currency_loc = loc_of(c->ident());
      out.scale = strip_underscores(c->INT()->getText());
    } else if (auto* r = dynamic_cast<P::RoundingHeaderContext*>(h)) {
      if (out.rounding) dup(loc_of(r), "rounding");
      out.rounding = rounding(r->roundingMode());
      out.rounding_loc = loc_of(r);
    } else if (auto* p = dynamic_cast<P::PeriodHeaderContext*>(h)) {
      if (out.period) dup(loc_of(p), "period");
      out.period = period(p->periodUnit());
      out.period_loc = loc_of(p);
    }
  }

  void dup(Loc loc, const char* what) {
    diags_.error(path_, loc, std::string("the charter declares its ") + what + " more than once");
  }

  static RoundingMode rounding(P::RoundingModeContext* c) {
    if (c->UP()) return RoundingMode::up;
    if (c->HALF_EVEN()) return RoundingMode::half_even;
    return RoundingMode::down;
  }
  static PeriodUnit period(P::PeriodUnitContext* c) {
    return c->MONTH() ? PeriodUnit::month : PeriodUnit::week;
  }

  LangString lang_string(P::LangStringContext* c) {
    LangString s;
    s.loc = loc_of(c);
    if (c->ident()) s.lang = c->ident()->getText();
    s.text = unquote(c->STRING()->getText());
    return s;
  }

  Article article(P::ArticleContext* c) {
    Article a;
    a.loc = loc_of(c);
    a.number = c->articleNumber()->getText();
    for (auto* t : c->langString()) a.titles.push_back(lang_string(t));
    for (auto* item : c->articleItem()) {
      if (auto* t = dynamic_cast<P::TextItemContext*>(item)) {
        a.texts.push_back(lang_string(t->langString()));
      } else if (auto* p = dynamic_cast<P::ParamItemContext*>(item)) {
        a.decls.push_back(param(p->paramDecl()));
      } else if (auto* s = dynamic_cast<P::StateItemContext*>(item)) {
        Decl d = named(DeclKind::state, s->stateDecl(), s->stateDecl()->ident());
        d.type = type(s->stateDecl()->type());
        a.decls.push_back(std::move(d));
      } else if (auto* ac = dynamic_cast<P::AccountItemContext*>(item)) {
        Decl d = named(DeclKind::account, ac->accountDecl(), ac->accountDecl()->ident());
        if (ac->accountDecl()->type()) d.type = type(ac->accountDecl()->type());
        a.decls.push_back(std::move(d));
      } else if (auto* r = dynamic_cast<P::RecordItemContext*>(item)) {
        a.decls.push_back(record(r->recordDecl()));
      } else if (auto* ru = dynamic_cast<P::RuleItemContext*>(item)) {
        a.decls.push_back(rule(ru->ruleDecl()));
      } else if (auto* pe = dynamic_cast<P::PeriodicItemContext*>(item)) {
        Decl d;
        d.kind = DeclKind::periodic;
        d.loc = loc_of(pe);
        d.every = period(pe->periodicDecl()->periodUnit());
        if (pe->periodicDecl()->HOLDING()) {
          auto ids = pe->periodicDecl()->ident();
          d.per_account = true;
          d.holder = ids[0]->getText();
          d.holder_loc = loc_of(ids[0]);
          d.held = ids[1]->getText();
          d.held_loc = loc_of(ids[1]);
        }
        d.body = block(pe->periodicDecl()->block());
        a.decls.push_back(std::move(d));
      } else if (auto* cl = dynamic_cast<P::ClauseItemContext*>(item)) {
        a.decls.push_back(clause(cl->clauseDecl()));
      }
    }
    return a;
  }

  Decl named(DeclKind kind, antlr4::ParserRuleContext* ctx, P::IdentContext* id) {
    Decl d;
    d.kind = kind;
    d.loc = loc_of(ctx);
    d.name = id->getText();
    d.name_loc = loc_of(id);
    return d;
  }

  Decl param(P::ParamDeclContext* c) {
    Decl d = named(DeclKind::param, c, c->ident());
    d.type = type(c->type());
    d.value = expr(c->expr());
    return d;
  }

  Decl record(P::RecordDeclContext* c) {
    Decl d = named(DeclKind::record, c, c->ident());
    for (auto* f : c->field()) d.fields.push_back({loc_of(f), f->ident()->getText(), type(f->type())});
    return d;
  }

  std::vector<Formal> formals(P::ParamListContext* c) {
    std::vector<Formal> out;
    if (c == nullptr) return out;
    for (auto* f : c->formal()) out.push_back({loc_of(f), f->ident()->getText(), type(f->type())});
    return out;
  }

  Decl rule(P::RuleDeclContext* c) {
    Decl d = named(DeclKind::rule, c, c->ident());
    d.formals = formals(c->paramList());
    if (auto* a = c->authClause()) {
      d.has_auth = true;
      for (auto* t : a->authTerm()) {
        AuthTerm term;
        term.loc = loc_of(t);
        if (dynamic_cast<P::AuthMemberContext*>(t)) {
          term.kind = AuthKind::member;
        } else if (dynamic_cast<P::AuthCooperativeContext*>(t)) {
          term.kind = AuthKind::cooperative;
        } else if (auto* g = dynamic_cast<P::AuthGuarantorsContext*>(t)) {
          term.kind = AuthKind::guarantors;
          term.count = strip_underscores(g->INT()->getText());
          if (g->ident()) {
            term.subject = g->ident()->getText();
            term.subject_loc = loc_of(g->ident());
          }
        } else if (auto* as = dynamic_cast<P::AuthAssemblyContext*>(t)) {
          term.kind = AuthKind::assembly;
          term.quorum = expr(as->expr());
        } else if (auto* u = dynamic_cast<P::AuthUnknownContext*>(t)) {
          term.kind = AuthKind::unknown;
          term.subject = u->ident()->getText();
          term.subject_loc = loc_of(u->ident());
        }
        d.auth.push_back(std::move(term));
      }
    }
    d.body = block(c->block());
    return d;
  }

  Decl clause(P::ClauseDeclContext* c) {
    Decl d = named(DeclKind::clause, c, c->ident());
    d.formals = formals(c->paramList());
    if (c->type()) d.type = type(c->type());
    d.body = block(c->block());
    return d;
  }

  TypePtr type(P::TypeContext* c) {
    auto t = std::make_unique<Type>();
    t->loc = loc_of(c);
    if (dynamic_cast<P::MoneyTypeContext*>(c)) t->kind = TypeKind::money;
    else if (dynamic_cast<P::RateTypeContext*>(c)) t->kind = TypeKind::rate;
    else if (dynamic_cast<P::CountTypeContext*>(c)) t->kind = TypeKind::count;
    else if (dynamic_cast<P::BoolTypeContext*>(c)) t->kind = TypeKind::boolean;
    else if (dynamic_cast<P::PeriodTypeContext*>(c)) t->kind = TypeKind::period;
    else if (dynamic_cast<P::MemberTypeContext*>(c)) t->kind = TypeKind::member;
    else if (dynamic_cast<P::CooperativeTypeContext*>(c)) t->kind = TypeKind::cooperative;
    else if (dynamic_cast<P::GuarantorTypeContext*>(c)) t->kind = TypeKind::guarantor;
    else if (dynamic_cast<P::AccountTypeContext*>(c)) t->kind = TypeKind::account;
    else if (auto* m = dynamic_cast<P::MapTypeContext*>(c)) {
      t->kind = TypeKind::map;
      t->key = type(m->type(0));
      t->value = type(m->type(1));
    } else if (auto* n = dynamic_cast<P::NamedTypeContext*>(c)) {
      t->kind = TypeKind::named;
      t->name = n->ident()->getText();
    }
    return t;
  }

  Block block(P::BlockContext* c) {
    Block b;
    if (!enter(c)) return b;
    for (auto* s : c->statement()) b.push_back(statement(s));
    --nesting_;
    return b;
  }

  StmtPtr statement(P::StatementContext* c) {
    auto s = std::make_unique<Stmt>();
    s->loc = loc_of(c);
    if (auto* l = dynamic_cast<P::LetStmtContext*>(c)) {
      s->kind = StmtKind::let;
      s->name = l->ident()->getText();
      s->name_loc = loc_of(l->ident());
      if (l->type()) s->declared_type = type(l->type());
      s->exprs.push_back(expr(l->expr()));
    } else if (auto* a = dynamic_cast<P::AssignStmtContext*>(c)) {
      s->kind = StmtKind::assign;
      s->target = lvalue(a->lvalue());
      s->exprs.push_back(expr(a->expr()));
    } else if (auto* r = dynamic_cast<P::RequireStmtContext*>(c)) {
      s->kind = StmtKind::require;
      s->exprs.push_back(expr(r->expr()));
      s->message = unquote(r->STRING()->getText());
    } else if (auto* t = dynamic_cast<P::TransferStmtContext*>(c)) {
      s->kind = StmtKind::transfer;
      for (auto* e : t->expr()) s->exprs.push_back(expr(e));
    } else if (auto* sp = dynamic_cast<P::SplitStmtContext*>(c)) {
      s->kind = StmtKind::split;
      for (auto* e : sp->expr()) s->exprs.push_back(expr(e));
      for (auto* part : sp->splitPart()) s->parts.push_back(split_part(part));
      if (auto* rem = sp->remainderPart()) {
        s->remainder_to = expr(rem->expr());
        s->remainder_loc = loc_of(rem);
      }
    } else if (auto* i = dynamic_cast<P::IfStmtContext*>(c)) {
      if_chain(i, *s);
    } else if (auto* f = dynamic_cast<P::ForStmtContext*>(c)) {
      s->kind = StmtKind::for_;
      s->name = f->ident()->getText();
      s->name_loc = loc_of(f->ident());
      s->exprs.push_back(expr(f->expr()));
      s->body = block(f->block());
    } else if (auto* e = dynamic_cast<P::EmitStmtContext*>(c)) {
      s->kind = StmtKind::emit;
      s->name = e->ident()->getText();
      s->name_loc = loc_of(e->ident());
      if (e->argList())
        for (auto* x : e->argList()->expr()) s->exprs.push_back(expr(x));
    } else if (auto* rm = dynamic_cast<P::RemoveStmtContext*>(c)) {
      s->kind = StmtKind::remove;
      s->target = lvalue(rm->lvalue());
    } else if (auto* ret = dynamic_cast<P::ReturnStmtContext*>(c)) {
      s->kind = StmtKind::return_;
      if (ret->expr()) s->exprs.push_back(expr(ret->expr()));
    } else if (auto* call = dynamic_cast<P::CallStmtContext*>(c)) {
      s->kind = StmtKind::call;
      s->name = call->ident()->getText();
      s->name_loc = loc_of(call->ident());
      if (call->argList())
        for (auto* x : call->argList()->expr()) s->exprs.push_back(expr(x));
    }
    return s;
  }

  // `if a {..} else if b {..} else {..}` becomes nested ifs: the else branch
  // of the first holds the second.
  void if_chain(P::IfStmtContext* c, Stmt& out) {
    auto conds = c->expr();
    auto blocks = c->block();
    Stmt* cur = &out;
    int entered = 0;
    for (std::size_t k = 0; k < conds.size(); ++k) {
      cur->kind = StmtKind::if_;
      cur->loc = loc_of(conds[k]);
      cur->exprs.push_back(expr(conds[k]));
      cur->body = block(blocks[k]);
      if (k + 1 < conds.size()) {
        if (!enter(conds[k + 1])) {
          blocks.resize(conds.size());  // the chain stops here: drop the final else too
          break;
        }
        ++entered;
        cur->has_else = true;
        auto next = std::make_unique<Stmt>();
        Stmt* raw = next.get();
        cur->else_body.push_back(std::move(next));
        cur = raw;
      }
    }
    if (blocks.size() > conds.size()) {
      cur->has_else = true;
      cur->else_body = block(blocks.back());
    }
    nesting_ -= entered;
  }

  // Counts one more level of nesting; false (reported once) past the limit.
  bool enter(antlr4::ParserRuleContext* c) {
    if (nesting_ >= kMaxNesting) {
      if (!nesting_reported_) {
        nesting_reported_ = true;
        diags_.error(path_, loc_of(c), "statements nested more than " + std::to_string(kMaxNesting) +
                                           " levels deep (each `else if` counts as one); decide in steps, or in "
                                           "clauses");
      }
      return false;
    }
    ++nesting_;
    return true;
  }

  LValue lvalue(P::LvalueContext* c) {
    LValue lv;
    lv.loc = loc_of(c);
    auto ids = c->ident();
    lv.name = ids[0]->getText();
    if (c->expr()) lv.index = expr(c->expr());
    if (ids.size() > 1) {
      lv.field = ids[1]->getText();
      lv.field_loc = loc_of(ids[1]);
    }
    return lv;
  }

  SplitPart split_part(P::SplitPartContext* c) {
    SplitPart p;
    p.loc = loc_of(c);
    if (auto* f = dynamic_cast<P::FixedPartContext*>(c)) {
      p.share = expr(f->expr(0));
      p.target = expr(f->expr(1));
    } else if (auto* r = dynamic_cast<P::ProRataPartContext*>(c)) {
      p.pro_rata = true;
      p.share = expr(r->expr(0));
      p.var = r->ident()->getText();
      p.var_loc = loc_of(r->ident());
      p.collection = expr(r->expr(1));
      p.weight = expr(r->expr(2));
      p.target = expr(r->expr(3));
    }
    return p;
  }

  ExprPtr make(ExprKind kind, antlr4::ParserRuleContext* c) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->loc = loc_of(c);
    return e;
  }

  ExprPtr expr(P::ExprContext* c) {
    if (++depth_ > kMaxExprDepth) {
      --depth_;
      if (!depth_reported_) {
        depth_reported_ = true;
        diags_.error(path_, loc_of(c), "expression nested more than " + std::to_string(kMaxExprDepth) +
                                           " levels deep; split it with `let`");
      }
      return make(ExprKind::int_lit, c);
    }
    ExprPtr e = expr_inner(c);
    --depth_;
    return e;
  }

  ExprPtr binary(antlr4::ParserRuleContext* c, std::vector<P::ExprContext*> kids, std::string op) {
    auto e = make(ExprKind::binary, c);
    e->op = std::move(op);
    e->loc = loc_of(kids[1]);  // point at the right operand's start
    e->args.push_back(expr(kids[0]));
    e->args.push_back(expr(kids[1]));
    return e;
  }

  ExprPtr expr_inner(P::ExprContext* c) {
    if (auto* p = dynamic_cast<P::PrimaryExprContext*>(c)) return primary(p->primary());
    if (auto* f = dynamic_cast<P::FieldExprContext*>(c)) {
      auto e = make(ExprKind::field, c);
      e->args.push_back(expr(f->expr()));
      e->name = f->ident()->getText();
      e->loc = loc_of(f->ident());
      return e;
    }
    if (auto* i = dynamic_cast<P::IndexExprContext*>(c)) {
      auto e = make(ExprKind::index, c);
      e->args.push_back(expr(i->expr(0)));
      e->args.push_back(expr(i->expr(1)));
      return e;
    }
    if (auto* u = dynamic_cast<P::UnaryExprContext*>(c)) {
      auto e = make(ExprKind::unary, c);
      e->op = u->NOT() ? "not" : "-";
      e->args.push_back(expr(u->expr()));
      return e;
    }
    if (auto* m = dynamic_cast<P::MulExprContext*>(c)) {
      auto e = binary(c, m->expr(), m->op->getText());
      e->loc = loc_of(m->op);
      return e;
    }
    if (auto* r = dynamic_cast<P::RoundedExprContext*>(c)) {
      auto e = make(ExprKind::rounded, c);
      e->loc = loc_of(r->ROUNDED());
      e->rounding = rounding(r->roundingMode());
      e->args.push_back(expr(r->expr()));
      return e;
    }
    if (auto* a = dynamic_cast<P::AddExprContext*>(c)) {
      auto e = binary(c, a->expr(), a->op->getText());
      e->loc = loc_of(a->op);
      return e;
    }
    if (auto* cmp = dynamic_cast<P::CompareExprContext*>(c)) {
      auto e = binary(c, cmp->expr(), cmp->op->getText());
      e->loc = loc_of(cmp->op);
      return e;
    }
    if (auto* an = dynamic_cast<P::AndExprContext*>(c)) {
      auto e = binary(c, an->expr(), "and");
      e->loc = loc_of(an->AND());
      return e;
    }
    if (auto* o = dynamic_cast<P::OrExprContext*>(c)) {
      auto e = binary(c, o->expr(), "or");
      e->loc = loc_of(o->OR());
      return e;
    }
    return make(ExprKind::int_lit, c);
  }

  ExprPtr primary(P::PrimaryContext* c) {
    if (auto* i = dynamic_cast<P::IntLitContext*>(c)) {
      auto e = make(ExprKind::int_lit, c);
      e->text = strip_underscores(i->INT()->getText());
      return e;
    }
    if (auto* p = dynamic_cast<P::PercentLitContext*>(c)) {
      auto e = make(ExprKind::percent_lit, c);
      e->text = strip_underscores(p->number()->getText());
      return e;
    }
    if (auto* m = dynamic_cast<P::MoneyLitContext*>(c)) {
      auto e = make(ExprKind::money_lit, c);
      e->text = strip_underscores(m->number()->getText());
      e->name = m->ident()->getText();
      return e;
    }
    if (auto* d = dynamic_cast<P::DecimalLitContext*>(c)) {
      auto e = make(ExprKind::decimal_lit, c);
      e->text = strip_underscores(d->DECIMAL()->getText());
      return e;
    }
    if (auto* b = dynamic_cast<P::BoolLitContext*>(c)) {
      auto e = make(ExprKind::bool_lit, c);
      e->bool_value = b->TRUE() != nullptr;
      return e;
    }
    if (auto* ms = dynamic_cast<P::MembersExprContext*>(c)) {
      auto e = make(ExprKind::members, c);
      if (ms->expr()) e->args.push_back(expr(ms->expr()));
      return e;
    }
    if (dynamic_cast<P::CooperativesExprContext*>(c)) return make(ExprKind::cooperatives, c);
    if (auto* g = dynamic_cast<P::GuarantorsExprContext*>(c)) {
      auto e = make(ExprKind::guarantors, c);
      e->args.push_back(expr(g->expr()));
      return e;
    }
    if (auto* call = dynamic_cast<P::CallExprContext*>(c)) {
      auto e = make(ExprKind::call, c);
      e->name = call->ident()->getText();
      if (call->argList())
        for (auto* x : call->argList()->expr()) e->args.push_back(expr(x));
      return e;
    }
    if (auto* n = dynamic_cast<P::NameExprContext*>(c)) {
      auto e = make(ExprKind::name, c);
      e->name = n->ident()->getText();
      return e;
    }
    if (auto* par = dynamic_cast<P::ParenExprContext*>(c)) return expr(par->expr());
    return make(ExprKind::int_lit, c);
  }

  const std::string& path_;
  Diagnostics& diags_;
  int depth_ = 0;
  bool depth_reported_ = false;
  int nesting_ = 0;
  bool nesting_reported_ = false;
};

// What a `{` at token index `brace` opens, named after the first token of
// its line: `article 2 "…" {` -> "article 2", `} else {` -> "the `else` block".
std::string brace_owner(antlr4::CommonTokenStream& tokens, std::size_t brace, Loc& construct) {
  const auto& all = tokens.getTokens();
  const std::size_t line = all[brace]->getLine();
  std::size_t first = brace;
  while (first > 0 && all[first - 1]->getLine() == line) --first;
  construct = loc_of(all[first]);
  const antlr4::Token* t = all[first];
  if (t->getText() == "}" && first + 1 < brace) t = all[first + 1];
  auto next = [&](const antlr4::Token* tok) {
    const std::size_t i = tok->getTokenIndex() + 1;
    return i < brace ? all[i]->getText() : std::string();
  };
  switch (t->getType()) {
    case L::ARTICLE: return "article " + next(t);
    case L::RULE: return "rule " + next(t);
    case L::CLAUSE: return "clause " + next(t);
    case L::RECORD: return "record " + next(t);
    case L::EVERY: return "the periodic clause";
    case L::IF: return "the `if` block";
    case L::ELSE: return "the `else` block";
    case L::FOR: return "the `for` loop";
    case L::SPLIT: return "the `split`";
    default: return "the block";
  }
}

// The `{` a file leaves unclosed, if any. When a `}` closes a `{` from a
// line indented deeper than the `}` itself, that inner `{` probably lacked
// its own `}` (the one found closed something outside it): it is the one
// reported; otherwise the innermost `{` still open at the end.
std::optional<UnclosedBrace> find_unclosed_brace(antlr4::CommonTokenStream& tokens) {
  const auto& all = tokens.getTokens();
  std::vector<std::size_t> open;
  std::optional<std::size_t> suspect;
  auto indent = [&](std::size_t i) {
    std::size_t first = i;
    while (first > 0 && all[first - 1]->getLine() == all[i]->getLine()) --first;
    return all[first]->getCharPositionInLine();
  };
  for (std::size_t i = 0; i < all.size(); ++i) {
    if (all[i]->getType() == antlr4::Token::EOF) break;
    const std::string text = all[i]->getText();
    if (text == "{") {
      open.push_back(i);
    } else if (text == "}" && !open.empty()) {
      if (!suspect && indent(i) < indent(open.back())) suspect = open.back();
      open.pop_back();
    }
  }
  if (open.empty()) return std::nullopt;
  const std::size_t brace = suspect.value_or(open.back());
  UnclosedBrace u;
  u.brace = loc_of(all[brace]);
  u.what = brace_owner(tokens, brace, u.construct);
  return u;
}

// Rejects nesting that would take the recursive-descent parser too deep,
// before the parser sees it.
bool check_nesting(const std::string& path, antlr4::CommonTokenStream& tokens, Diagnostics& diags) {
  int depth = 0;
  int prefix_run = 0;
  for (auto* t : tokens.getTokens()) {
    const std::string text = t->getType() == antlr4::Token::EOF ? "" : t->getText();
    if (text == "(" || text == "[" || text == "{") {
      if (++depth > kMaxBracketDepth) {
        diags.error(path, loc_of(t),
                    "brackets nested more than " + std::to_string(kMaxBracketDepth) + " levels deep");
        return false;
      }
    } else if (text == ")" || text == "]" || text == "}") {
      if (depth > 0) --depth;
    }
    if (text == "-" || t->getType() == L::NOT) {
      if (++prefix_run > kMaxPrefixRun) {
        diags.error(path, loc_of(t), "more than " + std::to_string(kMaxPrefixRun) +
                                         " prefix operators in a row");
        return false;
      }
    } else {
      prefix_run = 0;
    }
  }
  return true;
}

}  // namespace

std::optional<File> parse(const SourceFile& source, Diagnostics& diags) {
  const std::string& path = source.path;
  if (source.text.size() > kMaxFileBytes) {
    diags.error(path, {}, "file is " + std::to_string(source.text.size()) +
                              " bytes; a charter may be at most " + std::to_string(kMaxFileBytes) +
                              " bytes (4 MiB)");
    return std::nullopt;
  }
  if (auto bad = find_invalid_utf8(source.text)) {
    diags.error(path, bad->loc, "invalid UTF-8 (byte 0x" + bad->hex + "); a charter must be UTF-8 text");
    return std::nullopt;
  }
  if (auto nul = source.text.find('\0'); nul != std::string::npos) {
    diags.error(path, position_of(source.text, nul), "NUL byte in the file; a charter must be text");
    return std::nullopt;
  }

  antlr4::ANTLRInputStream input(source.text);
  L lexer(&input);
  lexer.removeErrorListeners();
  ErrorListener listener(path, diags);
  lexer.addErrorListener(&listener);
  antlr4::CommonTokenStream tokens(&lexer);
  tokens.fill();
  if (tokens.getTokens().size() <= 1 && listener.count() == 0) {
    diags.error(path, {1, 1}, "the file holds no charter (it is empty or has only comments): a charter begins "
                          "with `charter \"NAME\" version 1`");
    return std::nullopt;
  }
  if (!check_nesting(path, tokens, diags)) return std::nullopt;

  listener.set_unclosed(find_unclosed_brace(tokens));
  P parser(&tokens);
  parser.removeErrorListeners();
  parser.addErrorListener(&listener);
  P::FileContext* tree = parser.file();
  if (listener.count() > 0 || parser.getNumberOfSyntaxErrors() > 0) return std::nullopt;

  std::size_t before = diags.error_count();
  Builder builder(path, diags);
  File f = builder.file(tree);
  if (diags.error_count() > before) return std::nullopt;
  return f;
}

std::string_view to_string(RoundingMode m) {
  switch (m) {
    case RoundingMode::down: return "down";
    case RoundingMode::up: return "up";
    case RoundingMode::half_even: return "half_even";
  }
  return "down";
}

std::string_view to_string(PeriodUnit u) { return u == PeriodUnit::month ? "month" : "week"; }

}  // namespace artel::syntax
