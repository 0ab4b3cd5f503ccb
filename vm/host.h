// The host interface: the only way a program reaches the world outside its
// memory. The ledger implements Host; the VM itself knows no ledger function.
//
// A program calls a host function with `call ID` (src = 0) or `callx rN`
// (rN holds the ID). Arguments are r1..r5; the result goes to r0; r1..r5 are
// left as they were. A host function may read and write guest memory only
// through the GuestMemory it is given, and may lend the program a buffer of
// its own for the rest of the run. An error from a host function stops the
// run at once (ErrorCode::HostError, with the host's code and message).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <type_traits>
#include <utility>

namespace artel::vm {

// One function the embedder offers. Charter modules name host functions;
// the loader turns names into ids with this table and refuses unknown names,
// and the verifier refuses `call ID` for an ID that is not in it.
struct HostFunction {
  std::string name;
  uint32_t id = 0;
  uint8_t arity = 0;  // arguments used, r1..r<arity> (documentation, disassembly)
};

using HostTable = std::span<const HostFunction>;

// Looks a host function up by id or by name; nullptr when absent.
[[nodiscard]] const HostFunction* find_host(HostTable table, uint32_t id);
[[nodiscard]] const HostFunction* find_host(HostTable table, std::string_view name);

// What a host function returns: r0, or a failure that aborts the run. It is
// 16 trivially copyable bytes, returned in registers: a host call's result
// is on the critical path of every loop that calls the host. A failure is
// made by Host::fail, which keeps its message in the Host.
class [[nodiscard]] HostResult {
 public:
  [[nodiscard]] static HostResult ok(uint64_t r0) { return HostResult(r0, 0); }
  [[nodiscard]] bool is_ok() const { return status_ == 0; }
  [[nodiscard]] uint64_t value() const { return value_; }
  [[nodiscard]] uint32_t code() const { return static_cast<uint32_t>(status_); }

 private:
  friend class Host;
  // Two whole words (not a word, a code and a flag): GCC then keeps the
  // result in rax:rdx instead of spilling it to the stack.
  static constexpr uint64_t kFailed = uint64_t{1} << 32;
  HostResult(uint64_t v, uint64_t status) : value_(v), status_(status) {}
  uint64_t value_ = 0;
  uint64_t status_ = 0;  // 0, or kFailed | code
};
static_assert(std::is_trivially_copyable_v<HostResult> && sizeof(HostResult) == 16);

namespace detail {
struct Regions;
}

// Guest memory as a host function sees it during one call. Every access is
// checked against the regions the program may touch; a failed check returns
// false / nullopt and changes nothing.
class GuestMemory {
 public:
  explicit GuestMemory(detail::Regions& regions) : regions_(&regions) {}

  [[nodiscard]] bool read(uint64_t addr, std::span<uint8_t> out) const;
  [[nodiscard]] bool write(uint64_t addr, std::span<const uint8_t> in);
  [[nodiscard]] std::optional<uint64_t> read_u64(uint64_t addr) const;
  [[nodiscard]] bool write_u64(uint64_t addr, uint64_t value);

  // Lends `bytes` to the program until the run ends and returns the guest
  // address of its first byte, or nullopt when all lending slots are used.
  // The caller keeps the buffer alive for the whole run.
  [[nodiscard]] std::optional<uint64_t> lend(std::span<uint8_t> bytes);  // read-write
  [[nodiscard]] std::optional<uint64_t> lend_read_only(std::span<const uint8_t> bytes);

 private:
  detail::Regions* regions_;
};

class Host {
 public:
  Host() = default;
  Host(const Host&) = default;
  Host& operator=(const Host&) = default;
  virtual ~Host() = default;

  // Called for `call id` / `callx`; `args` are r1..r5.
  virtual HostResult call(uint32_t id, const std::array<uint64_t, 5>& args, GuestMemory& memory) = 0;

  // The fast path: a host function the VM calls through a plain pointer,
  // with no virtual call per call. `self` is the Host that resolved it;
  // `args` are r1..r5 in place (valid for the call only).
  using Function = HostResult (*)(Host& self, std::span<const uint64_t, 5> args, GuestMemory& memory);

  // Asked once per run for each id of the program's host table, before the
  // first instruction. A non-null result must behave exactly as call(id, ...)
  // and stay valid for the run; nullptr (the default) means call() is used.
  [[nodiscard]] virtual Function resolve(uint32_t id) {
    static_cast<void>(id);
    return nullptr;
  }

  // A failed call: the run stops with ErrorCode::HostError, `code` and
  // `message`. The message stays here until the next failure.
  [[nodiscard]] HostResult fail(uint32_t code, std::string message) {
    failure_message_ = std::move(message);
    return HostResult(0, HostResult::kFailed | code);
  }
  // The message of the last fail().
  [[nodiscard]] const std::string& failure_message() const { return failure_message_; }

 private:
  std::string failure_message_;
};

}  // namespace artel::vm
