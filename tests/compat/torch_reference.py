#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Checks what tests/compat/programs/torch_run printed against PyTorch.

    torch_reference.py <model_file> <shape>[,<shape>...] <nr_outputs> <output_file>

Runs the TorchScript model with PyTorch itself (Debian's python3-torch, not
vAccel) on the same fixed input pattern torch_run uses, and compares every
printed value within a float32 tolerance. Exits 0 when all agree.
"""
import re
import sys

import numpy as np
import torch

RTOL, ATOL = 1e-4, 1e-5


def pattern(t, count):
    i = np.arange(count, dtype=np.int64)
    k = ((i * 7919 + t * 104729) % 1000).astype(np.float32)
    return k / np.float32(1000.0) - np.float32(0.5)


def close(got, want):
    return abs(got - want) <= ATOL + RTOL * abs(want)


def main():
    model_file, spec, nr_out, out_file = sys.argv[1:5]
    shapes = [[int(d) for d in s.split("x")] for s in spec.split(",")]
    inputs = [torch.from_numpy(pattern(t, int(np.prod(s))).reshape(s))
              for t, s in enumerate(shapes)]
    torch.set_num_threads(1)
    with torch.no_grad():
        result = torch.jit.load(model_file)(*inputs)
    outputs = list(result) if isinstance(result, (tuple, list)) else [result]
    outputs = outputs[:int(nr_out)]
    text = open(out_file).read()
    bad = 0

    def fail(msg):
        nonlocal bad
        bad += 1
        print("MISMATCH:", msg)

    for k, t in enumerate(outputs):
        v = t.detach().numpy().astype(np.float32).ravel()
        dims = " ".join(str(d) for d in t.shape)
        if f"output {k}: type 7 dims {dims}\n" not in text:
            fail(f"output {k}: expected type 7 (FLOAT) dims {dims}")
        if v.size <= 16:
            m = re.search(rf"^output {k} values:(.*)$", text, re.M)
            got = [float(x) for x in m.group(1).split()] if m else []
            if len(got) != v.size or not all(
                    close(g, float(w)) for g, w in zip(got, v)):
                fail(f"output {k} values {got} != {v.tolist()}")
            continue
        m = re.search(rf"^output {k} sum: (\S+)$", text, re.M)
        want_sum = float(v.astype(np.float64).sum())
        if not m or not abs(float(m.group(1)) - want_sum) <= 1e-3 * (
                1 + abs(want_sum)):
            fail(f"output {k} sum {m and m.group(1)} != {want_sum:.6e}")
        top = sorted(range(v.size), key=lambda i: (-v[i], i))[:5]
        m = re.search(rf"^output {k} top5:(.*)$", text, re.M)
        got = [p.split("=") for p in m.group(1).split()] if m else []
        if [int(i) for i, _ in got] != top or not all(
                close(float(x), float(v[i])) for (_, x), i in zip(got, top)):
            fail(f"output {k} top5 {got} != {[(i, float(v[i])) for i in top]}")
    print("torch reference:", "ok" if not bad else f"{bad} mismatches",
          f"({len(outputs)} outputs of {model_file})")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
