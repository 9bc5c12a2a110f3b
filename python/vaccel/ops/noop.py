# SPDX-License-Identifier: Apache-2.0
"""The no-op."""

from __future__ import annotations

from .. import _lib
from ..error import check
from ._base import SessionBase


class NoopMixin(SessionBase):
    """Session.noop()."""

    def noop(self) -> None:
        """Dispatches an op that does nothing (measures the overhead)."""
        check(_lib.load().vaccel_noop(self._c("noop")),
              f"vaccel_noop(session {self.id})")
