# SPDX-License-Identifier: Apache-2.0
"""Input dtypes are refused before the call, with the dtype that would be
accepted: dtypes the C API cannot express (for every model family), and
floating-point inputs of another dtype than a TorchScript model's
parameters (docs/python.md, "Tensor dtypes")."""

from __future__ import annotations

import importlib

import pytest

import vaccel
from vaccel import PluginType, Resource, ResourceType, Session
from vaccel.ops.torch import Tensor, TensorType, params

from conftest import need

np = pytest.importorskip("numpy")


@pytest.mark.parametrize("family, dtype, accepted", [
    ("vaccel.ops.torch", "complex64", "float32"),
    ("vaccel.ops.torch", "uint16", "int16"),
    ("vaccel.ops.torch", "longdouble", "float64"),
    ("vaccel.ops.tf", "longdouble", "complex128"),
    ("vaccel.ops.tf.lite", "datetime64[s]", "float32"),
    ("vaccel.ops.torch", ">f4", "float32"),
])
def test_inexpressible_dtypes_refused(family, dtype, accepted):
    mod = importlib.import_module(family)
    with pytest.raises(vaccel.VaccelTypeError) as e:
        mod.Tensor.from_numpy(np.zeros(3, dtype=dtype))
    assert accepted in str(e.value)
    assert "accepted" in str(e.value)


def test_param_dtype_read_from_the_archive():
    tiny = need("torch_data") / "tiny_cnn.pt"
    with Resource(tiny, ResourceType.MODEL) as res:
        assert params.model_float_type(res) == (TensorType.FLOAT,
                                                "tiny_cnn.pt")
    with Resource.from_buffer(tiny.read_bytes(), ResourceType.MODEL) as res:
        assert params.model_float_type(res)[0] == TensorType.FLOAT
    # No parameters, or not an archive at all: nothing is known.
    with Resource(need("torch_data") / "dtypes.pt",
                  ResourceType.MODEL) as res:
        assert params.model_float_type(res) is None
    with Resource(need("image"), ResourceType.MODEL) as res:
        assert params.model_float_type(res) is None


def test_storage_scan_matches_pytorch(tmp_path):
    # Independent check of the scan: models saved by PyTorch with float64
    # and float16 parameters.
    torch = pytest.importorskip("torch")
    for dtype, want in ((torch.float64, TensorType.DOUBLE),
                        (torch.float16, TensorType.HALF)):
        path = tmp_path / f"lin_{want.name}.pt"
        torch.jit.script(torch.nn.Linear(3, 2).to(dtype)).save(str(path))
        with Resource(path, ResourceType.MODEL) as res:
            assert params.model_float_type(res)[0] == want


@pytest.fixture
def noop_model():
    # On the noop plugin a call that happens succeeds (it echoes the
    # inputs), so an exception proves that nothing was called.
    with Session(PluginType.DEBUG) as s, \
            Resource(need("torch_data") / "tiny_cnn.pt",
                     ResourceType.MODEL) as model:
        model.register(s)
        yield s, model


def test_float64_into_float32_model_refused_before_the_call(noop_model):
    s, model = noop_model
    x = np.zeros((1, 3, 32, 32))  # numpy's default dtype: float64
    for inp in (x, Tensor.from_numpy(x)):
        with pytest.raises(vaccel.VaccelTypeError) as e:
            s.torch_model_run(model, [inp])
        assert "float32 expected" in str(e.value)
        assert "input 0 is float64" in str(e.value)
    # Integer inputs (token ids, images as uint8) are not second-guessed,
    # and check_dtypes=False sends the input as it is.
    s.torch_model_run(model, [np.zeros(4, dtype=np.int64)])
    assert s.torch_model_run(model, [x], check_dtypes=False)[0].dtype == \
        np.float64


def test_float64_reaches_libtorch_when_asked(tmp_path):
    need("torch")
    model_path = need("torch_data") / "tiny_cnn.pt"
    x = np.zeros((1, 3, 32, 32))
    with Session(PluginType.TORCH) as s, \
            Resource(model_path, ResourceType.MODEL) as model:
        model.register(s)
        with pytest.raises(vaccel.VaccelError) as e:
            s.torch_model_run(model, [x], check_dtypes=False)
        # libtorch's own words, through the last error message ("Input
        # type (double) and bias type (float) should be the same").
        text = e.value.reason.lower()
        assert "double" in text and "float" in text
        assert s.torch_model_run(model, [x.astype(np.float32)])[0].shape \
            == (1, 10)
