# SPDX-License-Identifier: Apache-2.0
"""What the bindings add to upstream's API (in-place outputs, numpy,
context managers, resource accessors), on the real noop plugin
(Session(PluginType.DEBUG)), whose outputs are upstream's documented
dummies."""

from __future__ import annotations

import array

import pytest

import vaccel
from vaccel import Arg, ArgType, OpType, PluginType, Resource, \
    ResourceType, Session

from test_upstream_api import IMGNAME, NOOP_MAX, NOOP_MIN, TAG


@pytest.fixture
def sess():
    with Session(PluginType.DEBUG) as s:
        yield s


def test_session_basics(sess):
    assert sess.id > 0
    assert sess.flags == PluginType.DEBUG
    assert not sess.is_remote
    assert sess.value.id == sess.id and sess.value.hint == PluginType.DEBUG
    with Session(PluginType.DEBUG) as other:
        assert other.id != sess.id
    assert "Session(id=" in repr(sess)


def test_session_release_twice_and_use_after():
    s = Session(PluginType.DEBUG)
    s.release()
    s.release()
    assert s.id == 0
    with pytest.raises(vaccel.NullPointerError) as e:
        s.noop()
    assert isinstance(e.value, ValueError)
    assert e.value.code == vaccel.error.VACCEL_EINVAL
    assert "released" in str(e.value)


def test_image_inputs_and_out_len(sess, paths):
    img = b"\xff\xd8 not really a jpeg"
    # A path is read, a bytearray or memoryview is used in place.
    assert sess.classify(paths["image"]) == (TAG, IMGNAME)
    assert sess.detect(bytearray(img)) == IMGNAME
    assert sess.depth(memoryview(img)) == IMGNAME
    # Longer outputs are cut to out_len - 1 bytes, per call or per session.
    assert sess.classify(img, out_len=5) == (TAG[:4], IMGNAME[:4])
    sess._out_len = 8
    assert sess.segment(img) == IMGNAME[:7]


def test_sgemm_in_place(sess):
    m = n = k = 3
    c = array.array("f", [5.0] * (m * n))
    out = sess.sgemm(m, n, k, 1.0, array.array("f", [1.0] * 9), 3,
                     array.array("f", [1.0] * 9), 3, 1.0, 3, c=c)
    assert out is c
    np = pytest.importorskip("numpy")
    a = np.ones((m, k), dtype=np.float32)
    c2 = sess.sgemm(m, n, k, 1.0, a, k, a, n, 0.0)
    assert isinstance(c2, np.ndarray) and c2.shape == (m * n,)


def test_minmax_inputs(sess):
    np = pytest.importorskip("numpy")
    values = [3.0, -12.5, 112.4, 7.0]
    packed = array.array("d", values)
    for indata in (packed, bytes(packed), np.array(values)):
        out, lo, hi = sess.minmax(indata, 4, 0, 100)
        assert (lo, hi) == (NOOP_MIN, NOOP_MAX)
        assert bytes(out) == bytes(packed)
    assert isinstance(sess.minmax(np.array(values), 4, 0, 1)[0], np.ndarray)
    # ndata past the end of indata would read past it: refused.
    with pytest.raises(vaccel.VaccelValueError):
        sess.minmax(packed, 5, 0, 100)


def test_exec_outputs_in_place(sess):
    # The noop plugin copies the first read arg into a single write arg of
    # the same size (upstream's dummy): the copy lands in the caller's
    # numpy array or bytearray.
    np = pytest.importorskip("numpy")
    src = np.arange(4, dtype=np.int32)
    dst = np.zeros(4, dtype=np.int32)
    out = sess.exec("/nonexistent.so", "fn", [src], [dst])
    assert out[0] is dst and list(dst) == [0, 1, 2, 3]
    ba = bytearray(4)
    assert sess.exec("/nonexistent.so", "fn", [b"abcd"], [ba]) == [ba]
    assert ba == bytearray(b"abcd")
    # bytes cannot be written: an output over bytes gets a copy.
    out = sess.exec("/nonexistent.so", "fn", [b"wxyz"], [b"\0\0\0\0"])
    assert out == [b"wxyz"]


def test_genop_typed_outputs(sess):
    w = [Arg.buffer(64, ArgType.UCHAR_ARRAY),
         Arg.buffer(64, ArgType.UCHAR_ARRAY)]
    sess.genop([Arg(OpType.IMAGE_CLASSIFY, ArgType.UINT8),
                Arg(b"img", ArgType.BUFFER)], w)
    assert [a.to_str() for a in w] == [TAG, IMGNAME]
    # A 4-byte RAW op type (Arg(OpType.NOOP)) is accepted too.
    sess.genop([Arg(OpType.NOOP)])


def test_genop_malformed(sess):
    with pytest.raises(vaccel.VaccelValueError):
        sess.genop([Arg(OpType.IMAGE_CLASSIFY, ArgType.UINT8)], [])
    with pytest.raises(vaccel.VaccelValueError):
        sess.genop([Arg(200, ArgType.UINT8)], [])


def test_resource_accessors(sess, paths):
    res = Resource(paths["image"], ResourceType.DATA)
    assert res.type == ResourceType.DATA
    assert res.paths == [str(paths["image"])]
    assert res.refcount == 0
    res.register(sess)
    assert res.refcount == 1
    with Session(PluginType.DEBUG) as s2:
        res.register(s2)
        assert res.refcount == 2
    # Releasing s2 unregistered the resource from it.
    assert res.refcount == 1
    res.unregister(sess)
    assert res.refcount == 0 and not sess.has_resource(res)
    with pytest.raises(PermissionError) as e:
        res.unregister(sess)
    assert e.value.code == vaccel.error.VACCEL_EPERM
    assert res.data() == paths["image"].read_bytes()
    assert res.value.blobs[0].size == len(res.data())
    res.release()
    assert res.id == 0
    with pytest.raises(vaccel.NullPointerError):
        res.register(sess)


def test_resource_from_buffer_to_file(sess):
    payload = bytes(range(256)) * 4
    with Resource.from_buffer(payload, ResourceType.DATA, "blob.bin",
                              mem_only=False) as res:
        res.register(sess)
        assert res.data() == payload
        assert res.directory
        assert res.value.blobs[0].path.endswith(b"blob.bin")
    with Resource.from_buffer(bytearray(b"abc"), ResourceType.DATA) as mem:
        assert mem.data() == b"abc"
        assert mem.value.blobs[0].path is None


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


def test_resource_from_numpy_sync(sess):
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


def test_torch_numpy_in_numpy_out(sess, paths):
    np = pytest.importorskip("numpy")
    with Resource(paths["torch_data"] / "tiny_cnn.pt",
                  ResourceType.MODEL) as model:
        model.register(sess)
        x = np.arange(8, dtype=np.float32).reshape(2, 4)
        out = sess.torch_model_run(model, [x])
        assert isinstance(out[0], np.ndarray)
        # The noop plugin echoes the input.
        assert out[0].shape == x.shape and out[0].tobytes() == x.tobytes()
