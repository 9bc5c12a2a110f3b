# SPDX-License-Identifier: Apache-2.0
"""Resource: a model, library or data file that ops use (vaccel_resource)."""

from __future__ import annotations

import ctypes
import os
from ctypes import byref, c_char_p, c_size_t, c_void_p
from enum import IntEnum
from typing import TYPE_CHECKING, Any, List, Optional, Sequence, Union

from . import _buffer, _lib
from ._validate import enum_arg
from .error import NullPointerError, VaccelTypeError, VaccelValueError, \
    check

if TYPE_CHECKING:
    from .session import BaseSession as Session

PathLike = Union[str, os.PathLike]


class ResourceType(IntEnum):
    """vaccel_resource_type_t."""

    LIB = 0
    DATA = 1
    MODEL = 2


def _session_ptr(session: Any, ctx: str) -> int:
    from .session import BaseSession
    if not isinstance(session, BaseSession):
        raise VaccelTypeError(
            ctx, f"expected a Session, not {type(session).__name__}")
    return session._c(ctx)


class Resource:
    """A vAccel resource made of one or more files, or of memory.

    Resource(paths, type_) takes a file, a directory (one blob per file in
    it), a "file://" URL, or a list of files (for LIB resources: the
    dependencies first, the library to call last). Use from_buffer() or
    from_numpy() for bytes in memory.

    A resource is used by registering it with sessions; it is released
    (and unregistered from every session) by release(), at the end of a
    `with` block, or when garbage-collected.

    Raises VaccelError, e.g. VaccelFileNotFoundError for a missing file.
    """

    def __init__(self, paths: Union[PathLike, Sequence[PathLike]],
                 type_: ResourceType):
        rtype = enum_arg(ResourceType, type_, "resource type", "Resource")
        self._ptr: Optional[int] = None
        self._source: Any = None
        lib = _lib.load()
        ptr = c_void_p()
        if isinstance(paths, (str, bytes, os.PathLike)):
            p = os.fsencode(paths)
            if not p or b"\0" in p:
                raise VaccelValueError("Resource", f"invalid path {paths!r}")
            check(lib.vaccel_resource_new(byref(ptr), p, int(rtype)),
                  f"vaccel_resource_new({os.fsdecode(p)!r})")
        elif isinstance(paths, Sequence) and paths:
            try:
                encoded = [os.fsencode(p) for p in paths]
            except TypeError:
                raise VaccelTypeError(
                    "Resource", "paths must be strings or path objects") \
                    from None
            arr = (c_char_p * len(encoded))(*encoded)
            check(lib.vaccel_resource_multi_new(byref(ptr), arr,
                                                len(encoded), int(rtype)),
                  f"vaccel_resource_multi_new({len(encoded)} paths)")
        else:
            raise VaccelTypeError(
                "Resource", "paths must be a path or a non-empty list of "
                f"paths, not {paths!r}")
        self._ptr = ptr.value

    @classmethod
    def _from_bytes(cls, data: Any, type_: Any, filename: Optional[str],
                    mem_only: bool, ctx: str) -> "Resource":
        rtype = enum_arg(ResourceType, type_, "resource type", ctx)
        buf = _buffer.get(data, ctx)
        if buf.size == 0:
            raise VaccelValueError(ctx, "the buffer is empty")
        if filename is not None and (
                not isinstance(filename, str) or not filename or
                "/" in filename or "\0" in filename):
            raise VaccelValueError(ctx, f"invalid filename {filename!r}")
        self = cls.__new__(cls)
        self._ptr = None
        self._source = data
        ptr = c_void_p()
        check(_lib.load().vaccel_resource_from_buf(
            byref(ptr), buf.ptr, buf.size, int(rtype),
            filename.encode() if filename is not None else None,
            bool(mem_only)),
            f"vaccel_resource_from_buf({buf.size} bytes, {filename!r})")
        self._ptr = ptr.value
        return self

    @classmethod
    def from_buffer(cls, data: Any, type_: ResourceType,
                    filename: Optional[str] = None, mem_only: bool = True
                    ) -> "Resource":
        """A resource holding a copy of `data` (any bytes-like object).

        By default the bytes stay in memory (a BUFFER blob), as upstream's
        bindings make them; with mem_only=False libvaccel also writes them
        to <resource run directory>/<filename>.
        """
        return cls._from_bytes(data, type_, filename, mem_only,
                               "Resource.from_buffer")

    @classmethod
    def from_numpy(cls, data: Any, type_: ResourceType = ResourceType.DATA,
                   filename: Optional[str] = None, mem_only: bool = True
                   ) -> "Resource":
        """A resource holding the bytes of a numpy array (read in place).

        After sync(session), a writable, C-contiguous source array receives
        the synced contents.
        """
        from ._numpy import require_numpy
        np = require_numpy("Resource.from_numpy")
        if not isinstance(data, np.ndarray):
            raise VaccelTypeError(
                "Resource.from_numpy",
                f"expected a numpy.ndarray, not {type(data).__name__}")
        return cls._from_bytes(data, type_, filename, mem_only,
                               "Resource.from_numpy")

    # --- lifecycle -------------------------------------------------------

    def _c(self, ctx: str) -> int:
        if not self._ptr:
            raise NullPointerError(ctx)
        return self._ptr

    @property
    def value(self) -> _lib.CResourceHead:
        """The underlying struct vaccel_resource (its leading fields:
        id, remote_id, type, path_type, paths, nr_paths, rundir, blobs,
        nr_blobs; blobs[i] reads through to the struct vaccel_blob)."""
        return _lib.CResourceHead.from_address(self._c("Resource.value"))

    def release(self) -> None:
        """Unregisters from every session and frees the resource."""
        ptr, self._ptr = self._ptr, None
        if ptr:
            check(_lib.load().vaccel_resource_delete(ptr),
                  "vaccel_resource_delete")

    def __del__(self) -> None:
        try:
            ptr, self._ptr = getattr(self, "_ptr", None), None
            if ptr:
                _lib.load().vaccel_resource_delete(ptr)
        except Exception:
            # Interpreter shutdown: the module globals may be gone already;
            # libvaccel's destructor releases what is left.
            pass

    def __enter__(self) -> "Resource":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    # --- sessions --------------------------------------------------------

    def register(self, session: "Session") -> None:
        """Attaches the resource to `session` (uploading it for remote
        sessions)."""
        ctx = "Resource.register"
        check(_lib.load().vaccel_resource_register(
            self._c(ctx), _session_ptr(session, ctx)),
            f"vaccel_resource_register(resource {self.id}, "
            f"session {session.id})")

    def unregister(self, session: "Session") -> None:
        """Detaches the resource from `session` (VaccelPermissionError if it
        was not registered)."""
        ctx = "Resource.unregister"
        check(_lib.load().vaccel_resource_unregister(
            self._c(ctx), _session_ptr(session, ctx)),
            f"vaccel_resource_unregister(resource {self.id}, "
            f"session {session.id})")

    def sync(self, session: "Session") -> None:
        """Pulls the current contents of an in-memory resource back from
        the session's plugin, into the source array when it is writable."""
        ctx = "Resource.sync"
        check(_lib.load().vaccel_resource_sync(
            self._c(ctx), _session_ptr(session, ctx)),
            f"vaccel_resource_sync(resource {self.id}, "
            f"session {session.id})")
        if self._source is not None:
            try:
                mv = memoryview(self._source).cast("B")
            except (TypeError, ValueError):
                return
            data = self.data()
            if not mv.readonly and len(data) == mv.nbytes:
                mv[:] = data

    def is_registered(self, session: "Session") -> bool:
        """True when the resource is registered with `session`."""
        return session.has_resource(self)

    # --- properties ------------------------------------------------------

    @property
    def id(self) -> int:
        """The resource id (0 once released, e.g. by cleanup())."""
        return int(self.value.id) if self._ptr else 0

    @property
    def remote_id(self) -> int:
        """The id of the agent-side mirror (remote sessions), else 0."""
        return int(self.value.remote_id) if self._ptr else 0

    @property
    def type(self) -> ResourceType:
        """The ResourceType."""
        return ResourceType(self.value.type)

    @property
    def paths(self) -> List[str]:
        """The paths the resource was made from (empty for buffers)."""
        h = self.value
        return [os.fsdecode(h.paths[i]) for i in range(h.nr_paths)
                if h.paths[i]]

    @property
    def refcount(self) -> int:
        """The number of sessions the resource is registered with."""
        return int(_lib.load().vaccel_resource_refcount(
            self._c("Resource.refcount")))

    @property
    def directory(self) -> str:
        """The resource's run directory (created if needed)."""
        out = ctypes.create_string_buffer(4096)
        check(_lib.load().vaccel_resource_directory(
            self._c("Resource.directory"), out, len(out), None),
            f"vaccel_resource_directory(resource {self.id})")
        return os.fsdecode(out.value)

    def _blob(self, index: int) -> Any:
        h = self.value
        if isinstance(index, bool) or not isinstance(index, int) or \
                not 0 <= index < h.nr_blobs:
            raise VaccelValueError(
                "Resource.data", f"blob index {index!r} out of range "
                f"(resource {self.id} has {h.nr_blobs} blobs)")
        return h.blobs[index]

    def data(self, index: int = 0) -> bytes:
        """A copy of the bytes of blob `index` (read from disk if needed)."""
        size = c_size_t()
        p = _lib.load().vaccel_blob_data(self._blob(index), byref(size))
        if not p:
            raise VaccelValueError(
                "Resource.data", f"cannot read blob {index} of resource "
                f"{self.id}")
        return ctypes.string_at(p, size.value)

    def __repr__(self) -> str:
        if not self._ptr:
            return "Resource(released)"
        return f"Resource(id={self.id}, type={self.type.name})"
