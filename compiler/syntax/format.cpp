// `artel fmt`: one canonical layout for charters (docs/tools.md).
//
// The formatter works on tokens, not on the syntax tree, so that nothing a
// lawyer wrote is lost: every token and every comment is kept in order, and
// so is the division into lines (a charter's lines are its statements).
// What it sets is the layout around them: two spaces of indentation per
// open brace, one space between tokens except where the language reads
// better without (before `,` `:` `)` `%`, inside brackets, between a name
// and its `(`, after a unary minus, in a fraction `2/3`), comments one space after their line,
// at most one blank line, none after `{` or before `}`, no trailing spaces,
// one final newline. Before it answers it lexes its own output and compares
// the tokens and comments with the input: a difference is an internal error,
// never a changed charter.
#include "compiler/syntax/format.h"

#include <antlr4-runtime.h>

#include "ArtelLexer.h"

namespace artel::syntax {

namespace {

using L = artel_grammar::ArtelLexer;

struct Item {
  bool comment = false;
  bool block = false;  // a /* */ comment
  std::size_t type = 0;
  std::string text;
  std::size_t line = 0;      // where it starts (1-based)
  std::size_t end_line = 0;  // where it ends (a string or a block comment may span lines)
  std::size_t blank_before = 0;  // newlines before it in the source, when it begins a line
};

// Byte offset of every code point of `text`, and one past the end.
std::vector<std::size_t> code_point_offsets(const std::string& text) {
  std::vector<std::size_t> out;
  for (std::size_t i = 0; i < text.size();) {
    out.push_back(i);
    const auto c = static_cast<unsigned char>(text[i]);
    i += c < 0x80 ? 1 : c < 0xE0 ? 2 : c < 0xF0 ? 3 : 4;
  }
  out.push_back(text.size());
  return out;
}

std::size_t count_newlines(std::string_view s) { return static_cast<std::size_t>(std::count(s.begin(), s.end(), '\n')); }

// The tokens and comments of `text`, or nullopt with `why` when it does not lex.
std::optional<std::vector<Item>> items_of(const std::string& text, std::string& why) {
  antlr4::ANTLRInputStream input(text);
  L lexer(&input);
  lexer.removeErrorListeners();
  const auto offsets = code_point_offsets(text);
  std::vector<Item> out;
  std::size_t pos = 0, line = 1;  // byte position and line reached in `text`
  // The comments in a gap between two tokens (only spaces and comments are
  // ever skipped by the lexer).
  auto gap = [&](std::size_t end) {
    while (pos < end) {
      const char c = text[pos];
      if (c == '\n') {
        ++line;
        ++pos;
        continue;
      }
      if (text.compare(pos, 2, "//") == 0 || text.compare(pos, 2, "/*") == 0) {
        const bool block = text[pos + 1] == '*';
        std::size_t stop = block ? text.find("*/", pos + 2) : text.find('\n', pos);
        stop = stop == std::string::npos ? end : std::min(end, block ? stop + 2 : stop);
        Item it;
        it.comment = true;
        it.block = block;
        it.text = text.substr(pos, stop - pos);
        while (!block && !it.text.empty() && (it.text.back() == ' ' || it.text.back() == '\t' || it.text.back() == '\r'))
          it.text.pop_back();
        it.line = line;
        line += count_newlines(it.text);
        it.end_line = line;
        out.push_back(std::move(it));
        pos = stop;
        continue;
      }
      ++pos;
    }
  };
  for (auto t = lexer.nextToken(); t->getType() != antlr4::Token::EOF; t = lexer.nextToken()) {
    if (t->getType() == L::BAD_CHAR) {
      why = "line " + std::to_string(t->getLine()) + ": a character Artel does not read: '" + t->getText() + "'";
      return std::nullopt;
    }
    const std::size_t start = offsets.at(t->getStartIndex()), stop = offsets.at(t->getStopIndex() + 1);
    gap(start);
    Item it;
    it.type = t->getType();
    it.text = text.substr(start, stop - start);
    it.line = line;
    line += count_newlines(it.text);
    it.end_line = line;
    pos = stop;
    out.push_back(std::move(it));
  }
  gap(text.size());
  // Blank lines before each item that begins a line.
  for (std::size_t i = 1; i < out.size(); ++i)
    if (out[i].line > out[i - 1].end_line) out[i].blank_before = out[i].line - out[i - 1].end_line - 1;
  return out;
}


// Whether a `-` at `i` is a unary minus: nothing that ends an operand before it.
bool unary_minus(const std::vector<const Item*>& line, std::size_t i) {
  if (i == 0) return true;
  const Item& p = *line[i - 1];
  if (p.type == L::IDENT || p.type == L::INT || p.type == L::DECIMAL || p.type == L::STRING || p.text == ")" ||
      p.text == "]" || p.text == "%" || p.type == L::TRUE || p.type == L::FALSE)
    return false;
  // A money literal ends with the currency, a name: handled above.
  return true;
}

std::string join_line(const std::vector<const Item*>& line) {
  std::string out;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const Item& it = *line[i];
    if (i > 0) {
      const Item& p = *line[i - 1];
      bool space = true;
      if (it.comment) {
        space = true;
      } else if (it.text == "," || it.text == ")" || it.text == "]" || it.text == ":" || it.text == ".") {
        space = false;
      } else if (it.text == "%" && (p.type == L::INT || p.type == L::DECIMAL)) {
        space = false;
      } else if (p.text == "(" || p.text == "[" || p.text == ".") {
        space = false;
      } else if ((it.text == "(" || it.text == "[") && (p.type == L::IDENT || p.text == ")" || p.text == "]")) {
        space = false;
      } else if (p.text == "-" && unary_minus(line, i - 1)) {
        space = false;
      } else if ((it.text == "/" && p.type == L::INT && i + 1 < line.size() && line[i + 1]->type == L::INT) ||
                 (p.text == "/" && it.type == L::INT && i >= 2 && line[i - 2]->type == L::INT)) {
        space = false;  // a fraction, `2/3`
      }
      if (space) out.push_back(' ');
    }
    out += it.text;
  }
  return out;
}

}  // namespace

std::optional<std::string> format_source(const std::string& text, std::string& why) {
  auto items = items_of(text, why);
  if (!items) return std::nullopt;
  // Lines: items that began a line in the source begin one here.
  std::vector<std::vector<const Item*>> lines;
  std::vector<std::size_t> blanks;
  for (std::size_t i = 0; i < items->size(); ++i) {
    const Item& it = (*items)[i];
    if (i == 0 || it.line > (*items)[i - 1].end_line) {
      lines.emplace_back();
      blanks.push_back(i == 0 ? 0 : std::min<std::size_t>(it.blank_before, 1));
    }
    lines.back().push_back(&it);
  }
  std::string out;
  int depth = 0;
  for (std::size_t n = 0; n < lines.size(); ++n) {
    const auto& line = lines[n];
    const bool closes = !line.front()->comment && line.front()->text == "}";
    const bool after_open = n > 0 && !lines[n - 1].back()->comment && lines[n - 1].back()->text == "{";
    if (blanks[n] > 0 && !closes && !after_open) out += "\n";
    const int indent = std::max(0, depth - (closes ? 1 : 0));
    out += std::string(static_cast<std::size_t>(indent) * 2, ' ') + join_line(line) + "\n";
    for (const Item* it : line) {
      if (it->comment) continue;
      if (it->text == "{") ++depth;
      if (it->text == "}") --depth;
    }
  }
  // The output must hold exactly the input's tokens and comments.
  std::string why_again;
  auto again = items_of(out, why_again);
  bool same = again && again->size() == items->size();
  for (std::size_t i = 0; same && i < items->size(); ++i)
    same = (*again)[i].comment == (*items)[i].comment && (*again)[i].type == (*items)[i].type &&
           (*again)[i].text == (*items)[i].text;
  if (!same) {
    why = "internal error: the layout would change the charter's tokens; the file is left as it is";
    return std::nullopt;
  }
  return out;
}

}  // namespace artel::syntax
