# SPDX-License-Identifier: Apache-2.0
"""Loading of libvaccel, the C structures the bindings use, and the ctypes
prototypes of the C functions they call.

The library is loaded lazily, on the first call that needs it, so that a
program can still set VACCEL_PLUGINS (and the other variables libvaccel's
constructor reads) in os.environ after ``import vaccel``.

Lookup order:
  1. the VACCEL_LIBRARY environment variable (a path or a soname);
  2. a libvaccel.so* shipped next to this package (vaccel/lib/);
  3. ctypes.util.find_library("vaccel") (the ld.so cache);
  4. the plain sonames "libvaccel.so.0" and "libvaccel.so" (LD_LIBRARY_PATH).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import glob
import os
import threading
from ctypes import (
    POINTER,
    Structure,
    c_bool,
    c_char_p,
    c_double,
    c_float,
    c_int,
    c_int32,
    c_int64,
    c_long,
    c_size_t,
    c_uint,
    c_uint8,
    c_uint32,
    c_uint64,
    c_void_p,
)
from typing import Any, Optional

_lock = threading.Lock()
_lib: Optional[ctypes.CDLL] = None
_lib_path: Optional[str] = None


class LibraryNotFoundError(OSError):
    """libvaccel could not be found or loaded."""


def deref_pointer(struct: type) -> type:
    """A pointer type to `struct` whose attributes read through to the
    structure it points at, so that `res.value.blobs[0].size` reads like the
    C expression `res->blobs[0]->size`. A NULL pointer raises ValueError."""

    def __getattr__(self: Any, name: str) -> Any:
        if not self:
            raise ValueError(f"NULL struct {struct.__name__} pointer")
        return getattr(self.contents, name)

    return type(f"LP_{struct.__name__}", (ctypes._Pointer,),
                {"_type_": struct, "__getattr__": __getattr__})


# --- C structures -----------------------------------------------------------
#
# Structures the bindings allocate themselves are declared whole. Sessions
# and resources are always allocated by libvaccel (vaccel_*_new), so their
# declarations stop at the last field the bindings read: the real structs
# are larger, which is fine for reads through a pointer.


class CArg(Structure):
    """struct vaccel_arg."""

    _fields_ = [
        ("buf", c_void_p),
        ("size", c_size_t),
        ("type", c_int),
        ("custom_type_id", c_uint32),
        ("owned", c_bool),
    ]


class CConfig(Structure):
    """struct vaccel_config."""

    _fields_ = [
        ("plugins", c_char_p),
        ("log_level", c_int),
        ("log_file", c_char_p),
        ("profiling_enabled", c_bool),
        ("version_ignore", c_bool),
    ]


class CSessionHead(Structure):
    """Leading fields of struct vaccel_session."""

    _fields_ = [
        ("id", c_int64),
        ("remote_id", c_int64),
        ("hint", c_uint),
        ("is_virtio", c_bool),
    ]


class CBlob(Structure):
    """struct vaccel_blob."""

    _fields_ = [
        ("type", c_int),
        ("name", c_char_p),
        ("path", c_char_p),
        ("path_owned", c_bool),
        ("data", POINTER(c_uint8)),
        ("data_owned", c_bool),
        ("size", c_size_t),
    ]


class CResourceHead(Structure):
    """Leading fields of struct vaccel_resource."""

    _fields_ = [
        ("id", c_int64),
        ("remote_id", c_int64),
        ("type", c_int),
        ("path_type", c_int),
        ("paths", POINTER(c_char_p)),
        ("nr_paths", c_size_t),
        ("rundir", c_char_p),
        ("blobs", POINTER(deref_pointer(CBlob))),
        ("nr_blobs", c_size_t),
    ]


def _tensor_struct(name: str, nr_dims: Any, dim: Any) -> type:
    """The tensor structs of the three model families differ only in the
    C types of nr_dims and of the dims array."""
    return type(name, (Structure,), {"_fields_": [
        ("data", c_void_p),
        ("size", c_size_t),
        ("owned", c_bool),
        ("nr_dims", nr_dims),
        ("dims", POINTER(dim)),
        ("data_type", c_int),
    ]})


CTorchTensor = _tensor_struct("CTorchTensor", c_int64, c_int64)
CTfTensor = _tensor_struct("CTfTensor", c_int, c_int64)
CTfliteTensor = _tensor_struct("CTfliteTensor", c_int, c_int32)


class CBuffer(Structure):
    """struct vaccel_torch_buffer and struct vaccel_tf_buffer."""

    _fields_ = [("data", c_void_p), ("size", c_size_t)]


class CTfNode(Structure):
    """struct vaccel_tf_node."""

    _fields_ = [("name", c_char_p), ("id", c_int)]


class CTfStatus(Structure):
    """struct vaccel_tf_status (message is malloc'd by libvaccel)."""

    _fields_ = [("code", c_uint8), ("message", c_void_p)]


class CProfSample(Structure):
    """struct vaccel_prof_sample."""

    _fields_ = [("start", c_uint64), ("time", c_uint64)]


class CProfRegion(Structure):
    """struct vaccel_prof_region."""

    _fields_ = [
        ("name", c_char_p),
        ("name_owned", c_bool),
        ("nr_entries", c_size_t),
        ("samples", POINTER(CProfSample)),
        ("size", c_size_t),
    ]


P = POINTER
_vp = c_void_p


def _tensor_functions(family: str, struct: type) -> dict:
    """Prototypes of the tensor lifecycle functions of a model family."""
    pt = P(struct)
    return {
        f"vaccel_{family}_tensor_delete": (c_int, [pt]),
        f"vaccel_{family}_tensor_take_data": (
            c_int, [pt, P(_vp), P(c_size_t)]),
    }


# name -> (restype, argtypes). Every function returns int unless stated.
_PROTOTYPES = {
    # error.h
    "vaccel_strerror": (c_char_p, [c_int]),
    "vaccel_error_name": (c_char_p, [c_int]),
    # core.h / config.h / log.h
    "vaccel_bootstrap": (c_int, []),
    "vaccel_bootstrap_with_config": (c_int, [P(CConfig)]),
    "vaccel_cleanup": (c_int, []),
    "vaccel_is_initialized": (c_bool, []),
    "vaccel_rundir": (c_char_p, []),
    "vaccel_config": (P(CConfig), []),
    "vaccel_config_new": (
        c_int, [P(P(CConfig)), c_char_p, c_int, c_char_p, c_bool, c_bool]),
    "vaccel_config_from_env": (c_int, [P(P(CConfig))]),
    "vaccel_config_from": (c_int, [P(P(CConfig)), P(CConfig)]),
    "vaccel_config_delete": (c_int, [P(CConfig)]),
    "vaccel_log_set_level": (None, [c_int]),
    # plugin.h
    "vaccel_plugin_count": (c_size_t, []),
    # session.h
    "vaccel_session_new": (c_int, [P(_vp), c_uint32]),
    "vaccel_session_delete": (c_int, [_vp]),
    "vaccel_session_update": (c_int, [_vp, c_uint32]),
    "vaccel_session_has_resource": (c_bool, [_vp, _vp]),
    # resource.h / blob.h
    "vaccel_resource_multi_new": (
        c_int, [P(_vp), P(c_char_p), c_size_t, c_int]),
    "vaccel_resource_new": (c_int, [P(_vp), c_char_p, c_int]),
    "vaccel_resource_from_buf": (
        c_int, [P(_vp), _vp, c_size_t, c_int, c_char_p, c_bool]),
    "vaccel_resource_delete": (c_int, [_vp]),
    "vaccel_resource_register": (c_int, [_vp, _vp]),
    "vaccel_resource_unregister": (c_int, [_vp, _vp]),
    "vaccel_resource_sync": (c_int, [_vp, _vp]),
    "vaccel_resource_refcount": (c_long, [_vp]),
    "vaccel_resource_directory": (c_int, [_vp, c_char_p, c_size_t, _vp]),
    "vaccel_blob_data": (P(c_uint8), [_vp, P(c_size_t)]),
    # ops
    "vaccel_noop": (c_int, [_vp]),
    "vaccel_exec": (
        c_int, [_vp, c_char_p, c_char_p, P(CArg), c_size_t, P(CArg),
                c_size_t]),
    "vaccel_exec_with_resource": (
        c_int, [_vp, _vp, c_char_p, P(CArg), c_size_t, P(CArg), c_size_t]),
    "vaccel_genop": (c_int, [_vp, P(CArg), c_int, P(CArg), c_int]),
    "vaccel_image_classification": (
        c_int, [_vp, _vp, _vp, _vp, c_size_t, c_size_t, c_size_t]),
    "vaccel_image_detection": (
        c_int, [_vp, _vp, _vp, c_size_t, c_size_t]),
    "vaccel_image_segmentation": (
        c_int, [_vp, _vp, _vp, c_size_t, c_size_t]),
    "vaccel_image_pose": (c_int, [_vp, _vp, _vp, c_size_t, c_size_t]),
    "vaccel_image_depth": (c_int, [_vp, _vp, _vp, c_size_t, c_size_t]),
    "vaccel_sgemm": (
        c_int, [_vp, c_int64, c_int64, c_int64, c_float, _vp, c_int64, _vp,
                c_int64, c_float, _vp, c_int64]),
    "vaccel_minmax": (
        c_int, [_vp, _vp, c_int, c_int, c_int, _vp, P(c_double),
                P(c_double)]),
    "vaccel_fpga_arraycopy": (c_int, [_vp, _vp, _vp, c_size_t]),
    "vaccel_fpga_mmult": (c_int, [_vp, _vp, _vp, _vp, c_size_t]),
    "vaccel_fpga_parallel": (c_int, [_vp, _vp, _vp, _vp, _vp, c_size_t]),
    "vaccel_fpga_vadd": (c_int, [_vp, _vp, _vp, _vp, c_size_t, c_size_t]),
    # torch
    **_tensor_functions("torch", CTorchTensor),
    "vaccel_torch_model_load": (c_int, [_vp, _vp]),
    "vaccel_torch_model_run": (
        c_int, [_vp, _vp, P(CBuffer), P(P(CTorchTensor)), c_int,
                P(P(CTorchTensor)), c_int]),
    # tf
    **_tensor_functions("tf", CTfTensor),
    "vaccel_tf_status_release": (c_int, [P(CTfStatus)]),
    "vaccel_tf_model_load": (c_int, [_vp, _vp, P(CTfStatus)]),
    "vaccel_tf_model_unload": (c_int, [_vp, _vp, P(CTfStatus)]),
    "vaccel_tf_model_run": (
        c_int, [_vp, _vp, P(CBuffer), P(CTfNode), P(P(CTfTensor)), c_int,
                P(CTfNode), P(P(CTfTensor)), c_int, P(CTfStatus)]),
    # tflite
    **_tensor_functions("tflite", CTfliteTensor),
    "vaccel_tflite_model_load": (c_int, [_vp, _vp]),
    "vaccel_tflite_model_unload": (c_int, [_vp, _vp]),
    "vaccel_tflite_model_run": (
        c_int, [_vp, _vp, P(P(CTfliteTensor)), c_int, P(P(CTfliteTensor)),
                c_int, P(c_uint8)]),
    # prof.h
    "vaccel_prof_enabled": (c_bool, []),
    "vaccel_prof_region_init": (c_int, [P(CProfRegion), c_char_p]),
    "vaccel_prof_region_release": (c_int, [P(CProfRegion)]),
    "vaccel_prof_region_start": (c_int, [P(CProfRegion)]),
    "vaccel_prof_region_stop": (c_int, [P(CProfRegion)]),
    "vaccel_prof_region_print": (c_int, [P(CProfRegion)]),
    "vaccel_prof_region_add_sample": (
        c_int, [P(CProfRegion), c_uint64, c_uint64]),
    "vaccel_prof_get_tstamp": (c_uint64, []),
}

# Functions a libvaccel may lack (newer additions): declared when present,
# and None in `optional` otherwise.
_OPTIONAL = {
    # error.h: the message of the calling thread's most recent failure.
    "vaccel_last_error_message": (c_char_p, []),
}

optional: dict = {}


def _candidates() -> list:
    env = os.environ.get("VACCEL_LIBRARY")
    if env:
        return [env]
    here = os.path.join(os.path.dirname(os.path.abspath(__file__)), "lib")
    found = sorted(glob.glob(os.path.join(here, "libvaccel.so*")))
    name = ctypes.util.find_library("vaccel")
    if name:
        found.append(name)
    return found + ["libvaccel.so.0", "libvaccel.so"]


def _declare(lib: ctypes.CDLL) -> None:
    for name, (restype, argtypes) in _PROTOTYPES.items():
        fn = getattr(lib, name)
        fn.restype = restype
        fn.argtypes = argtypes
    for name, (restype, argtypes) in _OPTIONAL.items():
        fn = getattr(lib, name, None)
        if fn is not None:
            fn.restype = restype
            fn.argtypes = argtypes
        optional[name] = fn


def load() -> ctypes.CDLL:
    """Returns the loaded libvaccel, loading it on the first call.

    Raises LibraryNotFoundError, naming every path tried, when no candidate
    loads or when the one that loads lacks a function these bindings need.
    """
    global _lib, _lib_path
    if _lib is not None:
        return _lib
    with _lock:
        if _lib is not None:
            return _lib
        errors = []
        for cand in _candidates():
            try:
                lib = ctypes.CDLL(cand)
            except OSError as e:
                errors.append(f"{cand}: {e}")
                continue
            try:
                _declare(lib)
            except AttributeError as e:
                raise LibraryNotFoundError(
                    f"{cand} is not a compatible libvaccel: {e}") from None
            _lib, _lib_path = lib, cand
            return lib
        raise LibraryNotFoundError(
            "libvaccel not found (set VACCEL_LIBRARY to its path); tried: "
            + "; ".join(errors))


def library_path() -> str:
    """The path or soname libvaccel was loaded from (loading it if needed)."""
    load()
    return _lib_path or ""


# The allocator libvaccel uses for the buffers it hands over (tensor data).
_free = None


def free(ptr: int) -> None:
    """Frees memory that libvaccel allocated and handed over with malloc."""
    global _free
    if _free is None:
        fn = ctypes.CDLL(None).free
        fn.restype = None
        fn.argtypes = [c_void_p]
        _free = fn
    _free(ptr)
