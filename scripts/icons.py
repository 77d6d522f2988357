"""Draw the favicon and app icons into ocop/static/ocop/icons (run once; the files are committed):
    .venv/bin/python scripts/icons.py
A gold five-pointed star on the programme's green, the mark of an OCOP-recognised product."""

import math
from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "ocop" / "static" / "ocop" / "icons"
GREEN, GOLD = "#1b6b3a", "#f2b705"


def star(cx, cy, outer, inner):
    points = []
    for i in range(10):
        r = outer if i % 2 == 0 else inner
        a = -math.pi / 2 + i * math.pi / 5
        points.append((cx + r * math.cos(a), cy + r * math.sin(a)))
    return points


def draw(size: int, *, rounded: bool) -> Image.Image:
    scale = 8  # drawn large and reduced, for smooth edges
    big = size * scale
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if rounded:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.18, fill=GREEN)
    else:  # apple-touch-icon and maskable icons: the system rounds the corners
        pen.rectangle((0, 0, big, big), fill=GREEN)
    pen.polygon(star(big / 2, big * 0.53, big * 0.40, big * 0.16), fill=GOLD)
    return image.resize((size, size), Image.LANCZOS)


def svg() -> str:
    points = " ".join(f"{x:.2f},{y:.2f}" for x, y in star(32, 33.92, 25.6, 10.24))
    return (
        '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 64 64">'
        f'<rect width="64" height="64" rx="11.5" fill="{GREEN}"/>'
        f'<polygon points="{points}" fill="{GOLD}"/></svg>\n'
    )


if __name__ == "__main__":
    OUT.mkdir(parents=True, exist_ok=True)
    (OUT / "favicon.svg").write_text(svg(), encoding="utf-8")
    draw(32, rounded=True).save(OUT / "favicon-32.png", optimize=True)
    draw(48, rounded=True).save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    draw(180, rounded=False).save(OUT / "apple-touch-icon.png", optimize=True)
    draw(192, rounded=False).save(OUT / "icon-192.png", optimize=True)
    draw(512, rounded=False).save(OUT / "icon-512.png", optimize=True)
