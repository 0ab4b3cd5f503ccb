// Runner for test files in the BPF conformance suite's format (`.data`):
// sections `-- asm`, `-- raw`, `-- mem`, `-- result`, plus two of ours:
// `-- error` (the program must be refused or must abort; the section's text,
// if any, must occur in the error, case-insensitively) and `-- budget N`.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "vm/host.h"
#include "vm/result.h"

namespace artel::vm {

struct DataFile {
  std::optional<std::string> assembly;
  std::optional<std::vector<uint64_t>> raw;
  std::vector<uint8_t> memory;
  std::optional<uint64_t> result;
  std::optional<std::string> error;
  uint64_t budget = 1'000'000;
};

[[nodiscard]] Result<DataFile> parse_data_file(std::string_view text);

struct CaseOutcome {
  bool passed = false;
  std::string reason;  // why it failed
};

// Runs one test. A program that cannot be read (assembler error, bad raw
// words, -- asm and -- raw disagreeing, no section, or a section with no
// instruction) is a failure even under -- error.
[[nodiscard]] CaseOutcome run_data_file(const DataFile& file);

// The host the conformance runner offers (docs/vm.md):
//   1 add(a, b): returns a + b (used by the host-call benchmark)
//   5 unwind(x): returns x; when x is 0 the program stops with r0 = 0
//   6 fail():    always fails (host code 6)
//   7 lend():    lends a zeroed 32-byte writable buffer, returns its address
class ConformanceHost final : public Host {
 public:
  static constexpr uint32_t kUnwindCode = 5;
  static HostTable table();
  HostResult call(uint32_t id, const std::array<uint64_t, 5>& args, GuestMemory& memory) override;
  Function resolve(uint32_t id) override;

 private:
  static HostResult add(Host& self, std::span<const uint64_t, 5> args, GuestMemory& memory);
  static HostResult unwind(Host& self, std::span<const uint64_t, 5> args, GuestMemory& memory);
  static HostResult fail(Host& self, std::span<const uint64_t, 5> args, GuestMemory& memory);
  static HostResult lend(Host& self, std::span<const uint64_t, 5> args, GuestMemory& memory);
  std::array<uint8_t, 32> lent_{};
};

}  // namespace artel::vm
