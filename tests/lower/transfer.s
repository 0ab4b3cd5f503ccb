	.text
	.file	"charter.artel"
	.globl	pay
	.p2align	3
	.type	pay,@function
pay:
	if r2 == 16 goto LBB0_2
	r1 = 1
	r2 = 2
	call artel_fail
LBB0_2:
	r6 = *(u64 *)(r1 + 8)
	if r6 s> 0 goto LBB0_4
	r1 = 1
	r2 = 0
	call artel_fail
LBB0_4:
	r7 = *(u64 *)(r1 + 0)
	r8 = 72057594037927936 ll
	r7 |= r8
	call artel_caller
	r0 |= r8
	r1 = r0
	r2 = r7
	r3 = r6
	r4 = 1
	call artel_transfer
	r0 = 0
	exit
.Lfunc_end0:
	.size	pay, .Lfunc_end0-pay
