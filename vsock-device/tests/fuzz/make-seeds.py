#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seeds (fuzz/corpus/) and regression inputs
(fuzz/regressions/) of fuzz_vsock_device: scripts of guest RAM writes and
actions in the format of fuzz_vsock_device.c. The seeds are what a Linux
guest does (connect, data both ways, credit, shutdown; header and payload
in one or two descriptors, indirect tables, buffers across regions); the
regressions are the hostile cases the device must survive (loops, rings
that run ahead, heads and tables out of range, credit overruns).

    python3 vsock-device/tests/fuzz/make-seeds.py
"""
import os
import struct

HERE = os.path.dirname(os.path.abspath(__file__))
GPA = 0x10000
TX, RX = 0x0000, 0x0400
REQUEST, RESPONSE, RST, SHUTDOWN, RW, CREDIT_UPDATE, CREDIT_REQUEST = range(1, 8)
NEXT, WRITE, INDIRECT = 1, 2, 4


def hdr(op, sport=1000, dport=2048, length=0, flags=0, buf_alloc=65536,
        fwd_cnt=0, src_cid=3, dst_cid=2, typ=1):
    return struct.pack("<QQIIIHHIII", src_cid, dst_cid, sport, dport, length,
                       typ, op, flags, buf_alloc, fwd_cnt)


def desc(addr, length, flags=0, nxt=0):
    return struct.pack("<QIHH", addr, length, flags, nxt)


class Script:
    def __init__(self):
        self.out = b""
        self.avail = {TX: 0, RX: 0}

    def write(self, off, data):
        self.out += struct.pack("<HH", off, len(data)) + data

    def act(self, a):
        self.out += struct.pack("<HB", 0xFFFF, a)

    def publish(self, ring, head):
        slot = self.avail[ring] % 16
        self.write(ring + 0x100 + 4 + 2 * slot, struct.pack("<H", head))
        self.avail[ring] += 1
        self.write(ring + 0x100 + 2, struct.pack("<H", self.avail[ring] & 0xFFFF))

    def tx(self, i, packet, at, split=False):
        """Guest packet in descriptor i (and i+1 when split), bytes at `at`."""
        self.write(at, packet)
        if split and len(packet) > 44:
            self.write(TX + 16 * i, desc(GPA + at, 44, NEXT, i + 1))
            self.write(TX + 16 * (i + 1), desc(GPA + at + 44, len(packet) - 44))
        else:
            self.write(TX + 16 * i, desc(GPA + at, len(packet)))
        self.publish(TX, i)

    def rx_fill(self, n, base=0x8000, size=0x1000, split=False):
        for i in range(n):
            if split:
                self.write(RX + 16 * (2 * i), desc(GPA + base + size * i, 44,
                                                   WRITE | NEXT, 2 * i + 1))
                self.write(RX + 16 * (2 * i + 1),
                           desc(GPA + base + size * i + 44, size - 44, WRITE))
                self.publish(RX, 2 * i)
            else:
                self.write(RX + 16 * i, desc(GPA + base + size * i, size, WRITE))
                self.publish(RX, i)


def conversation(split):
    s = Script()
    s.rx_fill(4 if split else 8, split=split)
    s.act(3)
    s.tx(0, hdr(REQUEST), 0x800)
    s.act(0)
    s.tx(2, hdr(RW, length=5) + b"hello", 0x900, split)
    s.act(0)
    s.act(1)  # the host answers
    s.tx(4, hdr(CREDIT_UPDATE, fwd_cnt=16), 0xA00)
    s.tx(5, hdr(CREDIT_REQUEST), 0xA40)
    s.act(0)
    s.act(2)  # the host closes
    s.tx(6, hdr(SHUTDOWN, flags=3), 0xA80)
    s.act(0)
    return s.out


def indirect():
    s = Script()
    s.rx_fill(4)
    s.act(3)
    table = desc(GPA + 0x1800, 44, NEXT, 1) + desc(GPA + 0x1900, 3)
    s.write(0x1700, table)
    s.write(0x1800, hdr(REQUEST))
    s.write(0x1900, b"abc")
    s.write(TX, desc(GPA + 0x1700, 32, INDIRECT))
    s.publish(TX, 0)
    s.act(0)
    s.tx(1, hdr(RW, length=3) + b"xyz", 0x2000)
    s.act(0)
    return s.out


def across_regions():
    s = Script()
    s.rx_fill(2)
    s.act(3)
    s.tx(0, hdr(REQUEST), 0x800)
    s.act(0)
    # header + payload straddling the end of the first region
    pkt = hdr(RW, length=200) + bytes(range(200))
    s.write(0xFFF0, pkt[:16])
    s.write(TX + 16, desc(GPA + 0xFFF0, len(pkt)))
    s.publish(TX, 1)
    s.act(0)
    return s.out


def host_data_many():
    s = Script()
    s.rx_fill(8)
    s.act(3)
    for i in range(3):
        s.tx(i, hdr(REQUEST, sport=1000 + i), 0x800 + 0x40 * i)
    s.act(0)
    s.act(1)
    s.act(1)
    s.act(3)
    return s.out


def loop():
    s = Script()
    s.write(TX, desc(GPA + 0x800, 44, NEXT, 1) + desc(GPA + 0x800, 44, NEXT, 0))
    s.publish(TX, 0)
    s.act(0)
    return s.out


def ring_ahead():
    s = Script()
    s.write(TX + 0x102, struct.pack("<H", 40))
    s.act(0)
    s.write(RX + 0x102, struct.pack("<H", 0x8000))
    s.act(3)
    return s.out


def bad_heads_and_tables():
    # a head index of 99 in a 16-entry table
    s = Script()
    s.rx_fill(2)
    s.act(3)
    s.tx(0, hdr(REQUEST), 0x800)
    s.act(0)
    s.write(TX + 0x100 + 4 + 2, struct.pack("<H", 99))  # head 99
    s.write(TX + 0x102, struct.pack("<H", 2))
    s.act(0)
    return s.out


def indirect_rules():
    # nested indirect, indirect with NEXT, table outside RAM
    s2 = Script()
    s2.write(0x1700, desc(GPA + 0x1800, 16, INDIRECT))
    s2.write(TX, desc(GPA + 0x1700, 16, INDIRECT))
    s2.write(TX + 16, desc(GPA + 0x1700, 16, INDIRECT | NEXT, 2))
    s2.write(TX + 32, desc(0x7FFFFFFF0000, 16, INDIRECT))
    s2.publish(TX, 0)
    s2.publish(TX, 1)
    s2.publish(TX, 2)
    s2.act(0)
    return s2.out


def credit_overrun():
    s = Script()
    s.rx_fill(8)
    s.act(3)
    s.tx(0, hdr(REQUEST), 0x800)
    s.act(0)
    data = bytes(4000)
    for i in range(1, 6):
        s.tx(i, hdr(RW, length=len(data)) + data, 0x1000 + 0x1000 * i)
    s.act(0)
    return s.out


def rx_readable_buffer():
    s = Script()
    s.write(RX, desc(GPA + 0x8000, 4096, 0))  # not device-writable
    s.publish(RX, 0)
    s.tx(0, hdr(REQUEST), 0x800)
    s.act(0)
    s.act(1)
    return s.out


def main():
    seeds = {
        "conversation": conversation(False),
        "conversation-split": conversation(True),
        "indirect": indirect(),
        "across-regions": across_regions(),
        "host-data-many": host_data_many(),
    }
    regressions = {
        "loop-in-tx-chain": loop(),
        "avail-index-ahead": ring_ahead(),
        "head-out-of-table": bad_heads_and_tables(),
        "indirect-table-rules": indirect_rules(),
        "credit-overrun": credit_overrun(),
        "rx-readable-buffer": rx_readable_buffer(),
    }
    for d, items in (("corpus", seeds), ("regressions", regressions)):
        os.makedirs(os.path.join(HERE, d), exist_ok=True)
        for name, data in items.items():
            with open(os.path.join(HERE, d, name), "wb") as f:
                f.write(data)


if __name__ == "__main__":
    main()
