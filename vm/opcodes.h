// The one opcode table of the VM. Every instruction the VM accepts has exactly
// one row here; the assembler, disassembler, verifier and interpreter are all
// driven by it (the interpreter's handler table is generated from the same
// X-macro, so a row without a handler does not compile).
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string_view>

namespace artel::vm {

// Instruction class (low three bits of the opcode byte), RFC 9669 section 3.
enum class Class : uint8_t { Ld = 0, Ldx = 1, St = 2, Stx = 3, Alu = 4, Jmp = 5, Jmp32 = 6, Alu64 = 7 };

// What, besides the opcode byte, tells instructions sharing that byte apart.
enum class Select : uint8_t { None, Off, Imm, Src };

// Operand form: how the fields are used, and how the instruction is written.
enum class Form : uint8_t {
  AluImm,     // op dst, imm
  AluReg,     // op dst, src         (also movsx)
  Unary,      // op dst              (neg, le/be/bswap: imm selects the width)
  LoadImm64,  // lddw dst, imm64     (two slots)
  Load,       // op dst, [src+off]
  StoreImm,   // op [dst+off], imm
  StoreReg,   // op [dst+off], src
  Atomic,     // lock op [dst+off], src  (imm selects the operation)
  Jump,       // ja off
  Jump32,     // ja32 imm            (imm is the pc-relative offset)
  JumpImm,    // op dst, imm, off
  JumpReg,    // op dst, src, off
  CallHost,   // call imm            (host function id)
  CallLocal,  // call local imm      (pc-relative)
  CallX,      // callx dst           (dst holds a host function id)
  Exit,       // exit
};

// Flags the verifier reads.
enum Flag : uint16_t {
  kWritesDst = 1u << 0,   // dst is assigned, so it may not be r10
  kDivides = 1u << 1,     // an immediate divisor of zero is refused
  kWritesSrc = 1u << 2,   // atomic fetch / xchg put the old value in src
  kTerminates = 1u << 3,  // control never falls through (exit, ja)
  kControl = 1u << 4,     // ends a straight-line run (jumps, local calls, exit)
  kMemory = 1u << 5,      // accesses memory of `size` bytes
};

// clang-format off
// X(Name, opcode, select, value, mnemonic, class, form, size, flags)
#define ARTEL_VM_OPCODES(X) \
  X(ADD64_IMM,  0x07, Off, 0, "add",    Alu64, AluImm, 0, kWritesDst) \
  X(ADD64_REG,  0x0f, Off, 0, "add",    Alu64, AluReg, 0, kWritesDst) \
  X(SUB64_IMM,  0x17, Off, 0, "sub",    Alu64, AluImm, 0, kWritesDst) \
  X(SUB64_REG,  0x1f, Off, 0, "sub",    Alu64, AluReg, 0, kWritesDst) \
  X(MUL64_IMM,  0x27, Off, 0, "mul",    Alu64, AluImm, 0, kWritesDst) \
  X(MUL64_REG,  0x2f, Off, 0, "mul",    Alu64, AluReg, 0, kWritesDst) \
  X(DIV64_IMM,  0x37, Off, 0, "div",    Alu64, AluImm, 0, kWritesDst | kDivides) \
  X(DIV64_REG,  0x3f, Off, 0, "div",    Alu64, AluReg, 0, kWritesDst) \
  X(SDIV64_IMM, 0x37, Off, 1, "sdiv",   Alu64, AluImm, 0, kWritesDst | kDivides) \
  X(SDIV64_REG, 0x3f, Off, 1, "sdiv",   Alu64, AluReg, 0, kWritesDst) \
  X(OR64_IMM,   0x47, Off, 0, "or",     Alu64, AluImm, 0, kWritesDst) \
  X(OR64_REG,   0x4f, Off, 0, "or",     Alu64, AluReg, 0, kWritesDst) \
  X(AND64_IMM,  0x57, Off, 0, "and",    Alu64, AluImm, 0, kWritesDst) \
  X(AND64_REG,  0x5f, Off, 0, "and",    Alu64, AluReg, 0, kWritesDst) \
  X(LSH64_IMM,  0x67, Off, 0, "lsh",    Alu64, AluImm, 0, kWritesDst) \
  X(LSH64_REG,  0x6f, Off, 0, "lsh",    Alu64, AluReg, 0, kWritesDst) \
  X(RSH64_IMM,  0x77, Off, 0, "rsh",    Alu64, AluImm, 0, kWritesDst) \
  X(RSH64_REG,  0x7f, Off, 0, "rsh",    Alu64, AluReg, 0, kWritesDst) \
  X(NEG64,      0x87, Off, 0, "neg",    Alu64, Unary,  0, kWritesDst) \
  X(MOD64_IMM,  0x97, Off, 0, "mod",    Alu64, AluImm, 0, kWritesDst | kDivides) \
  X(MOD64_REG,  0x9f, Off, 0, "mod",    Alu64, AluReg, 0, kWritesDst) \
  X(SMOD64_IMM, 0x97, Off, 1, "smod",   Alu64, AluImm, 0, kWritesDst | kDivides) \
  X(SMOD64_REG, 0x9f, Off, 1, "smod",   Alu64, AluReg, 0, kWritesDst) \
  X(XOR64_IMM,  0xa7, Off, 0, "xor",    Alu64, AluImm, 0, kWritesDst) \
  X(XOR64_REG,  0xaf, Off, 0, "xor",    Alu64, AluReg, 0, kWritesDst) \
  X(MOV64_IMM,  0xb7, Off, 0, "mov",    Alu64, AluImm, 0, kWritesDst) \
  X(MOV64_REG,  0xbf, Off, 0, "mov",    Alu64, AluReg, 0, kWritesDst) \
  X(MOVSX864,   0xbf, Off, 8, "movsx864",  Alu64, AluReg, 0, kWritesDst) \
  X(MOVSX1664,  0xbf, Off, 16, "movsx1664", Alu64, AluReg, 0, kWritesDst) \
  X(MOVSX3264,  0xbf, Off, 32, "movsx3264", Alu64, AluReg, 0, kWritesDst) \
  X(ARSH64_IMM, 0xc7, Off, 0, "arsh",   Alu64, AluImm, 0, kWritesDst) \
  X(ARSH64_REG, 0xcf, Off, 0, "arsh",   Alu64, AluReg, 0, kWritesDst) \
  X(BSWAP16,    0xd7, Imm, 16, "bswap16", Alu64, Unary, 0, kWritesDst) \
  X(BSWAP32,    0xd7, Imm, 32, "bswap32", Alu64, Unary, 0, kWritesDst) \
  X(BSWAP64,    0xd7, Imm, 64, "bswap64", Alu64, Unary, 0, kWritesDst) \
  X(ADD32_IMM,  0x04, Off, 0, "add32",  Alu, AluImm, 0, kWritesDst) \
  X(ADD32_REG,  0x0c, Off, 0, "add32",  Alu, AluReg, 0, kWritesDst) \
  X(SUB32_IMM,  0x14, Off, 0, "sub32",  Alu, AluImm, 0, kWritesDst) \
  X(SUB32_REG,  0x1c, Off, 0, "sub32",  Alu, AluReg, 0, kWritesDst) \
  X(MUL32_IMM,  0x24, Off, 0, "mul32",  Alu, AluImm, 0, kWritesDst) \
  X(MUL32_REG,  0x2c, Off, 0, "mul32",  Alu, AluReg, 0, kWritesDst) \
  X(DIV32_IMM,  0x34, Off, 0, "div32",  Alu, AluImm, 0, kWritesDst | kDivides) \
  X(DIV32_REG,  0x3c, Off, 0, "div32",  Alu, AluReg, 0, kWritesDst) \
  X(SDIV32_IMM, 0x34, Off, 1, "sdiv32", Alu, AluImm, 0, kWritesDst | kDivides) \
  X(SDIV32_REG, 0x3c, Off, 1, "sdiv32", Alu, AluReg, 0, kWritesDst) \
  X(OR32_IMM,   0x44, Off, 0, "or32",   Alu, AluImm, 0, kWritesDst) \
  X(OR32_REG,   0x4c, Off, 0, "or32",   Alu, AluReg, 0, kWritesDst) \
  X(AND32_IMM,  0x54, Off, 0, "and32",  Alu, AluImm, 0, kWritesDst) \
  X(AND32_REG,  0x5c, Off, 0, "and32",  Alu, AluReg, 0, kWritesDst) \
  X(LSH32_IMM,  0x64, Off, 0, "lsh32",  Alu, AluImm, 0, kWritesDst) \
  X(LSH32_REG,  0x6c, Off, 0, "lsh32",  Alu, AluReg, 0, kWritesDst) \
  X(RSH32_IMM,  0x74, Off, 0, "rsh32",  Alu, AluImm, 0, kWritesDst) \
  X(RSH32_REG,  0x7c, Off, 0, "rsh32",  Alu, AluReg, 0, kWritesDst) \
  X(NEG32,      0x84, Off, 0, "neg32",  Alu, Unary,  0, kWritesDst) \
  X(MOD32_IMM,  0x94, Off, 0, "mod32",  Alu, AluImm, 0, kWritesDst | kDivides) \
  X(MOD32_REG,  0x9c, Off, 0, "mod32",  Alu, AluReg, 0, kWritesDst) \
  X(SMOD32_IMM, 0x94, Off, 1, "smod32", Alu, AluImm, 0, kWritesDst | kDivides) \
  X(SMOD32_REG, 0x9c, Off, 1, "smod32", Alu, AluReg, 0, kWritesDst) \
  X(XOR32_IMM,  0xa4, Off, 0, "xor32",  Alu, AluImm, 0, kWritesDst) \
  X(XOR32_REG,  0xac, Off, 0, "xor32",  Alu, AluReg, 0, kWritesDst) \
  X(MOV32_IMM,  0xb4, Off, 0, "mov32",  Alu, AluImm, 0, kWritesDst) \
  X(MOV32_REG,  0xbc, Off, 0, "mov32",  Alu, AluReg, 0, kWritesDst) \
  X(MOVSX832,   0xbc, Off, 8, "movsx832",  Alu, AluReg, 0, kWritesDst) \
  X(MOVSX1632,  0xbc, Off, 16, "movsx1632", Alu, AluReg, 0, kWritesDst) \
  X(ARSH32_IMM, 0xc4, Off, 0, "arsh32", Alu, AluImm, 0, kWritesDst) \
  X(ARSH32_REG, 0xcc, Off, 0, "arsh32", Alu, AluReg, 0, kWritesDst) \
  X(LE16,       0xd4, Imm, 16, "le16",  Alu, Unary, 0, kWritesDst) \
  X(LE32,       0xd4, Imm, 32, "le32",  Alu, Unary, 0, kWritesDst) \
  X(LE64,       0xd4, Imm, 64, "le64",  Alu, Unary, 0, kWritesDst) \
  X(BE16,       0xdc, Imm, 16, "be16",  Alu, Unary, 0, kWritesDst) \
  X(BE32,       0xdc, Imm, 32, "be32",  Alu, Unary, 0, kWritesDst) \
  X(BE64,       0xdc, Imm, 64, "be64",  Alu, Unary, 0, kWritesDst) \
  X(LDDW,       0x18, Src, 0, "lddw",   Ld, LoadImm64, 0, kWritesDst) \
  X(LDXW,       0x61, None, 0, "ldxw",   Ldx, Load, 4, kWritesDst | kMemory) \
  X(LDXH,       0x69, None, 0, "ldxh",   Ldx, Load, 2, kWritesDst | kMemory) \
  X(LDXB,       0x71, None, 0, "ldxb",   Ldx, Load, 1, kWritesDst | kMemory) \
  X(LDXDW,      0x79, None, 0, "ldxdw",  Ldx, Load, 8, kWritesDst | kMemory) \
  X(LDXSW,      0x81, None, 0, "ldxsw",  Ldx, Load, 4, kWritesDst | kMemory) \
  X(LDXSH,      0x89, None, 0, "ldxsh",  Ldx, Load, 2, kWritesDst | kMemory) \
  X(LDXSB,      0x91, None, 0, "ldxsb",  Ldx, Load, 1, kWritesDst | kMemory) \
  X(STW,        0x62, None, 0, "stw",    St, StoreImm, 4, kMemory) \
  X(STH,        0x6a, None, 0, "sth",    St, StoreImm, 2, kMemory) \
  X(STB,        0x72, None, 0, "stb",    St, StoreImm, 1, kMemory) \
  X(STDW,       0x7a, None, 0, "stdw",   St, StoreImm, 8, kMemory) \
  X(STXW,       0x63, None, 0, "stxw",   Stx, StoreReg, 4, kMemory) \
  X(STXH,       0x6b, None, 0, "stxh",   Stx, StoreReg, 2, kMemory) \
  X(STXB,       0x73, None, 0, "stxb",   Stx, StoreReg, 1, kMemory) \
  X(STXDW,      0x7b, None, 0, "stxdw",  Stx, StoreReg, 8, kMemory) \
  X(AADD32,     0xc3, Imm, 0x00, "lock add32",       Stx, Atomic, 4, kMemory) \
  X(AFADD32,    0xc3, Imm, 0x01, "lock fetch add32", Stx, Atomic, 4, kMemory | kWritesSrc) \
  X(AOR32,      0xc3, Imm, 0x40, "lock or32",        Stx, Atomic, 4, kMemory) \
  X(AFOR32,     0xc3, Imm, 0x41, "lock fetch or32",  Stx, Atomic, 4, kMemory | kWritesSrc) \
  X(AAND32,     0xc3, Imm, 0x50, "lock and32",       Stx, Atomic, 4, kMemory) \
  X(AFAND32,    0xc3, Imm, 0x51, "lock fetch and32", Stx, Atomic, 4, kMemory | kWritesSrc) \
  X(AXOR32,     0xc3, Imm, 0xa0, "lock xor32",       Stx, Atomic, 4, kMemory) \
  X(AFXOR32,    0xc3, Imm, 0xa1, "lock fetch xor32", Stx, Atomic, 4, kMemory | kWritesSrc) \
  X(AXCHG32,    0xc3, Imm, 0xe1, "lock xchg32",      Stx, Atomic, 4, kMemory | kWritesSrc) \
  X(ACMPXCHG32, 0xc3, Imm, 0xf1, "lock cmpxchg32",   Stx, Atomic, 4, kMemory) \
  X(AADD64,     0xdb, Imm, 0x00, "lock add",         Stx, Atomic, 8, kMemory) \
  X(AFADD64,    0xdb, Imm, 0x01, "lock fetch add",   Stx, Atomic, 8, kMemory | kWritesSrc) \
  X(AOR64,      0xdb, Imm, 0x40, "lock or",          Stx, Atomic, 8, kMemory) \
  X(AFOR64,     0xdb, Imm, 0x41, "lock fetch or",    Stx, Atomic, 8, kMemory | kWritesSrc) \
  X(AAND64,     0xdb, Imm, 0x50, "lock and",         Stx, Atomic, 8, kMemory) \
  X(AFAND64,    0xdb, Imm, 0x51, "lock fetch and",   Stx, Atomic, 8, kMemory | kWritesSrc) \
  X(AXOR64,     0xdb, Imm, 0xa0, "lock xor",         Stx, Atomic, 8, kMemory) \
  X(AFXOR64,    0xdb, Imm, 0xa1, "lock fetch xor",   Stx, Atomic, 8, kMemory | kWritesSrc) \
  X(AXCHG64,    0xdb, Imm, 0xe1, "lock xchg",        Stx, Atomic, 8, kMemory | kWritesSrc) \
  X(ACMPXCHG64, 0xdb, Imm, 0xf1, "lock cmpxchg",     Stx, Atomic, 8, kMemory) \
  X(JA,         0x05, None, 0, "ja",     Jmp, Jump,    0, kControl | kTerminates) \
  X(JEQ_IMM,    0x15, None, 0, "jeq",    Jmp, JumpImm, 0, kControl) \
  X(JEQ_REG,    0x1d, None, 0, "jeq",    Jmp, JumpReg, 0, kControl) \
  X(JGT_IMM,    0x25, None, 0, "jgt",    Jmp, JumpImm, 0, kControl) \
  X(JGT_REG,    0x2d, None, 0, "jgt",    Jmp, JumpReg, 0, kControl) \
  X(JGE_IMM,    0x35, None, 0, "jge",    Jmp, JumpImm, 0, kControl) \
  X(JGE_REG,    0x3d, None, 0, "jge",    Jmp, JumpReg, 0, kControl) \
  X(JSET_IMM,   0x45, None, 0, "jset",   Jmp, JumpImm, 0, kControl) \
  X(JSET_REG,   0x4d, None, 0, "jset",   Jmp, JumpReg, 0, kControl) \
  X(JNE_IMM,    0x55, None, 0, "jne",    Jmp, JumpImm, 0, kControl) \
  X(JNE_REG,    0x5d, None, 0, "jne",    Jmp, JumpReg, 0, kControl) \
  X(JSGT_IMM,   0x65, None, 0, "jsgt",   Jmp, JumpImm, 0, kControl) \
  X(JSGT_REG,   0x6d, None, 0, "jsgt",   Jmp, JumpReg, 0, kControl) \
  X(JSGE_IMM,   0x75, None, 0, "jsge",   Jmp, JumpImm, 0, kControl) \
  X(JSGE_REG,   0x7d, None, 0, "jsge",   Jmp, JumpReg, 0, kControl) \
  X(JLT_IMM,    0xa5, None, 0, "jlt",    Jmp, JumpImm, 0, kControl) \
  X(JLT_REG,    0xad, None, 0, "jlt",    Jmp, JumpReg, 0, kControl) \
  X(JLE_IMM,    0xb5, None, 0, "jle",    Jmp, JumpImm, 0, kControl) \
  X(JLE_REG,    0xbd, None, 0, "jle",    Jmp, JumpReg, 0, kControl) \
  X(JSLT_IMM,   0xc5, None, 0, "jslt",   Jmp, JumpImm, 0, kControl) \
  X(JSLT_REG,   0xcd, None, 0, "jslt",   Jmp, JumpReg, 0, kControl) \
  X(JSLE_IMM,   0xd5, None, 0, "jsle",   Jmp, JumpImm, 0, kControl) \
  X(JSLE_REG,   0xdd, None, 0, "jsle",   Jmp, JumpReg, 0, kControl) \
  X(CALL,       0x85, Src, 0, "call",   Jmp, CallHost,  0, 0) \
  X(CALL_LOCAL, 0x85, Src, 1, "call local", Jmp, CallLocal, 0, kControl) \
  X(CALLX,      0x8d, None, 0, "callx",  Jmp, CallX,     0, 0) \
  X(EXIT,       0x95, None, 0, "exit",   Jmp, Exit,      0, kControl | kTerminates) \
  X(JA32,       0x06, None, 0, "ja32",   Jmp32, Jump32,  0, kControl | kTerminates) \
  X(JEQ32_IMM,  0x16, None, 0, "jeq32",  Jmp32, JumpImm, 0, kControl) \
  X(JEQ32_REG,  0x1e, None, 0, "jeq32",  Jmp32, JumpReg, 0, kControl) \
  X(JGT32_IMM,  0x26, None, 0, "jgt32",  Jmp32, JumpImm, 0, kControl) \
  X(JGT32_REG,  0x2e, None, 0, "jgt32",  Jmp32, JumpReg, 0, kControl) \
  X(JGE32_IMM,  0x36, None, 0, "jge32",  Jmp32, JumpImm, 0, kControl) \
  X(JGE32_REG,  0x3e, None, 0, "jge32",  Jmp32, JumpReg, 0, kControl) \
  X(JSET32_IMM, 0x46, None, 0, "jset32", Jmp32, JumpImm, 0, kControl) \
  X(JSET32_REG, 0x4e, None, 0, "jset32", Jmp32, JumpReg, 0, kControl) \
  X(JNE32_IMM,  0x56, None, 0, "jne32",  Jmp32, JumpImm, 0, kControl) \
  X(JNE32_REG,  0x5e, None, 0, "jne32",  Jmp32, JumpReg, 0, kControl) \
  X(JSGT32_IMM, 0x66, None, 0, "jsgt32", Jmp32, JumpImm, 0, kControl) \
  X(JSGT32_REG, 0x6e, None, 0, "jsgt32", Jmp32, JumpReg, 0, kControl) \
  X(JSGE32_IMM, 0x76, None, 0, "jsge32", Jmp32, JumpImm, 0, kControl) \
  X(JSGE32_REG, 0x7e, None, 0, "jsge32", Jmp32, JumpReg, 0, kControl) \
  X(JLT32_IMM,  0xa6, None, 0, "jlt32",  Jmp32, JumpImm, 0, kControl) \
  X(JLT32_REG,  0xae, None, 0, "jlt32",  Jmp32, JumpReg, 0, kControl) \
  X(JLE32_IMM,  0xb6, None, 0, "jle32",  Jmp32, JumpImm, 0, kControl) \
  X(JLE32_REG,  0xbe, None, 0, "jle32",  Jmp32, JumpReg, 0, kControl) \
  X(JSLT32_IMM, 0xc6, None, 0, "jslt32", Jmp32, JumpImm, 0, kControl) \
  X(JSLT32_REG, 0xce, None, 0, "jslt32", Jmp32, JumpReg, 0, kControl) \
  X(JSLE32_IMM, 0xd6, None, 0, "jsle32", Jmp32, JumpImm, 0, kControl) \
  X(JSLE32_REG, 0xde, None, 0, "jsle32", Jmp32, JumpReg, 0, kControl)
// clang-format on

enum class Op : uint16_t {
#define ARTEL_VM_X(name, ...) name,
  ARTEL_VM_OPCODES(ARTEL_VM_X)
#undef ARTEL_VM_X
};

struct OpInfo {
  Op op;
  uint8_t opcode;
  Select select;
  int32_t value;  // required value of the selecting field
  std::string_view mnemonic;
  Class cls;
  Form form;
  uint8_t size;  // bytes accessed in memory, 0 if none
  uint16_t flags;

  [[nodiscard]] constexpr bool has(Flag f) const { return (flags & f) != 0; }
};

inline constexpr std::array kOpTable = {
#define ARTEL_VM_X(name, opc, sel, val, mn, cls, form, size, flags) \
  OpInfo{Op::name, opc, Select::sel, val, mn, Class::cls, Form::form, size, static_cast<uint16_t>(flags)},
    ARTEL_VM_OPCODES(ARTEL_VM_X)
#undef ARTEL_VM_X
};

inline constexpr std::size_t kOpCount = kOpTable.size();

[[nodiscard]] constexpr const OpInfo& info(Op op) {
  return kOpTable[static_cast<std::size_t>(op)];
}

// A raw 8-byte instruction, decoded into its fields (RFC 9669 section 3).
struct Insn {
  uint8_t opcode = 0;
  uint8_t dst = 0;
  uint8_t src = 0;
  int16_t off = 0;
  int32_t imm = 0;

  [[nodiscard]] static constexpr Insn from_word(uint64_t w) {
    Insn i;
    i.opcode = static_cast<uint8_t>(w);
    i.dst = static_cast<uint8_t>((w >> 8) & 0xf);
    i.src = static_cast<uint8_t>((w >> 12) & 0xf);
    i.off = static_cast<int16_t>(static_cast<uint16_t>(w >> 16));
    i.imm = static_cast<int32_t>(static_cast<uint32_t>(w >> 32));
    return i;
  }
  [[nodiscard]] constexpr uint64_t word() const {
    return uint64_t{opcode} | (uint64_t{dst} & 0xf) << 8 | (uint64_t{src} & 0xf) << 12 |
           uint64_t{static_cast<uint16_t>(off)} << 16 | uint64_t{static_cast<uint32_t>(imm)} << 32;
  }
};

namespace detail {
inline constexpr std::size_t kMaxRowsPerOpcode = 10;
struct OpcodeIndex {
  std::array<std::array<uint8_t, kMaxRowsPerOpcode>, 256> rows{};
  std::array<uint8_t, 256> count{};
};
constexpr OpcodeIndex make_index() {
  OpcodeIndex ix;
  for (std::size_t i = 0; i < kOpTable.size(); ++i) {
    const uint8_t opc = kOpTable[i].opcode;
    ix.rows[opc][ix.count[opc]++] = static_cast<uint8_t>(i);
  }
  return ix;
}
inline constexpr OpcodeIndex kIndex = make_index();
static_assert(kOpTable.size() < 256);
}  // namespace detail

// Finds the table row an instruction belongs to, or nothing for an
// instruction the VM does not know.
[[nodiscard]] constexpr std::optional<Op> lookup(const Insn& insn) {
  const auto n = detail::kIndex.count[insn.opcode];
  for (std::size_t k = 0; k < n; ++k) {
    const OpInfo& row = kOpTable[detail::kIndex.rows[insn.opcode][k]];
    int32_t field = 0;
    switch (row.select) {
      case Select::None:
        return row.op;
      case Select::Off:
        field = insn.off;
        break;
      case Select::Imm:
        field = insn.imm;
        break;
      case Select::Src:
        field = insn.src;
        break;
    }
    if (field == row.value) return row.op;
  }
  return std::nullopt;
}

// Whether an opcode byte appears in the table at all (for error messages).
[[nodiscard]] constexpr bool known_opcode(uint8_t opcode) {
  return detail::kIndex.count[opcode] != 0;
}

}  // namespace artel::vm
