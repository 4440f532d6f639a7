"""A small RGB picture drawn with filled rectangles and thick lines, written as a PNG with the
standard library only (``zlib`` and ``struct``): enough for the digest's bar and line charts,
which mail clients show where they refuse SVG."""

from __future__ import annotations

import struct
import zlib
from collections.abc import Sequence

__all__ = ["Canvas", "Colour", "colour"]

Colour = tuple[int, int, int]
_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def colour(hex_code: str) -> Colour:
    """``"#3e7cb1"`` as ``(62, 124, 177)``."""
    value = int(hex_code.removeprefix("#"), 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


class Canvas:
    """``width`` × ``height`` pixels; (0, 0) is the top left corner. Shapes are clipped."""

    def __init__(self, width: int, height: int, background: Colour = (255, 255, 255)) -> None:
        if width < 1 or height < 1:
            raise ValueError("a canvas needs at least one pixel")
        self.width = width
        self.height = height
        self._rows = [bytearray(bytes(background) * width) for _ in range(height)]

    def rectangle(self, left: float, top: float, right: float, bottom: float, fill: Colour) -> None:
        """Fill the pixels from (``left``, ``top``) up to, not including, (``right``,
        ``bottom``); the corners are rounded to whole pixels and may come in either order."""
        x0, x1 = sorted((self._x(left), self._x(right)))
        y0, y1 = sorted((self._y(top), self._y(bottom)))
        if x1 <= x0:
            return
        run = bytes(fill) * (x1 - x0)
        for row in self._rows[y0:y1]:
            row[x0 * 3 : x1 * 3] = run

    def line(self, points: Sequence[tuple[float, float]], stroke: Colour, width: int = 2) -> None:
        """A line ``width`` pixels thick through ``points`` (one point: a dot)."""
        half = width / 2
        for (x0, y0), (x1, y1) in zip(points, [*points[1:], points[-1]], strict=True):
            steps = max(1, round(max(abs(x1 - x0), abs(y1 - y0))))
            for step in range(steps + 1):
                x = x0 + (x1 - x0) * step / steps
                y = y0 + (y1 - y0) * step / steps
                self.rectangle(x - half, y - half, x + half, y + half, stroke)

    def png(self) -> bytes:
        """The picture as a PNG file (8-bit RGB, no interlacing)."""
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)
        raw = b"".join(b"\x00" + bytes(row) for row in self._rows)  # filter "none" per row
        return (
            _SIGNATURE
            + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(raw, 9))
            + _chunk(b"IEND", b"")
        )

    def _x(self, x: float) -> int:
        return min(max(round(x), 0), self.width)

    def _y(self, y: float) -> int:
        return min(max(round(y), 0), self.height)


def _chunk(kind: bytes, data: bytes) -> bytes:
    return (
        struct.pack(">I", len(data))
        + kind
        + data
        + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)
    )
