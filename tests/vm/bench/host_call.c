// A loop with one host call per iteration: host function 1 (add) is called
// with the helper-id idiom, which compiles to `call 1` (src = 0).
typedef unsigned long long u64;

static u64 (*const host_add)(u64, u64) = (void*)1;

u64 entry(const u64* mem, u64 len) {
  if (len < 8) return 0;
  u64 n = mem[0];
  u64 acc = 0;
  for (u64 i = 0; i < n; i++) acc = host_add(acc, i);
  return acc;
}
