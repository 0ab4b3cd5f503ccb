	.text
	.file	"charter.artel"
	.globl	charge
	.p2align	3
	.type	charge,@function
charge:
	if r2 == 8 goto LBB0_2
	r1 = 1
	r2 = 1
	call artel_fail
LBB0_2:
	r6 = *(u64 *)(r1 + 0)
	r1 = 72057594037927936 ll
	r6 |= r1
	r1 = r6
	call artel_balance
	r8 = 0
	r1 = r0
	r2 = 5000000
	r3 = 1000000000
	r4 = 0
	r5 = 1
	call artel_muldiv
	r7 = r0
	r1 = r6
	r2 = 360287970189639680 ll
	r3 = r7
	r4 = 1
	call artel_transfer
	r1 = r7
	r2 = 100000000
	r3 = 1000000000
	r4 = 0
	r5 = 1
	call artel_muldiv
	r6 = r0
	r1 = 360287970189639680 ll
	r2 = 216172782113783808 ll
	r3 = r6
	r4 = 1
	call artel_transfer
	r9 = r7
	r9 -= r6
	r1 = r7
	r2 = 400000000
	r3 = 1000000000
	r4 = 0
	r5 = 1
	call artel_muldiv
	*(u64 *)(r10 - 24) = r0
	call artel_coops_count
	r6 = r0
	if r6 s< 1 goto LBB0_27
	*(u64 *)(r10 - 8) = r9
	r9 = 0
	goto LBB0_4
LBB0_10:
	w1 ^= w2
	if w1 != 1 goto LBB0_12
LBB0_11:
	r1 = 1
	r2 = 0
	call artel_fail
LBB0_12:
	r9 += 1
	r8 = r7
	if r9 s< r6 goto LBB0_4
	goto LBB0_5
LBB0_4:
	r1 = r9
	call artel_coop_at
	r1 = r0
	call artel_coop_account
	if r0 s< 0 goto LBB0_17
	w2 = 1
	w1 = 1
	if r0 s< 0 goto LBB0_8
	w1 = 0
LBB0_8:
	r7 = r8
	r7 += r0
	if r7 s< r8 goto LBB0_10
	w2 = 0
	goto LBB0_10
LBB0_5:
	r9 = *(u64 *)(r10 - 8)
	if r7 s> 0 goto LBB0_13
	goto LBB0_27
LBB0_13:
	call artel_coops_count
	r6 = 0
	*(u64 *)(r10 - 32) = r0
	if r0 s< 1 goto LBB0_16
	r8 = 0
	r2 = 0
	goto LBB0_15
LBB0_22:
	w1 ^= w2
	if w1 != 1 goto LBB0_24
	goto LBB0_11
LBB0_24:
	if r6 s<= r7 goto LBB0_26
LBB0_25:
	r1 = 1
	r2 = 3
	call artel_fail
LBB0_26:
	r1 = *(u64 *)(r10 - 24)
	r2 = r0
	r3 = r7
	r4 = 0
	r5 = 1
	call artel_muldiv
	r8 = r0
	r1 = 144115188075855872 ll
	r9 |= r1
	r1 = 360287970189639680 ll
	r2 = r9
	r3 = r8
	r4 = 1
	call artel_transfer
	r9 = *(u64 *)(r10 - 8)
	r9 -= r8
	r2 = *(u64 *)(r10 - 16)
	r2 += 1
	r8 = r6
	r1 = *(u64 *)(r10 - 32)
	if r2 s< r1 goto LBB0_15
	goto LBB0_16
LBB0_15:
	*(u64 *)(r10 - 8) = r9
	*(u64 *)(r10 - 16) = r2
	r1 = r2
	call artel_coop_at
	r9 = r0
	r1 = r9
	call artel_coop_account
	if r0 s< 0 goto LBB0_17
	w2 = 1
	w1 = 1
	if r0 s< 0 goto LBB0_20
	w1 = 0
LBB0_20:
	r6 = r8
	r6 += r0
	if r6 s< r8 goto LBB0_22
	w2 = 0
	goto LBB0_22
LBB0_16:
	if r6 == r7 goto LBB0_27
	goto LBB0_25
LBB0_27:
	r1 = 360287970189639680 ll
	r2 = 216172782113783808 ll
	r3 = r9
	r4 = 1
	call artel_transfer
	r0 = 0
	exit
LBB0_17:
	r1 = 1
	r2 = 2
	call artel_fail
.Lfunc_end0:
	.size	charge, .Lfunc_end0-charge
