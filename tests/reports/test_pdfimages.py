"""PNG figures pass into the PDF as they are: the same PDF as WeasyPrint's own re-encoding."""

from __future__ import annotations

import base64
import io

import pytest
from PIL import Image

from fou.plotting import new_figure, png_bytes
from fou.reports import pdfimages
from fou.reports.pdfimages import pass_png_through, png_idat


def _figure_png() -> bytes:
    fig, ax = new_figure((3, 2))
    ax.plot([2019, 2020, 2021], [1.0, 3.0, 2.0])
    ax.set_title("Utveckling")
    return png_bytes(fig, dpi=80)


def _png(mode: str, **save) -> bytes:
    buf = io.BytesIO()
    Image.new(mode, (4, 3), 128 if mode == "L" else (10, 20, 30)[: len(mode)]).save(
        buf, format="png", **save
    )
    return buf.getvalue()


def test_idat_is_the_compressed_rows_of_a_plain_png():
    import zlib

    data = _figure_png()
    rows = zlib.decompress(png_idat(data))
    width, height = Image.open(io.BytesIO(data)).size
    assert len(rows) == height * (1 + 3 * width)  # a filter byte and RGB per row
    assert png_idat(_png("L")) is not None


@pytest.mark.parametrize(
    "data",
    [
        _png("RGBA"),  # an alpha channel: WeasyPrint splits it off
        _png("RGB", transparency=(10, 20, 30)),  # tRNS
        _png("P"),  # a palette
        _png("RGB")[:40],  # truncated
        b"GIF89a",
    ],
)
def test_other_images_take_weasyprints_own_way(data):
    assert png_idat(data) is None


def _html_with(png: bytes) -> str:
    src = "data:image/png;base64," + base64.b64encode(png).decode()
    return (
        f'<html><body><h1>Figur</h1><p>Text.</p><img src="{src}" style="width: 8cm"></body></html>'
    )


def test_the_pdf_is_byte_for_byte_the_one_weasyprint_makes(tmp_path, monkeypatch):
    from weasyprint import HTML, images

    html = _html_with(_figure_png())
    own = images.RasterImage._get_png_data
    own = getattr(own, "__wrapped__", own)  # WeasyPrint's own, if an export installed ours
    monkeypatch.setattr(images.RasterImage, "_get_png_data", staticmethod(own))
    plain = HTML(string=html).write_pdf()

    calls = []
    monkeypatch.setattr(pdfimages, "png_idat", lambda d: calls.append(1) or png_idat(d))
    assert pass_png_through()
    assert getattr(images.RasterImage._get_png_data, "_fou_pass_png_through", False)
    assert pass_png_through()  # installing twice wraps once
    passed = HTML(string=html).write_pdf()
    assert calls, "the figure did not pass through"
    assert passed == plain
