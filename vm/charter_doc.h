// A charter as its members read it, from a module's metadata alone: who may
// call each rule in plain words, and what changed between two versions.
// The node (which never links the compiler) and `artel diff` use the same
// functions, so the explorer's version history and the lawyer's diff agree.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vm/module.h"

namespace artel::vm {

// Who may call `e`, in words for members, in language "en" or "ru" (any
// other gives English): "any member", "the cooperative", "two guarantors of
// the borrower", "two thirds of the general assembly"; terms joined by
// "and". Entries only the ledger runs: "the ledger, on its own".
std::string rights_in_words(const EntryPoint& e, std::string_view lang);

// What an entry is, in words: "rule", "every period", "ledger hook",
// "every account, every period".
std::string entry_kind_name(EntryKind kind);

// Changes from module `from` to module `to`, each list in a stable order
// (by name or article number).
struct CharterDiff {
  enum class Change { added, removed, changed };
  struct Field {  // the header: name, currency, scale, period, rounding
    std::string field, from, to;
  };
  struct Parameter {
    Change change = Change::changed;
    std::string name, type;
    std::optional<std::int64_t> from_value, to_value;
    std::string from_display, to_display;  // as the charters write them, e.g. "0.5%"
  };
  struct Rule {
    Change change = Change::changed;
    std::string name, kind, article;
    // For a changed entry: which of these differ.
    bool rights_changed = false, params_changed = false, article_changed = false;
    std::string from_rights, to_rights;  // rights_in_words, English
    std::string from_article;
  };
  struct Article {
    Change change = Change::changed;
    std::string number;
    std::vector<std::string> titles_changed, texts_changed;  // language codes
  };
  std::vector<Field> header;
  std::vector<Parameter> parameters;
  std::vector<Rule> rules;
  std::vector<Article> articles;
  // The charter's code as a whole (calls compared by host function name):
  // a rule's body, or a parameter it folds in, changed somewhere. The
  // module does not say which rule's body it was.
  bool code_changed = false;
  std::size_t from_instructions = 0, to_instructions = 0;
  bool empty() const {
    return header.empty() && parameters.empty() && rules.empty() && articles.empty() && !code_changed;
  }
};

std::string change_name(CharterDiff::Change c);

// ---- Article texts that cannot drift from the parameters.
//
// An article's text may name a parameter, `{monthly_fee}`: members read it
// with the value of the version in force. `{{` and `}}` are braces.
struct TextPiece {
  bool placeholder = false;  // `text` is a parameter's name
  std::string text;
  std::size_t offset = 0;  // in bytes from the start of the text
};
// The text cut into literal pieces and placeholders; nullopt with `why`
// and `at` (a byte offset) for a `{` never closed, a lone `}` or a
// placeholder that is not a name.
std::optional<std::vector<TextPiece>> split_text(std::string_view text, std::string& why, std::size_t& at);
// The text with each placeholder replaced by its parameter's value in `m`
// as the module displays it (in Russian, "ru", with a decimal comma); a
// placeholder naming no parameter of `m` stays as written.
std::string render_text(std::string_view text, const Module& m, std::string_view lang);
// An amount or a rate a text states in figures: "0.5 %", "0,5 %", "10 %",
// "10 000.00 RUB" (a space between groups of three digits, a decimal point
// or comma, then `%` or the currency code).
struct StatedNumber {
  bool rate = false;       // else money
  std::int64_t value = 0;  // a rate in parts per billion (1 % = 10,000,000), money in minor units
  std::size_t offset = 0;
  std::string text;  // as written
};
std::vector<StatedNumber> stated_numbers(std::string_view text, int scale, std::string_view currency);

// Rules are compared by their metadata (who may call them, their
// parameters, their article); their bodies only through code_changed.
CharterDiff diff_modules(const Module& from, const Module& to);

}  // namespace artel::vm
