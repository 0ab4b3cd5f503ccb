// A charter as its members read it, from a module's metadata alone: who may
// call each rule in plain words, and what changed between two versions.
// The node (which never links the compiler) and `artel diff` use the same
// functions, so the explorer's version history and the lawyer's diff agree.
#pragma once

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

// Rules are compared by their metadata (who may call them, their
// parameters, their article); their bodies only through code_changed.
CharterDiff diff_modules(const Module& from, const Module& to);

}  // namespace artel::vm
