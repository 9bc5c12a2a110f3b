# SPDX-License-Identifier: Apache-2.0
"""Checks of scalar arguments before they reach C: the wrong type raises
VaccelTypeError, a value out of range VaccelValueError."""

from __future__ import annotations

from typing import Any


def check_int(value: Any, name: str, ctx: str, minimum: int = 0) -> int:
    """`value` as an int >= minimum."""
    from .error import VaccelTypeError, VaccelValueError
    if isinstance(value, bool) or not isinstance(value, int):
        raise VaccelTypeError(
            ctx, f"{name} must be an int, not {type(value).__name__}")
    if value < minimum:
        raise VaccelValueError(ctx, f"{name} must be >= {minimum}, "
                               f"not {value}")
    return value


def enum_arg(enum: Any, value: Any, name: str, ctx: str) -> Any:
    """`value` as a member of the IntEnum `enum`."""
    from .error import VaccelTypeError, VaccelValueError
    if isinstance(value, bool) or not isinstance(value, int):
        raise VaccelTypeError(
            ctx, f"{name} must be a {enum.__name__}, not {value!r}")
    try:
        return enum(value)
    except ValueError:
        raise VaccelValueError(
            ctx, f"unknown {name} {value} (not a {enum.__name__})") from None
