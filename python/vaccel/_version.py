# SPDX-License-Identifier: Apache-2.0
"""The package version (that of the vAccel core it ships with)."""

__version__ = "0.8.0"
