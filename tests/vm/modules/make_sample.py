#!/usr/bin/env python3
"""Writes sample.acm from docs/module-format.md alone (an independent writer,
so the C++ parser is checked against the document). Run at authoring time:
    python3 tests/vm/modules/make_sample.py
"""
import hashlib
import os
import struct


def u8(v): return struct.pack('<B', v)
def u16(v): return struct.pack('<H', v)
def u32(v): return struct.pack('<I', v)
def u64(v): return struct.pack('<Q', v & (2**64 - 1))
def s(text): b = text.encode('utf-8'); return u32(len(b)) + b
def lst(items): return u32(len(items)) + b''.join(items)


def insn(opcode, dst=0, src=0, off=0, imm=0):
    return struct.unpack('<Q', struct.pack('<BBhi', opcode, dst | (src << 4), off, imm))[0]


code = [
    # entry "pay": r0 = add(40, 2) through a relocated host call
    insn(0xb7, dst=1, imm=40),       # 0 mov r1, 40
    insn(0xb7, dst=2, imm=2),        # 1 mov r2, 2
    insn(0x85, src=1, imm=-1),       # 2 call (relocated: "add"), as LLVM leaves it
    insn(0x95),                      # 3 exit
    # entry "weekly": r0 = rodata[1]
    insn(0x18, dst=1, imm=0),        # 4 lddw r1, 0x300000000
    insn(0x00, imm=3),               # 5
    insn(0x71, dst=0, src=1, off=1), # 6 ldxb r0, [r1+1]
    insn(0x95),                      # 7 exit
]
source = 'charter "Sample" version 1\n'.encode('utf-8')
body = b'ACM1' + u16(3)
body += s('artelc 0.1.0 (sample)')
# header: name, version, currency, scale, period (2 = month), rounding (3 = half_even)
body += s('Sample') + u32(1) + s('RUB') + u8(2) + u8(2) + u8(3)
body += hashlib.blake2b(source, digest_size=32).digest()
body += lst([u64(w) for w in code])
body += lst([u32(2) + u32(1) + s('add')])  # call at slot 2: host function 1, "add"
body += lst([
    # rights: {u8 kind, u32 count, u32 subject, u64 num, u64 den}: member, assembly quorum 2/3
    s('pay') + u8(0) + u32(0) + lst([s('to') + s('member'), s('amount') + s('money')])
    + lst([u8(0) + u32(0) + u32(0) + u64(0) + u64(0), u8(3) + u32(0) + u32(0) + u64(2) + u64(3)]) + s('4'),
    s('weekly') + u8(1) + u32(4) + lst([]) + lst([]) + s('7.1'),
])
body += lst([s('rate') + s('rate') + u64(50) + s('0.5%')])
titles = lst([s('en') + s('Transfers'), s('ru') + s('Переводы')])
texts = lst([s('en') + s('A member may transfer money.'), s('ru') + s('Пайщик вправе переводить деньги.')])
body += lst([s('4') + titles + texts])
body += lst([s('insufficient funds'), s('not a member')])  # messages
body += lst([s('paid') + lst([s('to') + s('member'), s('amount') + s('money')])])  # events
body += u32(3) + bytes([9, 8, 7])
out = os.path.join(os.path.dirname(os.path.abspath(__file__)), 'sample.acm')
with open(out, 'wb') as f:
    f.write(body)
print(out, hashlib.blake2b(body, digest_size=32).hexdigest())
