# SPDX-License-Identifier: Apache-2.0
"""The engine's reason reaches the Python exception, locally and through
vaccel-agent: libvaccel's per-thread last error message
(vaccel_last_error_message) is part of every VaccelError.

The expected texts come from the engines themselves: PyTorch (the same
libtorch, called directly here) for a wrong-shape input and a corrupt
model, and the image decoder's message for a text "image"."""

from __future__ import annotations

import pytest

import vaccel
from vaccel import PluginType, Resource, ResourceType, Session

from conftest import need

np = pytest.importorskip("numpy")


def pytorch_reason(fn) -> str:
    """The line of PyTorch's own error that states the reason."""
    torch = pytest.importorskip("torch")
    with pytest.raises(RuntimeError) as e:
        with torch.no_grad():
            fn(torch)
    lines = [ln.strip() for ln in str(e.value).splitlines() if ln.strip()]
    # TorchScript errors end with the C++ exception's text.
    return lines[-1].split("RuntimeError: ", 1)[-1]


@pytest.fixture(params=["local", "agent"])
def torch_sess(request):
    need("torch")
    if request.param == "agent":
        request.getfixturevalue("agent")
        need("rpc")
        flags = PluginType.REMOTE | PluginType.TORCH
    else:
        flags = PluginType.TORCH
    with Session(flags) as s:
        yield s


def test_library_provides_last_error():
    assert vaccel._lib.load() is not None
    assert vaccel._lib.optional["vaccel_last_error_message"] is not None, \
        "this libvaccel has no vaccel_last_error_message()"


def test_wrong_shape(torch_sess):
    model_path = need("torch_data") / "tiny_cnn.pt"
    x = np.zeros((1, 2, 32, 32), dtype=np.float32)
    want = pytorch_reason(
        lambda torch: torch.jit.load(str(model_path))(torch.from_numpy(x)))
    assert "channels" in want
    with Resource(model_path, ResourceType.MODEL) as model:
        model.register(torch_sess)
        with pytest.raises(vaccel.VaccelError) as e:
            torch_sess.torch_model_run(model, [x])
    assert e.value.code == vaccel.error.VACCEL_EBACKEND
    assert want in e.value.reason
    assert want in str(e.value)
    assert vaccel.last_error_message() == e.value.reason


def test_corrupt_model(torch_sess, tmp_path):
    junk = tmp_path / "corrupt.pt"
    junk.write_bytes(b"this is not a TorchScript archive\n" * 64)
    want = pytorch_reason(lambda torch: torch.jit.load(str(junk)))
    with Resource(junk, ResourceType.MODEL) as model:
        model.register(torch_sess)
        with pytest.raises(vaccel.VaccelError) as e:
            torch_sess.torch_model_load(model)
    assert want in str(e.value), (want, str(e.value))


def test_text_image(torch_sess):
    text = b"hello, this is plain text and not an image\n"
    with Resource(need("torch_data") / "tiny_cnn.pt",
                  ResourceType.MODEL) as model:
        model.register(torch_sess)
        with pytest.raises(vaccel.VaccelError) as e:
            torch_sess.classify(text)
    assert f"cannot decode {len(text)} bytes as an image" in str(e.value)


def test_bindings_errors_have_no_library_reason():
    # Arguments the bindings refuse never reach C: no library reason.
    with pytest.raises(vaccel.VaccelTypeError) as e:
        Session("cpu")
    assert e.value.reason == ""
