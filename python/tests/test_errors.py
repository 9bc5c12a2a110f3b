# SPDX-License-Identifier: Apache-2.0
"""Bad arguments raise clear exceptions and never crash the interpreter."""

from __future__ import annotations

import array
import errno

import pytest

import vaccel
from vaccel import PluginType, Resource, ResourceType, Session

from conftest import run_python


@pytest.fixture
def sess():
    with Session(PluginType.DEBUG) as s:
        yield s


def test_error_carries_code_and_message():
    e = vaccel.VaccelError(errno.ENOENT, "somewhere")
    assert e.code == errno.ENOENT
    assert e.name == "VACCEL_ENOENT"
    assert e.message == vaccel.strerror(errno.ENOENT) == "no such entry"
    assert "somewhere" in str(e) and "VACCEL_ENOENT" in str(e)


def test_session_flag_errors():
    with pytest.raises(TypeError):
        Session("cpu")
    with pytest.raises(ValueError):
        Session(-1)
    # With only the noop plugin loaded (no transport to fall back on), no
    # plugin is an FPGA plugin.
    res = run_python(
        "import vaccel\n"
        "try:\n"
        "    vaccel.Session(vaccel.PluginType.FPGA)\n"
        "except vaccel.VaccelError as e:\n"
        "    print(e.name)\n")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith("VACCEL_ENOTSUP")


def test_resource_errors(tmp_path, sess):
    with pytest.raises(vaccel.VaccelError) as e:
        Resource(tmp_path / "missing.pt", ResourceType.MODEL)
    assert e.value.code == errno.ENOENT
    assert "missing.pt" in str(e.value)
    with pytest.raises(ValueError):
        Resource(tmp_path, 7)
    with pytest.raises(TypeError):
        Resource(42, ResourceType.DATA)
    with pytest.raises(ValueError):
        Resource.from_buffer(b"", ResourceType.DATA)
    with pytest.raises(ValueError):
        Resource.from_buffer(b"x", ResourceType.DATA, filename="a/b")
    with pytest.raises(TypeError):
        Resource.from_buffer("text", ResourceType.DATA)
    f = tmp_path / "f.bin"
    f.write_bytes(b"1")
    with Resource(f, ResourceType.DATA) as r:
        with pytest.raises(TypeError):
            r.register("session")
        with pytest.raises(ValueError):
            r.data(5)


def test_op_argument_errors(sess):
    with pytest.raises(TypeError):
        sess.classify(None)
    with pytest.raises(ValueError):
        sess.classify(b"")
    with pytest.raises(ValueError):
        sess.classify(b"x", out_len=0)
    with pytest.raises(ValueError):
        sess.classify("/nonexistent/image.jpg")
    with pytest.raises(TypeError):
        sess.exec(None, "f")
    with pytest.raises(ValueError):
        sess.exec("lib.so", "")
    with pytest.raises(TypeError):
        sess.exec("lib.so", "f", "not a list")
    with pytest.raises(ValueError):
        # bytes are read-only: they cannot receive output.
        sess.exec("lib.so", "f", [], [b"1234"])
    with pytest.raises(ValueError):
        sess.genop([])
    with pytest.raises(TypeError):
        sess.exec_with_resource("lib", "f")


def test_sgemm_size_checks(sess):
    # Arrays too short for m/n/k/ld would make C read past them.
    with pytest.raises(ValueError):
        sess.sgemm(4, 4, 4, 1.0, [1.0] * 15, 4, [1.0] * 16, 4, 0.0)
    with pytest.raises(ValueError):
        sess.sgemm(2, 2, 2, 1.0, [1.0] * 4, 1, [1.0] * 4, 2, 0.0)
    with pytest.raises(ValueError):
        sess.sgemm(2, 2, 2, 1.0, [1.0] * 4, 2, [1.0] * 4, 2, 0.0, [0.0] * 3)
    with pytest.raises(TypeError):
        sess.sgemm(2, 2, 2, 1.0, array.array("d", [1.0] * 4), 2,
                   [1.0] * 4, 2, 0.0)
    with pytest.raises(TypeError):
        sess.sgemm(2, 2, 2, "1", [1.0] * 4, 2, [1.0] * 4, 2, 0.0)
    with pytest.raises(ValueError):
        # Read-only output.
        sess.sgemm(2, 2, 2, 1.0, [1.0] * 4, 2, [1.0] * 4, 2, 0.0,
                   memoryview(array.array("f", [0.0] * 4)).toreadonly())
    with pytest.raises(ValueError):
        sess.minmax([], 0, 1)
    with pytest.raises(ValueError):
        sess.fpga_mmult([1.0], [1.0, 2.0])


def test_errors_from_the_core_are_not_crashes():
    # A battery of hostile calls in a child interpreter: whatever happens,
    # the child must exit normally (no segfault, no abort).
    code = r'''
import vaccel
from vaccel import *
ok = 0
s = Session(PluginType.DEBUG)
r = Resource(__import__("os").environ["VACCEL_TEST_IMAGE"], ResourceType.DATA)
calls = [
    lambda: s.genop([Arg(b"\xff" * 64)]),
    lambda: s.genop([OpType.BLAS_SGEMM, 1, 2, 3]),
    lambda: s.genop([OpType.EXEC, Arg(b"no-nul", ArgType.STRING)], []),
    lambda: s.genop([OpType.EXEC_WITH_RESOURCE, Arg(99999, ArgType.INT64), "f"]),
    lambda: s.exec_with_resource(r, "f"),
    lambda: r.unregister(s),
    lambda: s.torch_model_run(r, [TorchTensor([1], TorchTensorType.FLOAT, [1.0])]),
    lambda: s.update(PluginType.FPGA),
]
for c in calls:
    try:
        c()
    except VaccelError as e:
        assert e.code > 0, e
        ok += 1
r.release(); r.release()
s.release(); s.release()
print("survived", ok)
'''
    res = run_python(code)
    assert res.returncode == 0, res.stderr
    assert "survived" in res.stdout
