"""Team members' photos: an upload becomes a small, clean JPEG, or is refused with a message to show.

The uploaded bytes are never kept or served. `reencode` accepts only real JPEG, PNG and WebP images,
checks the pixel count before decoding anything (a small file can claim a huge picture: a
"decompression bomb"), turns the picture the way its EXIF orientation says, converts it to sRGB,
scales it to fit 600 × 600 and writes a new JPEG from the pixels alone, so no metadata survives: no EXIF
(camera, GPS position, date), no comments, no text chunks, no colour profile, no thumbnails.
"""

from __future__ import annotations

from io import BytesIO

from PIL import Image, ImageCms, ImageOps

MAX_UPLOAD_BYTES = 5 * 1024 * 1024  # the photo itself
# While the form is read: larger uploads are cut off there (413); those between MAX_UPLOAD_BYTES and this
# reach `read_upload`, which refuses them with the form shown again and what was typed kept.
MAX_READ_BYTES = 4 * MAX_UPLOAD_BYTES
# More pixels than these are refused before anything is decoded. A JPEG is decoded at 1/2 to 1/8 scale
# (`draft`), so a 50-megapixel one costs a few MB; PNG and WebP are decoded whole (a 16-megapixel WebP
# takes about 250 MB while it is, a 49-megapixel one 750 MB and two seconds: measured).
MAX_PIXELS = {"JPEG": 50_000_000, "PNG": 16_000_000, "WEBP": 16_000_000}
MAX_SIDE = 600
QUALITY = 85
FORMATS = ("JPEG", "PNG", "WEBP")

TOO_LARGE = "The selected photo must be smaller than 5 MB"
EMPTY = "The selected file is empty"
NOT_AN_IMAGE = "The selected file must be a JPEG, PNG or WebP photo"
TOO_MANY_PIXELS = (
    "The selected photo has too many pixels: it must be 16 megapixels or fewer (50 megapixels for a JPEG)"
)

_SRGB = ImageCms.createProfile("sRGB")


class PhotoRefused(ValueError):
    """The upload cannot be used; `str(error)` says why, in words for the form's error message."""


async def read_upload(upload, limit: int = MAX_UPLOAD_BYTES) -> bytes:
    """An uploaded file's bytes, read in chunks and refused as soon as they pass `limit`."""
    chunks, size = [], 0
    while chunk := await upload.read(64 * 1024):
        size += len(chunk)
        if size > limit:
            raise PhotoRefused(TOO_LARGE)
        chunks.append(chunk)
    return b"".join(chunks)


def reencode(data: bytes) -> tuple[bytes, int, int]:
    """(JPEG bytes, width, height) for an uploaded photo, or PhotoRefused."""
    if len(data) > MAX_UPLOAD_BYTES:
        raise PhotoRefused(TOO_LARGE)
    if not data:
        raise PhotoRefused(EMPTY)
    # Pillow's own bomb check (a warning past 89 megapixels, an error past twice that) is left as it is:
    # `_check_size` refuses far smaller pictures first, and the warnings filter is global to all threads.
    try:
        with Image.open(BytesIO(data), formats=FORMATS) as probe:
            _check_size(probe)
            probe.verify()  # the whole file's structure and checksums; the image is unusable after
        with Image.open(BytesIO(data), formats=FORMATS) as image:
            _check_size(image)
            image.draft("RGB", (MAX_SIDE, MAX_SIDE))  # JPEG: decode at 1/2, 1/4 or 1/8 size already
            image.load()
            return _clean_jpeg(image)
    except PhotoRefused:
        raise
    except Image.DecompressionBombError:
        raise PhotoRefused(TOO_MANY_PIXELS) from None
    except Exception:  # UnidentifiedImageError, truncated or corrupt data, bad checksums, …
        raise PhotoRefused(NOT_AN_IMAGE) from None


def _check_size(image: Image.Image) -> None:
    width, height = image.size
    if width < 1 or height < 1:
        raise PhotoRefused(NOT_AN_IMAGE)
    if width * height > MAX_PIXELS.get(image.format or "", 0):
        raise PhotoRefused(TOO_MANY_PIXELS)


def _clean_jpeg(image: Image.Image) -> tuple[bytes, int, int]:
    icc = image.info.get("icc_profile")
    image = _usable_mode(image)
    # Made small first, in place: every later step (turning, colour, flattening) copies the picture.
    image.thumbnail((MAX_SIDE, MAX_SIDE), Image.Resampling.LANCZOS, reducing_gap=3.0)
    image = _flatten(_srgb(ImageOps.exif_transpose(image), icc))
    clean = Image.new("RGB", image.size)  # a new image: none of the upload's `info` comes along
    clean.paste(image)
    out = BytesIO()
    clean.save(out, "JPEG", quality=QUALITY, optimize=True, progressive=True)
    return out.getvalue(), clean.width, clean.height


def _usable_mode(image: Image.Image) -> Image.Image:
    """Palette, 1-bit and 16-bit pictures in a mode that scales well; RGB, RGBA, L and CMYK as they are."""
    if image.mode in ("I", "I;16", "I;16B", "I;16L"):  # 16-bit greyscale PNG: scaled, not clipped at 255
        return image.point(lambda v: v / 256).convert("L")
    if image.mode in ("P", "PA", "LA", "1", "La", "RGBa"):
        transparent = image.mode in ("PA", "LA", "La", "RGBa") or "transparency" in image.info
        return image.convert("RGBA" if transparent else "RGB")
    return image


def _srgb(image: Image.Image, icc: bytes | None) -> Image.Image:
    """The picture in sRGB when it came with another colour profile (phones' Display P3, print CMYK):
    the profile itself is not kept, so its colours would otherwise be shown wrongly."""
    if not icc or image.mode not in ("RGB", "CMYK"):
        return image
    try:
        source = ImageCms.ImageCmsProfile(BytesIO(icc))
        return ImageCms.profileToProfile(image, source, _SRGB, outputMode="RGB")
    except (ImageCms.PyCMSError, OSError, ValueError, TypeError):
        return image  # a broken or unsuitable profile: keep the pixels as they are


def _flatten(image: Image.Image) -> Image.Image:
    """RGB, with any transparency laid on white."""
    if image.mode == "RGBA":
        background = Image.new("RGBA", image.size, (255, 255, 255, 255))
        return Image.alpha_composite(background, image).convert("RGB")
    return image.convert("RGB")
