# SPDX-License-Identifier: Apache-2.0
"""Op families, each a mixin of Session (one module per family)."""
