# SPDX-License-Identifier: Apache-2.0
"""Session: the context ops run in, bound to one plugin (vaccel_session).

BaseSession holds the C session; Session adds every op family as a mixin
(vaccel/ops/), as upstream's bindings do.
"""

from __future__ import annotations

from ctypes import byref, c_void_p
from typing import Any, Optional, Union

from . import _lib
from .error import NullPointerError, VaccelTypeError, VaccelValueError, \
    check
from .ops.blas import BlasMixin
from .ops.exec import ExecMixin
from .ops.fpga import FpgaMixin
from .ops.genop import GenopMixin
from .ops.image import ImageMixin
from .ops.minmax import MinmaxMixin
from .ops.noop import NoopMixin
from .ops.tf import TFMixin
from .ops.tf.lite import TFLiteMixin
from .ops.torch import TorchMixin
from .plugin import PluginType


class BaseSession:
    """A vAccel session.

    Args:
        flags: PluginType bits choosing the plugin: 0 picks the first loaded
            plugin, a type hint (PluginType.TORCH) the first plugin of that
            type, PluginType.REMOTE a transport (agent) plugin.

    Use as a context manager, or call release(); a session left to the
    garbage collector is released then. Raises VaccelError, e.g.
    VaccelNotImplementedError when no loaded plugin matches the flags.
    """

    def __init__(self, flags: Union[PluginType, int] = 0):
        self._ptr: Optional[int] = None
        if isinstance(flags, bool) or not isinstance(flags, int):
            raise VaccelTypeError(
                "Session", f"flags must be PluginType bits (an int), not "
                f"{type(flags).__name__}")
        if not 0 <= flags <= 0xFFFFFFFF:
            raise VaccelValueError("Session", f"flags {flags:#x} out of range")
        ptr = c_void_p()
        check(_lib.load().vaccel_session_new(byref(ptr), int(flags)),
              f"vaccel_session_new(flags={int(flags):#x})")
        self._ptr = ptr.value

    def _c(self, ctx: str) -> int:
        if not self._ptr:
            raise NullPointerError(ctx)
        return self._ptr

    @property
    def value(self) -> _lib.CSessionHead:
        """The underlying struct vaccel_session (its leading fields: id,
        remote_id, hint, is_virtio)."""
        return _lib.CSessionHead.from_address(self._c("Session.value"))

    def release(self) -> None:
        """Releases the session (unregistering its resources)."""
        ptr, self._ptr = self._ptr, None
        if ptr:
            check(_lib.load().vaccel_session_delete(ptr),
                  "vaccel_session_delete")

    def __del__(self) -> None:
        try:
            ptr, self._ptr = getattr(self, "_ptr", None), None
            if ptr:
                _lib.load().vaccel_session_delete(ptr)
        except Exception:
            # Interpreter shutdown: libvaccel's destructor releases what is
            # left.
            pass

    def __enter__(self) -> "BaseSession":
        return self

    def __exit__(self, *exc: Any) -> None:
        self.release()

    def update(self, flags: Union[PluginType, int]) -> None:
        """Re-selects the plugin (deprecated upstream; VACCEL_EBUSY while
        resources are registered)."""
        check(_lib.load().vaccel_session_update(
            self._c("Session.update"), int(flags)),
            f"vaccel_session_update(session {self.id}, flags={int(flags):#x})")

    @property
    def id(self) -> int:
        """The session id (0 once released, e.g. by cleanup())."""
        return int(self.value.id) if self._ptr else 0

    @property
    def remote_id(self) -> int:
        """The id of the agent-side session (remote sessions), else 0."""
        return int(self.value.remote_id) if self._ptr else 0

    @property
    def flags(self) -> PluginType:
        """The flags (hint) the session was created with."""
        return PluginType(self.value.hint)

    @property
    def is_remote(self) -> bool:
        """True when the session runs on a transport (agent) plugin."""
        return bool(self.value.is_virtio) if self._ptr else False

    def has_resource(self, resource: Any) -> bool:
        """True when `resource` is registered with this session."""
        from .resource import Resource
        if not isinstance(resource, Resource):
            raise VaccelTypeError(
                "Session.has_resource",
                f"expected a Resource, not {type(resource).__name__}")
        return bool(_lib.load().vaccel_session_has_resource(
            self._c("Session.has_resource"),
            resource._c("Session.has_resource")))

    def __repr__(self) -> str:
        if not self._ptr:
            return f"{type(self).__name__}(released)"
        return f"{type(self).__name__}(id={self.id}, flags={self.flags!r})"


class Session(BaseSession, NoopMixin, GenopMixin, ExecMixin, ImageMixin,
              BlasMixin, FpgaMixin, MinmaxMixin, TFMixin, TFLiteMixin,
              TorchMixin):
    """A session with every op (see BaseSession and the mixins)."""
