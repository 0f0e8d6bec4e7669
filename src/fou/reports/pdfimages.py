"""The report's PNG figures go into the PDF as they are, not decoded and encoded again.

A PDF stores a PNG's compressed pixel rows (its ``IDAT`` chunks) directly, with
a PNG predictor. WeasyPrint gets them by decoding each image and encoding it
again with Pillow; for the figures of a report, which Pillow encoded in the
first place (:func:`fou.plotting.png_bytes`, with the same settings), that
yields the very same chunks, at about 30 ms a figure. :func:`pass_png_through`
lets WeasyPrint take the chunks from the image file instead, for the PNGs a PDF
can hold as they are (8 bits, grey or RGB, not interlaced, no transparency);
any other image, or a WeasyPrint without the step this replaces, takes
WeasyPrint's own way. The PDF is byte for byte the same (tested).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from typing import Any

#: The eight bytes every PNG file starts with.
PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
#: PNG colour types a PDF image takes without conversion: grey (0) and RGB (2).
_PLAIN_COLOUR_TYPES = (0, 2)
_MARK = "_fou_pass_png_through"


def png_idat(data: bytes) -> bytes | None:
    """The compressed pixel rows of a PNG that a PDF can hold as they are.

    Parameters
    ----------
    data
        The bytes of an image file.

    Returns
    -------
    bytes or None
        The ``IDAT`` chunks' data, joined; None for anything else than an
        8-bit, non-interlaced grey or RGB PNG without transparency (or a
        truncated file).

    Examples
    --------
    >>> from fou.plotting import new_figure, png_bytes
    >>> fig, ax = new_figure((2, 1))
    >>> len(png_idat(png_bytes(fig, dpi=50))) > 0
    True
    >>> png_idat(b"GIF89a") is None
    True
    """
    if not data.startswith(PNG_SIGNATURE):
        return None
    pos, chunks = len(PNG_SIGNATURE), []
    while pos + 8 <= len(data):
        (length,) = struct.unpack_from("!I", data, pos)
        kind, body = data[pos + 4 : pos + 8], data[pos + 8 : pos + 8 + length]
        if len(body) < length:
            return None
        if kind == b"IHDR":
            bit_depth, colour_type, interlace = body[8], body[9], body[12]
            if bit_depth != 8 or colour_type not in _PLAIN_COLOUR_TYPES or interlace:
                return None
        elif kind == b"tRNS":  # transparency: WeasyPrint builds a mask from the pixels
            return None
        elif kind == b"IDAT":
            chunks.append(body)
        elif kind == b"IEND":
            return b"".join(chunks) or None
        pos += 12 + length
    return None


def _passing_through(original: Callable[[Any], bytes]) -> Callable[[Any], bytes]:
    def png_data(pillow_image: Any) -> bytes:
        getvalue = getattr(getattr(pillow_image, "fp", None), "getvalue", None)
        if getattr(pillow_image, "format", None) == "PNG" and callable(getvalue):
            found = png_idat(getvalue())
            if found is not None:
                return found
        return original(pillow_image)

    setattr(png_data, _MARK, True)
    png_data.__wrapped__ = original  # type: ignore[attr-defined]
    return png_data


def pass_png_through() -> bool:
    """Let WeasyPrint put the PNGs a PDF can hold into it as they are (once per process).

    Returns
    -------
    bool
        True when the images pass through; False when this WeasyPrint has no
        such step (then it works as it always did).
    """
    try:
        from weasyprint import images
    except ImportError:  # pragma: no cover - WeasyPrint is a dependency
        return False
    raster = getattr(images, "RasterImage", None)
    current = getattr(raster, "_get_png_data", None)
    if raster is None or not callable(current):
        return False
    if not getattr(current, _MARK, False):
        raster._get_png_data = staticmethod(_passing_through(current))
    return True


__all__ = ["PNG_SIGNATURE", "pass_png_through", "png_idat"]
