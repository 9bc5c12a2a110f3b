# SPDX-License-Identifier: Apache-2.0
"""The floating-point dtype a TorchScript model's parameters are stored in.

The C API carries no model metadata and TorchScript declares no input
dtypes, but a TorchScript file is a zip archive whose `<name>/data.pkl`
pickles the module's parameters and buffers, each naming its storage class
(torch.FloatStorage, torch.DoubleStorage, ...). When all floating-point
storages of a model are one dtype, a floating-point input of another dtype
makes libtorch's first conv/linear/matmul fail ("expected scalar type
Float but found Double"), so torch_model_run refuses it before the call and
names the dtype the model holds.

The pickle is only scanned, never unpickled (pickletools.genops does not
run code), and only the small data.pkl member is read: the weights
themselves are not. A file that is not such an archive yields None and no
check.
"""

from __future__ import annotations

import ctypes
import io
import os
import pickletools
import weakref
import zipfile
from typing import Any, Optional, Tuple

from .tensor import TensorType

# Storage classes of floating-point data, by the dtype they hold.
FLOAT_STORAGES = {
    "HalfStorage": TensorType.HALF,
    "FloatStorage": TensorType.FLOAT,
    "DoubleStorage": TensorType.DOUBLE,
}
FLOAT_TYPES = frozenset(FLOAT_STORAGES.values())

# data.pkl of a large model is a few hundred KiB; anything far bigger is
# not a TorchScript parameter pickle.
_MAX_PICKLE = 64 << 20

_cache: "weakref.WeakKeyDictionary[Any, Optional[Tuple[TensorType, str]]]" = \
    weakref.WeakKeyDictionary()


class _MemoryFile(io.RawIOBase):
    """A read-only, seekable file over C memory, without copying it."""

    def __init__(self, ptr: int, size: int):
        super().__init__()
        self._mv = memoryview((ctypes.c_char * size).from_address(ptr)
                              ).cast("B")
        self._pos = 0

    def readable(self) -> bool:
        return True

    def seekable(self) -> bool:
        return True

    def seek(self, pos: int, whence: int = 0) -> int:
        base = {0: 0, 1: self._pos, 2: len(self._mv)}[whence]
        self._pos = max(0, base + pos)
        return self._pos

    def tell(self) -> int:
        return self._pos

    def readinto(self, b: Any) -> int:
        chunk = self._mv[self._pos:self._pos + len(b)]
        n = len(chunk)
        b[:n] = chunk
        self._pos += n
        return n


def storage_types(pickle_bytes: bytes) -> set:
    """The names of the torch storage classes a pickle refers to."""
    names = set()
    strings: list = []
    for op, arg, _ in pickletools.genops(pickle_bytes):
        if op.name == "GLOBAL":
            module, _, name = str(arg).partition(" ")
            if module == "torch" and name.endswith("Storage"):
                names.add(name)
        elif op.name == "STACK_GLOBAL" and len(strings) >= 2:
            if strings[-2] == "torch" and strings[-1].endswith("Storage"):
                names.add(strings[-1])
        if isinstance(arg, str):
            strings.append(arg)
            del strings[:-2]
    return names


def _archive_float_type(f: Any) -> Optional[TensorType]:
    with zipfile.ZipFile(f) as z:
        pickles = [i for i in z.infolist()
                   if i.filename.endswith("/data.pkl") and
                   i.filename.count("/") == 1]
        if len(pickles) != 1 or pickles[0].file_size > _MAX_PICKLE:
            return None
        names = storage_types(z.read(pickles[0]))
    floats = {FLOAT_STORAGES[n] for n in names if n in FLOAT_STORAGES}
    return floats.pop() if len(floats) == 1 else None


def model_float_type(resource: Any) -> Optional[Tuple[TensorType, str]]:
    """(dtype, blob name) of the floating-point parameters of the
    TorchScript model in `resource`, or None when it has none, several, or
    is not a readable TorchScript archive. Cached per resource."""
    if resource in _cache:
        return _cache[resource]
    found = None
    head = resource.value
    for i in range(head.nr_blobs):
        blob = head.blobs[i]
        name = os.fsdecode(blob.name or blob.path or b"")
        try:
            if blob.path and os.path.isfile(blob.path):
                ftype = _archive_float_type(os.fsdecode(blob.path))
            elif blob.data and blob.size:
                ftype = _archive_float_type(
                    _MemoryFile(ctypes.addressof(blob.data.contents),
                                blob.size))
            else:
                continue
        except (OSError, ValueError, zipfile.BadZipFile, EOFError):
            continue
        if ftype is not None:
            found = (ftype, name)
            break
    _cache[resource] = found
    return found
