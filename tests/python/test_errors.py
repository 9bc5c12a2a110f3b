# SPDX-License-Identifier: Apache-2.0
"""Bad arguments raise clear exceptions and never crash the interpreter."""

from __future__ import annotations

import array
import errno
import pickle

import pytest

import vaccel
from vaccel import PluginType, Resource, ResourceType, Session

from conftest import run_python


@pytest.fixture
def sess():
    with Session(PluginType.DEBUG) as s:
        yield s


def test_error_carries_code_and_message():
    e = vaccel.VaccelError(errno.ENOENT, "somewhere", reason="why")
    assert e.code == errno.ENOENT
    assert e.name == "VACCEL_ENOENT"
    assert e.description == vaccel.strerror(errno.ENOENT) == "no such entry"
    assert e.reason == "why"
    assert e.message == "somewhere: no such entry: why"
    assert str(e) == "somewhere: no such entry: why (VACCEL_ENOENT, code 2)"
    assert vaccel.FFIError is vaccel.VaccelError
    assert pickle.loads(pickle.dumps(e)).message == e.message


@pytest.mark.parametrize("code, builtin", [
    (errno.ENOENT, FileNotFoundError),
    (errno.EEXIST, FileExistsError),
    (errno.EPERM, PermissionError),
    (errno.EACCES, PermissionError),
    (errno.ENOTDIR, NotADirectoryError),
    (errno.ETIMEDOUT, TimeoutError),
    (errno.ECONNRESET, ConnectionResetError),
    (errno.EIO, OSError),
    (errno.EREMOTEIO, OSError),
    (errno.EINVAL, ValueError),
    (errno.ENOTSUP, NotImplementedError),
    (errno.ENOSYS, NotImplementedError),
    (errno.ENOMEM, MemoryError),
])
def test_errors_subclass_the_matching_builtin(code, builtin):
    e = vaccel.VaccelError(-code, "ctx")
    assert isinstance(e, builtin) and isinstance(e, vaccel.VaccelError)
    assert isinstance(e, RuntimeError)
    assert e.code == code
    if isinstance(e, OSError):
        assert (e.errno, e.strerror) == (code, vaccel.strerror(code))
    with pytest.raises(builtin):
        raise e
    assert type(pickle.loads(pickle.dumps(e))) is type(e)


def test_other_codes_are_plain_vaccel_errors():
    for code in (errno.EPROTO, errno.ELIBBAD, errno.EBUSY):
        e = vaccel.VaccelError(code)
        assert type(e) is vaccel.VaccelError
        assert not isinstance(e, (OSError, ValueError))


def test_session_flag_errors():
    with pytest.raises(TypeError):
        Session("cpu")
    with pytest.raises(ValueError):
        Session(-1)
    # A hint is a preference, as upstream: with only the noop plugin loaded
    # an FPGA hint still gets a session, on noop.
    res = run_python(
        "import vaccel\n"
        "s = vaccel.Session(vaccel.PluginType.FPGA)\n"
        "print(s.flags.name, s.classify(b'img')[0])\n")
    assert res.returncode == 0, res.stderr
    assert res.stdout.strip().endswith(
        "FPGA This is a dummy classification tag!")


def test_resource_errors(tmp_path, sess):
    with pytest.raises(FileNotFoundError) as e:
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
        Resource.from_buffer(b"x", "data")
    with pytest.raises(ValueError):
        Resource.from_buffer(b"x", 7)
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
        sess.genop([])
    with pytest.raises(TypeError):
        sess.exec_with_resource("lib", "f")


def test_sgemm_size_checks(sess):
    # Arrays too short for m/n/k/ld would make C read past them.
    with pytest.raises(ValueError):
        sess.sgemm(4, 4, 4, 1.0, [1.0] * 15, 4, [1.0] * 16, 4, 0.0, 4)
    with pytest.raises(ValueError):
        sess.sgemm(2, 2, 2, 1.0, [1.0] * 4, 1, [1.0] * 4, 2, 0.0, 2)
    with pytest.raises(ValueError):
        sess.sgemm(2, 2, 2, 1.0, [1.0] * 4, 2, [1.0] * 4, 2, 0.0, 2,
                   c=[0.0] * 3)
    with pytest.raises(TypeError) as e:
        sess.sgemm(2, 2, 2, 1.0, array.array("d", [1.0] * 4), 2,
                   [1.0] * 4, 2, 0.0, 2)
    assert "float32" in str(e.value)
    with pytest.raises(TypeError):
        sess.sgemm(2, 2, 2, "1", [1.0] * 4, 2, [1.0] * 4, 2, 0.0, 2)
    with pytest.raises(ValueError):
        # Read-only output.
        sess.sgemm(2, 2, 2, 1.0, [1.0] * 4, 2, [1.0] * 4, 2, 0.0, 2,
                   c=memoryview(array.array("f", [0.0] * 4)).toreadonly())
    with pytest.raises(ValueError):
        sess.minmax(b"", 0, 0, 1)
    with pytest.raises(ValueError):
        sess.minmax(b"\0" * 8, 2, 0, 1)
    with pytest.raises(TypeError):
        sess.minmax("1.0", 1, 0, 1)
    with pytest.raises(ValueError):
        sess.fpga_mmult([1.0], [1.0, 2.0])


def test_errors_from_the_core_are_not_crashes():
    # A battery of hostile calls in a child interpreter: whatever happens,
    # the child must exit normally (no segfault, no abort).
    code = r'''
import vaccel
from vaccel import *
from vaccel.ops.torch import Tensor, TensorType
ok = 0
s = Session(PluginType.DEBUG)
r = Resource(__import__("os").environ["VACCEL_TEST_IMAGE"], ResourceType.DATA)
calls = [
    lambda: s.genop([Arg(b"\xff" * 64)]),
    lambda: s.genop([OpType.BLAS_SGEMM, 1, 2, 3]),
    lambda: s.genop([Arg(OpType.MINMAX, ArgType.UINT8), [1.0], 99, 0, 1],
                    [[0.0], 0.0, 0.0]),
    lambda: s.genop([OpType.EXEC, Arg(b"no-nul", ArgType.STRING)], []),
    lambda: s.genop([OpType.EXEC_WITH_RESOURCE, Arg(99999, ArgType.INT64), "f"]),
    lambda: s.exec_with_resource(r, "f"),
    lambda: r.unregister(s),
    lambda: s.torch_model_run(r, [Tensor([1], TensorType.FLOAT, [1.0])]),
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
