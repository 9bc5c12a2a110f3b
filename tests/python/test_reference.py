# SPDX-License-Identifier: Apache-2.0
"""Every op family through the bindings on the computing reference plugin
(Session(PluginType.FPGA): no other plugin here has that type), locally and
through vaccel-agent, checked against reference.py: values computed here
from the test's own arguments, so a dropped, swapped or truncated argument
anywhere between Python and the plugin shows up."""

from __future__ import annotations

import array
import struct

import pytest

from vaccel import Arg, ArgType, OpType, PluginType, Resource, \
    ResourceType, Session

import reference as ref
from conftest import need

RAW, STRING = int(ArgType.RAW), int(ArgType.STRING)


@pytest.fixture(params=["local", "agent"])
def sess(request):
    need("reference")
    flags = PluginType.FPGA
    if request.param == "agent":
        request.getfixturevalue("agent")
        need("rpc")
        flags |= PluginType.REMOTE
    with Session(flags) as s:
        yield s


def test_on_the_reference_plugin(sess):
    # The image ops name the plugin's rule: nothing else answers this way.
    assert sess.detect(b"x") == ref.image_text("detect", b"x", 512)


def test_image_ops(sess):
    image = bytes(range(256)) * 3
    assert sess.classify(image) == (
        ref.image_text("classify", image, 512),
        ref.image_text("classify-name", image, 512))
    for name, op in (("detect", sess.detect), ("segment", sess.segment),
                     ("pose", sess.pose), ("depth", sess.depth)):
        assert op(image) == ref.image_text(name, image, 512)
    assert sess.depth(image, out_len=12) == ref.image_text("depth", image, 12)


def test_image_genop(sess):
    image = b"\x89PNG not really" * 5
    out = [Arg(bytearray(100), ArgType.UCHAR_ARRAY) for _ in range(2)]
    sess.genop([Arg(OpType.IMAGE_CLASSIFY, ArgType.UINT8),
                Arg(image, ArgType.BUFFER)], out)
    assert [a.to_str() for a in out] == [
        ref.image_text("classify", image, 100),
        ref.image_text("classify-name", image, 100)]


SGEMM = dict(m=3, n=4, k=5, alpha=1.5, lda=6, ldb=5, beta=0.5, ldc=7)


def sgemm_inputs():
    d = SGEMM
    a = [float(i % 7) - 3.0 for i in range(d["m"] * d["lda"])]
    b = [float(i % 5) * 0.5 for i in range(d["k"] * d["ldb"])]
    c = [float(i % 3) + 1.0 for i in range(d["m"] * d["ldc"])]
    want = ref.sgemm(d["m"], d["n"], d["k"], d["alpha"], a, d["lda"], b,
                     d["ldb"], d["beta"], c, d["ldc"])
    return a, b, c, want


def test_sgemm(sess):
    d = SGEMM
    a, b, c, want = sgemm_inputs()
    # C given in place (beta counts), then C from zeros.
    c_arr = array.array("f", c)
    out = sess.sgemm(d["m"], d["n"], d["k"], d["alpha"], a, d["lda"], b,
                     d["ldb"], d["beta"], d["ldc"], c=c_arr)
    assert out is c_arr and list(c_arr) == want
    zero_c = ref.sgemm(d["m"], d["n"], d["k"], d["alpha"], a, d["lda"], b,
                       d["ldb"], d["beta"], [0.0] * len(c), d["ldc"])
    got = sess.sgemm(d["m"], d["n"], d["k"], d["alpha"], a, d["lda"], b,
                     d["ldb"], d["beta"], d["ldc"])
    # Upstream's return: C as a list (its used span: (m - 1) * ldc + n).
    assert got == zero_c[:len(got)] and len(got) == (d["m"] - 1) * d["ldc"] \
        + d["n"]


def test_sgemm_genop(sess):
    d = SGEMM
    a, b, c, want = sgemm_inputs()
    out = Arg(c, ArgType.FLOAT32_ARRAY)
    sess.genop([
        Arg(OpType.BLAS_SGEMM, ArgType.UINT8),
        Arg(d["m"], ArgType.INT64), Arg(d["n"], ArgType.INT64),
        Arg(d["k"], ArgType.INT64), Arg(d["alpha"], ArgType.FLOAT32),
        Arg(a, ArgType.FLOAT32_ARRAY), Arg(d["lda"], ArgType.INT64),
        Arg(b, ArgType.FLOAT32_ARRAY), Arg(d["ldb"], ArgType.INT64),
        Arg(d["beta"], ArgType.FLOAT32), Arg(d["ldc"], ArgType.INT64)],
        [out])
    assert out.buf == want


def test_minmax(sess):
    values = [3.0, -12.5, 112.5, 7.0, 0.5, 99.0]
    want_out, want_min, want_max = ref.minmax(values, 0, 100)
    packed = array.array("d", values)
    for indata in (bytes(packed), packed, bytearray(packed)):
        out, lo, hi = sess.minmax(indata, len(values), 0, 100)
        assert list(array.array("d", out)) == want_out
        assert (lo, hi) == (want_min, want_max)
    # Only the first ndata values count.
    out, lo, hi = sess.minmax(packed, 3, 5, 50)
    assert (list(array.array("d", out)), lo, hi) == \
        ref.minmax(values[:3], 5, 50)


def test_minmax_genop(sess):
    values = [1.5, -2.0, 30.0]
    w = [Arg.buffer(24, ArgType.FLOAT64_ARRAY),
         Arg.buffer(8, ArgType.FLOAT64), Arg.buffer(8, ArgType.FLOAT64)]
    sess.genop([Arg(OpType.MINMAX, ArgType.UINT8),
                Arg(values, ArgType.FLOAT64_ARRAY), Arg(3, ArgType.INT32),
                Arg(0, ArgType.INT32), Arg(10, ArgType.INT32)], w)
    want_out, want_min, want_max = ref.minmax(values, 0, 10)
    assert [a.buf for a in w] == [want_out, want_min, want_max]


def test_fpga(sess):
    a = [1.0, 2.5, -3.0, 4.0]
    b = [0.5, 1.0, 2.0, -1.5]
    assert sess.fpga_arraycopy([5, -6, 7]) == [5, -6, 7]
    assert sess.fpga_mmult(a, b) == ref.mmult(a, b)
    assert sess.fpga_parallel(a, b) == ref.parallel(a, b)
    assert sess.fpga_vadd(a, b[:2]) == ref.vadd(a, b[:2])


def test_exec(sess):
    # The reference plugin opens no library: it hashes the library and
    # symbol names and every read arg's type tag and bytes into the write
    # args. The tags and bytes expected here are upstream's encodings.
    lib = str(need("lib"))
    reads = [7, 2.5, "text", [1, 2, 3], b"\x00\xff"]
    read_wire = [(RAW, struct.pack("i", 7)), (RAW, struct.pack("f", 2.5)),
                 (RAW, b"text\0"), (RAW, struct.pack("3i", 1, 2, 3)),
                 (RAW, b"\x00\xff")]
    out = sess.exec(lib, "fn", reads, [[0, 0], bytearray(5)])
    want = ref.exec_outputs(lib, "fn", read_wire, [8, 5])
    assert out[0] == list(struct.unpack("2i", want[0]))
    assert bytes(out[1]) == want[1]
    typed = [Arg(7, ArgType.INT64), Arg("text", ArgType.STRING)]
    out = sess.exec(lib, "fn", typed, [Arg.buffer(16)])
    assert out == ref.exec_outputs(
        lib, "fn", [(int(ArgType.INT64), struct.pack("q", 7)),
                    (STRING, b"text\0")], [16])


def test_exec_with_resource(sess):
    lib = need("lib")
    with Resource(lib, ResourceType.LIB) as res:
        res.register(sess)
        out = sess.exec_with_resource(res, "sym", [41], [Arg.buffer(12)])
    assert out == ref.exec_with_resource_outputs(
        [lib.read_bytes()], "sym", [(RAW, struct.pack("i", 41))], [12])


def test_genop_exec(sess):
    lib = str(need("lib"))
    w = [Arg.buffer(8)]
    sess.genop([Arg(OpType.EXEC, ArgType.UINT8), Arg(lib, ArgType.STRING),
                Arg("gen", ArgType.STRING), Arg(3)], w)
    assert w[0].buf == ref.exec_outputs(
        lib, "gen", [(RAW, struct.pack("i", 3))], [8])[0]
