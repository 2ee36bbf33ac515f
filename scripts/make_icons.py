"""Draw the PWA icons (192, 512 and a maskable 512) with Pillow: a brick wall with a speech bubble.

Run `.venv/bin/python scripts/make_icons.py`; the PNGs are committed under app/static/pwa/icons/.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "app" / "static" / "pwa" / "icons"
GREEN = (11, 93, 59)
BRICK = (176, 84, 48)
MORTAR = (246, 245, 241)
WHITE = (255, 255, 255)


def draw_icon(size: int, safe_fraction: float) -> Image.Image:
    """Draw the icon at `size` px, keeping the artwork inside the central `safe_fraction` of it."""
    scale = 4  # draw large, then downsample for smooth edges
    s = size * scale
    image = Image.new("RGB", (s, s), GREEN)
    draw = ImageDraw.Draw(image)
    margin = s * (1 - safe_fraction) / 2
    box = s - 2 * margin

    def at(x: float, y: float) -> tuple[float, float]:
        return margin + x * box, margin + y * box

    # The wall: three rows of bricks across the lower part.
    rows, row_h, top = 3, 0.12, 0.62
    for row in range(rows):
        y0 = top + row * row_h
        offset = 0.0 if row % 2 == 0 else -0.125
        x = 0.08 + offset
        while x < 0.92:
            x0, x1 = max(x, 0.08), min(x + 0.25, 0.92)
            draw.rectangle([*at(x0 + 0.01, y0 + 0.01), *at(x1 - 0.01, y0 + row_h - 0.01)], fill=BRICK)
            x += 0.25
    draw.rectangle([*at(0.08, top - 0.01), *at(0.92, top + 0.005)], fill=MORTAR)
    # The speech bubble above the wall.
    draw.rounded_rectangle([*at(0.22, 0.12), *at(0.78, 0.48)], radius=0.08 * box, fill=WHITE)
    draw.polygon([at(0.36, 0.46), at(0.50, 0.46), at(0.34, 0.58)], fill=WHITE)
    for i in range(3):
        cx = 0.36 + i * 0.14
        draw.ellipse([*at(cx - 0.035, 0.265), *at(cx + 0.035, 0.335)], fill=GREEN)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    """Write icon-192.png, icon-512.png and maskable-512.png."""
    OUT.mkdir(parents=True, exist_ok=True)
    draw_icon(192, 0.9).save(OUT / "icon-192.png", optimize=True)
    draw_icon(512, 0.9).save(OUT / "icon-512.png", optimize=True)
    # Maskable icons may be cropped to a circle: keep the artwork inside the 80 % safe zone.
    draw_icon(512, 0.66).save(OUT / "maskable-512.png", optimize=True)


if __name__ == "__main__":
    main()
