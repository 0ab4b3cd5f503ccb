// typed::Charter -> LLVM IR for the BPF target.
#include "compiler/lower/lower.h"

#include <llvm/IR/BasicBlock.h>
#include <llvm/IR/Constants.h>
#include <llvm/IR/DerivedTypes.h>
#include <llvm/IR/Function.h>
#include <llvm/IR/IRBuilder.h>
#include <llvm/IR/Intrinsics.h>
#include <llvm/IR/LLVMContext.h>
#include <llvm/IR/Module.h>
#include <llvm/IR/Verifier.h>
#include <llvm/Support/raw_ostream.h>

#include "compiler/lower/lower_impl.h"
#include "vm/abi.h"

namespace artel::lower {

using typed::Builtin;
using typed::Collection;
using typed::Kind;
using typed::Op;
using typed::StmtKind;

Lowered::Lowered(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
Lowered::Lowered(Lowered&&) noexcept = default;
Lowered& Lowered::operator=(Lowered&&) noexcept = default;
Lowered::~Lowered() = default;

std::string function_symbol(const typed::Function& f) {
  return f.kind == typed::FunctionKind::clause ? "clause_" + f.name : f.name;
}

std::string describe(const typed::Function& f) {
  switch (f.kind) {
    case typed::FunctionKind::rule: return "rule `" + f.name + "`";
    case typed::FunctionKind::periodic: return "periodic clause `" + f.name + "`";
    case typed::FunctionKind::clause: break;
  }
  return "clause `" + f.name + "`";
}

namespace {

std::uint64_t rounding_code(typed::RoundingMode m) {
  switch (m) {
    case typed::RoundingMode::down: return static_cast<std::uint64_t>(abi::Rounding::down);
    case typed::RoundingMode::up: return static_cast<std::uint64_t>(abi::Rounding::up);
    case typed::RoundingMode::half_even: return static_cast<std::uint64_t>(abi::Rounding::half_even);
  }
  return 0;
}

// Arguments a BPF call passes in registers (r1..r5).
constexpr int kRegisterArguments = 5;

class Lowerer {
 public:
  Lowerer(const typed::Charter& c, Lowered::Impl& out)
      : c_(c), ctx_(*out.context), module_(*out.module), b_(ctx_) {
    i64_ = llvm::Type::getInt64Ty(ctx_);
    ptr_ = llvm::PointerType::get(ctx_, 0);
  }

  void run() {
    declare_functions();
    for (std::size_t i = 0; i < c_.functions.size(); ++i) define(i);
  }

 private:
  // ------------------------------------------------------------ helpers
  llvm::Constant* k(std::int64_t v) { return llvm::ConstantInt::get(i64_, static_cast<std::uint64_t>(v), true); }

  llvm::FunctionCallee host(const char* name) {
    auto f = abi::find_host_function(name);
    std::vector<llvm::Type*> params(f ? f->arity : 0, i64_);
    auto* type = llvm::FunctionType::get(i64_, params, false);
    auto callee = module_.getOrInsertFunction(name, type);
    if (auto* fn = llvm::dyn_cast<llvm::Function>(callee.getCallee())) {
      fn->addFnAttr(llvm::Attribute::NoUnwind);
      if (std::string_view(name) == "artel_fail") fn->addFnAttr(llvm::Attribute::NoReturn);
    }
    return callee;
  }

  llvm::Value* call_host(const char* name, std::initializer_list<llvm::Value*> args) {
    return b_.CreateCall(host(name), llvm::ArrayRef<llvm::Value*>(args.begin(), args.size()));
  }

  // Aborts the transaction with a message when `bad` is true.
  void fail_if(llvm::Value* bad, int message) {
    auto* fn = b_.GetInsertBlock()->getParent();
    auto* fail = llvm::BasicBlock::Create(ctx_, "fail", fn);
    auto* ok = llvm::BasicBlock::Create(ctx_, "ok", fn);
    b_.CreateCondBr(bad, fail, ok);
    b_.SetInsertPoint(fail);
    call_host("artel_fail", {article_value_ ? article_value_ : k(article_), k(message)});
    b_.CreateUnreachable();
    b_.SetInsertPoint(ok);
  }

  int system_message(SystemMessage m) const { return static_cast<int>(c_.messages.size()) + static_cast<int>(m); }

  llvm::Value* checked(llvm::Intrinsic::ID id, llvm::Value* a, llvm::Value* b) {
    auto* fn = llvm::Intrinsic::getDeclaration(&module_, id, {i64_});
    auto* pair = b_.CreateCall(fn, {a, b});
    fail_if(b_.CreateExtractValue(pair, 1), system_message(SystemMessage::overflow));
    return b_.CreateExtractValue(pair, 0);
  }

  llvm::Value* muldiv(llvm::Value* a, llvm::Value* b, llvm::Value* c, typed::RoundingMode mode) {
    // The article, so that a division by zero or an overflow in the host
    // cites it as the checked operations do.
    const auto rounding = k(static_cast<std::int64_t>(rounding_code(mode)));
    return call_host("artel_muldiv", {a, b, c, rounding, article_value_});
  }

  // After a terminator, later statements of the same block are unreachable;
  // give them a block of their own so the IR stays well formed.
  void ensure_open_block() {
    if (b_.GetInsertBlock()->getTerminator() == nullptr) return;
    auto* dead = llvm::BasicBlock::Create(ctx_, "dead", b_.GetInsertBlock()->getParent());
    b_.SetInsertPoint(dead);
  }

  // ------------------------------------------------------------ functions
  // A clause receives its arguments in registers (r1..r5); a library clause
  // also receives the calling article first. When that makes more than the
  // five registers a BPF call has, the caller stores them in an array in its
  // own frame and passes its address, as the VM passes a rule's arguments.
  void declare_functions() {
    for (const auto& f : c_.functions) {
      std::vector<llvm::Type*> params;
      bool by_memory = false;
      if (f.kind == typed::FunctionKind::clause) {
        const int count = f.formal_count + (f.library.empty() ? 0 : 1);
        by_memory = count > kRegisterArguments;
        if (by_memory) max_memory_args_ = std::max(max_memory_args_, static_cast<std::size_t>(count));
        if (by_memory) params = {ptr_};
        else params.assign(static_cast<std::size_t>(count), i64_);
      } else {
        params = {ptr_, i64_};  // r1 = arguments (i64 each), r2 = their size in bytes
      }
      auto* type = llvm::FunctionType::get(i64_, params, false);
      auto linkage = f.kind == typed::FunctionKind::clause ? llvm::GlobalValue::InternalLinkage
                                                           : llvm::GlobalValue::ExternalLinkage;
      auto* fn = llvm::Function::Create(type, linkage, function_symbol(f), module_);
      fn->addFnAttr(llvm::Attribute::NoUnwind);
      fn->addFnAttr("no-jump-tables", "true");
      functions_.push_back(fn);
      by_memory_.push_back(by_memory);
    }
  }

  // An alloca in the entry block: a fixed slot of the frame, wherever it is
  // needed (BPF has no dynamic stack allocation).
  llvm::AllocaInst* frame_slot(llvm::Type* type, const char* name) {
    llvm::BasicBlock& entry = b_.GetInsertBlock()->getParent()->getEntryBlock();
    llvm::IRBuilder<> at(&entry, entry.getFirstInsertionPt());
    return at.CreateAlloca(type, nullptr, name);
  }

  void define(std::size_t index) {
    const typed::Function& f = c_.functions[index];
    fn_ = &f;
    llvm::Function* fn = functions_[index];
    auto* entry = llvm::BasicBlock::Create(ctx_, "entry", fn);
    b_.SetInsertPoint(entry);
    // Articles reach the ledger as ordinals: 1 = the module's first
    // article, 0 = none (vm/abi.h).
    article_ = f.article < 0 ? 0 : f.article + 1;
    locals_.clear();
    clause_args_ = nullptr;
    for (std::size_t i = 0; i < f.locals.size(); ++i)
      locals_.push_back(b_.CreateAlloca(i64_, nullptr, f.locals[i].name));
    for (auto* slot : locals_) b_.CreateStore(k(0), slot);
    article_value_ = k(article_);

    if (f.kind == typed::FunctionKind::clause && by_memory_[index]) {
      llvm::Value* args = fn->getArg(0);
      const int first = f.library.empty() ? 0 : 1;
      auto load = [&](int i) {
        return b_.CreateLoad(i64_, b_.CreateConstGEP1_64(i64_, args, static_cast<std::uint64_t>(i)));
      };
      if (first == 1) article_value_ = load(0);
      for (int i = 0; i < f.formal_count; ++i)
        b_.CreateStore(load(first + i), locals_[static_cast<std::size_t>(i)]);
    } else if (f.kind == typed::FunctionKind::clause) {
      auto arg = fn->arg_begin();
      if (!f.library.empty()) article_value_ = &*arg++;
      for (int i = 0; i < f.formal_count && arg != fn->arg_end(); ++i, ++arg)
        b_.CreateStore(&*arg, locals_[static_cast<std::size_t>(i)]);
    } else {
      llvm::Value* args = fn->getArg(0);
      llvm::Value* size = fn->getArg(1);
      fail_if(b_.CreateICmpNE(size, k(8 * static_cast<std::int64_t>(f.formal_count))),
              system_message(SystemMessage::bad_arguments));
      for (int i = 0; i < f.formal_count; ++i) {
        auto* p = b_.CreateConstGEP1_64(i64_, args, static_cast<std::uint64_t>(i));
        b_.CreateStore(b_.CreateLoad(i64_, p), locals_[static_cast<std::size_t>(i)]);
      }
    }
    block(f.body);
    if (b_.GetInsertBlock()->getTerminator() == nullptr) b_.CreateRet(k(0));
    // Unreachable leftovers ("dead" blocks) without a terminator.
    for (auto& bb : *fn)
      if (bb.getTerminator() == nullptr) {
        b_.SetInsertPoint(&bb);
        b_.CreateUnreachable();
      }
  }

  // ------------------------------------------------------------ statements
  void block(const typed::Block& b) {
    for (const auto& s : b) {
      ensure_open_block();
      stmt(*s);
    }
  }

  void stmt(const typed::Stmt& s) {
    if (s.article >= 0 && fn_->library.empty()) {
      article_ = s.article + 1;
      article_value_ = k(article_);
    }
    switch (s.kind) {
      case StmtKind::let:
      case StmtKind::assign_local:
        b_.CreateStore(expr(*s.exprs[0]), locals_[static_cast<std::size_t>(s.local)]);
        break;
      case StmtKind::assign_state: {
        const auto& sv = c_.states[static_cast<std::size_t>(s.state)];
        llvm::Value* key = s.key ? expr(*s.key) : k(0);
        llvm::Value* value = expr(*s.exprs[0]);
        if (s.field >= 0) {
          call_host("artel_state_set", {k(sv.first_slot), key, k(1)});  // the entry exists
          call_host("artel_state_set", {k(sv.first_slot + 1 + s.field), key, value});
        } else {
          call_host("artel_state_set", {k(sv.first_slot), key, value});
        }
        break;
      }
      case StmtKind::remove_state: {
        const auto& sv = c_.states[static_cast<std::size_t>(s.state)];
        llvm::Value* key = expr(*s.key);
        for (int slot = 0; slot < typed::slot_count(c_, sv); ++slot)
          call_host("artel_state_del", {k(sv.first_slot + slot), key});
        break;
      }
      case StmtKind::require: {
        llvm::Value* cond = expr(*s.exprs[0]);
        fail_if(b_.CreateICmpEQ(cond, k(0)), s.message);
        break;
      }
      case StmtKind::transfer:
        transfer(expr(*s.exprs[1]), expr(*s.exprs[2]), expr(*s.exprs[0]));
        break;
      case StmtKind::split: split(s); break;
      case StmtKind::if_: {
        llvm::Value* cond = b_.CreateICmpNE(expr(*s.exprs[0]), k(0));
        auto* fn = b_.GetInsertBlock()->getParent();
        auto* then_bb = llvm::BasicBlock::Create(ctx_, "then", fn);
        auto* else_bb = llvm::BasicBlock::Create(ctx_, "else", fn);
        auto* join = llvm::BasicBlock::Create(ctx_, "endif", fn);
        b_.CreateCondBr(cond, then_bb, else_bb);
        b_.SetInsertPoint(then_bb);
        block(s.body);
        if (!b_.GetInsertBlock()->getTerminator()) b_.CreateBr(join);
        b_.SetInsertPoint(else_bb);
        block(s.else_body);
        if (!b_.GetInsertBlock()->getTerminator()) b_.CreateBr(join);
        b_.SetInsertPoint(join);
        break;
      }
      case StmtKind::for_:
        for_each(*s.exprs[0], s.local, [&] { block(s.body); });
        break;
      case StmtKind::emit: {
        llvm::Value* v[3] = {k(0), k(0), k(0)};
        for (std::size_t i = 0; i < s.exprs.size() && i < 3; ++i) v[i] = expr(*s.exprs[i]);
        call_host("artel_emit", {k(s.event), v[0], v[1], v[2]});
        break;
      }
      case StmtKind::return_:
        b_.CreateRet(s.exprs.empty() ? k(0) : expr(*s.exprs[0]));
        break;
      case StmtKind::call:
        if (s.clause < 0)
          expr(*s.exprs[0]);  // a builtin that acts
        else
          call_clause(s.clause, s.exprs);
        break;
    }
  }

  void transfer(llvm::Value* from, llvm::Value* to, llvm::Value* amount) {
    call_host("artel_transfer", {from, to, amount, article_value_});
  }

  // A split moves the whole amount to the transaction's clearing account
  // first, so the weights of pro rata parts are read once, unchanged by the
  // split's own transfers; each part is rounded down, and what is left after
  // every part goes to the remainder account: the parts always sum to the
  // amount.
  void split(const typed::Stmt& s) {
    llvm::Value* amount = expr(*s.exprs[0]);
    llvm::Value* from = expr(*s.exprs[1]);
    llvm::Value* clearing = k(static_cast<std::int64_t>(abi::account_handle(abi::AccountKind::clearing, 0)));
    transfer(from, clearing, amount);
    auto* left = b_.CreateAlloca(i64_, nullptr, "split_left");
    b_.CreateStore(amount, left);
    for (const auto& part : s.parts) {
      llvm::Value* share = expr(*part.share);
      llvm::Value* portion = muldiv(amount, share, k(typed::kRateOne), typed::RoundingMode::down);
      if (!part.pro_rata) {
        transfer(clearing, expr(*part.target), portion);
        b_.CreateStore(b_.CreateSub(b_.CreateLoad(i64_, left), portion), left);
        continue;
      }
      // First pass: the sum of the weights, each read once.
      auto* total = frame_slot(i64_, "weights");
      b_.CreateStore(k(0), total);
      for_each(*part.collection, part.var, [&] {
        llvm::Value* w = expr(*part.weight);
        fail_if(b_.CreateICmpSLT(w, k(0)), system_message(SystemMessage::negative_weight));
        b_.CreateStore(checked(llvm::Intrinsic::sadd_with_overflow, b_.CreateLoad(i64_, total), w), total);
      });
      auto* fn = b_.GetInsertBlock()->getParent();
      auto* some = llvm::BasicBlock::Create(ctx_, "prorata", fn);
      auto* done = llvm::BasicBlock::Create(ctx_, "prorata_done", fn);
      llvm::Value* sum = b_.CreateLoad(i64_, total);
      b_.CreateCondBr(b_.CreateICmpSGT(sum, k(0)), some, done);
      b_.SetInsertPoint(some);
      // Second pass: each element's weight is read again (the frame cannot
      // hold one per element of an unbounded collection) into one
      // temporary that gives both its piece and a second sum. Pieces add up
      // to at most the part only if the weights are those summed, so a
      // weight changed by the split's own transfers aborts the split.
      auto* again = frame_slot(i64_, "weights_again");
      b_.CreateStore(k(0), again);
      for_each(*part.collection, part.var, [&] {
        llvm::Value* w = expr(*part.weight);
        fail_if(b_.CreateICmpSLT(w, k(0)), system_message(SystemMessage::negative_weight));
        b_.CreateStore(checked(llvm::Intrinsic::sadd_with_overflow, b_.CreateLoad(i64_, again), w), again);
        fail_if(b_.CreateICmpSGT(b_.CreateLoad(i64_, again), sum),
                system_message(SystemMessage::weights_changed));
        llvm::Value* piece = muldiv(portion, w, sum, typed::RoundingMode::down);
        transfer(clearing, expr(*part.target), piece);
        b_.CreateStore(b_.CreateSub(b_.CreateLoad(i64_, left), piece), left);
      });
      fail_if(b_.CreateICmpNE(b_.CreateLoad(i64_, again), sum),
              system_message(SystemMessage::weights_changed));
      b_.CreateBr(done);
      b_.SetInsertPoint(done);
    }
    transfer(clearing, expr(*s.remainder_to), b_.CreateLoad(i64_, left));
  }

  // Iterates a ledger collection; the element goes to local `var`.
  void for_each(const typed::Expr& coll, int var, const std::function<void()>& body) {
    if (coll.collection == Collection::range) return for_range(coll, var, body);
    llvm::Value* n = nullptr;
    llvm::Value* owner = nullptr;
    const char* at = nullptr;
    switch (coll.collection) {
      case Collection::members:
        owner = k(0);
        n = call_host("artel_members_count", {owner});
        at = "artel_member_at";
        break;
      case Collection::members_of:
        owner = expr(*coll.args[0]);
        n = call_host("artel_members_count", {owner});
        at = "artel_member_at";
        break;
      case Collection::cooperatives:
        n = call_host("artel_coops_count", {});
        at = "artel_coop_at";
        break;
      case Collection::guarantors_of:
        owner = expr(*coll.args[0]);
        n = call_host("artel_guarantors_count", {owner});
        at = "artel_guarantor_at";
        break;
      case Collection::state_keys:
        owner = k(c_.states[static_cast<std::size_t>(coll.index)].first_slot);
        n = call_host("artel_state_count", {owner});
        at = "artel_state_key_at";
        break;
      case Collection::range: break;  // for_range
    }
    auto* fn = b_.GetInsertBlock()->getParent();
    auto* i = b_.CreateAlloca(i64_, nullptr, "i");
    b_.CreateStore(k(0), i);
    auto* cond = llvm::BasicBlock::Create(ctx_, "loop", fn);
    auto* body_bb = llvm::BasicBlock::Create(ctx_, "body", fn);
    auto* exit = llvm::BasicBlock::Create(ctx_, "endloop", fn);
    b_.CreateBr(cond);
    b_.SetInsertPoint(cond);
    llvm::Value* iv = b_.CreateLoad(i64_, i);
    b_.CreateCondBr(b_.CreateICmpSLT(iv, n), body_bb, exit);
    b_.SetInsertPoint(body_bb);
    llvm::Value* elem = owner ? call_host(at, {owner, iv}) : call_host(at, {iv});
    b_.CreateStore(elem, locals_[static_cast<std::size_t>(var)]);
    body();
    if (!b_.GetInsertBlock()->getTerminator()) {
      b_.CreateStore(b_.CreateAdd(b_.CreateLoad(i64_, i), k(1)), i);
      b_.CreateBr(cond);
    }
    b_.SetInsertPoint(exit);
  }

  // for i in range(a, b): i = a, a + 1, ..., b (nothing when b < a). The
  // bounds are read once; the counter cannot overflow, as it stops at b.
  void for_range(const typed::Expr& coll, int var, const std::function<void()>& body) {
    llvm::Value* first = expr(*coll.args[0]);
    llvm::Value* last = expr(*coll.args[1]);
    auto* fn = b_.GetInsertBlock()->getParent();
    auto* i = b_.CreateAlloca(i64_, nullptr, "i");
    b_.CreateStore(first, i);
    auto* cond = llvm::BasicBlock::Create(ctx_, "range", fn);
    auto* body_bb = llvm::BasicBlock::Create(ctx_, "range_body", fn);
    auto* next_bb = llvm::BasicBlock::Create(ctx_, "range_next", fn);
    auto* exit = llvm::BasicBlock::Create(ctx_, "range_end", fn);
    b_.CreateBr(cond);
    b_.SetInsertPoint(cond);
    b_.CreateCondBr(b_.CreateICmpSLE(b_.CreateLoad(i64_, i), last), body_bb, exit);
    b_.SetInsertPoint(body_bb);
    b_.CreateStore(b_.CreateLoad(i64_, i), locals_[static_cast<std::size_t>(var)]);
    body();
    if (!b_.GetInsertBlock()->getTerminator()) b_.CreateBr(next_bb);
    b_.SetInsertPoint(next_bb);
    llvm::Value* iv = b_.CreateLoad(i64_, i);
    auto* inc = llvm::BasicBlock::Create(ctx_, "range_inc", fn);
    b_.CreateCondBr(b_.CreateICmpEQ(iv, last), exit, inc);
    // i < last here, so i + 1 does not overflow.
    b_.SetInsertPoint(inc);
    b_.CreateStore(b_.CreateAdd(iv, k(1)), i);
    b_.CreateBr(cond);
    b_.SetInsertPoint(exit);
  }

  llvm::Value* call_clause(int index, const std::vector<typed::ExprPtr>& args) {
    const typed::Function& callee = c_.functions[static_cast<std::size_t>(index)];
    std::vector<llvm::Value*> values;
    if (!callee.library.empty()) values.push_back(article_value_);
    for (const auto& a : args) values.push_back(expr(*a));
    llvm::Function* fn = functions_[static_cast<std::size_t>(index)];
    if (!by_memory_[static_cast<std::size_t>(index)]) return b_.CreateCall(fn, values);
    // One argument array per function, shared by every call through memory:
    // the arguments are all computed before they are stored, and the callee
    // copies them out at its entry, so calls never overlap in it.
    if (clause_args_ == nullptr)
      clause_args_ = frame_slot(llvm::ArrayType::get(i64_, max_memory_args_), "clause_args");
    auto* array = clause_args_;
    for (std::size_t i = 0; i < values.size(); ++i)
      b_.CreateStore(values[i], b_.CreateConstGEP2_64(array->getAllocatedType(), array, 0, i));
    return b_.CreateCall(fn, {array});
  }

  // ------------------------------------------------------------ expressions
  llvm::Value* account(abi::AccountKind kind, llvm::Value* owner) {
    return b_.CreateOr(k(static_cast<std::int64_t>(abi::account_handle(kind, 0))), owner);
  }

  llvm::Value* expr(const typed::Expr& e) {
    switch (e.op) {
      case Op::constant:
      case Op::param: return k(e.value);
      case Op::local: return b_.CreateLoad(i64_, locals_[static_cast<std::size_t>(e.index)]);
      case Op::neg: return checked(llvm::Intrinsic::ssub_with_overflow, k(0), expr(*e.args[0]));
      case Op::not_: return b_.CreateXor(expr(*e.args[0]), k(1));
      case Op::add: return checked(llvm::Intrinsic::sadd_with_overflow, expr(*e.args[0]), expr(*e.args[1]));
      case Op::sub: return checked(llvm::Intrinsic::ssub_with_overflow, expr(*e.args[0]), expr(*e.args[1]));
      case Op::mul: return mul(e);
      case Op::div: return div(e);
      case Op::eq: return compare(llvm::CmpInst::ICMP_EQ, e);
      case Op::ne: return compare(llvm::CmpInst::ICMP_NE, e);
      case Op::lt: return compare(llvm::CmpInst::ICMP_SLT, e);
      case Op::le: return compare(llvm::CmpInst::ICMP_SLE, e);
      case Op::gt: return compare(llvm::CmpInst::ICMP_SGT, e);
      case Op::ge: return compare(llvm::CmpInst::ICMP_SGE, e);
      case Op::and_: return short_circuit(e, true);
      case Op::or_: return short_circuit(e, false);
      case Op::builtin: return builtin(e);
      case Op::collection:
        return k(0);  // only reachable through size(), handled in builtin()
      case Op::account_family: {
        const std::int64_t family = e.index;
        llvm::Value* owner = k(family << 32);
        if (!e.args.empty()) owner = b_.CreateOr(owner, b_.CreateAnd(expr(*e.args[0]), k(0xFFFFFFFF)));
        return account(abi::AccountKind::charter, owner);
      }
      case Op::state_get: {
        const auto& sv = c_.states[static_cast<std::size_t>(e.index)];
        llvm::Value* key = e.args.empty() ? k(0) : expr(*e.args[0]);
        const int slot = sv.first_slot + (e.field >= 0 ? 1 + e.field : 0);
        return call_host("artel_state_get", {k(slot), key});
      }
      case Op::call: return call_clause(e.index, e.args);
    }
    return k(0);
  }

  llvm::Value* compare(llvm::CmpInst::Predicate p, const typed::Expr& e) {
    return b_.CreateZExt(b_.CreateICmp(p, expr(*e.args[0]), expr(*e.args[1])), i64_);
  }

  llvm::Value* short_circuit(const typed::Expr& e, bool is_and) {
    llvm::Value* lhs = b_.CreateICmpNE(expr(*e.args[0]), k(0));
    auto* fn = b_.GetInsertBlock()->getParent();
    auto* from = b_.GetInsertBlock();
    auto* rhs_bb = llvm::BasicBlock::Create(ctx_, is_and ? "and" : "or", fn);
    auto* join = llvm::BasicBlock::Create(ctx_, "logic", fn);
    if (is_and) b_.CreateCondBr(lhs, rhs_bb, join);
    else b_.CreateCondBr(lhs, join, rhs_bb);
    b_.SetInsertPoint(rhs_bb);
    llvm::Value* rhs = b_.CreateICmpNE(expr(*e.args[1]), k(0));
    auto* rhs_end = b_.GetInsertBlock();
    b_.CreateBr(join);
    b_.SetInsertPoint(join);
    auto* phi = b_.CreatePHI(b_.getInt1Ty(), 2);
    phi->addIncoming(b_.getInt1(!is_and), from);
    phi->addIncoming(rhs, rhs_end);
    return b_.CreateZExt(phi, i64_);
  }

  llvm::Value* mul(const typed::Expr& e) {
    const Kind x = e.args[0]->type.kind, y = e.args[1]->type.kind;
    llvm::Value* a = expr(*e.args[0]);
    llvm::Value* b = expr(*e.args[1]);
    // money × rate and rate × rate carry parts per billion: divide it out.
    const bool scaled = (x == Kind::rate) != (y == Kind::rate) ? e.type.kind == Kind::money && (x == Kind::rate || y == Kind::rate)
                                                               : x == Kind::rate && y == Kind::rate;
    const auto mode = e.rounding.value_or(typed::RoundingMode::down);
    return muldiv(a, b, k(scaled ? typed::kRateOne : 1), mode);
  }

  llvm::Value* div(const typed::Expr& e) {
    const Kind x = e.args[0]->type.kind, y = e.args[1]->type.kind;
    llvm::Value* a = expr(*e.args[0]);
    llvm::Value* b = expr(*e.args[1]);
    const auto mode = e.rounding.value_or(typed::RoundingMode::down);
    // money / money -> rate and money / rate -> money scale by one billion.
    if ((x == Kind::money && y == Kind::money) || (x == Kind::money && y == Kind::rate))
      return muldiv(a, k(typed::kRateOne), b, mode);
    return muldiv(a, k(1), b, mode);
  }

  llvm::Value* builtin(const typed::Expr& e) {
    auto arg = [&](std::size_t i) { return expr(*e.args[i]); };
    switch (e.builtin) {
      case Builtin::balance: return call_host("artel_balance", {arg(0)});
      case Builtin::caller: return call_host("artel_caller", {});
      case Builtin::current_period: return call_host("artel_period", {});
      case Builtin::cooperative_account: return call_host("artel_coop_account", {arg(0)});
      case Builtin::cooperative_of: return call_host("artel_coop_of", {arg(0)});
      case Builtin::share: return account(abi::AccountKind::share, arg(0));
      case Builtin::own: return account(abi::AccountKind::cooperative, arg(0));
      case Builtin::fund: return k(static_cast<std::int64_t>(abi::account_handle(abi::AccountKind::fund, 0)));
      case Builtin::min:
      case Builtin::max: {
        llvm::Value* a = arg(0);
        llvm::Value* b = arg(1);
        llvm::Value* lt = b_.CreateICmpSLT(a, b);
        return e.builtin == Builtin::min ? b_.CreateSelect(lt, a, b) : b_.CreateSelect(lt, b, a);
      }
      case Builtin::abs: {
        llvm::Value* a = arg(0);
        llvm::Value* neg = checked(llvm::Intrinsic::ssub_with_overflow, k(0), a);
        return b_.CreateSelect(b_.CreateICmpSLT(a, k(0)), neg, a);
      }
      case Builtin::size: {
        const typed::Expr& coll = *e.args[0];
        switch (coll.collection) {
          case Collection::members: return call_host("artel_members_count", {k(0)});
          case Collection::members_of: return call_host("artel_members_count", {expr(*coll.args[0])});
          case Collection::cooperatives: return call_host("artel_coops_count", {});
          case Collection::guarantors_of: return call_host("artel_guarantors_count", {expr(*coll.args[0])});
          case Collection::state_keys:
            return call_host("artel_state_count", {k(c_.states[static_cast<std::size_t>(coll.index)].first_slot)});
          case Collection::range: {
            // b - a + 1, or 0 when b < a.
            llvm::Value* a = expr(*coll.args[0]);
            llvm::Value* b = expr(*coll.args[1]);
            llvm::Value* n = checked(llvm::Intrinsic::sadd_with_overflow,
                                     checked(llvm::Intrinsic::ssub_with_overflow, b, a), k(1));
            return b_.CreateSelect(b_.CreateICmpSLT(b, a), k(0), n);
          }
        }
        return k(0);
      }
      case Builtin::has: {
        const auto& sv = c_.states[static_cast<std::size_t>(e.index)];
        return call_host("artel_state_has", {k(sv.first_slot), arg(1)});
      }
      case Builtin::first: {
        const auto& sv = c_.states[static_cast<std::size_t>(e.index)];
        return call_host("artel_state_key_at", {k(sv.first_slot), k(0)});
      }
      case Builtin::guarantees: return call_host("artel_guarantees", {arg(0), arg(1)});
      case Builtin::guaranteed_count: return call_host("artel_guaranteed_count", {arg(0)});
      case Builtin::add_guarantee: return call_host("artel_guarantee_add", {arg(0), arg(1)});
      case Builtin::remove_guarantee: return call_host("artel_guarantee_remove", {arg(0), arg(1)});
      case Builtin::pro_rata: {
        llvm::Value* amount = arg(0);
        llvm::Value* weight = arg(1);
        return muldiv(amount, weight, arg(2), typed::RoundingMode::down);
      }
    }
    return k(0);
  }

  const typed::Charter& c_;
  llvm::LLVMContext& ctx_;
  llvm::Module& module_;
  llvm::IRBuilder<> b_;
  llvm::Type* i64_ = nullptr;
  llvm::PointerType* ptr_ = nullptr;
  std::vector<llvm::Function*> functions_;
  std::vector<bool> by_memory_;  // per function: arguments passed through memory
  std::size_t max_memory_args_ = 0;            // the most arguments any of them takes
  llvm::AllocaInst* clause_args_ = nullptr;    // the function's argument array for them
  std::vector<llvm::AllocaInst*> locals_;
  const typed::Function* fn_ = nullptr;
  int article_ = 0;
  llvm::Value* article_value_ = nullptr;
};

}  // namespace

std::optional<Lowered> lower(const typed::Charter& charter, const std::string& path, Diagnostics& diags) {
  auto impl = std::make_unique<Lowered::Impl>();
  impl->path = path;
  impl->context = std::make_unique<llvm::LLVMContext>();
  // A fixed module name: paths must not reach the bytes.
  impl->module = std::make_unique<llvm::Module>("charter", *impl->context);
  impl->module->setSourceFileName("charter.artel");
  if (!prepare_target(*impl, diags)) return std::nullopt;
  Lowerer lowerer(charter, *impl);
  lowerer.run();
  for (const auto& f : charter.functions) impl->origins[function_symbol(f)] = {f.file, f.loc, describe(f)};
  std::string problems;
  llvm::raw_string_ostream os(problems);
  if (llvm::verifyModule(*impl->module, &os)) {
    os.flush();
    diags.error(path, {}, "internal compiler error: the generated IR is invalid: " + problems);
    return std::nullopt;
  }
  optimize(*impl);
  // Functions unused after optimisation (inlined clauses) need not be kept,
  // but rules and periodic clauses must stay: they are external.
  return Lowered(std::move(impl));
}

}  // namespace artel::lower
