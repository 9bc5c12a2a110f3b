# SPDX-License-Identifier: Apache-2.0
"""TorchScript through the real torch plugin. References: PyTorch itself
(Debian's, in this interpreter: it loads the same model independently of
vAccel) and the C API (tests/python/torch_ref.c), byte for byte."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path
from typing import List, Tuple

import pytest

from vaccel import PluginType, Resource, ResourceType, Session
from vaccel.ops.torch import Tensor, TensorType

from conftest import need

np = pytest.importorskip("numpy")


def c_run(model: Path, x: "np.ndarray", tmp: Path, env=None
          ) -> Tuple[List[int], bytes]:
    """Output 0 of `model` on float32 `x`, computed through the C API."""
    ref = need("torch_ref")
    inp, out = tmp / "in.bin", tmp / "out.bin"
    inp.write_bytes(x.astype(np.float32).tobytes())
    full = dict(os.environ, VACCEL_PLUGINS=str(need("torch")))
    full.update(env or {})
    res = subprocess.run(
        [str(ref), "run", str(model), str(inp),
         ",".join(str(d) for d in x.shape), str(out)],
        capture_output=True, text=True, env=full)
    assert res.returncode == 0, res.stderr + res.stdout
    dims = [int(d) for d in res.stdout.strip().split(",")]
    return dims, out.read_bytes()


def c_classify(model: Path, image: Path, env=None) -> str:
    ref = need("torch_ref")
    full = dict(os.environ, VACCEL_PLUGINS=str(need("torch")))
    full.update(env or {})
    res = subprocess.run([str(ref), "classify", str(model), str(image)],
                         capture_output=True, text=True, env=full)
    assert res.returncode == 0, res.stderr + res.stdout
    return res.stdout.strip()


def torch_reference(model: Path, *inputs: "np.ndarray") -> list:
    """The model's outputs computed by PyTorch directly."""
    torch = pytest.importorskip("torch")
    module = torch.jit.load(str(model))
    with torch.no_grad():
        out = module(*[torch.from_numpy(np.array(x)) for x in inputs])
    outs = out if isinstance(out, tuple) else (out,)
    return [o.numpy() for o in outs]


@pytest.fixture
def model_path() -> Path:
    need("torch")
    return need("torch_data") / "tiny_cnn.pt"


@pytest.fixture
def sess():
    need("torch")
    with Session(PluginType.TORCH) as s:
        yield s


@pytest.fixture
def x() -> "np.ndarray":
    rng = np.random.default_rng(1234)
    return rng.standard_normal((1, 3, 32, 32), dtype=np.float32)


def test_run_numpy_matches_pytorch_and_c(sess, model_path, x, tmp_path):
    with Resource(model_path, ResourceType.MODEL) as model:
        model.register(sess)
        sess.torch_model_load(model)
        out = sess.torch_model_run(model, [x])
    assert isinstance(out[0], np.ndarray)
    ref = torch_reference(model_path, x)[0]
    assert out[0].shape == ref.shape and out[0].dtype == np.float32
    np.testing.assert_allclose(out[0], ref, rtol=1e-5, atol=1e-6)
    dims, raw = c_run(model_path, x, tmp_path)
    assert list(out[0].shape) == dims
    assert out[0].tobytes() == raw


def test_upstream_style_tensors(sess, model_path, x, tmp_path):
    with Resource(model_path, ResourceType.MODEL) as model:
        model.register(sess)
        _, raw = c_run(model_path, x, tmp_path)
        for t in (Tensor.from_numpy(x),
                  Tensor(list(x.shape), TensorType.FLOAT, x.ravel().tolist()),
                  Tensor.from_buffer(list(x.shape), TensorType.FLOAT,
                                     x.tobytes())):
            out = sess.torch_model_run(model, [t])
            assert isinstance(out[0], Tensor)
            assert out[0].data_type == TensorType.FLOAT
            assert out[0].to_bytes() == raw
            assert out[0].as_bytelike() == raw
            assert out[0].as_numpy().tobytes() == raw
            assert out[0].data == list(np.frombuffer(raw, np.float32))


def test_zero_copy(sess, model_path, x):
    # Inputs: the tensor points at the array's own memory.
    t = Tensor.from_numpy(x)
    assert t.value.data == x.ctypes.data
    # A non-contiguous array is copied once, and still gives the right
    # answer.
    xt = np.asfortranarray(x)
    assert Tensor.from_numpy(xt).value.data != xt.ctypes.data
    with Resource(model_path, ResourceType.MODEL) as model:
        model.register(sess)
        a = sess.torch_model_run(model, [x])[0]
        b = sess.torch_model_run(model, [xt])[0]
        assert a.tobytes() == b.tobytes()
    # Outputs: the array does not own its memory; it views the buffer
    # taken over from the plugin, which lives as long as the array.
    assert not a.flags.owndata
    base = a
    while getattr(base, "base", None) is not None:
        base = base.base
    assert type(base).__name__ == "VaccelOwnedBytes"
    copy = a.copy()
    del base
    assert np.array_equal(a, copy)


def test_multiple_inputs_and_outputs(sess):
    path = need("torch_data") / "two_io.pt"
    a = np.arange(6, dtype=np.float32).reshape(2, 3)
    b = np.full((2, 3), 0.5, dtype=np.float32)
    with Resource(path, ResourceType.MODEL) as model:
        model.register(sess)
        outs = sess.torch_model_run(model, [a, b], nr_out_tensors=2)
    assert len(outs) == 2
    np.testing.assert_array_equal(outs[0], a + b)
    np.testing.assert_array_equal(outs[1], a * b)


def test_every_dtype(sess):
    # dtypes.pt has no parameters and takes one input of every type.
    path = need("torch_data") / "dtypes.pt"
    inputs = [np.arange(4, dtype=d) for d in
              ("uint8", "int8", "int16", "int32", "int64", "float16",
               "float32", "float64")] + [np.array([True, False, True])]
    with Resource(path, ResourceType.MODEL) as model:
        model.register(sess)
        outs = sess.torch_model_run(model, inputs, nr_out_tensors=9)
    for got, want in zip(outs, torch_reference(path, *inputs)):
        assert got.dtype == want.dtype
        np.testing.assert_array_equal(got, want)


def test_model_from_buffer(sess, model_path, x, tmp_path):
    data = model_path.read_bytes()
    _, raw = c_run(model_path, x, tmp_path)
    for res in (Resource.from_buffer(data, ResourceType.MODEL),
                Resource.from_buffer(data, ResourceType.MODEL, "m.pt",
                                     mem_only=False)):
        with res as model:
            model.register(sess)
            assert sess.torch_model_run(model, [x])[0].tobytes() == raw


def test_classify_same_label_as_c(sess, model_path, paths):
    with Resource(model_path, ResourceType.MODEL) as model:
        model.register(sess)
        label, _ = sess.classify(paths["image"].read_bytes())
    assert label
    assert label == c_classify(model_path, paths["image"])


def test_torch_errors(sess, model_path, x):
    with Resource(model_path, ResourceType.MODEL) as model:
        # Not registered with the session.
        with pytest.raises(PermissionError) as e:
            sess.torch_model_run(model, [x])
        assert e.value.code == errno.EPERM
        model.register(sess)
        # More outputs than the model gives.
        with pytest.raises(ValueError) as e:
            sess.torch_model_run(model, [x], nr_out_tensors=3)
        assert e.value.code == errno.EINVAL
        with pytest.raises(TypeError):
            sess.torch_model_run(model, x)
        with pytest.raises(TypeError):
            sess.torch_model_run(model, [[1.0, 2.0]])
        with pytest.raises(ValueError):
            sess.torch_model_run(model, [x], nr_out_tensors=0)
        with pytest.raises(ValueError):
            Tensor.from_buffer([1, 3], TensorType.FLOAT, b"\0" * 8)
    with Resource(need("image"), ResourceType.DATA) as data:
        data.register(sess)
        with pytest.raises(ValueError) as e:
            sess.torch_model_run(data, [x])
        assert e.value.code == errno.EINVAL
