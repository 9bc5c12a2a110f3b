#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the seed corpora of the fuzz targets (tests/fuzz/corpus/<target>/).

Each seed is a small valid input of one message or scenario, so that the
fuzzer starts from the accepted paths and mutates from there. The layouts
follow docs/protocol.md. Run it again after a protocol change and commit
the result: python3 tests/fuzz/make-seeds.py
"""
import os
import struct
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
MAGIC = 0x52634176

# Message types, arg types, op types, blob and resource types.
HELLO, SESS_CREATE, SESS_UPDATE, SESS_DESTROY = 1, 2, 3, 4
RES_REGISTER, RES_CHUNK, RES_UNREGISTER, RES_SYNC = 5, 6, 7, 8
OP, TORCH_LOAD, TORCH_RUN, STATS, PROF, AUTH, ERROR = 9, 10, 11, 12, 13, 14, 0x7f
A_RAW, A_INT32, A_INT64, A_UINT8 = 0, 5, 7, 9
A_UINT8_ARRAY, A_FLOAT32, A_FLOAT32_ARRAY = 10, 17, 18
A_FLOAT64, A_FLOAT64_ARRAY, A_UCHAR_ARRAY, A_STRING, A_BUFFER, A_CUSTOM = 19, 20, 26, 27, 28, 29
A_INT32_ARRAY = 6
OP_NOOP, OP_EXEC, OP_EXEC_RES, OP_CLASSIFY, OP_DETECT = 0, 1, 2, 3, 4
OP_SGEMM, OP_ARRAYCOPY, OP_MMULT, OP_PARALLEL, OP_VADD = 17, 18, 19, 20, 21
OP_MINMAX, OP_OPENCV = 22, 23
BLOB_FILE, BLOB_BUFFER = 0, 1
RES_LIB, RES_DATA, RES_MODEL = 0, 1, 2


def pad(b):
    return b + b"\0" * ((8 - len(b) % 8) % 8)


def prefix():
    return struct.pack("<QQQ", 1000, 2000, 300)


def hello(max_frame=1 << 20, flags=0):
    return struct.pack("<IHHII", MAGIC, 1, 0, max_frame, flags)


def auth(token=b"secret"):
    return struct.pack("<II", len(token), 0) + token


def err(code, msg):
    return struct.pack("<iI", code, len(msg)) + msg


def res_register(sess, res, rtype, blobs):
    b = struct.pack("<qqIIQ", sess, res, rtype, len(blobs), 0)
    for btype, name, size in blobs:
        b += struct.pack("<IIQ", btype, len(name), size) + name
    return b


def chunk(blob, off, data):
    return struct.pack("<IIQ", blob, 0, off) + data


def op(sess, reads, writes):
    """reads: [(type, data)]; writes: [(type, size, data or None)]"""
    b = struct.pack("<qII", sess, len(reads), len(writes))
    for t, d in reads:
        b += struct.pack("<HHIQ", t, 0, 0, len(d))
    for t, size, d in writes:
        b += struct.pack("<HHIQ", t, 1 if d is not None else 0, 0, size)
    for t, d in reads:
        b += pad(d)
    for t, size, d in writes:
        if d is not None:
            b += pad(d)
    return b


def u8(v):
    return struct.pack("<B", v)


def i32(v):
    return struct.pack("<i", v)


def i64(v):
    return struct.pack("<q", v)


def f32s(*v):
    return struct.pack("<%df" % len(v), *v)


def op_bodies(sess):
    """One valid OP body per op family (genop layouts, genop.h)."""
    img = b"\x89PNG fake image bytes"
    return {
        "noop": op(sess, [(A_UINT8, u8(OP_NOOP))], []),
        "noop_int32": op(sess, [(A_INT32, i32(OP_NOOP))], []),
        "exec": op(sess, [(A_UINT8, u8(OP_EXEC)), (A_STRING, b"/lib/x.so\0"),
                          (A_STRING, b"fn\0"), (A_INT32, i32(21))],
                   [(A_INT32, 4, None)]),
        "exec_res": op(sess, [(A_UINT8, u8(OP_EXEC_RES)), (A_INT64, i64(1)),
                              (A_STRING, b"fn\0"), (A_INT32, i32(21))],
                       [(A_INT32, 4, None)]),
        "classify": op(sess, [(A_UINT8, u8(OP_CLASSIFY)), (A_BUFFER, img)],
                       [(A_UCHAR_ARRAY, 64, None), (A_UCHAR_ARRAY, 64, None)]),
        "detect": op(sess, [(A_UINT8, u8(OP_DETECT)), (A_BUFFER, img)],
                     [(A_UCHAR_ARRAY, 64, None)]),
        "sgemm": op(sess, [(A_UINT8, u8(OP_SGEMM)), (A_INT64, i64(2)),
                           (A_INT64, i64(2)), (A_INT64, i64(2)),
                           (A_FLOAT32, f32s(1.0)),
                           (A_FLOAT32_ARRAY, f32s(1, 2, 3, 4)),
                           (A_INT64, i64(2)),
                           (A_FLOAT32_ARRAY, f32s(1, 0, 0, 1)),
                           (A_INT64, i64(2)), (A_FLOAT32, f32s(0.5)),
                           (A_INT64, i64(2))],
                    [(A_FLOAT32_ARRAY, 16, f32s(1, 1, 1, 1))]),
        "minmax": op(sess, [(A_UINT8, u8(OP_MINMAX)),
                            (A_FLOAT64_ARRAY, struct.pack("<4d", 1, 5, -2, 7)),
                            (A_INT32, i32(4)), (A_INT32, i32(0)),
                            (A_INT32, i32(6))],
                     [(A_FLOAT64_ARRAY, 32, None), (A_FLOAT64, 8, None),
                      (A_FLOAT64, 8, None)]),
        "arraycopy": op(sess, [(A_UINT8, u8(OP_ARRAYCOPY)),
                               (A_INT32_ARRAY, struct.pack("<4i", 1, 2, 3, 4))],
                        [(A_INT32_ARRAY, 16, None)]),
        "mmult": op(sess, [(A_UINT8, u8(OP_MMULT)),
                           (A_FLOAT32_ARRAY, f32s(1, 2, 3, 4)),
                           (A_FLOAT32_ARRAY, f32s(1, 2, 3, 4))],
                    [(A_FLOAT32_ARRAY, 16, None)]),
        "parallel": op(sess, [(A_UINT8, u8(OP_PARALLEL)),
                              (A_FLOAT32_ARRAY, f32s(1, 2)),
                              (A_FLOAT32_ARRAY, f32s(3, 4))],
                       [(A_FLOAT32_ARRAY, 8, None),
                        (A_FLOAT32_ARRAY, 8, None)]),
        "vadd": op(sess, [(A_UINT8, u8(OP_VADD)),
                          (A_FLOAT32_ARRAY, f32s(1, 2)),
                          (A_FLOAT32_ARRAY, f32s(3, 4))],
                   [(A_FLOAT32_ARRAY, 8, None)]),
        "opencv": op(sess, [(A_UINT8, u8(OP_OPENCV)), (A_RAW, b"abc"),
                            (A_CUSTOM, b"xyz")],
                     [(A_BUFFER, 16, None)]),
    }


def torch_run(sess, res, tensors, nr_out=1, opts=b""):
    b = struct.pack("<qqIIQ", sess, res, len(tensors), nr_out, len(opts))
    for dtype, dims, data in tensors:
        b += struct.pack("<IIQ", dtype, len(dims), len(data))
        b += b"".join(struct.pack("<q", d) for d in dims)
    b += pad(opts)
    for _, _, data in tensors:
        b += pad(data)
    return b


def write(target, name, data):
    d = os.path.join(HERE, "corpus", target)
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, name), "wb") as f:
        f.write(data)


def codec():
    def w(name, which, param, body):
        write("codec", name, bytes([which, param]) + body)

    w("hdr", 0, 0, struct.pack("<IHHQ", 16, OP, 0, 7))
    w("hdr_reply", 0, 3, struct.pack("<IHHQ", 24, OP | 0x80, 0, 9))
    w("hello", 1, 0, hello())
    w("auth", 2, 0, auth())
    w("error", 3, 0, err(22, b"unknown session 5"))
    w("sess_create", 4, 0, struct.pack("<I", 0x4))
    w("sess_update", 4, 1, struct.pack("<qI", 3, 0x8))
    w("sess_destroy", 4, 2, struct.pack("<q", 3))
    w("res_req", 5, 0, struct.pack("<qq", 1, 2))
    w("id_reply", 6, 0, prefix() + struct.pack("<q", 42))
    w("stats_reply", 6, 0, prefix() + struct.pack("<IIQQQQQ", 2, 0, 3, 4, 5, 6, 7))
    w("res_register", 7, 0, res_register(1, 0, RES_MODEL,
                                         [(BLOB_FILE, b"model.pt", 100),
                                          (BLOB_FILE, b"labels.txt", 7)]))
    w("res_register_link", 7, 0, res_register(1, 9, RES_LIB, []))
    w("chunk", 8, 0, chunk(0, 4096, b"some bytes"))
    for k, v in op_bodies(3).items():
        w("op_" + k, 9, 0, v)
    w("op_reply", 10, 2, prefix() + struct.pack("<IIQQ", 2, 0, 3, 5) +
      b"abcdefgh")
    w("torch_run", 11, 0, torch_run(1, 2, [(7, [1, 3], f32s(1, 2, 3)),
                                           (1, [2], b"\1\2")], 2, b"opts"))
    w("tensors_reply", 12, 0, prefix() + struct.pack("<II", 1, 0) +
      struct.pack("<IIQqq", 1, 2, 8, 1, 2) + f32s(1, 2))
    w("shm_setup", 14, 0, struct.pack("<QII", 1 << 20, 0, 0))
    w("op_shm", 9, 0, op_shm(3))
    w("prof_reply", 13, 0, prefix() + struct.pack("<II", 1, 0) +
      struct.pack("<IIQQ", 14, 0, 1234, 5) + b"rpc_agent_exec")


def addr():
    for i, a in enumerate([
            "unix:///tmp/vaccel.sock", "unix://@vaccel", "UNIX:///run/a",
            "tcp://127.0.0.1:65500", "tcp://[::1]:0", "tcp://localhost:80",
            "vsock://2:2048", "vsock://any:1234", "vsock://-1:5",
            "hvsock:///tmp/v.sock:1024", "virtio:///dev/vport0p1",
            "tcp://host", "unix://relative"]):
        write("addr", "addr%02d" % i, a.encode())


def genop():
    for k, v in op_bodies(1).items():
        write("genop", k, v)


def op_shm(sess, off=64, wr_off=4096):
    """An OP whose user read and write args are in the shared region
    (docs/protocol.md, 2b): an offset in place of their data."""
    b = struct.pack("<qII", sess, 2, 1)
    b += struct.pack("<HHIQ", A_UINT8, 0, 0, 1)
    b += struct.pack("<HHIQ", A_INT32, 2, 0, 4)
    b += struct.pack("<HHIQ", A_INT32, 3, 0, 4)
    return b + pad(u8(OP_NOOP)) + struct.pack("<QQ", off, wr_off)


def torch_run_shm(sess, res, off):
    b = struct.pack("<qqIIQ", sess, res, 1, 1, 0)
    b += struct.pack("<IHHQqq", 7, 2, 1, 8, 1, 2)
    return b + struct.pack("<Q", off)


def agent():
    """Mode byte, then records: u8 type, u8 flags, u16 len, body."""
    def rec(t, body, flags=0):
        return struct.pack("<BBH", t, flags, len(body)) + body

    create = rec(SESS_CREATE, struct.pack("<I", 0))
    ops = b"".join(rec(OP, v, 2) for v in op_bodies(0).values())
    write("agent", "ops", b"\0" + create + ops +
          rec(SESS_DESTROY, struct.pack("<q", 0), 2))
    data = b"0123456789" * 10
    upload = (rec(RES_REGISTER, res_register(0, 0, RES_DATA,
                                             [(BLOB_FILE, b"a.bin", 60),
                                              (BLOB_FILE, b"b.bin", 40)]), 2) +
              rec(RES_CHUNK, chunk(0, 0, data[:30]), 1) +
              rec(RES_CHUNK, chunk(0, 30, data[30:60]), 1) +
              rec(RES_CHUNK, chunk(1, 0, data[60:]), 1))
    write("agent", "upload_files", b"\0" + create + upload +
          rec(RES_SYNC, struct.pack("<qq", 0, 0), 6) +
          rec(RES_UNREGISTER, struct.pack("<qq", 0, 0), 6))
    mem = (rec(RES_REGISTER, res_register(0, 0, RES_DATA,
                                          [(BLOB_BUFFER, b"m", 10)]), 2) +
           rec(RES_CHUNK, chunk(0, 0, data[:10]), 1))
    write("agent", "upload_buffer", b"\0" + create + mem +
          rec(RES_SYNC, struct.pack("<qq", 0, 0), 6) +
          rec(SESS_CREATE, struct.pack("<I", 0)) +
          rec(RES_REGISTER, res_register(1, 0, RES_DATA, []), 6))
    lib = (rec(RES_REGISTER, res_register(0, 0, RES_LIB,
                                          [(BLOB_FILE, b"lib.so", 8)]), 2) +
           rec(RES_CHUNK, chunk(0, 0, b"\x7fELF...."), 1))
    exec_res = op(0, [(A_UINT8, u8(OP_EXEC_RES)), (A_INT64, i64(0)),
                      (A_STRING, b"fn\0")], [(A_INT32, 4, None)])
    write("agent", "exec_uploaded", b"\0" + create + lib + rec(OP, exec_res, 2))
    model = (rec(RES_REGISTER, res_register(0, 0, RES_MODEL,
                                            [(BLOB_FILE, b"m.pt", 4)]), 2) +
             rec(RES_CHUNK, chunk(0, 0, b"PK\3\4"), 1))
    write("agent", "torch", b"\0" + create + model +
          rec(TORCH_LOAD, struct.pack("<qq", 0, 0), 6) +
          rec(TORCH_RUN, torch_run(0, 0, [(7, [1, 2], f32s(1, 2))]), 6))
    write("agent", "stats_prof", b"\0" + rec(STATS, b"") + rec(PROF, b"") +
          rec(HELLO, hello()) + create)
    write("agent", "shm_ops", b"\4" + create + rec(OP, op_shm(0), 2) +
          rec(OP, op_shm(0, 65532, 8), 2) + rec(OP, op_shm(0, 8, 8), 2) +
          rec(OP, op_shm(0, 1 << 63, 0), 2) + model +
          rec(TORCH_RUN, torch_run_shm(0, 0, 128), 6) +
          rec(0x0f, struct.pack("<QII", 1 << 20, 0, 0)) + rec(STATS, b""))
    write("agent", "token_ok", b"\3" + create + rec(STATS, b""))
    write("agent", "token_missing", b"\1" + create)
    write("agent", "token_wrong", b"\1" + rec(AUTH, auth(b"guess")) + create)
    write("agent", "refused_upload", b"\0" + create +
          rec(RES_REGISTER, res_register(0, 0, RES_DATA,
                                         [(BLOB_FILE, b"big", 1 << 30)]), 2) +
          rec(RES_CHUNK, chunk(0, 0, data), 1) + rec(STATS, b""))


def main():
    codec()
    addr()
    genop()
    agent()
    return 0


if __name__ == "__main__":
    sys.exit(main())
