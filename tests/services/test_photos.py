"""Member photos: only real JPEG, PNG and WebP pictures, re-encoded small, with all their metadata gone."""

from __future__ import annotations

import asyncio
import struct
import zlib
from concurrent.futures import ThreadPoolExecutor
from io import BytesIO

import pytest
from PIL import Image, ImageCms, PngImagePlugin

from portal.services import photos
from portal.services.photos import PhotoRefused, read_upload, reencode


def encoded(image: Image.Image, fmt: str, **options) -> bytes:
    out = BytesIO()
    image.save(out, fmt, **options)
    return out.getvalue()


def opened(data: bytes) -> Image.Image:
    image = Image.open(BytesIO(data))
    image.load()
    return image


def test_a_png_becomes_a_jpeg_no_larger_than_600_pixels():
    data, width, height = reencode(encoded(Image.new("RGB", (1500, 1000), (10, 120, 200)), "PNG"))
    assert data[:3] == b"\xff\xd8\xff" and (width, height) == (600, 400)
    image = opened(data)
    assert image.format == "JPEG" and image.size == (600, 400) and image.mode == "RGB"
    assert all(abs(a - b) <= 3 for a, b in zip(image.getpixel((300, 200)), (10, 120, 200), strict=True))


def test_a_small_photo_is_not_enlarged():
    _data, width, height = reencode(encoded(Image.new("RGB", (120, 90)), "WEBP"))
    assert (width, height) == (120, 90)


def test_exif_gps_comments_text_chunks_and_colour_profiles_are_all_removed():
    exif = Image.Exif()
    exif[0x010F] = "SecretCameraMaker"  # Make
    exif[0x8825] = {1: "N", 2: (51.0, 30.0, 12.0)}  # GPS
    profile = ImageCms.ImageCmsProfile(ImageCms.createProfile("sRGB")).tobytes()
    jpeg = encoded(
        Image.new("RGB", (800, 800), "white"),
        "JPEG",
        exif=exif,
        comment=b"SECRET-JPEG-COMMENT",
        icc_profile=profile,
    )
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "SECRET-PNG-TEXT")
    info.add_itxt("Description", "SECRET-PNG-ITXT")
    png = encoded(Image.new("RGB", (800, 800), "white"), "PNG", pnginfo=info, exif=exif)
    for upload in (jpeg, png):
        data, _w, _h = reencode(upload)
        for secret in (b"SecretCameraMaker", b"SECRET-", b"Exif", b"ICC_PROFILE", b"GPS"):
            assert secret not in data
        image = opened(data)
        assert not {"exif", "comment", "icc_profile", "Author"} & set(image.info)
        assert not image.getexif()


def test_exif_orientation_is_applied():
    picture = Image.new("RGB", (400, 200), "red")
    picture.paste((0, 0, 255), (0, 0, 200, 200))  # left half blue
    exif = Image.Exif()
    exif[0x0112] = 6  # "rotate 90° clockwise to view"
    data, width, height = reencode(encoded(picture, "JPEG", exif=exif, quality=95))
    assert (width, height) == (200, 400)
    image = opened(data)
    top, bottom = image.getpixel((100, 50)), image.getpixel((100, 350))
    assert top[2] > 200 and top[0] < 60  # the blue half is now on top
    assert bottom[0] > 200 and bottom[2] < 60


def test_transparency_is_laid_on_white():
    data, _w, _h = reencode(encoded(Image.new("RGBA", (50, 50), (255, 0, 0, 0)), "PNG"))
    assert all(v >= 250 for v in opened(data).getpixel((25, 25)))


def test_a_broken_or_unsuitable_colour_profile_does_not_fail_the_upload():
    lab = ImageCms.ImageCmsProfile(ImageCms.createProfile("LAB")).tobytes()
    for profile in (lab, b"not a colour profile at all"):
        upload = encoded(Image.new("RGB", (40, 40), (200, 10, 10)), "JPEG", icc_profile=profile)
        data, _w, _h = reencode(upload)
        assert opened(data).getpixel((20, 20))[0] > 180 and b"ICC_PROFILE" not in data


def test_sixteen_bit_greyscale_is_scaled_not_clipped():
    data, _w, _h = reencode(encoded(Image.new("I;16", (20, 20), 32768), "PNG"))
    assert 120 <= opened(data).getpixel((10, 10))[0] <= 136


@pytest.mark.parametrize(
    "upload",
    [
        b"this is a text file, not a picture",
        encoded(Image.new("RGB", (10, 10)), "GIF"),
        encoded(Image.new("RGB", (10, 10)), "BMP"),
        encoded(Image.new("RGB", (10, 10)), "TIFF"),
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
        encoded(Image.new("RGB", (300, 300), "blue"), "JPEG")[:400],  # truncated
        encoded(Image.new("RGB", (300, 300), "blue"), "PNG")[:-20],  # no end, bad checksum
    ],
)
def test_anything_but_a_whole_jpeg_png_or_webp_is_refused(upload):
    with pytest.raises(PhotoRefused, match="must be a JPEG, PNG or WebP photo"):
        reencode(upload)


def test_a_png_with_a_corrupted_checksum_is_refused():
    data = bytearray(encoded(Image.new("RGB", (64, 64), "green"), "PNG"))
    idat = data.index(b"IDAT")
    data[idat + 10] ^= 0xFF
    with pytest.raises(PhotoRefused):
        reencode(bytes(data))


def png_header_only(width: int, height: int) -> bytes:
    """A PNG that claims a huge picture in a few dozen bytes (a decompression bomb's header)."""

    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    ihdr = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", ihdr) + chunk(b"IDAT", zlib.compress(b"")) + chunk(b"IEND", b"")
    )


@pytest.mark.parametrize("side", [4001, 20000, 60000])
def test_too_many_pixels_are_refused_before_decoding(side):
    with pytest.raises(PhotoRefused, match="too many pixels"):
        reencode(png_header_only(side, side))


def test_pictures_just_over_the_pixel_limits_are_refused():
    with pytest.raises(PhotoRefused, match="16 megapixels or fewer"):
        reencode(encoded(Image.new("1", (4000, 4001)), "PNG"))
    assert reencode(encoded(Image.new("1", (4000, 4000)), "PNG"))[1:] == (600, 600)
    with pytest.raises(PhotoRefused, match="50 megapixels for a JPEG"):
        reencode(encoded(Image.new("L", (10000, 5001)), "JPEG", quality=20))
    assert reencode(encoded(Image.new("L", (10000, 5000)), "JPEG", quality=20))[1:] == (600, 300)


def test_size_limits():
    with pytest.raises(PhotoRefused, match="smaller than 5 MB"):
        reencode(b"\xff" * (photos.MAX_UPLOAD_BYTES + 1))
    with pytest.raises(PhotoRefused, match="empty"):
        reencode(b"")


class Upload:
    def __init__(self, data: bytes):
        self.file = BytesIO(data)
        self.reads = 0

    async def read(self, size: int = -1) -> bytes:
        self.reads += 1
        return self.file.read(size)


def _run(make_coroutine):
    """Run a coroutine on its own loop in a worker thread: the browser tests' sync Playwright keeps an
    event loop running on the main thread for the whole session."""
    with ThreadPoolExecutor(1) as pool:
        return pool.submit(lambda: asyncio.run(make_coroutine())).result()


def test_read_upload_stops_as_soon_as_the_limit_is_passed():
    upload = Upload(b"x" * (10 * 1024 * 1024))
    with pytest.raises(PhotoRefused, match="smaller than 5 MB"):
        _run(lambda: read_upload(upload))
    assert upload.file.tell() <= photos.MAX_UPLOAD_BYTES + 64 * 1024  # the rest was never read
    assert _run(lambda: read_upload(Upload(b"abc"))) == b"abc"
