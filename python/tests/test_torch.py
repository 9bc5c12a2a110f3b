# SPDX-License-Identifier: Apache-2.0
"""TorchScript through the real torch plugin, compared with the C API
(tests/python/torch_ref.c) byte for byte."""

from __future__ import annotations

import errno
import os
import subprocess
from pathlib import Path
from typing import List, Tuple

import pytest

import vaccel
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
        capture_output=True, text=True, env=full, timeout=120)
    assert res.returncode == 0, res.stderr + res.stdout
    dims = [int(d) for d in res.stdout.strip().split(",")]
    return dims, out.read_bytes()


def c_classify(model: Path, image: Path, env=None) -> str:
    ref = need("torch_ref")
    full = dict(os.environ, VACCEL_PLUGINS=str(need("torch")))
    full.update(env or {})
    res = subprocess.run([str(ref), "classify", str(model), str(image)],
                         capture_output=True, text=True, env=full,
                         timeout=120)
    assert res.returncode == 0, res.stderr + res.stdout
    return res.stdout.strip()


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


def test_run_numpy_bit_identical_to_c(sess, model_path, x, tmp_path):
    with Resource(model_path, ResourceType.MODEL) as model:
        model.register(sess)
        sess.torch_model_load(model)
        out = sess.torch_model_run(model, [x])
    assert isinstance(out[0], np.ndarray)
    dims, raw = c_run(model_path, x, tmp_path)
    assert list(out[0].shape) == dims
    assert out[0].dtype == np.float32
    assert out[0].tobytes() == raw


def test_run_without_load_and_with_tensors(sess, model_path, x, tmp_path):
    with Resource(model_path, ResourceType.MODEL) as model:
        model.register(sess)
        t = Tensor.from_numpy(x)
        out = sess.torch_model_run(model, [t])
        assert isinstance(out[0], Tensor)
        assert out[0].data_type == TensorType.FLOAT
        _, raw = c_run(model_path, x, tmp_path)
        assert out[0].to_bytes() == raw
        assert bytes(out[0].as_bytelike()) == raw
        assert out[0].as_numpy().tobytes() == raw
        # Plain Tensor(dims, type, list) gives the same answer.
        t2 = Tensor(list(x.shape), TensorType.FLOAT, x.ravel().tolist())
        assert sess.torch_model_run(model, [t2])[0].to_bytes() == raw


def test_zero_copy(sess, model_path, x):
    # Inputs: the tensor points at the array's own memory.
    t = Tensor.from_numpy(x)
    assert t._ptr == x.ctypes.data
    # A non-contiguous array is copied once, and still gives the right
    # answer.
    xt = np.asfortranarray(x)
    assert Tensor.from_numpy(xt)._ptr != xt.ctypes.data
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
    assert all(o.shape == (2, 3) for o in outs)


def test_model_from_buffer(sess, model_path, x, tmp_path):
    data = model_path.read_bytes()
    with Resource.from_buffer(data, ResourceType.MODEL, "m.pt") as model:
        model.register(sess)
        out = sess.torch_model_run(model, [x])[0]
    _, raw = c_run(model_path, x, tmp_path)
    assert out.tobytes() == raw


def test_classify_same_label_as_c(sess, model_path, paths):
    with Resource(model_path, ResourceType.MODEL) as model:
        model.register(sess)
        label, _ = sess.classify(paths["image"].read_bytes())
    assert label
    assert label == c_classify(model_path, paths["image"])


def test_torch_errors(sess, model_path, x):
    with Resource(model_path, ResourceType.MODEL) as model:
        # Not registered with the session.
        with pytest.raises(vaccel.VaccelError) as e:
            sess.torch_model_run(model, [x])
        assert e.value.code == errno.EPERM
        model.register(sess)
        # Wrong shape: libtorch refuses it, the plugin reports EBACKEND.
        with pytest.raises(vaccel.VaccelError) as e:
            sess.torch_model_run(model, [x[:, :2]])
        assert e.value.code == errno.EPROTO
        # More outputs than the model gives.
        with pytest.raises(vaccel.VaccelError) as e:
            sess.torch_model_run(model, [x], nr_out_tensors=3)
        assert e.value.code == errno.EINVAL
        with pytest.raises(TypeError):
            sess.torch_model_run(model, x)
        with pytest.raises(TypeError):
            sess.torch_model_run(model, [[1.0, 2.0]])
        with pytest.raises(TypeError):
            sess.torch_model_run(model, [x.astype(np.complex64)])
        with pytest.raises(ValueError):
            sess.torch_model_run(model, [x], nr_out_tensors=0)
        with pytest.raises(ValueError):
            Tensor.from_buffer([1, 3], TensorType.FLOAT, b"\0" * 8)
    with Resource(need("image"), ResourceType.DATA) as data:
        data.register(sess)
        with pytest.raises(vaccel.VaccelError) as e:
            sess.torch_model_run(data, [x])
        assert e.value.code == errno.EINVAL
