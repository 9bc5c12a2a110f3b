# SPDX-License-Identifier: Apache-2.0
"""Every public name of upstream vAccel's `vaccel` Python package, used the
way upstream documents and tests it, with results checked against values
that do not come from this package: upstream's documented noop-plugin
outputs, the test library's own arithmetic (mytestfunc doubles its input),
the bytes the test itself supplied, and the C headers.

Session() with no flags runs on the noop plugin (loaded first by
conftest.py), as upstream's tests run with VACCEL_PLUGINS=libvaccel-noop.so.
"""

from __future__ import annotations

import importlib
import inspect
import os
import random
import re
from pathlib import Path

import pytest

import vaccel
from vaccel import (Arg, ArgType, OpType, PluginType, Resource,
                    ResourceType, Session)

from conftest import need, run_python

np = pytest.importorskip("numpy")

# upstream noop plugin's documented dummy outputs.
TAG = "This is a dummy classification tag!"
IMGNAME = "This is a dummy imgname!"
TF_STATUS = "Operation handled by noop plugin"
NOOP_MIN, NOOP_MAX = -1.0, 10000.0

# module -> the names upstream's package exposes there.
UPSTREAM_NAMES = {
    "vaccel": ["Arg", "ArgType", "Config", "OpType", "PluginType",
               "Resource", "ResourceType", "Session", "__version__",
               "bootstrap", "cleanup"],
    "vaccel.arg": ["Arg", "ArgType"],
    "vaccel.config": ["Config"],
    "vaccel.error": ["FFIError", "NullPointerError"],
    "vaccel.op": ["OpType"],
    "vaccel.plugin": ["PluginType"],
    "vaccel.resource": ["Resource", "ResourceType"],
    "vaccel.session": ["BaseSession", "Session"],
    "vaccel.vaccel": ["bootstrap", "cleanup"],
    "vaccel.ops.blas": ["BlasMixin"],
    "vaccel.ops.exec": ["ExecMixin"],
    "vaccel.ops.fpga": ["FpgaMixin"],
    "vaccel.ops.genop": ["GenopMixin"],
    "vaccel.ops.image": ["ImageMixin"],
    "vaccel.ops.minmax": ["MinmaxMixin"],
    "vaccel.ops.noop": ["NoopMixin"],
    "vaccel.ops.tf": ["Buffer", "Node", "Status", "TFMixin", "Tensor",
                      "TensorType"],
    "vaccel.ops.tf.buffer": ["Buffer"],
    "vaccel.ops.tf.mixin": ["TFMixin"],
    "vaccel.ops.tf.node": ["Node"],
    "vaccel.ops.tf.status": ["Status"],
    "vaccel.ops.tf.tensor": ["Tensor", "TensorType"],
    "vaccel.ops.tf.lite": ["TFLiteMixin", "Tensor", "TensorType"],
    "vaccel.ops.tf.lite.mixin": ["TFLiteMixin"],
    "vaccel.ops.tf.lite.tensor": ["Tensor", "TensorType"],
    "vaccel.ops.tflite": ["TFLiteMixin", "Tensor", "TensorType"],
    "vaccel.ops.torch": ["Buffer", "Tensor", "TensorType", "TorchMixin"],
    "vaccel.ops.torch.buffer": ["Buffer"],
    "vaccel.ops.torch.mixin": ["TorchMixin"],
    "vaccel.ops.torch.tensor": ["Tensor", "TensorType"],
}

E = inspect.Parameter.empty
# "module:qualname" -> upstream's parameters as (name, default); E = none.
UPSTREAM_SIGNATURES = {
    "vaccel:bootstrap": [("config", None)],
    "vaccel:cleanup": [],
    "vaccel:Config": [("plugins", "libvaccel-noop.so"), ("log_level", 1),
                      ("log_file", None), ("profiling_enabled", False),
                      ("version_ignore", False)],
    "vaccel:Arg": [("data", E), ("type_", ArgType.RAW),
                   ("custom_type_id", 0)],
    "vaccel:Resource": [("paths", E), ("type_", E)],
    "vaccel:Resource.from_buffer": [("data", E), ("type_", E)],
    "vaccel:Resource.from_numpy": [("data", E)],
    "vaccel:Resource.register": [("session", E)],
    "vaccel:Resource.unregister": [("session", E)],
    "vaccel:Resource.sync": [("session", E)],
    "vaccel:Resource.is_registered": [("session", E)],
    "vaccel:Session": [("flags", 0)],
    "vaccel:Session.has_resource": [("resource", E)],
    "vaccel:Session.noop": [],
    "vaccel:Session.genop": [("arg_read", E), ("arg_write", E)],
    "vaccel:Session.exec": [("library", E), ("symbol", E),
                            ("arg_read", None), ("arg_write", None)],
    "vaccel:Session.exec_with_resource": [
        ("resource", E), ("symbol", E), ("arg_read", None),
        ("arg_write", None)],
    "vaccel:Session.classify": [("image", E)],
    "vaccel:Session.detect": [("image", E)],
    "vaccel:Session.segment": [("image", E)],
    "vaccel:Session.pose": [("image", E)],
    "vaccel:Session.depth": [("image", E)],
    "vaccel:Session.sgemm": [("m", E), ("n", E), ("k", E), ("alpha", E),
                             ("a", E), ("lda", E), ("b", E), ("ldb", E),
                             ("beta", E), ("ldc", E)],
    "vaccel:Session.minmax": [("indata", E), ("ndata", E),
                              ("low_threshold", E), ("high_threshold", E)],
    "vaccel:Session.fpga_arraycopy": [("a", E)],
    "vaccel:Session.fpga_mmult": [("a", E), ("b", E)],
    "vaccel:Session.fpga_parallel": [("a", E), ("b", E)],
    "vaccel:Session.fpga_vadd": [("a", E), ("b", E)],
    "vaccel:Session.tf_model_load": [("resource", E)],
    "vaccel:Session.tf_model_unload": [("resource", E)],
    "vaccel:Session.tf_model_run": [
        ("resource", E), ("in_nodes", E), ("in_tensors", E),
        ("out_nodes", E), ("run_options", None)],
    "vaccel:Session.tflite_model_load": [("resource", E)],
    "vaccel:Session.tflite_model_unload": [("resource", E)],
    "vaccel:Session.tflite_model_run": [
        ("resource", E), ("in_tensors", E), ("nr_out_tensors", 1)],
    "vaccel:Session.torch_model_load": [("resource", E)],
    "vaccel:Session.torch_model_run": [
        ("resource", E), ("in_tensors", E), ("nr_out_tensors", 1),
        ("run_options", None)],
    "vaccel:Session.torch_jitload_forward": [
        ("resource", E), ("in_tensors", E), ("nr_out_tensors", 1),
        ("run_options", None)],
    "vaccel.ops.torch:Tensor": [("dims", E), ("data_type", E), ("data", E)],
    "vaccel.ops.torch:Tensor.from_buffer": [("dims", E), ("data_type", E),
                                            ("data", E)],
    "vaccel.ops.torch:Tensor.from_numpy": [("data", E)],
    "vaccel.ops.torch:Tensor.from_torch": [("data", E)],
    "vaccel.ops.torch:Tensor.empty": [],
    "vaccel.ops.torch:Tensor.from_c_obj": [("c_obj", E)],
    "vaccel.ops.torch:Buffer": [("data", E)],
    "vaccel.ops.tf:Tensor": [("dims", E), ("data_type", E), ("data", E)],
    "vaccel.ops.tf:Tensor.from_buffer": [("dims", E), ("data_type", E),
                                         ("data", E)],
    "vaccel.ops.tf:Node": [("name", E), ("id_", E)],
    "vaccel.ops.tf:Status": [("error_code", 0), ("message", "")],
    "vaccel.ops.tf:Buffer": [("data", E)],
    "vaccel.ops.tf.lite:Tensor": [("dims", E), ("data_type", E),
                                  ("data", E)],
    "vaccel.ops.tf.lite:Tensor.from_buffer": [("dims", E), ("data_type", E),
                                              ("data", E)],
    "vaccel.ops.tf.lite:Tensor.from_numpy": [("data", E)],
}

# class -> the properties upstream's objects have.
UPSTREAM_PROPERTIES = {
    "vaccel:Session": ["id", "remote_id", "flags", "is_remote", "value"],
    "vaccel:Resource": ["id", "remote_id", "value"],
    "vaccel:Arg": ["buf", "type", "value"],
    "vaccel:Config": ["plugins", "log_level", "log_file",
                      "profiling_enabled", "version_ignore", "value"],
    "vaccel.ops.torch:Tensor": ["dims", "shape", "data", "data_type",
                                "value"],
    "vaccel.ops.tf:Tensor": ["dims", "data", "data_type", "value"],
    "vaccel.ops.tf.lite:Tensor": ["dims", "data", "data_type", "value"],
    "vaccel.ops.tf:Node": ["name", "id", "value"],
    "vaccel.ops.tf:Status": ["code", "message", "value"],
    "vaccel.ops.tf:Buffer": ["size", "data", "value"],
    "vaccel.ops.torch:Buffer": ["size", "data", "value"],
}


def resolve(spec: str):
    module, _, qualname = spec.partition(":")
    obj = importlib.import_module(module)
    for part in qualname.split("."):
        obj = getattr(obj, part)
    return obj


@pytest.mark.parametrize("module", sorted(UPSTREAM_NAMES))
def test_module_has_upstream_names(module):
    mod = importlib.import_module(module)
    missing = [n for n in UPSTREAM_NAMES[module] if not hasattr(mod, n)]
    assert not missing, f"{module} lacks {missing}"


@pytest.mark.parametrize("spec", sorted(UPSTREAM_SIGNATURES))
def test_upstream_signature(spec):
    """Upstream's parameters come first, with the same names, kinds and
    defaults; ours may add parameters after them, all with defaults, and
    may give a default where upstream has none."""
    obj = resolve(spec)
    target = obj.__init__ if inspect.isclass(obj) else obj
    params = [p for p in inspect.signature(target).parameters.values()
              if p.name not in ("self", "cls")]
    want = UPSTREAM_SIGNATURES[spec]
    assert len(params) >= len(want), params
    for p, (name, default) in zip(params, want):
        assert p.name == name, f"{spec}: {p.name} where upstream has {name}"
        if default is not E:
            assert p.default == default, f"{spec}: {name}={p.default!r}"
    for p in params[len(want):]:
        assert p.default is not E, f"{spec}: extra parameter {p.name} " \
            "without a default"


@pytest.mark.parametrize("spec", sorted(UPSTREAM_PROPERTIES))
def test_upstream_properties(spec):
    cls = resolve(spec)
    for name in UPSTREAM_PROPERTIES[spec]:
        assert isinstance(inspect.getattr_static(cls, name, None),
                          property), f"{spec}.{name} is not a property"


# --- enums against the C headers -------------------------------------------

INCLUDE = Path(__file__).resolve().parents[2] / "include" / "vaccel"


def header_enum(header: str, prefix: str) -> dict:
    """NAME -> value of the C enum constants starting with `prefix`, read
    from the installed header: `X(VACCEL_..., n)` lists and `NAME = n`."""
    text = (INCLUDE / header).read_text()
    pairs = re.findall(rf"X\(\s*{prefix}(\w+)\s*,\s*(0x[0-9a-fA-F]+|\d+)",
                       text)
    pairs += re.findall(rf"\b{prefix}(\w+)\s*=\s*(0x[0-9a-fA-F]+|\d+)",
                        text)
    return {n: int(v, 0) for n, v in pairs}


@pytest.mark.parametrize("enum_spec, header, prefix", [
    ("vaccel:ArgType", "arg.h", "VACCEL_ARG_"),
    ("vaccel:OpType", "op.h", "VACCEL_OP_"),
    ("vaccel:ResourceType", "resource.h", "VACCEL_RESOURCE_"),
    ("vaccel:PluginType", "plugin.h", "VACCEL_PLUGIN_"),
    ("vaccel.ops.torch:TensorType", "ops/torch.h", "VACCEL_TORCH_"),
    ("vaccel.ops.tf:TensorType", "ops/tf.h", "VACCEL_TF_"),
    ("vaccel.ops.tf.lite:TensorType", "ops/tflite.h", "VACCEL_TFLITE_"),
])
def test_enums_match_headers(enum_spec, header, prefix):
    enum = resolve(enum_spec)
    c = {n: v for n, v in header_enum(header, prefix).items()
         if n != "MAX" and not n.startswith("ABI")}
    assert c, f"no {prefix}* constants found in {header}"
    py = {name: int(m) for name, m in enum.__members__.items()}
    assert py == c


# --- lifecycle (in child interpreters: they tear the runtime down) ----------

def test_bootstrap_and_cleanup_as_upstream():
    noop = need("noop")
    code = '''
import vaccel
from vaccel import Config, Session
vaccel.bootstrap()
vaccel.bootstrap(Config())
assert Config().plugins == "libvaccel-noop.so"
Session().noop()
vaccel.cleanup()
vaccel.bootstrap()
vaccel.cleanup()
vaccel.bootstrap(Config())
vaccel.cleanup()
print("lifecycle ok")
'''
    # Config()'s default plugin is a soname, found through the loader path.
    res = run_python(code, env={"LD_LIBRARY_PATH": str(noop.parent)})
    assert res.returncode == 0, res.stdout + res.stderr
    assert "lifecycle ok" in res.stdout


# --- sessions and resources --------------------------------------------------

@pytest.fixture
def lib() -> Path:
    return need("lib")


def test_session():
    session = Session()
    assert session.id > 0
    assert session.remote_id == 0
    assert session.flags == PluginType(0)
    assert session.is_remote is False
    other = Session(flags=PluginType.DEBUG)
    assert other.id > session.id
    assert other.flags == PluginType.DEBUG


def test_resource(lib):
    res_a = Resource(lib, ResourceType.LIB)
    assert res_a.id > 0
    assert res_a.remote_id == 0
    res_b = Resource([lib, lib], ResourceType.LIB)
    assert res_b.id == res_a.id + 1
    assert res_b.remote_id == 0


@pytest.fixture
def buffer_data():
    data_np = np.array([1.0] * 30, dtype=np.float32)
    return data_np, np.ascontiguousarray(data_np).tobytes()


def blob_bytes(res: Resource) -> bytes:
    blob = res.value.blobs[0]
    import ctypes
    return ctypes.string_at(blob.data, blob.size)


def test_resource_from_buffer_and_numpy(buffer_data):
    data_np, data_bytes = buffer_data
    res = Resource.from_buffer(data_bytes, ResourceType.DATA)
    assert res.id > 0 and res.remote_id == 0
    assert blob_bytes(res) == data_bytes
    res = Resource.from_numpy(data_np)
    assert res.id > 0 and res.remote_id == 0
    assert blob_bytes(res) == data_bytes


def test_resource_register_unregister_multi(lib, buffer_data):
    res_a = Resource.from_buffer(buffer_data[1], ResourceType.DATA)
    res_b = Resource(lib, ResourceType.LIB)
    ses_a, ses_b = Session(), Session()
    for res in (res_a, res_b):
        for ses in (ses_a, ses_b):
            res.register(ses)
            assert ses.has_resource(res) and res.is_registered(ses)
    res_a.sync(ses_a)
    res_a.sync(ses_b)
    for res in (res_a, res_b):
        for ses in (ses_a, ses_b):
            res.unregister(ses)
            assert not ses.has_resource(res)
            assert not res.is_registered(ses)


# --- ops on the noop plugin --------------------------------------------------

def test_noop():
    assert Session().noop() is None


@pytest.fixture
def exec_args():
    return {"read": [[random.randint(1, 100) for _ in range(10)]],
            "write": [[0] * 10]}


def test_exec(lib, exec_args):
    session = Session()
    res = session.exec(lib, "mytestfunc", exec_args["read"],
                       exec_args["write"])
    assert res == exec_args["read"]
    assert session.exec(lib, "mytestfunc") is None


def test_exec_with_resource(lib, exec_args):
    session = Session()
    res = Resource(lib, ResourceType.LIB)
    res.register(session)
    out = session.exec_with_resource(res, "mytestfunc", exec_args["read"],
                                     exec_args["write"])
    assert out == exec_args["read"]
    assert session.exec_with_resource(res, "mytestfunc") is None


def test_exec_runs_the_function(lib):
    # On the exec plugin mytestfunc really runs: it doubles its input.
    session = Session(PluginType.GENERIC)
    n = random.randint(-1000, 1000)
    assert session.exec(lib, "mytestfunc", [n], [0]) == [2 * n]
    res = Resource(lib, ResourceType.LIB)
    res.register(session)
    assert session.exec_with_resource(res, "mytestfunc", [n], [0]) == \
        [2 * n]


def test_genop_exec(lib, exec_args):
    read = [Arg(OpType.EXEC, ArgType.UINT8),
            Arg(lib, ArgType.STRING),
            Arg("mytestfunc", ArgType.STRING)]
    read += [Arg(a) for a in exec_args["read"]]
    write = [Arg(a) for a in exec_args["write"]]
    assert Session().genop(read, write) is None
    assert [w.buf for w in write] == exec_args["read"]


def test_genop_exec_runs_the_function(lib):
    write = [Arg(0)]
    Session(PluginType.GENERIC).genop(
        [Arg(OpType.EXEC, ArgType.UINT8), Arg(lib, ArgType.STRING),
         Arg("mytestfunc", ArgType.STRING), Arg(21)], write)
    assert write[0].buf == 42
    assert write[0].type == ArgType.RAW


@pytest.fixture
def sgemm_data():
    m = n = k = 12
    return {"m": m, "n": n, "k": k, "alpha": 32412.0, "a": [1.0] * m * k,
            "lda": k, "b": [2.0] * m * k, "ldb": n, "beta": 2123.0,
            "ldc": n}


def test_sgemm_and_genop_sgemm(sgemm_data):
    d = sgemm_data
    session = Session()
    c = session.sgemm(m=d["m"], n=d["n"], k=d["k"], alpha=d["alpha"],
                      a=d["a"], lda=d["lda"], b=d["b"], ldb=d["ldb"],
                      beta=d["beta"], ldc=d["ldc"])
    assert isinstance(c, list) and len(c) == d["m"] * d["n"]
    arg_read = [
        Arg(OpType.BLAS_SGEMM, ArgType.UINT8),
        Arg(d["m"], ArgType.INT64), Arg(d["n"], ArgType.INT64),
        Arg(d["k"], ArgType.INT64), Arg(d["alpha"], ArgType.FLOAT32),
        Arg(d["a"], ArgType.FLOAT32_ARRAY), Arg(d["lda"], ArgType.INT64),
        Arg(d["b"], ArgType.FLOAT32_ARRAY), Arg(d["ldb"], ArgType.INT64),
        Arg(d["beta"], ArgType.FLOAT32), Arg(d["ldc"], ArgType.INT64),
    ]
    arg_write = [Arg([0.0] * d["m"] * d["n"], ArgType.FLOAT32_ARRAY)]
    assert session.genop(arg_read, arg_write) is None
    assert len(arg_write[0].buf) == d["m"] * d["n"]


def test_image_ops():
    session = Session()
    image = need("image").read_bytes()
    assert session.classify(image) == (TAG, IMGNAME)
    for op in (session.detect, session.segment, session.pose,
               session.depth):
        assert op(image) == IMGNAME


def test_image_genop():
    session = Session()
    image = need("image").read_bytes()
    for op in (OpType.IMAGE_CLASSIFY, OpType.IMAGE_DETECT,
               OpType.IMAGE_SEGMENT, OpType.IMAGE_POSE, OpType.IMAGE_DEPTH):
        write = [Arg(bytearray(512), ArgType.UCHAR_ARRAY)]
        if op == OpType.IMAGE_CLASSIFY:
            write.insert(0, Arg(bytearray(512), ArgType.UCHAR_ARRAY))
        session.genop([Arg(op, ArgType.UINT8),
                       Arg(image, ArgType.BUFFER)], write)
        got = [bytes(w.buf).split(b"\0", 1)[0].decode() for w in write]
        assert got == ([TAG, IMGNAME] if op == OpType.IMAGE_CLASSIFY
                       else [IMGNAME])


def test_minmax():
    values = [random.uniform(-50, 50) for _ in range(2048)]
    indata = np.array(values, dtype=np.float64).tobytes()
    outdata, min_val, max_val = Session().minmax(indata, 2048, 5, 100)
    assert outdata == indata[:len(outdata)]
    assert len(outdata) == 2048 * 8
    assert (min_val, max_val) == (NOOP_MIN, NOOP_MAX)


def test_fpga():
    n = 10
    a_int = [1] * n
    a, b = [1.0] * n, [2.0] * n
    session = Session()
    assert session.fpga_arraycopy(a_int) == a_int
    assert [round(x, 1) for x in session.fpga_mmult(a, b)] == [9.1] * n
    add, mult = session.fpga_parallel(a, b)
    assert add == [x + y for x, y in zip(a, b)]
    assert mult == [1.0] * n
    assert session.fpga_vadd(a, b) == [x + y for x, y in zip(a, b)]


# --- model ops on the noop plugin -------------------------------------------

@pytest.fixture
def model():
    # The noop plugin needs no real model file: any resource will do.
    session = Session()
    res = Resource(need("torch_data") / "tiny_cnn.pt", ResourceType.MODEL)
    res.register(session)
    return session, res


def check_tensor_views(tensor, data, data_np, data_bytes, shaped=True):
    assert tensor.data == data
    assert tensor.to_bytes() == data_bytes
    if shaped:
        assert tensor.as_bytelike() == data_bytes
        assert tensor.as_memoryview() == data_bytes
    assert tensor.as_numpy().tobytes() == data_np.tobytes()


@pytest.mark.parametrize("family, type_name", [
    ("vaccel.ops.torch", "FLOAT"), ("vaccel.ops.tf", "FLOAT"),
    ("vaccel.ops.tf.lite", "FLOAT32")])
def test_tensors(family, type_name):
    mod = importlib.import_module(family)
    data = [1.0] * 30
    data_np = np.array(data, dtype=np.float32)
    data_bytes = data_np.tobytes()
    ttype = getattr(mod.TensorType, type_name)
    for tensor in (mod.Tensor([30], ttype, data),
                   mod.Tensor.from_buffer([30], ttype, data_bytes)):
        assert tensor.dims == [30]
        assert tensor.data_type == ttype
        check_tensor_views(tensor, data, data_np, data_bytes)
    tensor = mod.Tensor.from_numpy(data_np)
    assert tensor.dims == [30] and tensor.data_type == ttype
    assert tensor.as_bytelike() == data_np
    assert tensor.as_memoryview() == memoryview(data_np)
    check_tensor_views(tensor, data, data_np, data_bytes, shaped=False)


def test_torch_tensor_from_torch():
    torch = pytest.importorskip("torch")
    from vaccel.ops.torch import Tensor, TensorType
    t = torch.ones(30, dtype=torch.float32)
    tensor = Tensor.from_torch(t)
    assert tensor.dims == [30] and tensor.data_type == TensorType.FLOAT
    assert tensor.to_bytes() == t.numpy().tobytes()
    assert torch.equal(tensor.as_torch(), t)
    assert torch.equal(Tensor([2], TensorType.FLOAT, [1.5, 2.5]).as_torch(),
                       torch.tensor([1.5, 2.5]))


def echoed(out, inp):
    assert out.dims == inp.dims
    assert out.data_type == inp.data_type
    assert out.data == inp.data
    assert out.to_bytes() == inp.to_bytes()


def test_torch_model_ops(model):
    from vaccel.ops.torch import Buffer, Tensor, TensorType
    session, res = model
    assert session.torch_model_load(res) is None
    data = [float(i) for i in range(30)]
    for inp in (Tensor([30], TensorType.FLOAT, data),
                Tensor.from_numpy(np.array(data, dtype=np.float32))):
        for run in (session.torch_model_run, session.torch_jitload_forward):
            out = run(res, [inp])
            assert isinstance(out, list) and len(out) == 1
            echoed(out[0], inp)
        out = session.torch_model_run(res, [inp],
                                      run_options=Buffer(b"none"))
        echoed(out[0], inp)


def test_tf_model_ops(model):
    from vaccel.ops.tf import Buffer, Node, Status, Tensor, TensorType
    session, res = model
    status = session.tf_model_load(res)
    assert isinstance(status, Status) and status.message == TF_STATUS
    in_nodes = [Node("serving_default_input_1", 0)]
    out_nodes = [Node("StatefulPartitionedCall", 0)]
    assert (in_nodes[0].name, in_nodes[0].id) == \
        ("serving_default_input_1", 0)
    data = [float(i) for i in range(30)]
    inp = Tensor([1, 30], TensorType.FLOAT, data)
    for opts in (None, Buffer(b"none")):
        out, status = session.tf_model_run(res, in_nodes, [inp], out_nodes,
                                           opts)
        assert status.message == TF_STATUS and status.code == 0
        echoed(out[0], inp)
    assert session.tf_model_unload(res).message == TF_STATUS


@pytest.mark.parametrize("family", ["vaccel.ops.tf.lite",
                                    "vaccel.ops.tflite"])
def test_tflite_model_ops(model, family):
    mod = importlib.import_module(family)
    session, res = model
    assert session.tflite_model_load(res) is None
    data = [float(i) for i in range(30)]
    inp = mod.Tensor([30], mod.TensorType.FLOAT32, data)
    out, status = session.tflite_model_run(res, [inp])
    assert status == 0
    echoed(out[0], inp)
    assert session.tflite_model_unload(res) is None


# --- errors --------------------------------------------------------------

def test_ffi_error():
    from vaccel.error import FFIError, NullPointerError
    with pytest.raises(FFIError) as e:
        Resource("/nonexistent/model.pt", ResourceType.MODEL)
    assert isinstance(e.value, RuntimeError)
    assert e.value.code == 2
    s = Session()
    s.release()
    with pytest.raises(NullPointerError):
        s.noop()


def test_version():
    assert re.fullmatch(r"\d+\.\d+\.\d+.*", vaccel.__version__)
    assert os.path.basename(vaccel.__file__) == "__init__.py"
