// Error values of the VM. The VM core throws nothing: every operation that
// can fail returns a [[nodiscard]] Result or RunResult carrying an Error.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace artel::vm {

// Stable error codes (numbered so they can appear in logs and on the ledger).
// docs/vm.md lists them with their meaning.
enum class ErrorCode : uint8_t {
  // Reading a program or module.
  BadProgram = 1,       // byte length not a multiple of 8, empty program
  BadModule = 2,        // charter module malformed
  BadRelocation = 3,    // relocation index out of range or not a call
  UnknownHostCall = 4,  // call to a host function the embedder does not offer
  BadEntry = 5,         // entry point outside the program or not an entry
  // Verifier refusals.
  TooLarge = 10,          // more instructions than the program size limit
  InvalidOpcode = 11,     // opcode (or its selecting field) unknown
  InvalidRegister = 12,   // register number > 10
  WriteToR10 = 13,        // the frame pointer is read-only
  InvalidField = 14,      // a field that must be zero is not
  JumpOutOfRange = 15,    // jump or call target outside the program
  JumpIntoLddw = 16,      // target is the second half of an lddw
  FallThrough = 17,       // execution can run off the end of the program
  IncompleteLddw = 18,    // lddw missing its second slot
  StackOutOfBounds = 19,  // r10 + off outside the 512-byte frame
  DivisionByZero = 20,    // division or modulo by an immediate zero
  // Run-time aborts.
  OutOfBudget = 30,  // the instruction budget is spent
  OutOfBounds = 31,  // memory access outside every region the program may touch
  CallTooDeep = 32,  // local call nesting beyond the limit
  HostError = 33,    // a host function returned an error
  // Text tools.
  SyntaxError = 40,  // assembler input
};

[[nodiscard]] std::string_view to_string(ErrorCode code);

// What went wrong and where. `pc` is the instruction index (slot) the error
// is about; `kNoPc` when the error is not about one instruction.
struct Error {
  static constexpr uint32_t kNoPc = 0xffffffffu;

  ErrorCode code{};
  uint32_t pc = kNoPc;
  std::string message;
  uint32_t host_code = 0;  // the host's own code, for ErrorCode::HostError

  // "pc 12: out-of-bounds: store of 8 bytes at 0x200000010" style text.
  [[nodiscard]] std::string describe() const;
};

// `v` in hexadecimal with a 0x prefix, as error messages and listings show it.
[[nodiscard]] std::string hex_u64(uint64_t v);

// A value or an Error (std::expected is C++23; this is the part we need).
template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}      // NOLINT(google-explicit-constructor)
  Result(Error error) : v_(std::move(error)) {}  // NOLINT(google-explicit-constructor)

  [[nodiscard]] bool ok() const { return v_.index() == 0; }
  explicit operator bool() const { return ok(); }
  [[nodiscard]] T& value() & { return std::get<0>(v_); }
  [[nodiscard]] const T& value() const& { return std::get<0>(v_); }
  [[nodiscard]] T&& value() && { return std::get<0>(std::move(v_)); }
  [[nodiscard]] const Error& error() const { return std::get<1>(v_); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }

 private:
  std::variant<T, Error> v_;
};

// Result of an operation with no value.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT(google-explicit-constructor)
  [[nodiscard]] bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  [[nodiscard]] const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

[[nodiscard]] inline Error make_error(ErrorCode code, uint32_t pc, std::string message) {
  return Error{code, pc, std::move(message), 0};
}

}  // namespace artel::vm
