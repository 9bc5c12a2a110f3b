# SPDX-License-Identifier: Apache-2.0
"""exec / exec_with_resource / genop EXEC through the real exec plugin,
running mytestfunc (one INT32 in, the same doubled out)."""

from __future__ import annotations

import errno

import pytest

import vaccel
from vaccel import Arg, ArgType, OpType, PluginType, Resource, \
    ResourceType, Session

from conftest import need


@pytest.fixture
def sess():
    with Session(PluginType.GENERIC) as s:
        yield s


@pytest.fixture
def lib() -> str:
    return str(need("lib"))


def test_exec(sess, lib):
    assert sess.exec(lib, "mytestfunc", [10], [Arg.buffer(4, ArgType.INT32)]) \
        == [20]
    out = Arg(0, ArgType.INT32)
    sess.exec(lib, "mytestfunc", [Arg(-21, ArgType.INT32)], [out])
    assert out.buf == -42


def test_exec_into_numpy_or_bytearray(sess, lib):
    buf = bytearray(4)
    sess.exec(lib, "mytestfunc", [Arg(1000)], [buf])
    assert int.from_bytes(buf, "little", signed=True) == 2000


def test_exec_with_resource_file(sess, lib):
    with Resource(lib, ResourceType.LIB) as res:
        res.register(sess)
        assert sess.exec_with_resource(
            res, "mytestfunc", [Arg(5)], [Arg.buffer(4, ArgType.INT32)]) \
            == [10]


def test_exec_with_resource_buffer(sess, lib):
    with open(lib, "rb") as f:
        data = f.read()
    with Resource.from_buffer(data, ResourceType.LIB, "libpy.so") as res:
        res.register(sess)
        assert sess.exec_with_resource(
            res, "mytestfunc", [Arg(8)], [Arg.buffer(4, ArgType.INT32)]) \
            == [16]


def test_exec_with_unregistered_resource(sess, lib):
    with Resource(lib, ResourceType.LIB) as res:
        with pytest.raises(PermissionError) as e:
            sess.exec_with_resource(res, "mytestfunc", [Arg(5)],
                                    [Arg.buffer(4)])
        assert e.value.code == errno.EPERM


def test_genop_exec(sess, lib):
    out = Arg.buffer(4, ArgType.INT32)
    sess.genop([Arg(OpType.EXEC), Arg(lib), Arg("mytestfunc"), Arg(21)],
               [out])
    assert out.buf == 42
    with Resource(lib, ResourceType.LIB) as res:
        res.register(sess)
        out = Arg.buffer(4, ArgType.INT32)
        sess.genop([OpType.EXEC_WITH_RESOURCE, Arg(res.id, ArgType.INT64),
                    "mytestfunc", 4], [out])
        assert out.buf == 8


def test_exec_errors(sess, lib, tmp_path):
    with pytest.raises(FileNotFoundError) as e:
        sess.exec(str(tmp_path / "nope.so"), "mytestfunc", [1],
                  [Arg.buffer(4)])
    assert e.value.code == e.value.errno == errno.ENOENT
    assert e.value.name == "VACCEL_ENOENT"
    assert "nope.so" in str(e.value)
    with pytest.raises(NotImplementedError) as e:
        sess.exec(lib, "no_such_symbol", [1], [Arg.buffer(4)])
    assert e.value.code == errno.ENOSYS
    # mytestfunc refuses a wrong-sized output: the plugin reports it.
    with pytest.raises(vaccel.VaccelError) as e:
        sess.exec(lib, "mytestfunc", [1], [Arg.buffer(8)])
    assert e.value.code == errno.EPROTO  # VACCEL_EBACKEND


def test_hinted_session_falls_back_per_op(sess):
    # The exec plugin has no image ops: as upstream, the op runs on the
    # first local plugin that has it (noop, loaded first).
    from test_upstream_api import IMGNAME, TAG
    assert sess.classify(b"img") == (TAG, IMGNAME)
