# SPDX-License-Identifier: Apache-2.0
"""A minimal, dependency-free PEP 517 build backend for the vaccel package.

The package is pure Python (ctypes), so a wheel is just a zip of vaccel/
plus metadata. Doing that here, instead of requiring setuptools and wheel
in the build environment, lets `pip install ./python` work with no network
access: pip's isolated build environment needs nothing to be installed.

Supports build_wheel, build_sdist and build_editable (PEP 660, through a
.pth file pointing at the source tree).
"""

from __future__ import annotations

import base64
import hashlib
import io
import os
import tarfile
import zipfile

NAME = "vaccel"
VERSION = "0.8.0"
ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
DIST = f"{NAME}-{VERSION}"
TAG = "py3-none-any"

METADATA = f"""Metadata-Version: 2.1
Name: {NAME}
Version: {VERSION}
Summary: Python bindings for vAccel (ctypes over libvaccel)
License: Apache-2.0
Requires-Python: >=3.8
Provides-Extra: numpy
Requires-Dist: numpy; extra == "numpy"

Python bindings for vAccel. Needs libvaccel installed (or VACCEL_LIBRARY
set to its path). See docs/python.md.
"""

WHEEL = f"""Wheel-Version: 1.0
Generator: vaccel_build {VERSION}
Root-Is-Purelib: true
Tag: {TAG}
"""


def _package_files():
    """(absolute path, archive name) of every file of the package."""
    pkg = os.path.join(ROOT, NAME)
    for dirpath, dirnames, filenames in os.walk(pkg):
        dirnames[:] = sorted(d for d in dirnames if d != "__pycache__")
        for f in sorted(filenames):
            if f.endswith((".pyc", ".pyo")):
                continue
            full = os.path.join(dirpath, f)
            yield full, os.path.relpath(full, ROOT).replace(os.sep, "/")


def _record_line(name: str, data: bytes) -> str:
    digest = base64.urlsafe_b64encode(hashlib.sha256(data).digest())
    return f"{name},sha256={digest.rstrip(b'=').decode()},{len(data)}"


def _write_wheel(directory: str, files) -> str:
    """Writes a wheel holding `files` ((archive name, bytes) pairs)."""
    info = f"{DIST}.dist-info"
    name = f"{DIST}-{TAG}.whl"
    entries = list(files) + [(f"{info}/METADATA", METADATA.encode()),
                             (f"{info}/WHEEL", WHEEL.encode())]
    record = [_record_line(n, d) for n, d in entries]
    record.append(f"{info}/RECORD,,")
    entries.append((f"{info}/RECORD", ("\n".join(record) + "\n").encode()))
    with zipfile.ZipFile(os.path.join(directory, name), "w",
                         zipfile.ZIP_DEFLATED) as zf:
        for n, d in entries:
            zf.writestr(n, d)
    return name


def _metadata_dir(directory: str) -> str:
    info = f"{DIST}.dist-info"
    os.makedirs(os.path.join(directory, info), exist_ok=True)
    for n, text in (("METADATA", METADATA), ("WHEEL", WHEEL)):
        with open(os.path.join(directory, info, n), "w") as f:
            f.write(text)
    return info


# --- PEP 517 hooks ----------------------------------------------------------

def get_requires_for_build_wheel(config_settings=None):
    return []


def get_requires_for_build_sdist(config_settings=None):
    return []


def get_requires_for_build_editable(config_settings=None):
    return []


def prepare_metadata_for_build_wheel(metadata_directory,
                                     config_settings=None):
    return _metadata_dir(metadata_directory)


def prepare_metadata_for_build_editable(metadata_directory,
                                        config_settings=None):
    return _metadata_dir(metadata_directory)


def build_wheel(wheel_directory, config_settings=None,
                metadata_directory=None):
    files = []
    for full, arc in _package_files():
        with open(full, "rb") as f:
            files.append((arc, f.read()))
    return _write_wheel(wheel_directory, files)


def build_editable(wheel_directory, config_settings=None,
                   metadata_directory=None):
    pth = (ROOT + "\n").encode()
    return _write_wheel(wheel_directory, [(f"_{NAME}_editable.pth", pth)])


def build_sdist(sdist_directory, config_settings=None):
    name = f"{DIST}.tar.gz"
    with tarfile.open(os.path.join(sdist_directory, name), "w:gz") as tf:
        for rel in ("pyproject.toml", "README.md",
                    "_backend/vaccel_build.py"):
            full = os.path.join(ROOT, rel)
            if os.path.exists(full):
                tf.add(full, f"{DIST}/{rel}")
        for full, arc in _package_files():
            tf.add(full, f"{DIST}/{arc}")
        pkg_info = tarfile.TarInfo(f"{DIST}/PKG-INFO")
        data = METADATA.encode()
        pkg_info.size = len(data)
        tf.addfile(pkg_info, io.BytesIO(data))
    return name
