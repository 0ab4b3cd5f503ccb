#include <algorithm>
#include <cctype>
#include <charconv>
#include <map>
#include <optional>
#include <string>

#include "vm/assembler.h"
#include "vm/opcodes.h"

namespace artel::vm {
namespace {

struct Number {
  bool neg = false;
  uint64_t mag = 0;
  [[nodiscard]] uint64_t bits() const { return neg ? 0 - mag : mag; }
  [[nodiscard]] bool fits_imm32() const { return neg ? mag <= 0x80000000u : mag <= 0xffffffffu; }
  [[nodiscard]] bool fits_off16() const { return neg ? mag <= 0x8000u : mag <= 0x7fffu; }
  [[nodiscard]] bool fits_int32() const { return neg ? mag <= 0x80000000u : mag <= 0x7fffffffu; }
  [[nodiscard]] bool fits_imm64() const { return !neg || mag <= 0x8000000000000000u; }
};

enum class Kind { Reg, Mem, Num, Ident };

struct Operand {
  Kind kind = Kind::Num;
  uint8_t reg = 0;
  Number num;  // immediate, or memory offset
  std::string ident;
};

struct Line {
  uint32_t line = 0;
  std::string mnemonic;
  std::vector<Operand> ops;
  uint32_t pc = 0;
};

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

bool is_ident_char(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0 || c == '_' || c == '.';
}

std::optional<Number> parse_number(std::string_view s) {
  Number n;
  if (!s.empty() && (s[0] == '+' || s[0] == '-')) {
    n.neg = s[0] == '-';
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  if (s.empty()) return std::nullopt;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), n.mag, base);
  if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  if (n.mag == 0) n.neg = false;
  return n;
}

std::optional<uint8_t> parse_register(std::string_view s) {
  if (!s.empty() && s[0] == '%') s.remove_prefix(1);
  if (s.size() < 2 || s[0] != 'r') return std::nullopt;
  s.remove_prefix(1);
  unsigned v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > 10 || (s.size() > 1 && s[0] == '0'))
    return std::nullopt;
  return static_cast<uint8_t>(v);
}

Error syntax(uint32_t line, std::string message) {
  return make_error(ErrorCode::SyntaxError, line, "line " + std::to_string(line) + ": " + std::move(message));
}

Result<Operand> parse_operand(std::string_view s, uint32_t line) {
  Operand o;
  if (auto r = parse_register(s)) {
    o.kind = Kind::Reg;
    o.reg = *r;
    return o;
  }
  if (!s.empty() && s.front() == '[') {
    if (s.back() != ']') return syntax(line, "missing ']' in '" + std::string(s) + "'");
    std::string_view in = trim(s.substr(1, s.size() - 2));
    std::size_t k = in.find_first_of("+-");
    std::string_view reg = trim(in.substr(0, k));
    auto r = parse_register(reg);
    if (!r) return syntax(line, "bad base register in '" + std::string(s) + "'");
    o.kind = Kind::Mem;
    o.reg = *r;
    if (k != std::string_view::npos) {
      std::string off(in.substr(k));
      off.erase(std::remove_if(off.begin(), off.end(),
                               [](char c) { return std::isspace(static_cast<unsigned char>(c)) != 0; }),
                off.end());
      auto n = parse_number(off);
      if (!n || !n->fits_off16()) return syntax(line, "bad memory offset in '" + std::string(s) + "'");
      o.num = *n;
    }
    return o;
  }
  if (auto n = parse_number(s)) {
    o.num = *n;
    return o;
  }
  if (!s.empty() && std::all_of(s.begin(), s.end(), is_ident_char) &&
      std::isdigit(static_cast<unsigned char>(s[0])) == 0) {
    o.kind = Kind::Ident;
    o.ident = std::string(s);
    return o;
  }
  return syntax(line, "cannot read operand '" + std::string(s) + "'");
}

std::vector<Kind> pattern(Form f) {
  switch (f) {
    case Form::AluImm:
      return {Kind::Reg, Kind::Num};
    case Form::AluReg:
      return {Kind::Reg, Kind::Reg};
    case Form::Unary:
      return {Kind::Reg};
    case Form::LoadImm64:
      return {Kind::Reg, Kind::Num};
    case Form::Load:
      return {Kind::Reg, Kind::Mem};
    case Form::StoreImm:
      return {Kind::Mem, Kind::Num};
    case Form::StoreReg:
      return {Kind::Mem, Kind::Reg};
    case Form::Atomic:
      return {Kind::Mem, Kind::Reg};
    case Form::Jump:
      return {Kind::Ident};
    case Form::Jump32:
      return {Kind::Ident};
    case Form::JumpImm:
      return {Kind::Reg, Kind::Num, Kind::Ident};
    case Form::JumpReg:
      return {Kind::Reg, Kind::Reg, Kind::Ident};
    case Form::CallHost:
      return {Kind::Num};
    case Form::CallLocal:
      return {Kind::Ident};
    case Form::CallX:
      return {Kind::Reg};
    case Form::Exit:
      return {};
  }
  return {};
}

// Kind::Ident in a pattern is a jump target: a label or a number.
bool matches(const std::vector<Operand>& ops, const std::vector<Kind>& pat) {
  if (ops.size() != pat.size()) return false;
  for (std::size_t i = 0; i < ops.size(); ++i) {
    if (pat[i] == Kind::Ident) {
      if (ops[i].kind != Kind::Ident && ops[i].kind != Kind::Num) return false;
    } else if (ops[i].kind != pat[i]) {
      return false;
    }
  }
  return true;
}

void set_selector(const OpInfo& row, Insn& in) {
  switch (row.select) {
    case Select::None:
      break;
    case Select::Off:
      in.off = static_cast<int16_t>(row.value);
      break;
    case Select::Imm:
      in.imm = row.value;
      break;
    case Select::Src:
      in.src = static_cast<uint8_t>(row.value);
      break;
  }
}

std::string reg_name(uint8_t r) {
  return "%r" + std::to_string(r);
}

std::string mem_operand(uint8_t reg, int16_t off) {
  std::string s = "[" + reg_name(reg);
  if (off > 0) s += "+" + std::to_string(off);
  if (off < 0) s += std::to_string(off);
  return s + "]";
}

std::string signed_offset(int64_t off) {
  return off >= 0 ? "+" + std::to_string(off) : std::to_string(off);
}

}  // namespace

Result<std::vector<uint64_t>> assemble(std::string_view source) {
  std::vector<Line> lines;
  std::map<std::string, uint32_t, std::less<>> labels;
  uint32_t pc = 0;
  uint32_t lineno = 0;
  while (!source.empty()) {
    ++lineno;
    const std::size_t nl = source.find('\n');
    std::string_view text = source.substr(0, nl);
    source.remove_prefix(nl == std::string_view::npos ? source.size() : nl + 1);
    std::size_t cut = std::min({text.find('#'), text.find(';'), text.find("//")});
    text = trim(text.substr(0, cut));
    // Labels, possibly followed by an instruction.
    while (true) {
      std::size_t k = 0;
      while (k < text.size() && is_ident_char(text[k])) ++k;
      if (k == 0 || k >= text.size() || text[k] != ':') break;
      std::string name(text.substr(0, k));
      if (labels.count(name) != 0) return syntax(lineno, "label '" + name + "' defined twice");
      labels[name] = pc;
      text = trim(text.substr(k + 1));
    }
    if (text.empty()) continue;
    Line l;
    l.line = lineno;
    l.pc = pc;
    auto next_word = [&text]() {
      std::size_t k = 0;
      while (k < text.size() && std::isspace(static_cast<unsigned char>(text[k])) == 0) ++k;
      std::string w(text.substr(0, k));
      text = trim(text.substr(k));
      return w;
    };
    l.mnemonic = next_word();
    if (l.mnemonic == "lock") {
      std::string w = next_word();
      if (w == "fetch") w += " " + next_word();
      l.mnemonic += " " + w;
    } else if (l.mnemonic == "call" && text.rfind("local", 0) == 0 &&
               (text.size() == 5 || std::isspace(static_cast<unsigned char>(text[5])) != 0)) {
      l.mnemonic += " " + next_word();
    }
    if (!text.empty()) {
      std::size_t start = 0;
      while (true) {
        std::size_t comma = text.find(',', start);
        std::string_view part = trim(
            text.substr(start, comma == std::string_view::npos ? std::string_view::npos : comma - start));
        if (part.empty()) return syntax(lineno, "empty operand");
        auto op = parse_operand(part, lineno);
        if (!op) return op.error();
        l.ops.push_back(std::move(op.value()));
        if (comma == std::string_view::npos) break;
        start = comma + 1;
      }
    }
    pc += l.mnemonic == "lddw" ? 2 : 1;
    lines.push_back(std::move(l));
  }

  std::vector<uint64_t> out;
  out.reserve(pc);
  for (const Line& l : lines) {
    if (l.mnemonic == ".word") {
      if (l.ops.size() != 1 || l.ops[0].kind != Kind::Num) return syntax(l.line, ".word takes one number");
      out.push_back(l.ops[0].num.bits());
      continue;
    }
    std::string mn = l.mnemonic;
    // Spellings of the conformance suite that are not table mnemonics.
    if (mn == "call" && l.ops.size() == 1 && l.ops[0].kind == Kind::Reg) mn = "callx";
    if (mn == "swap16" || mn == "swap32" || mn == "swap64") mn = "b" + mn;
    const OpInfo* row = nullptr;
    bool known = false;
    for (const OpInfo& r : kOpTable) {
      if (r.mnemonic != mn) continue;
      known = true;
      if (matches(l.ops, pattern(r.form))) {
        row = &r;
        break;
      }
    }
    if (row == nullptr)
      return syntax(l.line, known ? "wrong operands for '" + mn + "'" : "unknown instruction '" + mn + "'");
    Insn in;
    in.opcode = row->opcode;
    set_selector(*row, in);
    auto target = [&](const Operand& o, bool wide) -> Result<int32_t> {
      Number n;
      if (o.kind == Kind::Ident) {
        auto it = labels.find(o.ident);
        int64_t to = 0;
        if (it != labels.end()) {
          to = it->second;
        } else if (o.ident == "exit" && pc > 0) {
          to = pc - 1;  // the suite's convention: `exit` names the last instruction
        } else {
          return syntax(l.line, "unknown label '" + o.ident + "'");
        }
        const int64_t d = to - static_cast<int64_t>(l.pc) - 1;
        n.neg = d < 0;
        n.mag = static_cast<uint64_t>(d < 0 ? -d : d);
      } else {
        n = o.num;
      }
      if (wide ? !n.fits_int32() : !n.fits_off16()) return syntax(l.line, "jump offset out of range");
      return static_cast<int32_t>(static_cast<uint32_t>(n.bits()));
    };
    auto imm32 = [&](const Number& n) -> Result<int32_t> {
      if (!n.fits_imm32()) return syntax(l.line, "immediate does not fit in 32 bits");
      return static_cast<int32_t>(static_cast<uint32_t>(n.bits()));
    };
    const auto& o = l.ops;
    switch (row->form) {
      case Form::AluImm: {
        in.dst = o[0].reg;
        auto v = imm32(o[1].num);
        if (!v) return v.error();
        in.imm = v.value();
        break;
      }
      case Form::AluReg:
        in.dst = o[0].reg;
        in.src = o[1].reg;
        break;
      case Form::Unary:
        in.dst = o[0].reg;
        break;
      case Form::LoadImm64: {
        in.dst = o[0].reg;
        if (!o[1].num.fits_imm64()) return syntax(l.line, "immediate does not fit in 64 bits");
        const uint64_t v = o[1].num.bits();
        in.imm = static_cast<int32_t>(static_cast<uint32_t>(v));
        out.push_back(in.word());
        Insn hi;
        hi.imm = static_cast<int32_t>(static_cast<uint32_t>(v >> 32));
        out.push_back(hi.word());
        continue;
      }
      case Form::Load:
        in.dst = o[0].reg;
        in.src = o[1].reg;
        in.off = static_cast<int16_t>(o[1].num.bits());
        break;
      case Form::StoreImm: {
        in.dst = o[0].reg;
        in.off = static_cast<int16_t>(o[0].num.bits());
        auto v = imm32(o[1].num);
        if (!v) return v.error();
        in.imm = v.value();
        break;
      }
      case Form::StoreReg:
      case Form::Atomic:
        in.dst = o[0].reg;
        in.off = static_cast<int16_t>(o[0].num.bits());
        in.src = o[1].reg;
        break;
      case Form::Jump: {
        auto t = target(o[0], false);
        if (!t) return t.error();
        in.off = static_cast<int16_t>(t.value());
        break;
      }
      case Form::Jump32:
      case Form::CallLocal: {
        auto t = target(o[0], true);
        if (!t) return t.error();
        in.imm = t.value();
        break;
      }
      case Form::JumpImm: {
        in.dst = o[0].reg;
        auto v = imm32(o[1].num);
        if (!v) return v.error();
        in.imm = v.value();
        auto t = target(o[2], false);
        if (!t) return t.error();
        in.off = static_cast<int16_t>(t.value());
        break;
      }
      case Form::JumpReg: {
        in.dst = o[0].reg;
        in.src = o[1].reg;
        auto t = target(o[2], false);
        if (!t) return t.error();
        in.off = static_cast<int16_t>(t.value());
        break;
      }
      case Form::CallHost: {
        auto v = imm32(o[0].num);
        if (!v) return v.error();
        in.imm = v.value();
        break;
      }
      case Form::CallX:
        in.dst = o[0].reg;
        break;
      case Form::Exit:
        break;
    }
    out.push_back(in.word());
  }
  return out;
}

std::vector<DisassembledLine> disassemble(std::span<const uint64_t> code, HostTable hosts) {
  std::vector<DisassembledLine> out;
  for (std::size_t pc = 0; pc < code.size(); ++pc) {
    const Insn in = Insn::from_word(code[pc]);
    DisassembledLine line{static_cast<uint32_t>(pc), ".word " + hex_u64(code[pc])};
    const std::optional<Op> op = lookup(in);
    if (!op || in.dst > 10 || in.src > 10) {
      out.push_back(std::move(line));
      continue;
    }
    const OpInfo& row = info(*op);
    const std::string mn(row.mnemonic);
    // The canonical encoding of what the text shows; if the word has other
    // bits set, it is printed as .word so that it re-assembles exactly.
    Insn canon;
    canon.opcode = row.opcode;
    set_selector(row, canon);
    std::string text;
    switch (row.form) {
      case Form::AluImm:
        canon.dst = in.dst;
        canon.imm = in.imm;
        text = mn + " " + reg_name(in.dst) + ", " + std::to_string(in.imm);
        break;
      case Form::AluReg:
        canon.dst = in.dst;
        canon.src = in.src;
        text = mn + " " + reg_name(in.dst) + ", " + reg_name(in.src);
        break;
      case Form::Unary:
        canon.dst = in.dst;
        text = mn + " " + reg_name(in.dst);
        break;
      case Form::LoadImm64: {
        canon.dst = in.dst;
        canon.imm = in.imm;
        if (pc + 1 >= code.size() || canon.word() != code[pc]) break;
        const Insn hi = Insn::from_word(code[pc + 1]);
        Insn hi_canon;
        hi_canon.imm = hi.imm;
        if (hi_canon.word() != code[pc + 1]) break;
        const uint64_t v = uint64_t{static_cast<uint32_t>(in.imm)} | uint64_t{static_cast<uint32_t>(hi.imm)}
                                                                         << 32;
        line.text = "lddw " + reg_name(in.dst) + ", " + hex_u64(v);
        out.push_back(std::move(line));
        ++pc;
        continue;
      }
      case Form::Load:
        canon.dst = in.dst;
        canon.src = in.src;
        canon.off = in.off;
        text = mn + " " + reg_name(in.dst) + ", " + mem_operand(in.src, in.off);
        break;
      case Form::StoreImm:
        canon.dst = in.dst;
        canon.off = in.off;
        canon.imm = in.imm;
        text = mn + " " + mem_operand(in.dst, in.off) + ", " + std::to_string(in.imm);
        break;
      case Form::StoreReg:
      case Form::Atomic:
        canon.dst = in.dst;
        canon.src = in.src;
        canon.off = in.off;
        text = mn + " " + mem_operand(in.dst, in.off) + ", " + reg_name(in.src);
        break;
      case Form::Jump:
        canon.off = in.off;
        text = mn + " " + signed_offset(in.off);
        break;
      case Form::Jump32:
      case Form::CallLocal:
        canon.imm = in.imm;
        text = mn + " " + signed_offset(in.imm);
        break;
      case Form::JumpImm:
        canon.dst = in.dst;
        canon.imm = in.imm;
        canon.off = in.off;
        text = mn + " " + reg_name(in.dst) + ", " + std::to_string(in.imm) + ", " + signed_offset(in.off);
        break;
      case Form::JumpReg:
        canon.dst = in.dst;
        canon.src = in.src;
        canon.off = in.off;
        text = mn + " " + reg_name(in.dst) + ", " + reg_name(in.src) + ", " + signed_offset(in.off);
        break;
      case Form::CallHost: {
        canon.imm = in.imm;
        text = mn + " " + std::to_string(static_cast<uint32_t>(in.imm));
        if (const HostFunction* h = find_host(hosts, static_cast<uint32_t>(in.imm))) text += "  # " + h->name;
        break;
      }
      case Form::CallX:
        canon.dst = in.dst;
        text = mn + " " + reg_name(in.dst);
        break;
      case Form::Exit:
        text = mn;
        break;
    }
    if (!text.empty() && canon.word() == code[pc]) line.text = std::move(text);
    out.push_back(std::move(line));
  }
  return out;
}

}  // namespace artel::vm
