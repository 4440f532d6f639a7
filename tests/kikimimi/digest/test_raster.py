"""The PNG canvas of the digest's charts: shapes land on the pixels they name, clipped at the
edges, and the file is a valid PNG."""

from __future__ import annotations

import pytest

from kikimimi.digest.raster import Canvas, colour
from tests.kikimimi.digest.png import read_png

RED, WHITE = colour("#ff0000"), (255, 255, 255)


def test_a_rectangle_fills_up_to_its_far_corner_and_is_clipped() -> None:
    canvas = Canvas(10, 6)
    canvas.rectangle(2, 1, 5, 3, RED)
    canvas.rectangle(8, 4, 40, -9, RED)  # corners in any order, far outside

    picture = read_png(canvas.png())

    assert (picture.width, picture.height) == (10, 6)
    filled = {(x, y) for y in range(6) for x in range(10) if picture.pixel(x, y) == RED}
    assert {(x, y) for x in range(2, 5) for y in range(1, 3)} <= filled
    assert (5, 1) not in filled and (2, 3) not in filled
    assert {(8, y) for y in range(4)} | {(9, 0)} <= filled


def test_a_line_passes_through_its_points() -> None:
    canvas = Canvas(20, 20)
    canvas.line([(2, 2), (17, 17)], RED, width=2)

    picture = read_png(canvas.png())

    assert all(picture.pixel(n, n) == RED for n in range(2, 17))
    assert picture.pixel(17, 2) == WHITE


def test_colours_and_sizes_are_checked() -> None:
    assert colour("#3e7cb1") == (62, 124, 177)
    with pytest.raises(ValueError, match="at least one pixel"):
        Canvas(0, 10)
