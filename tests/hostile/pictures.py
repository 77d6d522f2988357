"""Hostile and odd pictures, made at test time (nothing large is kept in the repository).

Each function returns the bytes of one file. Used by the photo and evidence corpora and by any
test that needs a picture an attacker (or an unusual camera) would send.
"""

from __future__ import annotations

import io
import struct
import zlib

from PIL import Image

SCRIPT = b"<script>alert(document.cookie)</script>"
HTML = b"<!DOCTYPE html><html><body>" + SCRIPT + b"</body></html>"


def _save(image: Image.Image, fmt: str, **options) -> bytes:
    buffer = io.BytesIO()
    image.save(buffer, format=fmt, **options)
    return buffer.getvalue()


def jpeg(size=(32, 24), colour=(200, 60, 30), **options) -> bytes:
    return _save(Image.new("RGB", size, colour), "JPEG", **options)


def png(size=(32, 24), colour=(30, 120, 60)) -> bytes:
    return _save(Image.new("RGB", size, colour), "PNG")


def webp(size=(32, 24), colour=(30, 60, 200)) -> bytes:
    return _save(Image.new("RGB", size, colour), "WEBP")


def jpeg_with_script_comment() -> bytes:
    """A valid JPEG whose comment segment holds a script (the XSS of issue 11)."""
    return jpeg(comment=HTML)


def jpeg_html_polyglot() -> bytes:
    """A valid JPEG followed by an HTML page: an image to a decoder, a page to a sniffing browser."""
    return jpeg() + HTML


def jpeg_with_exif(orientation: int = 6) -> bytes:
    """A 32×24 JPEG whose EXIF says "rotate 90°" and carries a GPS position and a description."""
    image = Image.new("RGB", (32, 24), (10, 200, 10))
    exif = image.getexif()
    exif[0x0112] = orientation  # Orientation
    exif[0x010E] = SCRIPT.decode()  # ImageDescription
    exif[0x8825] = {1: "N", 2: (10.0, 45.0, 0.0), 3: "E", 4: (106.0, 40.0, 0.0)}  # GPS
    return _save(image, "JPEG", exif=exif)


def gif_js_polyglot() -> bytes:
    """A GIF whose header is also the start of a JavaScript comment, ending in a script."""
    gif = _save(Image.new("P", (1, 1)), "GIF")
    return b"GIF89a/*" + gif[8:] + b"*/=alert(document.domain);"


def gif() -> bytes:
    return _save(Image.new("RGB", (4, 4)), "GIF")


def svg_with_script() -> bytes:
    return b'<svg xmlns="http://www.w3.org/2000/svg" width="10" height="10">' + SCRIPT + b"</svg>"


def html() -> bytes:
    return HTML


def html_behind_jpeg_magic() -> bytes:
    """The JPEG start-of-image marker followed by a page: a decoder takes it for a JPEG."""
    return b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + HTML


def truncated_jpeg() -> bytes:
    content = _save(Image.effect_noise((64, 64), 60).convert("RGB"), "JPEG")
    return content[: len(content) // 2]


def truncated_png() -> bytes:
    content = _save(Image.effect_noise((64, 64), 60).convert("RGB"), "PNG")
    return content[: len(content) // 2]


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def png_header(width: int, height: int) -> bytes:
    """A PNG that declares ``width`` × ``height`` (8-bit grey) with one row of data: its header
    alone is what a decompression bomb looks like before decoding."""
    ihdr = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)
    idat = zlib.compress(b"\x00" * (min(width, 4096) + 1))
    return b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", ihdr) + _chunk(b"IDAT", idat) + _chunk(b"IEND", b"")


def png_bomb(width: int = 7000, height: int = 6000) -> bytes:
    """A whole, valid, black PNG of 42 megapixels in a few kilobytes."""
    return _save(Image.new("1", (width, height)), "PNG")


def png_text_bomb() -> bytes:
    """A small PNG with a compressed text chunk that inflates to 8 MB."""
    base = png()
    ztxt = b"Comment\x00\x00" + zlib.compress(b"A" * (8 * 1024 * 1024), 9)
    return base[:33] + _chunk(b"zTXt", ztxt) + base[33:]


def mpo() -> bytes:
    """A JPEG with a second picture (MPO), as many phone cameras write: red, then blue."""
    first, second = Image.new("RGB", (20, 10), (255, 0, 0)), Image.new("RGB", (20, 10), (0, 0, 255))
    return _save(first, "MPO", save_all=True, append_images=[second])


def cmyk_jpeg() -> bytes:
    return _save(Image.new("CMYK", (20, 10), (0, 200, 200, 0)), "JPEG")


def png_16bit() -> bytes:
    """A 16-bit greyscale PNG at 40000/65535 (so 156 once made 8-bit)."""
    return _save(Image.new("I;16", (20, 10), 40000), "PNG")


def png_palette_transparent() -> bytes:
    """A palette PNG whose colour 0 is transparent: the left half clear, the right half red."""
    image = Image.new("P", (20, 10), 0)
    image.putpalette([0, 0, 0, 255, 0, 0] + [0, 0, 0] * 254)
    image.paste(1, (10, 0, 20, 10))
    return _save(image, "PNG", transparency=0)


def animated_webp() -> bytes:
    frames = [Image.new("RGB", (16, 16), colour) for colour in ((255, 0, 0), (0, 255, 0), (0, 0, 255))]
    return _save(frames[0], "WEBP", save_all=True, append_images=frames[1:], duration=100, loop=0)


def animated_png() -> bytes:
    frames = [Image.new("RGBA", (16, 16), colour) for colour in ((255, 0, 0, 255), (0, 255, 0, 128))]
    return _save(frames[0], "PNG", save_all=True, append_images=frames[1:], duration=100)


def rgba_webp() -> bytes:
    return _save(Image.new("RGBA", (16, 16), (0, 0, 255, 100)), "WEBP")


BROKEN = "The image cannot be read: it is damaged or incomplete."


def refused_by_every_image_upload(not_accepted: str) -> list[tuple]:
    """(file name, maker, message) of the pictures every image upload refuses, whatever it is for:
    what is not an accepted image by content (``not_accepted`` is that upload's own message),
    damaged files and bombs."""
    return [
        ("anh.gif", gif_js_polyglot, not_accepted),
        ("anh.gif", gif, not_accepted),
        ("anh.svg", svg_with_script, not_accepted),
        ("anh.jpg", html, not_accepted),
        ("anh.jpg", html_behind_jpeg_magic, not_accepted),
        ("anh.jpg", truncated_jpeg, BROKEN),
        ("anh.png", truncated_png, BROKEN),
        ("chu.png", png_text_bomb, BROKEN),
        ("bom.png", png_bomb, "The image is 7000 × 6000 pixels, over the limit of 40 megapixels."),
        ("bom.png", lambda: png_header(100_000, 100_000), "The image is over the limit of 40 megapixels."),
    ]
