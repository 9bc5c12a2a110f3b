#!/usr/bin/python3
# SPDX-License-Identifier: Apache-2.0
"""Writes the TorchScript models used by the torch plugin's examples,
benchmarks and tests.

  make-models.py [--out-dir DIR] [--models resnet18,resnet50,...] [--force]
      ResNet18/34/50/101/152 (torchvision architectures) into DIR (default
      $VACCEL_MODELS_DIR or data/models/ in the repository). Nothing can be
      downloaded here, so the weights are random but seeded, which makes every
      run write the same model. Files already present are skipped.

  make-models.py --tiny DIR
      The few-KB test models kept in tests/data/:
        tiny_cnn.pt  1x3x32x32 float -> 1x10 float (a small conv net)
        two_io.pt    (a, b) -> (a + b, a * b), float tensors of any shape
        dtypes.pt    one tensor of each supported dtype -> one of each dtype

Run it with /usr/bin/python3 (Debian's python3-torch and torchvision).
"""
import argparse
import os
import shutil
import sys
from typing import Tuple

import torch

RESNETS = ["resnet18", "resnet34", "resnet50", "resnet101", "resnet152"]
REPO = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print("make-models: " + msg, file=sys.stderr)


def write_resnet(name, path, seed):
    import torchvision

    torch.manual_seed(seed)
    model = getattr(torchvision.models, name)(weights=None)
    model.eval()
    example = torch.rand(1, 3, 224, 224)
    with torch.no_grad():
        traced = torch.jit.trace(model, example)
    # Write into a private temporary folder first so that an interrupted run
    # never leaves a truncated model that later runs would skip as
    # "present". The file keeps its final name there: TorchScript records
    # the name inside the archive, and the output should not depend on it.
    tmpdir = "%s.tmp.%d" % (path, os.getpid())
    os.makedirs(tmpdir, exist_ok=True)
    try:
        tmp = os.path.join(tmpdir, os.path.basename(path))
        traced.save(tmp)
        os.replace(tmp, path)
    finally:
        shutil.rmtree(tmpdir, ignore_errors=True)


class TinyCnn(torch.nn.Module):
    # A classifier small enough to keep in git: conv, pool, linear.
    input_size: int

    def __init__(self):
        super().__init__()
        # The plugin reads this attribute to size classify's input.
        self.input_size = 32
        self.conv = torch.nn.Conv2d(3, 4, 3, padding=1)
        self.pool = torch.nn.AdaptiveAvgPool2d(4)
        self.fc = torch.nn.Linear(4 * 4 * 4, 10)

    def forward(self, x):
        x = torch.relu(self.conv(x))
        x = self.pool(x)
        return self.fc(torch.flatten(x, 1))


class TwoIo(torch.nn.Module):
    def forward(self, a, b) -> Tuple[torch.Tensor, torch.Tensor]:
        return a + b, a * b


class Dtypes(torch.nn.Module):
    # Integer inputs get + 1 (wrapping as C does), floating ones * 2 and the
    # bool one is negated, each keeping its dtype.
    def forward(self, u8, i8, i16, i32, i64, f16, f32, f64, b):
        return (u8 + 1, i8 + 1, i16 + 1, i32 + 1, i64 + 1,
                f16 * 2, f32 * 2, f64 * 2, torch.logical_not(b))


def write_tiny(out_dir):
    os.makedirs(out_dir, exist_ok=True)
    torch.manual_seed(1234)
    models = {
        "tiny_cnn.pt": TinyCnn().eval(),
        "two_io.pt": TwoIo(),
        "dtypes.pt": Dtypes(),
    }
    for name, module in models.items():
        path = os.path.join(out_dir, name)
        torch.jit.script(module).save(path)
        log("wrote %s (%d bytes)" % (path, os.path.getsize(path)))


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out-dir", default=os.environ.get(
        "VACCEL_MODELS_DIR", os.path.join(REPO, "data", "models")))
    ap.add_argument("--models", default=",".join(RESNETS),
                    help="comma-separated subset of " + ",".join(RESNETS))
    ap.add_argument("--force", action="store_true",
                    help="rewrite models that are already present")
    ap.add_argument("--tiny", metavar="DIR",
                    help="write the tiny test models into DIR and exit")
    args = ap.parse_args()

    if args.tiny:
        write_tiny(args.tiny)
        return 0

    os.makedirs(args.out_dir, exist_ok=True)
    for name in args.models.split(","):
        if name not in RESNETS:
            log("unknown model %r (known: %s)" % (name, ", ".join(RESNETS)))
            return 2
        path = os.path.join(args.out_dir, name + ".pt")
        if os.path.exists(path) and not args.force:
            log("%s present, skipped" % path)
            continue
        # One fixed seed per architecture: reruns give identical weights.
        write_resnet(name, path, RESNETS.index(name) + 18)
        log("wrote %s (%d bytes)" % (path, os.path.getsize(path)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
