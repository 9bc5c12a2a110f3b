# SPDX-License-Identifier: Apache-2.0
"""What the computing reference plugin (tests/reference, libvaccel-
reference.so) returns, computed here in plain Python from the arguments a
test passes, following the rules documented in tests/reference/reference.h.
Nothing of vAccel is used, so a result that went through the bindings,
libvaccel, the rpc plugin and the agent is checked against values that
depend on every argument the caller gave.

Test inputs are small integers and halves: every float sum is exact, so
the plugin's float32 arithmetic and this double arithmetic agree exactly.
"""

from __future__ import annotations

import struct
from typing import List, Sequence, Tuple

HASH_INIT = 0xcbf29ce484222325
_MASK = (1 << 64) - 1


def fnv(h: int, data: bytes) -> int:
    """FNV-1a over `data`, continued from `h`."""
    for byte in data:
        h ^= byte
        h = (h * 0x100000001b3) & _MASK
    return h


def fnv_str(h: int, s: str) -> int:
    return fnv(h, s.encode() + b"\0")


def hash_args(h: int, args: Sequence[Tuple[int, bytes]]) -> int:
    """Continues `h` over (type, bytes) of every argument."""
    for arg_type, data in args:
        h = fnv(h, struct.pack("I", arg_type))
        h = fnv(h, data)
    return h


def fill_args(h: int, sizes: Sequence[int]) -> List[bytes]:
    """The bytes the plugin writes into write args of these sizes."""
    out = []
    for i, size in enumerate(sizes):
        v = fnv(h, struct.pack("N", i))
        out.append(bytes((v >> (8 * (j % 8))) & 0xFF for j in range(size)))
    return out


def exec_outputs(library: str, symbol: str,
                 read: Sequence[Tuple[int, bytes]],
                 sizes: Sequence[int]) -> List[bytes]:
    h = fnv_str(fnv_str(HASH_INIT, library), symbol)
    return fill_args(hash_args(h, read), sizes)


def exec_with_resource_outputs(blobs: Sequence[bytes], symbol: str,
                               read: Sequence[Tuple[int, bytes]],
                               sizes: Sequence[int]) -> List[bytes]:
    h = HASH_INIT
    for blob in blobs:
        h = fnv(h, blob)
    return fill_args(hash_args(fnv_str(h, symbol), read), sizes)


def image_text(what: str, image: bytes, size: int) -> str:
    """The text an image op writes into an output of `size` bytes."""
    h = fnv(fnv_str(HASH_INIT, what), image)
    return f"{what}:{h:016x}/{len(image)}"[:max(size - 1, 0)]


def sgemm(m, n, k, alpha, a, lda, b, ldb, beta, c, ldc) -> List[float]:
    c = list(c)
    for i in range(m):
        for j in range(n):
            acc = sum(a[i * lda + p] * b[p * ldb + j] for p in range(k))
            c[i * ldc + j] = alpha * acc + beta * c[i * ldc + j]
    return c


def minmax(values: Sequence[float], low: int, high: int
           ) -> Tuple[List[float], float, float]:
    out = [float(low) if v < low else float(high) if v > high else v
           for v in values]
    return out, min(values), max(values)


def mmult(a: Sequence[float], b: Sequence[float]) -> List[float]:
    n = len(a)
    return [sum(a[j] * b[(i + j) % n] for j in range(n)) for i in range(n)]


def parallel(a, b) -> Tuple[List[float], List[float]]:
    return [x + y for x, y in zip(a, b)], [x * y for x, y in zip(a, b)]


def vadd(a, b) -> List[float]:
    return [x + (b[i] if i < len(b) else 0.0) for i, x in enumerate(a)]
