# SPDX-License-Identifier: Apache-2.0
"""PluginType: vaccel_plugin_type_t, the plugin type bits, which are also
the flags of a Session (VACCEL_PLUGIN_TORCH is PluginType.TORCH)."""

from __future__ import annotations

from enum import IntFlag


class PluginType(IntFlag):
    """vaccel_plugin_type_t."""

    NONE = 0
    CPU = 0x1
    GPU = 0x2
    FPGA = 0x4
    SOFTWARE = 0x8
    TENSORFLOW = 0x10
    TORCH = 0x20
    JETSON = 0x40
    GENERIC = 0x80
    DEBUG = 0x100
    REMOTE = 0x4000
    ALL = 0xFFFF
