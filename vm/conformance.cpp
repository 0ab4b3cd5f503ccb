#include <algorithm>
#include <cctype>
#include <charconv>

#include "vm/assembler.h"
#include "vm/conformance.h"
#include "vm/interpreter.h"
#include "vm/program.h"

namespace artel::vm {
namespace {

std::string_view trim(std::string_view s) {
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.front())) != 0) s.remove_prefix(1);
  while (!s.empty() && std::isspace(static_cast<unsigned char>(s.back())) != 0) s.remove_suffix(1);
  return s;
}

std::optional<uint64_t> parse_u64(std::string_view s) {
  s = trim(s);
  bool neg = false;
  if (!s.empty() && s[0] == '-') {
    neg = true;
    s.remove_prefix(1);
  }
  int base = 10;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    base = 16;
    s.remove_prefix(2);
  }
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v, base);
  if (s.empty() || ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  return neg ? 0 - v : v;
}

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

Error bad_file(std::string message) {
  return make_error(ErrorCode::SyntaxError, Error::kNoPc, std::move(message));
}

}  // namespace

Result<DataFile> parse_data_file(std::string_view text) {
  DataFile f;
  std::string section;
  std::string body;
  auto finish = [&]() -> std::optional<Error> {
    if (section.empty()) return std::nullopt;
    // Section bodies other than asm ignore comment lines.
    std::string clean;
    if (section != "asm") {
      std::string_view rest = body;
      while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        std::string_view line = trim(rest.substr(0, nl));
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
        if (line.empty() || line[0] == '#') continue;
        clean += std::string(line) + "\n";
      }
    }
    if (section == "asm") {
      f.assembly = body;
    } else if (section == "raw") {
      std::vector<uint64_t> words;
      std::string_view rest = clean;
      while (!rest.empty()) {
        const std::size_t nl = rest.find('\n');
        auto w = parse_u64(rest.substr(0, nl));
        if (!w) return bad_file("-- raw: cannot read '" + std::string(trim(rest.substr(0, nl))) + "'");
        words.push_back(*w);
        rest.remove_prefix(nl == std::string_view::npos ? rest.size() : nl + 1);
      }
      f.raw = std::move(words);
    } else if (section == "mem") {
      std::size_t i = 0;
      while (i < clean.size()) {
        if (std::isspace(static_cast<unsigned char>(clean[i])) != 0) {
          ++i;
          continue;
        }
        std::size_t j = i;
        while (j < clean.size() && std::isspace(static_cast<unsigned char>(clean[j])) == 0) ++j;
        unsigned v = 0;
        auto [p, ec] = std::from_chars(clean.data() + i, clean.data() + j, v, 16);
        if (ec != std::errc() || p != clean.data() + j || v > 0xff)
          return bad_file("-- mem: cannot read byte '" + clean.substr(i, j - i) + "'");
        f.memory.push_back(static_cast<uint8_t>(v));
        i = j;
      }
    } else if (section == "result") {
      auto v = parse_u64(clean);
      if (!v) return bad_file("-- result: cannot read '" + std::string(trim(clean)) + "'");
      f.result = *v;
    } else if (section == "error") {
      f.error = std::string(trim(clean));
    } else if (section == "budget") {
      auto v = parse_u64(clean);
      if (!v) return bad_file("-- budget: cannot read '" + std::string(trim(clean)) + "'");
      f.budget = *v;
    }
    // Other sections (-- c, -- no register offset) are informational.
    return std::nullopt;
  };
  while (!text.empty()) {
    const std::size_t nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    if (line.rfind("-- ", 0) == 0) {
      if (auto e = finish()) return *e;
      section = std::string(trim(line.substr(3)));
      body.clear();
      // `-- budget 100` may carry its value on the same line.
      if (section.rfind("budget ", 0) == 0) {
        body = section.substr(7) + "\n";
        section = "budget";
      }
      continue;
    }
    if (!section.empty()) body += std::string(line) + "\n";
  }
  if (auto e = finish()) return *e;
  return f;
}

HostTable ConformanceHost::table() {
  static const HostFunction kTable[] = {{"add", 1, 2}, {"unwind", 5, 1}, {"fail", 6, 0}, {"lend", 7, 0}};
  return kTable;
}

HostResult ConformanceHost::add(Host&, std::span<const uint64_t, 5> args, GuestMemory&) {
  return HostResult::ok(args[0] + args[1]);
}

HostResult ConformanceHost::unwind(Host& self, std::span<const uint64_t, 5> args, GuestMemory&) {
  if (args[0] == 0) return self.fail(kUnwindCode, "unwind");
  return HostResult::ok(args[0]);
}

HostResult ConformanceHost::fail(Host& self, std::span<const uint64_t, 5>, GuestMemory&) {
  return self.fail(6, "the program asked to fail");
}

HostResult ConformanceHost::lend(Host& self, std::span<const uint64_t, 5>, GuestMemory& memory) {
  auto& host = static_cast<ConformanceHost&>(self);  // resolve() hands this out for a ConformanceHost only
  host.lent_.fill(0);
  auto addr = memory.lend(host.lent_);
  if (!addr) return self.fail(7, "no lending slot left");
  return HostResult::ok(*addr);
}

Host::Function ConformanceHost::resolve(uint32_t id) {
  switch (id) {
    case 1:
      return &add;
    case 5:
      return &unwind;
    case 6:
      return &fail;
    case 7:
      return &lend;
    default:
      return nullptr;
  }
}

HostResult ConformanceHost::call(uint32_t id, const std::array<uint64_t, 5>& args, GuestMemory& memory) {
  if (Function f = resolve(id)) return f(*this, std::span<const uint64_t, 5>(args), memory);
  return Host::fail(1, "no host function " + std::to_string(id));
}

CaseOutcome run_data_file(const DataFile& file) {
  std::vector<uint64_t> words;
  if (file.assembly) {
    auto a = assemble(*file.assembly);
    if (!a) return {false, "cannot read program: " + a.error().describe()};
    words = std::move(a.value());
    if (file.raw && *file.raw != words) {
      std::size_t i = 0;
      while (i < words.size() && i < file.raw->size() && words[i] == (*file.raw)[i]) ++i;
      return {false, "-- asm and -- raw differ at slot " + std::to_string(i)};
    }
  } else if (file.raw) {
    words = *file.raw;
  } else {
    return {false, "no -- asm or -- raw section"};
  }
  // Checked before -- error is consulted: the verifier refuses an empty
  // program, and that refusal must not pass for the error a test expects.
  if (words.empty()) return {false, "no program: the -- asm or -- raw section holds no instruction"};
  if (!file.result && !file.error) return {false, "no -- result or -- error section"};

  auto matches = [&](const Error& e) {
    return file.error->empty() || lower(e.describe()).find(lower(*file.error)) != std::string::npos;
  };
  Program program;
  program.code = std::move(words);
  auto verified = verify(std::move(program), ConformanceHost::table());
  if (!verified) {
    if (file.error && matches(verified.error())) return {true, {}};
    return {false, "refused: " + verified.error().describe()};
  }
  ConformanceHost host;
  Vm vm;
  std::vector<uint8_t> memory = file.memory;
  RunOptions options;
  options.budget = file.budget;
  options.input = memory;
  RunResult run = vm.run(verified.value(), host, options);
  uint64_t r0 = run.r0;
  if (run.error) {
    const bool unwound =
        run.error->code == ErrorCode::HostError && run.error->host_code == ConformanceHost::kUnwindCode;
    if (!unwound) {
      if (file.error && matches(*run.error)) return {true, {}};
      return {false, "aborted: " + run.error->describe()};
    }
    r0 = 0;
  }
  if (file.error)
    return {false, "expected an error (" + *file.error + ") but the program returned " + hex_u64(r0)};
  if (r0 != *file.result) return {false, "r0 is " + hex_u64(r0) + ", expected " + hex_u64(*file.result)};
  return {true, {}};
}

}  // namespace artel::vm
