# SPDX-License-Identifier: Apache-2.0
"""`pip install` from the source tree works offline and the installed
package works."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import need, run_python


def test_pip_install_offline(tmp_path):
    src = need("python_src")
    target = tmp_path / "site"
    res = subprocess.run(
        [sys.executable, "-m", "pip", "install", "--no-index", "--no-deps",
         "--disable-pip-version-check", "--no-cache-dir", "--target",
         str(target), str(src)],
        capture_output=True, text=True,
        env=dict(os.environ, PIP_NO_INPUT="1"))
    assert res.returncode == 0, res.stdout + res.stderr
    assert (target / "vaccel" / "__init__.py").exists()
    assert (target / "vaccel" / "py.typed").exists()
    assert list(target.glob("vaccel-*.dist-info/RECORD"))
    # The installed copy, not the source tree, serves a session.
    out = run_python(
        "import vaccel\n"
        "print(vaccel.__file__)\n"
        "vaccel.Session().noop()\n",
        env={"PYTHONPATH": str(target)})
    assert out.returncode == 0, out.stderr
    assert str(target) in out.stdout
