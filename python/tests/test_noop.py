# SPDX-License-Identifier: Apache-2.0
"""Every op through the real noop plugin (Session(PluginType.DEBUG))."""

from __future__ import annotations

import array

import pytest

import vaccel
from vaccel import Arg, ArgType, OpType, PluginType, Resource, \
    ResourceType, Session
from vaccel.ops.torch import Tensor, TensorType

TAG = "This is a dummy classification tag!"
IMGNAME = "PLACEHOLDER"


@pytest.fixture
def sess():
    with Session(PluginType.DEBUG) as s:
        yield s


def test_session_basics(sess):
    assert sess.id > 0
    assert sess.flags == PluginType.DEBUG
    assert not sess.is_remote
    assert sess.remote_id == 0
    with Session(PluginType.DEBUG) as other:
        assert other.id != sess.id
    assert "Session(id=" in repr(sess)


def test_session_release_twice_and_use_after():
    s = Session(PluginType.DEBUG)
    s.release()
    s.release()
    assert s.id == 0
    with pytest.raises(vaccel.VaccelError) as e:
        s.noop()
    assert e.value.code == vaccel.error.VACCEL_EINVAL
    assert "released" in str(e.value)


def test_noop(sess):
    sess.noop()


def test_image_ops(sess, paths):
    img = b"\xff\xd8 not really a jpeg"
    assert sess.classify(img) == (TAG, IMGNAME)
    assert sess.detect(img) == IMGNAME
    assert sess.segment(img) == IMGNAME
    assert sess.pose(img) == IMGNAME
    assert sess.depth(img) == IMGNAME
    # A path is read, a bytearray or memoryview is used in place.
    assert sess.classify(paths["image"])[0] == TAG
    assert sess.detect(bytearray(img)) == IMGNAME
    assert sess.depth(memoryview(img)) == IMGNAME


def test_image_output_truncated(sess):
    text, name = sess.classify(b"x", out_len=5)
    assert text == TAG[:4]
    assert name == IMGNAME[:4]


def test_sgemm_lists(sess):
    m, n, k = 2, 3, 4
    c = sess.sgemm(m, n, k, 1.0, [1.0] * (m * k), k, [2.0] * (k * n), n,
                   0.0, [7.0] * (m * n), n)
    assert c == [0.0] * (m * n)


def test_sgemm_in_place(sess):
    m, n, k = 3, 3, 3
    c = array.array("f", [5.0] * (m * n))
    out = sess.sgemm(m, n, k, 1.0, array.array("f", [1.0] * 9), 3,
                     array.array("f", [1.0] * 9), 3, 1.0, c, 3)
    assert out is c
    assert list(c) == [0.0] * 9


def test_sgemm_default_c(sess):
    assert sess.sgemm(2, 2, 2, 1.0, [1, 2, 3, 4], 2, [1, 2, 3, 4], 2,
                      0.0) == [0.0] * 4


def test_minmax(sess):
    out, lo, hi = sess.minmax([3.0, -12.5, 112.4, 7.0], 0, 100)
    assert (lo, hi) == (-12.5, 112.4)
    assert out == [3.0, 0.0, 100.0, 7.0]


def test_fpga(sess):
    assert sess.fpga_arraycopy([1, 2, 3]) == [1, 2, 3]
    assert sess.fpga_vadd([1.0, 2.0, 3.0], [10.0]) == [11.0, 2.0, 3.0]
    assert sess.fpga_parallel([1.0, 2.0], [3.0, 4.0]) == \
        ([4.0, 6.0], [3.0, 8.0])
    assert sess.fpga_mmult([1.0, 2.0], [3.0, 4.0]) == [0.0, 0.0]


def test_exec_on_noop(sess, paths):
    # The noop plugin runs nothing: it echoes the read args into the write
    # args, which shows that both crossed the C boundary intact.
    out = sess.exec("/nonexistent.so", "fn", [Arg(7), b"ab"],
                    [Arg.buffer(4), bytearray(2)])
    assert out == [b"\x07\0\0\0", bytearray(b"ab")]
    with Resource(paths["image"], ResourceType.LIB) as lib:
        lib.register(sess)
        assert sess.exec_with_resource(lib, "fn", [Arg(-1)],
                                       [Arg.buffer(4, ArgType.INT32)]) == [-1]


def test_genop_every_op(sess):
    assert sess.genop([Arg(OpType.NOOP)]) == []
    w = [Arg.buffer(64, ArgType.UCHAR_ARRAY),
         Arg.buffer(64, ArgType.UCHAR_ARRAY)]
    sess.genop([OpType.IMAGE_CLASSIFY, b"img"], w)
    assert [a.to_str() for a in w] == [TAG, IMGNAME]
    for op in (OpType.IMAGE_DETECT, OpType.IMAGE_SEGMENT, OpType.IMAGE_POSE,
               OpType.IMAGE_DEPTH):
        w = [Arg.buffer(32, ArgType.UCHAR_ARRAY)]
        sess.genop([Arg(op), Arg(b"img")], w)
        assert w[0].to_str() == IMGNAME
    m = n = k = 2
    c = Arg([9.0] * 4, ArgType.FLOAT32_ARRAY)
    sess.genop([OpType.BLAS_SGEMM, Arg(m, ArgType.INT64),
                Arg(n, ArgType.INT64), Arg(k, ArgType.INT64),
                Arg(1.0, ArgType.FLOAT32),
                Arg([1.0] * 4, ArgType.FLOAT32_ARRAY), Arg(k, ArgType.INT64),
                Arg([1.0] * 4, ArgType.FLOAT32_ARRAY), Arg(n, ArgType.INT64),
                Arg(0.0, ArgType.FLOAT32), Arg(n, ArgType.INT64)], [c])
    assert c.value == [0.0] * 4
    data = [1.5, -2.0, 30.0]
    w = [Arg.buffer(24, ArgType.FLOAT64_ARRAY), Arg.buffer(8, ArgType.FLOAT64),
         Arg.buffer(8, ArgType.FLOAT64)]
    vals = sess.genop([OpType.MINMAX, Arg(data), Arg(3), Arg(0), Arg(10)], w)
    assert vals == [[1.5, 0.0, 10.0], -2.0, 30.0]


def test_genop_malformed(sess):
    with pytest.raises(vaccel.VaccelError) as e:
        sess.genop([OpType.IMAGE_CLASSIFY], [])
    assert e.value.code == vaccel.error.VACCEL_EINVAL
    with pytest.raises(vaccel.VaccelError) as e:
        sess.genop([Arg(200, ArgType.UINT8)], [])
    assert e.value.code == vaccel.error.VACCEL_EINVAL


def test_torch_ops_on_noop(sess, paths):
    model = Resource(paths["torch_data"] / "tiny_cnn.pt", ResourceType.MODEL)
    with model:
        model.register(sess)
        sess.torch_model_load(model)
        x = Tensor([1, 4], TensorType.FLOAT, [1.0, 2.0, 3.0, 4.0])
        out = sess.torch_model_run(model, [x])
        assert len(out) == 1 and isinstance(out[0], Tensor)
        assert out[0].data_type == TensorType.FLOAT
        assert len(out[0].data) == out[0].nr_elements


def test_resource_register_cycle(sess, paths):
    res = Resource(paths["image"], ResourceType.DATA)
    assert res.id > 0
    assert res.type == ResourceType.DATA
    assert res.paths == [str(paths["image"])]
    assert res.refcount == 0
    res.register(sess)
    assert res.refcount == 1
    assert sess.has_resource(res) and res.is_registered(sess)
    with Session(PluginType.DEBUG) as s2:
        res.register(s2)
        assert res.refcount == 2
    # Releasing s2 unregistered the resource from it.
    assert res.refcount == 1
    res.unregister(sess)
    assert res.refcount == 0 and not sess.has_resource(res)
    with pytest.raises(vaccel.VaccelError) as e:
        res.unregister(sess)
    assert e.value.code == vaccel.error.VACCEL_EPERM
    assert res.data() == paths["image"].read_bytes()
    res.release()
    assert res.id == 0
    with pytest.raises(vaccel.VaccelError):
        res.register(sess)


def test_resource_from_buffer(sess):
    payload = bytes(range(256)) * 4
    res = Resource.from_buffer(payload, ResourceType.DATA, "blob.bin")
    res.register(sess)
    assert res.data() == payload
    assert res.directory
    res.sync(sess)
    res.release()
    mem = Resource.from_buffer(bytearray(b"abc"), ResourceType.DATA,
                               mem_only=True)
    assert mem.data() == b"abc"
    mem.release()


def test_resource_multi(paths):
    files = [paths["image"], paths["torch_data"] / "tiny_cnn.pt"]
    with Resource(files, ResourceType.DATA) as res:
        assert res.paths == [str(p) for p in files]
        assert res.data(1) == files[1].read_bytes()


def test_resource_released_with_session(paths):
    # Dropping the session first, then the resource, must not crash.
    s = Session(PluginType.DEBUG)
    r = Resource(paths["image"], ResourceType.DATA)
    r.register(s)
    del s
    assert r.refcount == 0
    del r


def test_resource_from_numpy(sess):
    np = pytest.importorskip("numpy")
    a = np.arange(6, dtype=np.float64).reshape(2, 3)
    with Resource.from_numpy(a) as res:
        assert res.type == ResourceType.DATA
        assert res.data() == a.tobytes()
        res.register(sess)
        res.sync(sess)
        assert np.array_equal(a, np.arange(6).reshape(2, 3))
    with pytest.raises(TypeError):
        Resource.from_numpy([1.0, 2.0])
