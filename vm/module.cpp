#include <sodium.h>

#include <cstring>
#include <numeric>
#include <string>

#include "vm/module.h"

namespace artel::vm {
namespace {

constexpr char kMagic[4] = {'A', 'C', 'M', '1'};

class Writer {
 public:
  void u8(uint8_t v) { out_.push_back(v); }
  void u16(uint16_t v) { le(v, 2); }
  void u32(uint32_t v) { le(v, 4); }
  void u64(uint64_t v) { le(v, 8); }
  void bytes(std::span<const uint8_t> b) { out_.insert(out_.end(), b.begin(), b.end()); }
  void str(const std::string& s) {
    u32(static_cast<uint32_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  void count(std::size_t n) { u32(static_cast<uint32_t>(n)); }
  std::vector<uint8_t> take() { return std::move(out_); }

 private:
  void le(uint64_t v, int n) {
    for (int i = 0; i < n; ++i) out_.push_back(static_cast<uint8_t>(v >> (8 * i)));
  }
  std::vector<uint8_t> out_;
};

bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto c = static_cast<uint8_t>(s[i]);
    std::size_t n = 0;
    uint32_t cp = 0;
    if (c < 0x80) {
      ++i;
      continue;
    }
    if ((c & 0xe0) == 0xc0) {
      n = 1;
      cp = c & 0x1f;
    } else if ((c & 0xf0) == 0xe0) {
      n = 2;
      cp = c & 0x0f;
    } else if ((c & 0xf8) == 0xf0) {
      n = 3;
      cp = c & 0x07;
    } else
      return false;
    for (std::size_t k = 1; k <= n; ++k) {
      if (i + k >= s.size()) return false;
      const auto cc = static_cast<uint8_t>(s[i + k]);
      if ((cc & 0xc0) != 0x80) return false;
      cp = (cp << 6) | (cc & 0x3f);
    }
    // Overlong forms, surrogates and values past U+10FFFF are not UTF-8.
    if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
        (cp >= 0xd800 && cp <= 0xdfff))
      return false;
    i += n + 1;
  }
  return true;
}

class Reader {
 public:
  explicit Reader(std::span<const uint8_t> b) : b_(b) {}

  bool failed() const { return failed_; }
  const Error& error() const { return error_; }
  std::size_t pos() const { return pos_; }
  std::size_t left() const { return b_.size() - pos_; }

  void fail(const std::string& what) {
    if (failed_) return;
    failed_ = true;
    error_ = make_error(ErrorCode::BadModule, static_cast<uint32_t>(pos_),
                        "byte " + std::to_string(pos_) + ": " + what);
  }
  bool need(std::size_t n, const char* what) {
    if (failed_) return false;
    if (n > left()) {
      fail(std::string("truncated ") + what + " (needs " + std::to_string(n) + " bytes, " +
           std::to_string(left()) + " left)");
      return false;
    }
    return true;
  }
  uint64_t le(int n, const char* what) {
    if (!need(static_cast<std::size_t>(n), what)) return 0;
    uint64_t v = 0;
    for (int i = 0; i < n; ++i) v |= uint64_t{b_[pos_ + static_cast<std::size_t>(i)]} << (8 * i);
    pos_ += static_cast<std::size_t>(n);
    return v;
  }
  uint8_t u8(const char* what) { return static_cast<uint8_t>(le(1, what)); }
  uint16_t u16(const char* what) { return static_cast<uint16_t>(le(2, what)); }
  uint32_t u32(const char* what) { return static_cast<uint32_t>(le(4, what)); }
  uint64_t u64(const char* what) { return le(8, what); }
  std::string str(const char* what) {
    const uint32_t n = u32(what);
    if (!need(n, what)) return {};
    std::string s(reinterpret_cast<const char*>(b_.data() + pos_), n);
    if (!valid_utf8(s)) {
      fail(std::string(what) + " is not valid UTF-8");
      return {};
    }
    pos_ += n;
    return s;
  }
  // A count of elements that each take at least `min_size` bytes; refusing
  // impossible counts up front keeps a forged count from allocating.
  uint32_t count(std::size_t min_size, const char* what) {
    const uint32_t n = u32(what);
    if (failed_) return 0;
    if (uint64_t{n} * min_size > left()) {
      fail(std::string(what) + " count " + std::to_string(n) + " exceeds the remaining bytes");
      return 0;
    }
    return n;
  }
  void raw(std::span<uint8_t> out, const char* what) {
    if (!need(out.size(), what) || out.empty()) return;
    std::memcpy(out.data(), b_.data() + pos_, out.size());
    pos_ += out.size();
  }

 private:
  std::span<const uint8_t> b_;
  std::size_t pos_ = 0;
  bool failed_ = false;
  Error error_;
};

void write_map(Writer& w, const std::map<std::string, std::string>& m) {
  w.count(m.size());
  for (const auto& [k, v] : m) {
    w.str(k);
    w.str(v);
  }
}

void read_map(Reader& r, std::map<std::string, std::string>& m, const char* what) {
  const uint32_t n = r.count(8, what);
  const std::string* prev = nullptr;
  for (uint32_t i = 0; i < n && !r.failed(); ++i) {
    std::string k = r.str("language code");
    std::string v = r.str(what);
    if (r.failed()) return;
    if (prev != nullptr && !(*prev < k)) {
      r.fail(std::string(what) + ": language codes must be sorted and unique ('" + k + "')");
      return;
    }
    prev = &m.emplace(std::move(k), std::move(v)).first->first;
  }
}

void write_params(Writer& w, const std::vector<EntryParam>& ps) {
  w.count(ps.size());
  for (const EntryParam& p : ps) {
    w.str(p.name);
    w.str(p.type);
  }
}

void read_params(Reader& r, std::vector<EntryParam>& ps, const char* what) {
  const uint32_t np = r.count(8, what);
  for (uint32_t k = 0; k < np && !r.failed(); ++k) {
    EntryParam p;
    p.name = r.str(what);
    p.type = r.str(what);
    ps.push_back(std::move(p));
  }
}

// Why a right cannot stand in entry `e` as recorded; "" when it can.
std::string bad_right(const Right& g, const EntryPoint& e) {
  switch (g.kind) {
    case RightKind::Member:
    case RightKind::Cooperative:
      if (g.count != 0 || g.subject != 0 || g.num != 0 || g.den != 0) return "has fields its kind does not use";
      return "";
    case RightKind::Guarantors:
      if (g.count < 1 || g.count > 16) return "asks for " + std::to_string(g.count) + " guarantors (1 to 16)";
      if (g.subject != kCallerSubject && (g.subject >= e.params.size() || e.params[g.subject].type != "member"))
        return "names parameter " + std::to_string(g.subject) + ", which is no member parameter";
      if (g.num != 0 || g.den != 0) return "has fields its kind does not use";
      return "";
    case RightKind::Assembly:
      if (g.den == 0 || g.num == 0 || g.num > g.den)
        return "has quorum " + std::to_string(g.num) + "/" + std::to_string(g.den) + " (must be above 0 and at most 1)";
      if (std::gcd(g.num, g.den) != 1)
        return "has quorum " + std::to_string(g.num) + "/" + std::to_string(g.den) + ", not in lowest terms";
      if (g.count != 0 || g.subject != 0) return "has fields its kind does not use";
      return "";
  }
  return "has unknown kind " + std::to_string(static_cast<unsigned>(g.kind));
}

}  // namespace

std::string describe_rights(const EntryPoint& e) {
  if (e.kind != EntryKind::Rule) return "ledger";
  std::string out;
  for (const Right& g : e.rights) {
    if (!out.empty()) out += " and ";
    switch (g.kind) {
      case RightKind::Member: out += "member"; break;
      case RightKind::Cooperative: out += "cooperative"; break;
      case RightKind::Guarantors:
        out += std::to_string(g.count) + " guarantors of " +
               (g.subject == kCallerSubject || g.subject >= e.params.size() ? std::string("caller")
                                                                          : e.params[g.subject].name);
        break;
      case RightKind::Assembly: out += "assembly quorum " + std::to_string(g.num) + "/" + std::to_string(g.den); break;
    }
  }
  return out;
}

std::vector<uint8_t> serialize(const Module& m) {
  Writer w;
  w.bytes(std::span<const uint8_t>(reinterpret_cast<const uint8_t*>(kMagic), 4));
  w.u16(kModuleFormatVersion);
  w.str(m.compiler_version);
  w.str(m.header.name);
  w.u32(m.header.version);
  w.str(m.header.currency);
  w.u8(m.header.scale);
  w.u8(static_cast<uint8_t>(m.header.period));
  w.u8(static_cast<uint8_t>(m.header.rounding));
  w.bytes(m.source_hash);
  w.count(m.code.size());
  for (uint64_t word : m.code) w.u64(word);
  w.count(m.relocations.size());
  for (const Relocation& r : m.relocations) {
    w.u32(r.insn);
    w.u32(r.id);
    w.str(r.name);
  }
  w.count(m.entries.size());
  for (const EntryPoint& e : m.entries) {
    w.str(e.name);
    w.u8(static_cast<uint8_t>(e.kind));
    w.u32(e.offset);
    write_params(w, e.params);
    w.count(e.rights.size());
    for (const Right& g : e.rights) {
      w.u8(static_cast<uint8_t>(g.kind));
      w.u32(g.count);
      w.u32(g.subject);
      w.u64(g.num);
      w.u64(g.den);
    }
    w.str(e.article);
  }
  w.count(m.parameters.size());
  for (const Parameter& p : m.parameters) {
    w.str(p.name);
    w.str(p.type);
    w.u64(static_cast<uint64_t>(p.value));
    w.str(p.display);
  }
  w.count(m.articles.size());
  for (const Article& a : m.articles) {
    w.str(a.number);
    write_map(w, a.titles);
    write_map(w, a.texts);
  }
  w.count(m.messages.size());
  for (const std::string& s : m.messages) w.str(s);
  w.count(m.events.size());
  for (const EventDecl& e : m.events) {
    w.str(e.name);
    write_params(w, e.params);
  }
  w.count(m.rodata.size());
  w.bytes(m.rodata);
  return w.take();
}

Result<Module> parse(std::span<const uint8_t> bytes) {
  Reader r(bytes);
  Module m;
  uint8_t magic[4] = {};
  r.raw(magic, "magic");
  if (!r.failed() && std::memcmp(magic, kMagic, 4) != 0) {
    return make_error(ErrorCode::BadModule, 0, "byte 0: not a charter module (magic is not \"ACM1\")");
  }
  const uint16_t version = r.u16("format version");
  if (!r.failed() && version != kModuleFormatVersion)
    return make_error(ErrorCode::BadModule, 4,
                      "byte 4: format version " + std::to_string(version) + " is not supported (expected " +
                          std::to_string(kModuleFormatVersion) + ")");
  m.compiler_version = r.str("compiler version");
  m.header.name = r.str("charter name");
  m.header.version = r.u32("charter version");
  m.header.currency = r.str("currency");
  m.header.scale = r.u8("scale");
  const uint8_t period = r.u8("period");
  const uint8_t rounding = r.u8("rounding");
  if (!r.failed() && m.header.scale > 9) r.fail("scale " + std::to_string(m.header.scale) + " is above 9");
  if (!r.failed() && period != 1 && period != 2) r.fail("period kind " + std::to_string(period) + " is unknown");
  if (!r.failed() && rounding > 3) r.fail("rounding kind " + std::to_string(rounding) + " is unknown");
  m.header.period = static_cast<PeriodKind>(period);
  m.header.rounding = static_cast<RoundingKind>(rounding);
  r.raw(m.source_hash, "source hash");
  const uint32_t ncode = r.count(8, "code");
  m.code.reserve(ncode);
  for (uint32_t i = 0; i < ncode && !r.failed(); ++i) m.code.push_back(r.u64("instruction"));
  const uint32_t nrel = r.count(12, "relocation");
  for (uint32_t i = 0; i < nrel && !r.failed(); ++i) {
    Relocation rel;
    rel.insn = r.u32("relocation index");
    rel.id = r.u32("relocation host id");
    rel.name = r.str("relocation name");
    m.relocations.push_back(std::move(rel));
  }
  const uint32_t nent = r.count(21, "entry point");
  for (uint32_t i = 0; i < nent && !r.failed(); ++i) {
    EntryPoint e;
    e.name = r.str("entry name");
    const uint8_t kind = r.u8("entry kind");
    if (!r.failed() && kind > static_cast<uint8_t>(EntryKind::PerAccount)) {
      r.fail("entry kind " + std::to_string(kind) + " is unknown");
      break;
    }
    e.kind = static_cast<EntryKind>(kind);
    e.offset = r.u32("entry offset");
    read_params(r, e.params, "entry parameter");
    const uint32_t nr = r.count(25, "right");
    for (uint32_t k = 0; k < nr && !r.failed(); ++k) {
      Right g;
      const uint8_t rk = r.u8("right kind");
      g.kind = static_cast<RightKind>(rk);
      g.count = r.u32("right count");
      g.subject = r.u32("right subject");
      g.num = r.u64("quorum numerator");
      g.den = r.u64("quorum denominator");
      if (r.failed()) break;
      if (rk > static_cast<uint8_t>(RightKind::Assembly)) {
        r.fail("entry '" + e.name + "': right kind " + std::to_string(rk) + " is unknown");
        break;
      }
      if (std::string why = bad_right(g, e); !why.empty()) {
        r.fail("entry '" + e.name + "': a right " + why);
        break;
      }
      e.rights.push_back(g);
    }
    if (!r.failed() && (e.kind == EntryKind::Rule) == e.rights.empty()) {
      r.fail("entry '" + e.name + "': " +
             (e.rights.empty() ? std::string("a rule must say who may call it")
                               : std::string("only a rule has rights (the ledger runs the others)")));
      break;
    }
    e.article = r.str("entry article");
    m.entries.push_back(std::move(e));
  }
  const uint32_t npar = r.count(20, "parameter");
  for (uint32_t i = 0; i < npar && !r.failed(); ++i) {
    Parameter p;
    p.name = r.str("parameter name");
    p.type = r.str("parameter type");
    p.value = static_cast<int64_t>(r.u64("parameter value"));
    p.display = r.str("parameter display");
    m.parameters.push_back(std::move(p));
  }
  const uint32_t nart = r.count(12, "article");
  for (uint32_t i = 0; i < nart && !r.failed(); ++i) {
    Article a;
    a.number = r.str("article number");
    read_map(r, a.titles, "article title");
    read_map(r, a.texts, "article text");
    m.articles.push_back(std::move(a));
  }
  const uint32_t nmsg = r.count(4, "message");
  for (uint32_t i = 0; i < nmsg && !r.failed(); ++i) m.messages.push_back(r.str("message"));
  const uint32_t nev = r.count(8, "event");
  for (uint32_t i = 0; i < nev && !r.failed(); ++i) {
    EventDecl e;
    e.name = r.str("event");
    read_params(r, e.params, "event value");
    if (!r.failed() && e.params.size() > 3) r.fail("event '" + e.name + "' carries more than 3 values");
    m.events.push_back(std::move(e));
  }
  const uint32_t nro = r.count(1, "read-only data");
  if (!r.failed()) {
    m.rodata.resize(nro);
    r.raw(m.rodata, "read-only data");
  }
  if (r.failed()) return r.error();
  if (r.left() != 0)
    return make_error(ErrorCode::BadModule, static_cast<uint32_t>(r.pos()),
                      "byte " + std::to_string(r.pos()) + ": " + std::to_string(r.left()) +
                          " trailing bytes after the module");
  return m;
}

Hash256 blake2b_256(std::span<const uint8_t> bytes) {
  Hash256 h{};
  crypto_generichash(h.data(), h.size(), bytes.data(), bytes.size(), nullptr, 0);
  return h;
}

std::string to_hex(std::span<const uint8_t> bytes) {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string s;
  s.reserve(bytes.size() * 2);
  for (uint8_t b : bytes) {
    s += kDigits[b >> 4];
    s += kDigits[b & 0xf];
  }
  return s;
}

Result<VerifiedProgram> load_module(const Module& module, HostTable hosts, const Limits& limits) {
  Program p;
  p.code = module.code;
  p.rodata = module.rodata;
  if (p.code.empty()) return make_error(ErrorCode::BadProgram, Error::kNoPc, "module has no code");
  Status linked = link(p, module.relocations, hosts);
  if (!linked) return linked.error();
  for (const EntryPoint& e : module.entries) {
    if (e.offset >= p.code.size())
      return make_error(
          ErrorCode::BadEntry, e.offset,
          "entry '" + e.name + "' at slot " + std::to_string(e.offset) + " is outside the code");
    p.entries.push_back(e.offset);
  }
  return verify(std::move(p), hosts, limits);
}

Result<uint32_t> find_entry(const Module& module, std::string_view name) {
  for (const EntryPoint& e : module.entries)
    if (e.name == name) return e.offset;
  return make_error(ErrorCode::BadEntry, Error::kNoPc,
                    "module has no entry point '" + std::string(name) + "'");
}

}  // namespace artel::vm
