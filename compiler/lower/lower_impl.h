// Private to compiler/lower: the LLVM objects behind lower::Lowered.
#pragma once

#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/Target/TargetMachine.h>

#include <map>
#include <memory>
#include <string>

#include "compiler/lower/lower.h"

namespace artel::lower {

struct Lowered::Impl {
  std::string path;
  std::unique_ptr<llvm::LLVMContext> context;
  std::unique_ptr<llvm::Module> module;
  std::unique_ptr<llvm::TargetMachine> target;
  // Where each generated function comes from, so back-end errors point at
  // the charter or library text rather than at LLVM.
  struct Origin {
    std::string file;  // the charter or the library file that defines it
    Loc loc;
    std::string what;  // as the user wrote it: "rule `pay`", "clause `sum5`"
  };
  std::map<std::string, Origin> origins;
};

// Creates the bpfel target machine (-mcpu=v3) and sets the module's triple
// and data layout.
bool prepare_target(Lowered::Impl& impl, Diagnostics& diags);

// Runs the new pass manager's O2 pipeline.
void optimize(Lowered::Impl& impl);

}  // namespace artel::lower
