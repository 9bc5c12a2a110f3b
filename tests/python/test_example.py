# SPDX-License-Identifier: Apache-2.0
"""python/examples/classify.py classifies locally and through the agent,
with the C API's label."""

from __future__ import annotations

import os
import subprocess
import sys

from conftest import need


def test_classify_example(agent):
    src = need("python_src")
    model = need("torch_data") / "tiny_cnn.pt"
    image = need("image")
    res = subprocess.run(
        [sys.executable, str(src / "examples" / "classify.py"), str(image),
         str(model), "--agent", agent, "--torch-plugin",
         str(need("torch")), "--rpc-plugin", str(need("rpc")), "-n", "2"],
        capture_output=True, text=True, env=dict(os.environ))
    assert res.returncode == 0, res.stdout + res.stderr
    lines = dict(line.split(": ", 1) for line in res.stdout.splitlines()
                 if line.startswith(("local: ", "agent: ")))
    local = lines["local"].rsplit(" (", 1)[0]
    remote = lines["agent"].rsplit(" (", 1)[0]
    from test_torch import c_classify
    assert local == remote == c_classify(model, image)


def test_classify_example_bad_model(tmp_path):
    src = need("python_src")
    res = subprocess.run(
        [sys.executable, str(src / "examples" / "classify.py"),
         str(need("image")), str(tmp_path / "missing.pt"),
         "--torch-plugin", str(need("torch"))],
        capture_output=True, text=True)
    assert res.returncode == 1
    assert "VACCEL_ENOENT" in res.stderr
