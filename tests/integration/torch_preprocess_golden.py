#!/usr/bin/env python3
# SPDX-License-Identifier: Apache-2.0
"""Golden preprocessing with torchvision's own transforms, for
torch_preprocess_test.

    torch_preprocess_golden.py OUT_DIR SIZE...

Writes OUT_DIR/image.png, a seeded random RGB image of 37 x 23 pixels
(PNG: lossless, so every decoder gives the same pixels), and for each SIZE
OUT_DIR/golden-SIZE.f32: the raw float32 CHW tensor of
to_tensor -> resize((SIZE, SIZE), bilinear, no antialias) -> normalize
with the ImageNet mean and std, as torchvision computes it.
"""
import os
import sys

import numpy as np
import torch
import torchvision.transforms.functional as F
from PIL import Image

MEAN = [0.485, 0.456, 0.406]
STD = [0.229, 0.224, 0.225]

out = sys.argv[1]
rng = np.random.default_rng(17)
pixels = rng.integers(0, 256, size=(23, 37, 3), dtype=np.uint8)
png = os.path.join(out, "image.png")
Image.fromarray(pixels, "RGB").save(png)

# Read back what was written, as a user's pipeline would.
t = F.to_tensor(Image.open(png).convert("RGB"))
for size in map(int, sys.argv[2:]):
    r = F.resize(t, [size, size], F.InterpolationMode.BILINEAR,
                 antialias=False)
    n = F.normalize(r, MEAN, STD)
    n.contiguous().numpy().astype("<f4").tofile(
        os.path.join(out, f"golden-{size}.f32"))
