// libFuzzer target: any bytes as a signed transaction, as every node reads
// them from anyone on the network. Properties (a violation aborts):
//  - the decoder either refuses with an offset inside the input, or accepts
//    a transaction that encodes back to exactly the input bytes (one
//    encoding per transaction: the id is a function of the meaning);
//  - its intent (what approvals sign) is a prefix of the encoding after the
//    format byte, so approvals cannot be moved between transactions;
//  - checking its signatures for a ledger never crashes, and a transaction
//    whose bytes the fuzzer made up does not verify.
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <variant>

#include "node/crypto.h"
#include "node/transaction.h"

namespace {

[[noreturn]] void finding(const char* what) {
  std::fprintf(stderr, "property violated: %s\n", what);
  std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  artel::node::crypto_init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace artel::node;
  const std::span<const std::uint8_t> bytes(data, size);
  auto decoded = decode(bytes);
  if (auto* e = std::get_if<DecodeError>(&decoded)) {
    if (e->offset > size) finding("a decode error points past the input");
    if (e->message.empty()) finding("a decode error without a message");
    return 0;
  }
  const Transaction& tx = std::get<Transaction>(decoded);
  const Bytes again = encode(tx);
  if (again.size() != size || !std::equal(again.begin(), again.end(), data)) finding("decode -> encode changed the bytes");
  const Bytes intent = encode_intent(tx);
  if (intent.size() > size) finding("the intent is longer than the transaction");
  const Hash ledger{};
  // A made-up signature verifies with negligible probability; the seeds are
  // signed for another ledger id than this all-zero one.
  if (verify_signatures(tx, bytes, ledger)) finding("a transaction verified for a ledger it was not signed for");
  return 0;
}
