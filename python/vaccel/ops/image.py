# SPDX-License-Identifier: Apache-2.0
"""Image ops: classify, detect, segment, pose, depth.

They run on the session's first MODEL resource when the plugin needs one
(the torch plugin classifies with it). The image is encoded bytes
(JPEG/PNG), given as any bytes-like object or as a path to read.
"""

from __future__ import annotations

import ctypes
import os
from typing import Any, Optional, Tuple, Union

from .. import _buffer, _lib
from ..error import VaccelTypeError, VaccelValueError, check
from .._validate import check_int
from ._base import SessionBase

ImageLike = Union[bytes, bytearray, memoryview, str, os.PathLike]


def _image(image: Any, ctx: str) -> _buffer.CBuffer:
    if isinstance(image, (str, os.PathLike)):
        try:
            with open(image, "rb") as f:
                image = f.read()
        except OSError as e:
            raise VaccelValueError(ctx, f"cannot read image: {e}") from None
    elif not _buffer.is_buffer(image):
        raise VaccelTypeError(
            ctx, f"image must be bytes or a path, not {type(image).__name__}")
    buf = _buffer.get(image, ctx)
    if buf.size == 0:
        raise VaccelValueError(ctx, "the image is empty")
    return buf


class ImageMixin(SessionBase):
    """Session.classify/detect/segment/pose/depth().

    Attributes:
        _out_len: the size of the output text buffers (512, as upstream);
            longer outputs are truncated to _out_len - 1 bytes. Each method
            also takes out_len= for one call.
    """

    _out_len = 512

    def _out_size(self, out_len: Optional[int], ctx: str) -> int:
        return check_int(self._out_len if out_len is None else out_len,
                         "out_len", ctx, 1)

    def classify(self, image: ImageLike, out_len: Optional[int] = None
                 ) -> Tuple[str, str]:
        """Classifies an image; returns (label text, output image name)."""
        ctx = "classify"
        size = self._out_size(out_len, ctx)
        img = _image(image, ctx)
        text = ctypes.create_string_buffer(size)
        name = ctypes.create_string_buffer(size)
        check(_lib.load().vaccel_image_classification(
            self._c(ctx), img.ptr, text, name, img.size, size, size),
            f"vaccel_image_classification(session {self.id}, "
            f"{img.size} bytes)")
        return (text.value.decode(errors="replace"),
                name.value.decode(errors="replace"))

    def _image_op(self, fn: str, image: ImageLike,
                  out_len: Optional[int]) -> str:
        size = self._out_size(out_len, fn)
        img = _image(image, fn)
        out = ctypes.create_string_buffer(size)
        check(getattr(_lib.load(), "vaccel_" + fn)(
            self._c(fn), img.ptr, out, img.size, size),
            f"vaccel_{fn}(session {self.id}, {img.size} bytes)")
        return out.value.decode(errors="replace")

    def detect(self, image: ImageLike, out_len: Optional[int] = None) -> str:
        """Object detection; returns the output image name."""
        return self._image_op("image_detection", image, out_len)

    def segment(self, image: ImageLike, out_len: Optional[int] = None) -> str:
        """Image segmentation; returns the output image name."""
        return self._image_op("image_segmentation", image, out_len)

    def pose(self, image: ImageLike, out_len: Optional[int] = None) -> str:
        """Pose estimation; returns the output image name."""
        return self._image_op("image_pose", image, out_len)

    def depth(self, image: ImageLike, out_len: Optional[int] = None) -> str:
        """Depth estimation; returns the output image name."""
        return self._image_op("image_depth", image, out_len)
