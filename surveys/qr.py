"""QR codes of the short public links (segno: SVG and PNG, no system library)."""

from __future__ import annotations

import base64
import io

import segno


def qr_svg(url: str, *, scale: int = 8, title: str = "") -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(
        buffer, kind="svg", scale=scale, border=2, xmldecl=False, svgns=True, title=title or None, nl=False
    )
    return buffer.getvalue()


def qr_png(url: str, *, scale: int = 10) -> bytes:
    buffer = io.BytesIO()
    segno.make(url, error="m").save(buffer, kind="png", scale=scale, border=2)
    return buffer.getvalue()


def qr_png_data_uri(url: str, *, scale: int = 10) -> str:
    """The PNG as a data: URI, for PDF documents (WeasyPrint reads data: URIs, nothing remote)."""
    return "data:image/png;base64," + base64.b64encode(qr_png(url, scale=scale)).decode()
