#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Classify an image with a TorchScript model, locally and through a
vaccel-agent, with the vAccel Python bindings.

    python3 classify.py IMAGE MODEL [--agent unix:///run/vaccel.sock]

Local work runs on the torch plugin; with --agent the same request goes
through the rpc plugin to the agent, which runs it on its own torch plugin.
Plugins default to the installed libvaccel-torch.so / libvaccel-rpc.so.
The labels file comes from VACCEL_TORCH_LABELS (see docs/torch.md).
"""

import argparse
import os
import sys
import time

import vaccel
from vaccel import Config, PluginType, Resource, ResourceType, Session


def classify(flags: int, image: bytes, model_path: str, iterations: int):
    """Returns (label, seconds per classification) on a fresh session."""
    with Session(flags) as sess, \
            Resource(model_path, ResourceType.MODEL) as model:
        model.register(sess)
        label, _ = sess.classify(image)       # warm-up: loads the model
        t0 = time.perf_counter()
        for _ in range(iterations):
            label, _ = sess.classify(image)
        return label, (time.perf_counter() - t0) / max(iterations, 1)


def main() -> int:
    p = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    p.add_argument("image")
    p.add_argument("model", help="TorchScript model (.pt)")
    p.add_argument("--agent", help="agent address, e.g. unix:///tmp/a.sock")
    p.add_argument("--torch-plugin", default="libvaccel-torch.so")
    p.add_argument("--rpc-plugin", default="libvaccel-rpc.so")
    p.add_argument("-n", "--iterations", type=int, default=3)
    args = p.parse_args()

    with open(args.image, "rb") as f:
        image = f.read()
    plugins = [args.torch_plugin]
    if args.agent:
        # The rpc plugin reads its address when it is loaded.
        os.environ["VACCEL_RPC_ADDRESS"] = args.agent
        plugins.append(args.rpc_plugin)
    try:
        vaccel.bootstrap(Config(plugins=plugins))
        label, secs = classify(PluginType.TORCH, image, args.model,
                               args.iterations)
        print(f"local: {label} ({secs * 1e3:.2f} ms)")
        if args.agent:
            label, secs = classify(PluginType.REMOTE | PluginType.TORCH,
                                   image, args.model, args.iterations)
            print(f"agent: {label} ({secs * 1e3:.2f} ms)")
    except vaccel.VaccelError as e:
        print(f"classify.py: {e}", file=sys.stderr)
        return 1
    finally:
        vaccel.cleanup()
    return 0


if __name__ == "__main__":
    sys.exit(main())
