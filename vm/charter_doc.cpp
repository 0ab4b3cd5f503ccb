#include "vm/charter_doc.h"

#include <algorithm>
#include <map>
#include <set>

namespace artel::vm {

namespace {

std::string number_word(std::uint64_t n, bool ru) {
  static const char* en[] = {"zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten"};
  static const char* ruw[] = {"ноль", "один", "два", "три", "четыре", "пять", "шесть", "семь", "восемь", "девять",
                              "десять"};
  if (n <= 10) return ru ? ruw[n] : en[n];
  return std::to_string(n);
}

// A parameter's name as words: "new_member" -> "new member".
std::string words(std::string_view name) {
  std::string s(name);
  std::replace(s.begin(), s.end(), '_', ' ');
  return s;
}

std::string fraction_words(std::uint64_t num, std::uint64_t den, bool ru) {
  if (num == den) return ru ? "все члены общего собрания" : "all members of the general assembly";
  if (num == 1 && den == 2) return ru ? "половина общего собрания" : "half of the general assembly";
  if (num == 2 && den == 3) return ru ? "две трети общего собрания" : "two thirds of the general assembly";
  if (num == 3 && den == 4) return ru ? "три четверти общего собрания" : "three quarters of the general assembly";
  if (num == 1 && den == 3) return ru ? "треть общего собрания" : "a third of the general assembly";
  if (num == 1 && den == 4) return ru ? "четверть общего собрания" : "a quarter of the general assembly";
  const std::string f = std::to_string(num) + "/" + std::to_string(den);
  return ru ? f + " членов общего собрания" : f + " of the members of the general assembly";
}

std::string guarantors_words(const EntryPoint& e, const Right& r, bool ru) {
  const bool caller = r.subject == kCallerSubject || r.subject >= e.params.size();
  const std::string subject = caller ? "" : words(e.params[r.subject].name);
  if (ru) {
    const std::uint64_t n = r.count;
    const char* noun = n % 10 == 1 && n % 100 != 11                                  ? "поручитель"
                       : n % 10 >= 2 && n % 10 <= 4 && (n % 100 < 10 || n % 100 >= 20) ? "поручителя"
                                                                                        : "поручителей";
    const std::string count = n == 1 ? "" : number_word(n, true) + " ";
    return count + noun + (caller ? " действующего участника" : " участника «" + subject + "»");
  }
  const std::string count = r.count == 1 ? "a guarantor" : number_word(r.count, false) + " guarantors";
  return count + (caller ? " of the member acting" : " of the " + subject);
}

std::string right_words(const EntryPoint& e, const Right& r, bool ru) {
  switch (r.kind) {
    case RightKind::Member: return ru ? "любой член кооператива" : "any member";
    case RightKind::Cooperative: return ru ? "кооператив" : "the cooperative";
    case RightKind::Guarantors: return guarantors_words(e, r, ru);
    case RightKind::Assembly: return fraction_words(r.num, r.den, ru);
  }
  return "?";
}

// The module's instructions, with each call named by its host function
// (whose id a later host table may renumber).
std::vector<std::string> code_text(const Module& m) {
  std::map<std::uint32_t, const std::string*> calls;
  for (const auto& r : m.relocations) calls[r.insn] = &r.name;
  std::vector<std::string> out;
  for (std::uint32_t i = 0; i < m.code.size(); ++i) {
    auto c = calls.find(i);
    out.push_back(c != calls.end() ? "call " + *c->second : std::to_string(m.code[i]));
  }
  return out;
}

const char* period_name(PeriodKind p) { return p == PeriodKind::Month ? "month" : "week"; }
const char* rounding_name(RoundingKind r) {
  switch (r) {
    case RoundingKind::None: return "none";
    case RoundingKind::Down: return "down";
    case RoundingKind::Up: return "up";
    case RoundingKind::HalfEven: return "half even";
  }
  return "?";
}

}  // namespace

std::string rights_in_words(const EntryPoint& e, std::string_view lang) {
  const bool ru = lang == "ru";
  if (e.kind != EntryKind::Rule) return ru ? "леджер, сам" : "the ledger, on its own";
  std::string out;
  for (const Right& r : e.rights) {
    if (!out.empty()) out += ru ? " и " : " and ";
    out += right_words(e, r, ru);
  }
  return out;
}

std::string entry_kind_name(EntryKind kind) {
  switch (kind) {
    case EntryKind::Rule: return "rule";
    case EntryKind::Periodic: return "every period";
    case EntryKind::ClauseHook: return "ledger hook";
    case EntryKind::PerAccount: return "every account, every period";
  }
  return "?";
}

std::string change_name(CharterDiff::Change c) {
  switch (c) {
    case CharterDiff::Change::added: return "added";
    case CharterDiff::Change::removed: return "removed";
    case CharterDiff::Change::changed: return "changed";
  }
  return "?";
}

CharterDiff diff_modules(const Module& a, const Module& b) {
  CharterDiff d;
  using C = CharterDiff::Change;
  auto field = [&](const char* name, const std::string& x, const std::string& y) {
    if (x != y) d.header.push_back({name, x, y});
  };
  field("name", a.header.name, b.header.name);
  field("currency", a.header.currency, b.header.currency);
  field("scale", std::to_string(a.header.scale), std::to_string(b.header.scale));
  field("period", period_name(a.header.period), period_name(b.header.period));
  field("rounding", rounding_name(a.header.rounding), rounding_name(b.header.rounding));

  std::map<std::string, const Parameter*> pa, pb;
  for (const auto& p : a.parameters) pa[p.name] = &p;
  for (const auto& p : b.parameters) pb[p.name] = &p;
  std::set<std::string> names;
  for (const auto& [n, p] : pa) names.insert(n);
  for (const auto& [n, p] : pb) names.insert(n);
  for (const auto& n : names) {
    const Parameter* x = pa.count(n) ? pa[n] : nullptr;
    const Parameter* y = pb.count(n) ? pb[n] : nullptr;
    if (x && y && x->value == y->value && x->type == y->type && x->display == y->display) continue;
    CharterDiff::Parameter c;
    c.change = !x ? C::added : !y ? C::removed : C::changed;
    c.name = n;
    c.type = y ? y->type : x->type;
    if (x) c.from_value = x->value, c.from_display = x->display;
    if (y) c.to_value = y->value, c.to_display = y->display;
    d.parameters.push_back(std::move(c));
  }

  std::map<std::string, const EntryPoint*> ea, eb;
  for (const auto& e : a.entries) ea[e.name] = &e;
  for (const auto& e : b.entries) eb[e.name] = &e;
  names.clear();
  for (const auto& [n, e] : ea) names.insert(n);
  for (const auto& [n, e] : eb) names.insert(n);
  for (const auto& n : names) {
    const EntryPoint* x = ea.count(n) ? ea[n] : nullptr;
    const EntryPoint* y = eb.count(n) ? eb[n] : nullptr;
    CharterDiff::Rule r;
    r.name = n;
    r.kind = entry_kind_name((y ? y : x)->kind);
    r.article = (y ? y : x)->article;
    if (x) r.from_rights = rights_in_words(*x, "en"), r.from_article = x->article;
    if (y) r.to_rights = rights_in_words(*y, "en");
    if (!x || !y) {
      r.change = !x ? C::added : C::removed;
      d.rules.push_back(std::move(r));
      continue;
    }
    r.rights_changed = x->rights != y->rights || x->kind != y->kind;
    r.params_changed = x->params != y->params;
    r.article_changed = x->article != y->article;
    if (r.rights_changed || r.params_changed || r.article_changed) d.rules.push_back(std::move(r));
  }

  std::map<std::string, const Article*> aa, ab;
  for (const auto& x : a.articles) aa[x.number] = &x;
  for (const auto& x : b.articles) ab[x.number] = &x;
  std::vector<std::string> numbers;  // in the order of the new version, then the removed ones
  for (const auto& x : b.articles) numbers.push_back(x.number);
  for (const auto& x : a.articles)
    if (!ab.count(x.number)) numbers.push_back(x.number);
  for (const auto& n : numbers) {
    const Article* x = aa.count(n) ? aa[n] : nullptr;
    const Article* y = ab.count(n) ? ab[n] : nullptr;
    CharterDiff::Article c;
    c.number = n;
    if (!x || !y) {
      c.change = !x ? C::added : C::removed;
      d.articles.push_back(std::move(c));
      continue;
    }
    auto langs = [](const std::map<std::string, std::string>& p, const std::map<std::string, std::string>& q) {
      std::vector<std::string> out;
      std::set<std::string> all;
      for (const auto& [k, v] : p) all.insert(k);
      for (const auto& [k, v] : q) all.insert(k);
      for (const auto& k : all) {
        auto i = p.find(k), j = q.find(k);
        if (i == p.end() || j == q.end() || i->second != j->second) out.push_back(k);
      }
      return out;
    };
    c.titles_changed = langs(x->titles, y->titles);
    c.texts_changed = langs(x->texts, y->texts);
    if (!c.titles_changed.empty() || !c.texts_changed.empty()) d.articles.push_back(std::move(c));
  }
  d.code_changed = code_text(a) != code_text(b) || a.rodata != b.rodata;
  d.from_instructions = a.code.size();
  d.to_instructions = b.code.size();
  return d;
}

std::optional<std::vector<TextPiece>> split_text(std::string_view text, std::string& why, std::size_t& at) {
  std::vector<TextPiece> out;
  std::string literal;
  std::size_t literal_at = 0;
  auto flush = [&](std::size_t next) {
    if (!literal.empty()) out.push_back({false, literal, literal_at});
    literal.clear();
    literal_at = next;
  };
  for (std::size_t i = 0; i < text.size();) {
    const char c = text[i];
    if ((c == '{' || c == '}') && i + 1 < text.size() && text[i + 1] == c) {
      if (literal.empty()) literal_at = i;
      literal.push_back(c);
      i += 2;
      continue;
    }
    if (c == '}') {
      why = "a `}` that closes no `{` (write `}}` for a brace)";
      at = i;
      return std::nullopt;
    }
    if (c != '{') {
      if (literal.empty()) literal_at = i;
      literal.push_back(c);
      ++i;
      continue;
    }
    const std::size_t close = text.find('}', i + 1);
    if (close == std::string_view::npos) {
      why = "a `{` that is never closed (write `{{` for a brace)";
      at = i;
      return std::nullopt;
    }
    const std::string_view name = text.substr(i + 1, close - i - 1);
    bool is_name = !name.empty() && !(name[0] >= '0' && name[0] <= '9');
    for (char ch : name)
      is_name = is_name && (ch == '_' || (ch >= '0' && ch <= '9') || (ch >= 'a' && ch <= 'z') ||
                            (ch >= 'A' && ch <= 'Z') || (static_cast<unsigned char>(ch) >= 0x80));
    if (!is_name) {
      why = "`{" + std::string(name) + "}` is not a parameter's name (write `{{` for a brace)";
      at = i;
      return std::nullopt;
    }
    flush(i);
    out.push_back({true, std::string(name), i});
    i = close + 1;
    literal_at = i;
  }
  flush(text.size());
  return out;
}

std::string render_text(std::string_view text, const Module& m, std::string_view lang) {
  std::string why;
  std::size_t at = 0;
  auto pieces = split_text(text, why, at);
  if (!pieces) return std::string(text);
  std::string out;
  for (const auto& p : *pieces) {
    if (!p.placeholder) {
      out += p.text;
      continue;
    }
    const Parameter* found = nullptr;
    for (const auto& q : m.parameters)
      if (q.name == p.text) found = &q;
    if (found == nullptr) {
      out += "{" + p.text + "}";
      continue;
    }
    std::string shown = found->display;
    if (lang == "ru")
      for (std::size_t k = 0; k + 1 < shown.size(); ++k)
        if (shown[k] == '.' && shown[k + 1] >= '0' && shown[k + 1] <= '9' && k > 0 && shown[k - 1] >= '0' &&
            shown[k - 1] <= '9')
          shown[k] = ',';
    out += shown;
  }
  return out;
}

std::vector<StatedNumber> stated_numbers(std::string_view text, int scale, std::string_view currency) {
  std::vector<StatedNumber> out;
  auto digit = [&](std::size_t i) { return i < text.size() && text[i] >= '0' && text[i] <= '9'; };
  // A space, a no-break space (C2 A0) or a narrow one (E2 80 AF): its length, or 0.
  auto space = [&](std::size_t i) -> std::size_t {
    if (i < text.size() && text[i] == ' ') return 1;
    if (text.substr(i, 2) == "\xC2\xA0") return 2;
    if (text.substr(i, 3) == "\xE2\x80\xAF") return 3;
    return 0;
  };
  for (std::size_t i = 0; i < text.size();) {
    if (!digit(i) || (i > 0 && (digit(i - 1) || text[i - 1] == '.' || text[i - 1] == ','))) {
      ++i;
      continue;
    }
    const std::size_t start = i;
    std::string whole;
    while (digit(i)) whole.push_back(text[i++]);
    // Thousands: a space and exactly three digits, not followed by a fourth.
    for (;;) {
      const std::size_t sp = space(i);
      if (sp == 0 || !digit(i + sp) || !digit(i + sp + 1) || !digit(i + sp + 2) || digit(i + sp + 3)) break;
      whole.append(text.substr(i + sp, 3));
      i += sp + 3;
    }
    std::string frac;
    if (i + 1 < text.size() && (text[i] == '.' || text[i] == ',') && digit(i + 1)) {
      ++i;
      while (digit(i)) frac.push_back(text[i++]);
    }
    std::size_t j = i;
    while (std::size_t sp = space(j)) j += sp;
    StatedNumber n;
    n.offset = start;
    std::size_t end = 0;
    int places = 0;
    if (j < text.size() && text[j] == '%') {
      n.rate = true;
      places = 7;  // parts per billion: 1 % = 10^7
      end = j + 1;
    } else if (!currency.empty() && text.substr(j, currency.size()) == currency) {
      places = scale;
      end = j + currency.size();
    } else {
      continue;
    }
    if (static_cast<int>(frac.size()) > places || whole.size() + static_cast<std::size_t>(places) > 18) continue;
    std::int64_t v = 0;
    for (char ch : whole) v = v * 10 + (ch - '0');
    for (int k = 0; k < places; ++k)
      v = v * 10 + (static_cast<std::size_t>(k) < frac.size() ? frac[static_cast<std::size_t>(k)] - '0' : 0);
    n.value = v;
    n.text = std::string(text.substr(start, end - start));
    out.push_back(std::move(n));
    i = end;
  }
  return out;
}

}  // namespace artel::vm
