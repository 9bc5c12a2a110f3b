#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Plain-Python checks of the bindings, for interpreters without pytest or
numpy (the machine's default pyenv python3). Same environment as the pytest
suite (tests/python/meson.build); prints "N passed, N failed" and exits
non-zero on any failure."""

import os
import subprocess
import sys
import tempfile
import traceback

import vaccel
from vaccel import (Arg, ArgType, Config, OpType, PluginType, Resource,
                    ResourceType, Session)
from vaccel.ops.torch import Tensor as TorchTensor
from vaccel.ops.torch import TensorType as TorchTensorType

# upstream noop plugin's documented dummy outputs.
TAG = "This is a dummy classification tag!"
IMGNAME = "This is a dummy imgname!"

passed = failed = 0


def check(name, cond, detail=""):
    global passed, failed
    if cond:
        passed += 1
    else:
        failed += 1
        print(f"FAIL: {name} {detail}")


def raises(name, fn, code):
    try:
        fn()
    except vaccel.VaccelError as e:
        check(name, e.code == code, f"code {e.code} != {code}: {e}")
        return
    except Exception:
        check(name, False, traceback.format_exc())
        return
    check(name, False, "no exception")


def env(name):
    v = os.environ.get(name)
    return v if v and os.path.exists(v) else None


def main():
    noop, exec_p, torch = (env("VACCEL_TEST_NOOP"), env("VACCEL_TEST_EXEC"),
                           env("VACCEL_TEST_TORCH"))
    lib, image = env("VACCEL_TEST_LIB"), env("VACCEL_TEST_IMAGE")
    plugins = [p for p in (noop, exec_p, torch) if p]
    vaccel.bootstrap(Config(plugins=plugins))

    import importlib.util
    if importlib.util.find_spec("numpy") is not None:
        print("note: numpy is installed for this python")
    else:
        raises("numpy-only feature without numpy",
               lambda: TorchTensor.from_numpy([1]), 95)

    with Session(PluginType.DEBUG) as s:
        s.noop()
        check("classify", s.classify(b"img") == (TAG, IMGNAME))
        for op in (s.detect, s.segment, s.pose, s.depth):
            check(op.__name__, op(b"img") == IMGNAME)
        check("sgemm", len(s.sgemm(2, 2, 2, 1.0, [1] * 4, 2, [1] * 4, 2,
                                   0.0, 2)) == 4)
        import array
        values = array.array("d", [1.0, -5.0, 50.0])
        check("minmax", s.minmax(bytes(values), 3, 0, 10) ==
              (bytes(values), -1.0, 10000.0))
        check("fpga", s.fpga_parallel([1, 2], [3, 4]) ==
              ([4.0, 6.0], [1.0, 1.0]))
        check("exec echo", s.exec("/x.so", "f", [[4, 5]], [[0, 0]]) ==
              [[4, 5]])
        w = [Arg.buffer(64, ArgType.UCHAR_ARRAY),
             Arg.buffer(64, ArgType.UCHAR_ARRAY)]
        s.genop([Arg(OpType.IMAGE_CLASSIFY, ArgType.UINT8),
                 Arg(b"img", ArgType.BUFFER)], w)
        check("genop classify", w[1].to_str() == IMGNAME)
        raises("empty image", lambda: s.classify(b""), 22)
        raises("bad genop op", lambda: s.genop([Arg(99, ArgType.UINT8)]),
               22)
        res = Resource(image, ResourceType.DATA)
        res.register(s)
        check("refcount", res.refcount == 1)
        res.unregister(s)
        raises("unregister twice", lambda: res.unregister(s), 1)
        res.release()

    if exec_p and lib:
        with Session(PluginType.GENERIC) as s:
            check("exec", s.exec(lib, "mytestfunc", [10], [0]) == [20])
            with Resource(lib, ResourceType.LIB) as r:
                r.register(s)
                check("exec_with_resource", s.exec_with_resource(
                    r, "mytestfunc", [7], [Arg.buffer(4, ArgType.INT32)])
                    == [14])
            raises("missing symbol",
                   lambda: s.exec(lib, "nope", [1], [Arg.buffer(4)]), 38)

    ref = env("VACCEL_TEST_TORCH_REF")
    data = os.environ.get("VACCEL_TEST_TORCH_DATA")
    if torch and ref and data:
        # Torch without numpy: Tensor from bytes, compared with the C API.
        import random
        import struct
        rnd = random.Random(5)
        vals = [rnd.uniform(-1, 1) for _ in range(3 * 32 * 32)]
        raw = struct.pack(f"{len(vals)}f", *vals)
        model_path = os.path.join(data, "tiny_cnn.pt")
        with Session(PluginType.TORCH) as s, \
                Resource(model_path, ResourceType.MODEL) as m:
            m.register(s)
            out = s.torch_model_run(m, [TorchTensor.from_buffer(
                [1, 3, 32, 32], TorchTensorType.FLOAT, raw)])[0]
        with tempfile.TemporaryDirectory() as tmp:
            inp, outp = os.path.join(tmp, "in"), os.path.join(tmp, "out")
            with open(inp, "wb") as f:
                f.write(raw)
            r = subprocess.run([ref, "run", model_path, inp, "1,3,32,32",
                                outp], capture_output=True, text=True,
                               env=dict(os.environ, VACCEL_PLUGINS=torch))
            check("torch_ref", r.returncode == 0, r.stderr)
            if r.returncode == 0:
                with open(outp, "rb") as f:
                    check("torch bit-identical", f.read() == out.to_bytes())
                check("torch dims", r.stdout.strip() ==
                      ",".join(str(d) for d in out.dims))
        check("tensor memoryview", out.as_memoryview() == out.to_bytes())
    elif "torch" in os.environ.get("VACCEL_TEST_EXPECTED_SKIPS", ""):
        print("SKIP: torch checks (the torch plugin is not built)")
    else:
        check("torch plugin built", False, "VACCEL_TEST_TORCH is missing")

    vaccel.cleanup()
    print(f"{passed} passed, {failed} failed")
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
