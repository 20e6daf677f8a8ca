"""A horizontal bar chart written as PNG with the standard library only (zlib for the deflate stream).

Text uses a built-in 5x7 bitmap font: digits, upper-case letters (lower case is drawn upper case, except a
small 'x' for shapes like 112x112x32) and a little punctuation.
"""

from __future__ import annotations

import math
import struct
import zlib
from typing import Optional, Sequence

Color = tuple[int, int, int]

_GLYPHS = {
    "0": [".###.", "#...#", "#..##", "#.#.#", "##..#", "#...#", ".###."],
    "1": ["..#..", ".##..", "..#..", "..#..", "..#..", "..#..", ".###."],
    "2": [".###.", "#...#", "....#", "...#.", "..#..", ".#...", "#####"],
    "3": ["#####", "...#.", "..#..", "...#.", "....#", "#...#", ".###."],
    "4": ["...#.", "..##.", ".#.#.", "#..#.", "#####", "...#.", "...#."],
    "5": ["#####", "#....", "####.", "....#", "....#", "#...#", ".###."],
    "6": ["..##.", ".#...", "#....", "####.", "#...#", "#...#", ".###."],
    "7": ["#####", "....#", "...#.", "..#..", ".#...", ".#...", ".#..."],
    "8": [".###.", "#...#", "#...#", ".###.", "#...#", "#...#", ".###."],
    "9": [".###.", "#...#", "#...#", ".####", "....#", "...#.", ".##.."],
    "A": [".###.", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
    "B": ["####.", "#...#", "#...#", "####.", "#...#", "#...#", "####."],
    "C": [".###.", "#...#", "#....", "#....", "#....", "#...#", ".###."],
    "D": ["###..", "#..#.", "#...#", "#...#", "#...#", "#..#.", "###.."],
    "E": ["#####", "#....", "#....", "####.", "#....", "#....", "#####"],
    "F": ["#####", "#....", "#....", "####.", "#....", "#....", "#...."],
    "G": [".###.", "#...#", "#....", "#.###", "#...#", "#...#", ".####"],
    "H": ["#...#", "#...#", "#...#", "#####", "#...#", "#...#", "#...#"],
    "I": [".###.", "..#..", "..#..", "..#..", "..#..", "..#..", ".###."],
    "J": ["..###", "...#.", "...#.", "...#.", "...#.", "#..#.", ".##.."],
    "K": ["#...#", "#..#.", "#.#..", "##...", "#.#..", "#..#.", "#...#"],
    "L": ["#....", "#....", "#....", "#....", "#....", "#....", "#####"],
    "M": ["#...#", "##.##", "#.#.#", "#.#.#", "#...#", "#...#", "#...#"],
    "N": ["#...#", "#...#", "##..#", "#.#.#", "#..##", "#...#", "#...#"],
    "O": [".###.", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    "P": ["####.", "#...#", "#...#", "####.", "#....", "#....", "#...."],
    "Q": [".###.", "#...#", "#...#", "#...#", "#.#.#", "#..#.", ".##.#"],
    "R": ["####.", "#...#", "#...#", "####.", "#.#..", "#..#.", "#...#"],
    "S": [".####", "#....", "#....", ".###.", "....#", "....#", "####."],
    "T": ["#####", "..#..", "..#..", "..#..", "..#..", "..#..", "..#.."],
    "U": ["#...#", "#...#", "#...#", "#...#", "#...#", "#...#", ".###."],
    "V": ["#...#", "#...#", "#...#", "#...#", "#...#", ".#.#.", "..#.."],
    "W": ["#...#", "#...#", "#...#", "#.#.#", "#.#.#", "#.#.#", ".#.#."],
    "X": ["#...#", "#...#", ".#.#.", "..#..", ".#.#.", "#...#", "#...#"],
    "Y": ["#...#", "#...#", ".#.#.", "..#..", "..#..", "..#..", "..#.."],
    "Z": ["#####", "....#", "...#.", "..#..", ".#...", "#....", "#####"],
    "x": [".....", ".....", "#...#", ".#.#.", "..#..", ".#.#.", "#...#"],
    " ": [".....", ".....", ".....", ".....", ".....", ".....", "....."],
    ".": [".....", ".....", ".....", ".....", ".....", ".##..", ".##.."],
    ",": [".....", ".....", ".....", ".....", ".##..", "..#..", ".#..."],
    "-": [".....", ".....", ".....", "#####", ".....", ".....", "....."],
    "_": [".....", ".....", ".....", ".....", ".....", ".....", "#####"],
    "/": [".....", "....#", "...#.", "..#..", ".#...", "#....", "....."],
    "(": ["...#.", "..#..", ".#...", ".#...", ".#...", "..#..", "...#."],
    ")": [".#...", "..#..", "...#.", "...#.", "...#.", "..#..", ".#..."],
    ":": [".....", ".##..", ".##..", ".....", ".##..", ".##..", "....."],
    "%": ["##...", "##..#", "...#.", "..#..", ".#...", "#..##", "...##"],
    "=": [".....", ".....", "#####", ".....", "#####", ".....", "....."],
    ">": [".#...", "..#..", "...#.", "....#", "...#.", "..#..", ".#..."],
    "<": ["...#.", "..#..", ".#...", "#....", ".#...", "..#..", "...#."],
    "+": [".....", "..#..", "..#..", "#####", "..#..", "..#..", "....."],
    "*": [".....", "..#..", "#.#.#", ".###.", "#.#.#", "..#..", "....."],
    "?": [".###.", "#...#", "....#", "...#.", "..#..", ".....", "..#.."],
}


class Canvas:
    def __init__(self, width: int, height: int, background: Color = (255, 255, 255)):
        self.width, self.height = width, height
        self.pixels = bytearray(bytes(background) * (width * height))

    def rect(self, x0: int, y0: int, x1: int, y1: int, color: Color) -> None:
        """Fills [x0, x1) x [y0, y1), clipped."""
        x0, x1 = max(0, min(x0, x1)), min(self.width, max(x0, x1))
        y0, y1 = max(0, min(y0, y1)), min(self.height, max(y0, y1))
        if x0 >= x1:
            return
        row = bytes(color) * (x1 - x0)
        for y in range(y0, y1):
            start = (y * self.width + x0) * 3
            self.pixels[start:start + len(row)] = row

    def text(self, x: int, y: int, text: str, color: Color = (0, 0, 0), scale: int = 1) -> int:
        """Draws text with its top-left corner at (x, y); returns the x after the last character."""
        for ch in text:
            glyph = _GLYPHS.get(ch) or _GLYPHS.get(ch.upper()) or _GLYPHS["?"]
            for gy, line in enumerate(glyph):
                for gx, bit in enumerate(line):
                    if bit == "#":
                        self.rect(x + gx * scale, y + gy * scale, x + (gx + 1) * scale, y + (gy + 1) * scale, color)
            x += 6 * scale
        return x

    @staticmethod
    def text_width(text: str, scale: int = 1) -> int:
        return 6 * scale * len(text) - scale

    def png(self) -> bytes:
        def chunk(kind: bytes, data: bytes) -> bytes:
            return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

        stride = self.width * 3
        raw = b"".join(b"\x00" + bytes(self.pixels[y * stride:(y + 1) * stride]) for y in range(self.height))
        header = struct.pack(">IIBBBBB", self.width, self.height, 8, 2, 0, 0, 0)  # 8-bit RGB
        return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(raw, 9)) + chunk(b"IEND", b"")


def ratio_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Color, Sequence[Optional[float]]]],
    title: str,
    subtitle: str,
    footer: str = "",
) -> bytes:
    """Bars of ratios on a log axis, drawn from 1 (left: below 1, right: above 1); one group per label, one
    bar per series; None values are left out."""
    values = [v for _, _, vs in series for v in vs if v is not None and v > 0]
    lo = 10.0 ** math.floor(math.log10(min(values + [0.5])))
    hi = 10.0 ** math.ceil(math.log10(max(values + [2.0])))
    scale = 2
    label_width = max(Canvas.text_width(label, scale) for label in labels) + 20
    plot_x0, plot_x1 = label_width + 10, label_width + 10 + 640
    bar_h, bar_gap, group_gap = 8, 2, 14
    group_h = len(series) * (bar_h + bar_gap) + group_gap
    top = 90
    legend_h = 22 * ((len(series) + 1) // 2) + 10
    width = plot_x1 + 70
    height = top + group_h * len(labels) + 40 + legend_h + (24 if footer else 0)
    c = Canvas(width, height)

    def x_of(value: float) -> int:
        t = (math.log10(value) - math.log10(lo)) / (math.log10(hi) - math.log10(lo))
        return int(round(plot_x0 + t * (plot_x1 - plot_x0)))

    c.text(10, 10, title, scale=scale)
    c.text(10, 36, subtitle, color=(80, 80, 80), scale=1)
    plot_bottom = top + group_h * len(labels)

    # Decade grid, and the parity line at 1.
    decade = lo
    while decade <= hi * 1.0001:
        x = x_of(decade)
        c.rect(x, top - 6, x + 1, plot_bottom, (220, 220, 220))
        tick = f"{decade:g}"
        c.text(x - Canvas.text_width(tick, scale) // 2, plot_bottom + 6, tick, scale=scale)
        for minor in range(2, 10):
            if decade * minor < hi:
                xm = x_of(decade * minor)
                c.rect(xm, top - 2, xm + 1, plot_bottom, (242, 242, 242))
        decade *= 10
    x1 = x_of(1.0)
    c.rect(x1 - 1, top - 10, x1 + 1, plot_bottom, (0, 0, 0))
    c.text(x1 + 6, top - 14, "OURS FASTER >", color=(90, 90, 90))
    c.text(x1 - 6 - Canvas.text_width("< ORT FASTER"), top - 14, "< ORT FASTER", color=(90, 90, 90))

    for g, label in enumerate(labels):
        y = top + g * group_h
        c.text(plot_x0 - 12 - Canvas.text_width(label, scale), y + (group_h - group_gap) // 2 - 7, label, scale=scale)
        for s, (_, color, vs) in enumerate(series):
            v = vs[g]
            if v is None or v <= 0:
                continue
            yb = y + s * (bar_h + bar_gap)
            xv = min(max(x_of(v), plot_x0), plot_x1)
            c.rect(min(x1, xv), yb, max(x1, xv) + (1 if xv == x1 else 0), yb + bar_h, color)
            text = f"{v:.2f}" if v < 10 else f"{v:.1f}"
            if xv >= x1:
                c.text(xv + 3, yb, text, color=(60, 60, 60))
            else:
                c.text(xv - 3 - Canvas.text_width(text), yb, text, color=(60, 60, 60))
        c.rect(plot_x0, y + group_h - group_gap // 2, plot_x1, y + group_h - group_gap // 2 + 1, (235, 235, 235))

    ly = plot_bottom + 34
    for i, (name, color, _) in enumerate(series):
        lx = 10 + (i % 2) * 420
        yy = ly + (i // 2) * 22
        c.rect(lx, yy, lx + 24, yy + 14, color)
        c.text(lx + 32, yy, name, scale=scale)
    if footer:
        c.text(10, height - 20, footer, color=(80, 80, 80))
    return c.png()
