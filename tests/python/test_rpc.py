# SPDX-License-Identifier: Apache-2.0
"""The same ops through the rpc plugin to a real vaccel-agent (started by
the `agent` fixture on a temporary UNIX socket)."""

from __future__ import annotations

import array
import errno

import pytest

import vaccel
from vaccel import Arg, ArgType, OpType, PluginType, Resource, \
    ResourceType, Session

from conftest import AGENT_ADDRESS, need
from test_upstream_api import IMGNAME, NOOP_MAX, NOOP_MIN, TAG

REMOTE = PluginType.REMOTE


@pytest.fixture
def noop_sess(agent):
    need("rpc")
    with Session(REMOTE | PluginType.DEBUG) as s:
        yield s


@pytest.fixture
def exec_sess(agent):
    need("rpc")
    with Session(REMOTE | PluginType.GENERIC) as s:
        yield s


def test_remote_session(noop_sess):
    assert noop_sess.is_remote
    assert noop_sess.remote_id > 0
    assert noop_sess.flags == REMOTE | PluginType.DEBUG
    noop_sess.noop()


def test_remote_noop_ops(noop_sess):
    s = noop_sess
    assert s.classify(b"img") == (TAG, IMGNAME)
    for op in (s.detect, s.segment, s.pose, s.depth):
        assert op(b"img") == IMGNAME
    assert len(s.sgemm(2, 2, 2, 1.0, [1.0] * 4, 2, [1.0] * 4, 2, 0.0, 2)) \
        == 4
    values = array.array("d", [3.0, -1.0, 9.0])
    out, lo, hi = s.minmax(bytes(values), 3, 0, 5)
    assert (out, lo, hi) == (bytes(values), NOOP_MIN, NOOP_MAX)
    w = [Arg.buffer(64, ArgType.UCHAR_ARRAY),
         Arg.buffer(64, ArgType.UCHAR_ARRAY)]
    s.genop([Arg(OpType.IMAGE_CLASSIFY, ArgType.UINT8),
             Arg(b"img", ArgType.BUFFER)], w)
    assert [a.to_str() for a in w] == [TAG, IMGNAME]


def test_remote_model_ops_not_served(noop_sess, paths):
    # TF and TFLite reach the C API and through it the rpc plugin, which
    # forwards no TF ops: the error says so.
    from vaccel.ops.tf import Node, Tensor
    from vaccel.ops.tf import TensorType as TfType
    with Resource(paths["image"], ResourceType.MODEL) as res:
        res.register(noop_sess)
        with pytest.raises(NotImplementedError) as e:
            noop_sess.tf_model_run(res, [Node("in", 0)],
                                   [Tensor([1], TfType.FLOAT, [1.0])],
                                   [Node("out", 0)])
        assert e.value.code == errno.ENOTSUP
        assert e.value.reason


def test_remote_exec(exec_sess):
    lib = str(need("lib"))
    s = exec_sess
    assert s.exec(lib, "mytestfunc", [10], [0]) == [20]
    # The library travels to the agent as a resource.
    with Resource(lib, ResourceType.LIB) as res:
        res.register(s)
        assert res.remote_id > 0
        assert s.exec_with_resource(res, "mytestfunc", [-3], [0]) == [-6]
        out = Arg.buffer(4, ArgType.INT32)
        s.genop([Arg(OpType.EXEC_WITH_RESOURCE, ArgType.UINT8),
                 Arg(res.id, ArgType.INT64),
                 Arg("mytestfunc", ArgType.STRING), Arg(50)], [out])
        assert out.buf == 100
    with pytest.raises(NotImplementedError) as e:
        s.exec(lib, "no_such_symbol", [1], [Arg.buffer(4)])
    assert e.value.code == errno.ENOSYS
    assert "no_such_symbol" in str(e.value)


def test_remote_torch_bit_identical(agent, tmp_path):
    np = pytest.importorskip("numpy")
    from test_torch import c_classify, c_run
    need("torch")
    model_path = need("torch_data") / "tiny_cnn.pt"
    x = np.random.default_rng(7).standard_normal((1, 3, 32, 32),
                                                 dtype=np.float32)
    with Session(REMOTE | PluginType.TORCH) as s, \
            Resource(model_path, ResourceType.MODEL) as model:
        model.register(s)
        s.torch_model_load(model)
        out = s.torch_model_run(model, [x])[0]
        label, _ = s.classify(need("image").read_bytes())
    # Local C API, and C API through the agent: all three agree exactly.
    dims, local = c_run(model_path, x, tmp_path)
    rpc_env = {"VACCEL_PLUGINS": str(need("rpc")),
               "VACCEL_RPC_ADDRESS": AGENT_ADDRESS}
    _, remote = c_run(model_path, x, tmp_path, env=rpc_env)
    assert list(out.shape) == dims
    assert out.tobytes() == local, "python through the agent differs from local C"
    assert remote == local, "C through the agent differs from local C"
    assert label == c_classify(model_path, need("image")) == \
        c_classify(model_path, need("image"), env=rpc_env)


def test_remote_errors(noop_sess):
    with pytest.raises(vaccel.VaccelValueError) as e:
        noop_sess.genop([Arg(250, ArgType.UINT8)])
    assert e.value.code == errno.EINVAL
    with pytest.raises(vaccel.VaccelTypeError):
        noop_sess.classify(12)


def test_remote_resource_sync(noop_sess):
    np = pytest.importorskip("numpy")
    a = np.linspace(0, 1, 16, dtype=np.float32)
    with Resource.from_numpy(a) as res:
        res.register(noop_sess)
        assert res.remote_id > 0
        # Pulls the agent's copy back into the array: unchanged bytes.
        res.sync(noop_sess)
        assert np.array_equal(a, np.linspace(0, 1, 16, dtype=np.float32))
        assert res.data() == a.tobytes()


def test_remote_exec_refused_for_other_libraries(exec_sess, paths):
    # The agent only runs libraries it was told to allow.
    with pytest.raises(PermissionError) as e:
        exec_sess.exec(str(paths["noop"]), "vaccel_plugin_descriptor", [1],
                       [Arg.buffer(4)])
    assert e.value.code == errno.EPERM
