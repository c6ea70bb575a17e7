"""Draw the installable app's icons once (issue 11, N1); the PNGs are committed as static
files of domovoy/notifications. Run again only to change the design:

    /work/main/.venv/bin/python scripts/make_pwa_icons.py

The picture is the navbar's house (web/templates/base.html, a 24×24 SVG path) in white on
the primary colour, full bleed with the house inside the central safe zone, so the same file
serves as a "maskable" icon."""

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parents[1] / "domovoy/notifications/static/notifications/icons"
PRIMARY = (13, 110, 253)  # Bootstrap's --bs-primary, the manifest's theme_color
# "M12 3 2 12h3v8h6v-5h2v5h6v-8h3z" of the navbar icon.
HOUSE = [(12, 3), (2, 12), (5, 12), (5, 20), (11, 20), (11, 15), (13, 15), (13, 20), (19, 20),
         (19, 12), (22, 12)]  # fmt: skip
SIZES = {"icon-192.png": 192, "icon-512.png": 512, "apple-touch-icon.png": 180}


def draw(size: int) -> Image.Image:
    scale = 4  # drawn large and scaled down: smooth edges
    big = size * scale
    image = Image.new("RGB", (big, big), PRIMARY)
    # The house's 20×17 box (x 2..22, y 3..20) fills 56 % of the side, centred.
    unit = big * 0.56 / 20
    dx = (big - 20 * unit) / 2 - 2 * unit
    dy = (big - 17 * unit) / 2 - 3 * unit
    ImageDraw.Draw(image).polygon(
        [(dx + x * unit, dy + y * unit) for x, y in HOUSE], fill=(255, 255, 255)
    )
    return image.resize((size, size), Image.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for name, size in SIZES.items():
        draw(size).save(OUT / name, optimize=True)
        print(OUT / name)


if __name__ == "__main__":
    main()
