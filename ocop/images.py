"""What an uploaded picture really is, made safe to keep and serve: decoded, bounded, written afresh.

A pure core (Pillow, no Django), used for product photos and for images given as evidence. The
name a file came with proves nothing:

1. Only the JPEG, PNG and WebP decoders are tried (Pillow's other decoders never see the bytes);
   anything else (GIF, SVG, HTML, a program) is refused as ``not_image``.
2. The pixel count is read from the header and checked against the limit *before* any pixel is
   decoded, so a decompression bomb (a few kilobytes declaring gigapixels) costs nothing; one
   beyond Pillow's own bomb limit is refused the same way.
3. The file's structure is verified and its first frame decoded in full: a truncated or damaged
   file is refused as ``broken``.
4. The picture is encoded again, in the type it decoded as, from its pixels alone: no comment,
   EXIF (GPS position included), XMP, text chunk, colour profile or anything appended after the
   image (the HTML or script of a polyglot) survives. The EXIF orientation is applied first and
   a colour profile converted to sRGB, so the picture looks as it did. Animated images keep
   their first frame.

Public API: :func:`normalise` -> :class:`Picture`; :class:`Refused` (``code`` and ``params``,
worded by the caller in the user's language).
"""

from __future__ import annotations

import contextlib
import io
from dataclasses import dataclass

from PIL import Image, ImageCms, ImageOps, UnidentifiedImageError

# The decoders tried (an MPO is the JPEG many phone cameras write: a JPEG with a second view).
DECODERS = ("JPEG", "PNG", "WEBP")
KINDS = {
    "JPEG": ("image/jpeg", "jpg"),
    "MPO": ("image/jpeg", "jpg"),
    "PNG": ("image/png", "png"),
    "WEBP": ("image/webp", "webp"),
}
# The extension of every type a picture is stored as, and the type of every extension.
EXTENSIONS = {content_type: extension for content_type, extension in KINDS.values()}
CONTENT_TYPES = {"jpg": "image/jpeg", "jpeg": "image/jpeg", "png": "image/png", "webp": "image/webp"}
ENCODER = {"image/jpeg": "JPEG", "image/png": "PNG", "image/webp": "WEBP"}
ENCODER_OPTIONS = {"JPEG": {"quality": 88}, "PNG": {}, "WEBP": {"quality": 88}}

_GREY_16 = {"I", "I;16", "I;16L", "I;16B", "I;16N", "F"}
_SRGB = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB"))


class Refused(ValueError):
    """The file is refused. ``code`` is stable; ``params`` fill the caller's message.

    Codes: ``empty``; ``not_image`` (not a JPEG, PNG or WebP); ``broken`` (cannot be decoded);
    ``too_many_pixels`` (``limit``, and ``width`` and ``height`` when the header could be read).
    """

    def __init__(self, code: str, **params):
        self.code = code
        self.params = params
        super().__init__(f"{code}: {params}" if params else code)


@dataclass(frozen=True, slots=True)
class Picture:
    """A picture re-encoded from its pixels: ``content`` is what to store, under ``extension``."""

    content: bytes
    content_type: str
    extension: str
    width: int
    height: int


def normalise(content: bytes, *, max_pixels: int) -> Picture:
    """Decode ``content`` as a JPEG, PNG or WebP within ``max_pixels`` and encode it again."""
    if not content:
        raise Refused("empty")
    try:
        with Image.open(io.BytesIO(content), formats=DECODERS) as image:
            width, height = image.size
            if width * height > max_pixels:
                raise Refused("too_many_pixels", width=width, height=height, limit=max_pixels)
            content_type, extension = KINDS[image.format]
            image.verify()  # the file's structure: chunk checksums, the end marker
        with Image.open(io.BytesIO(content), formats=DECODERS) as image:
            image.load()  # verify() decodes nothing: a file cut short fails only here
            clean = _pixels(image, content_type)
            buffer = io.BytesIO()
            encoder = ENCODER[content_type]
            clean.save(buffer, format=encoder, **ENCODER_OPTIONS[encoder])
    except Refused:
        raise
    except Image.DecompressionBombError:  # over Pillow's own limit: refused from the header too
        raise Refused("too_many_pixels", limit=max_pixels) from None
    except (UnidentifiedImageError, KeyError):
        raise Refused("not_image") from None
    except Exception:
        # A decoder fed hostile bytes may fail in many ways (OSError for a truncated file,
        # SyntaxError, ValueError for an oversized text chunk, struct errors...): to the person
        # uploading, they all mean the picture cannot be read.
        raise Refused("broken") from None
    return Picture(buffer.getvalue(), content_type, extension, clean.width, clean.height)


def _pixels(image: Image.Image, content_type: str) -> Image.Image:
    """The picture's pixels upright, in sRGB, in a mode its type stores, with no metadata.

    Works on ``image`` itself where it can: a 40-megapixel picture is 160 MB in memory, and
    every copy is as much again."""
    profile = image.info.get("icc_profile")
    transparent = "transparency" in image.info or image.mode in ("RGBA", "LA", "PA", "La", "RGBa")
    if image.mode in _GREY_16:
        # 16-bit grey: scale to 8 bits (a plain conversion would clip everything above 255).
        image = image.convert("I").point(lambda value: value * (1 / 256)).convert("L")
    with contextlib.suppress(Exception):  # a damaged EXIF block: the picture as it is stored
        ImageOps.exif_transpose(image, in_place=True)
    grey = image.mode in ("1", "L", "LA", "La")
    if content_type == "image/jpeg":
        mode = "L" if grey else "RGB"
    elif transparent:
        mode = "LA" if grey and content_type == "image/png" else "RGBA"
    else:
        mode = "L" if grey and content_type == "image/png" else "RGB"
    if profile and not grey:
        image = _to_srgb(image, profile, "RGBA" if mode == "RGBA" else "RGB")
    if image.mode != mode:
        image = image.convert(mode)
    image.info = {}  # encoders write what info holds (a JPEG's comment, for one)
    return image


def _to_srgb(image: Image.Image, profile: bytes, mode: str) -> Image.Image:
    working = image if image.mode in ("RGB", "RGBA", "CMYK") else image.convert(mode)
    try:
        source = ImageCms.ImageCmsProfile(io.BytesIO(profile))
        return ImageCms.profileToProfile(
            working, source, _SRGB, outputMode="RGB" if working.mode == "CMYK" else working.mode
        )
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return working  # an unusable profile: the colours as stored
