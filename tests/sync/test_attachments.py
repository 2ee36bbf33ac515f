"""Photos on both databases: hash, size, type by content, de-duplication, no EXIF, visibility."""

from __future__ import annotations

import hashlib
import io

from PIL import Image

from tests.sync.helpers import BUURT_A, BUURT_B, new_id, push, signal_fields, upsert


def _jpeg_with_gps() -> bytes:
    image = Image.new("RGB", (40, 30), (200, 80, 20))
    exif = Image.Exif()
    exif[0x010F] = "Telefoonmerk"  # Make
    exif[0x0110] = "Model X"  # Model
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (52.0, 59.0, 30.0), 3: "E", 4: (6.0, 33.0, 10.0)})
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


def _put(api, data: bytes, name: str | None = None, content_type: str = "image/jpeg"):
    name = name or hashlib.sha256(data).hexdigest()
    return api.put(f"/api/v1/attachments/{name}", data=data, content_type=content_type)


def test_upload_strips_exif_and_dedupes(api):
    worker = api("field_worker", buurten=[BUURT_A])
    data = _jpeg_with_gps()
    with Image.open(io.BytesIO(data)) as original:
        assert original.getexif().get_ifd(0x8825)  # the test photo really has a GPS position
    sha = hashlib.sha256(data).hexdigest()
    assert _put(worker, data).status_code == 201
    assert _put(worker, data).status_code == 200
    served = worker.get(f"/api/v1/attachments/{sha}")
    assert served.status_code == 200 and served.mimetype == "image/jpeg"
    with Image.open(io.BytesIO(served.data)) as image:
        exif = image.getexif()
        assert not exif.get_ifd(0x8825) and 0x010F not in exif and 0x0110 not in exif
        assert "exif" not in image.info and image.size == (40, 30)
    assert b"Telefoonmerk" not in served.data


def test_upload_errors(api):
    worker = api("field_worker")
    data = _jpeg_with_gps()
    assert _put(worker, data, name="0" * 64).status_code == 400
    assert _put(worker, b"%PDF-1.4 not an image", content_type="image/jpeg").status_code == 415
    gif = io.BytesIO()
    Image.new("RGB", (4, 4)).save(gif, "GIF")
    assert _put(worker, gif.getvalue(), content_type="image/gif").status_code == 415
    big = b"\xff\xd8" + b"0" * (10 * 1024 * 1024)
    response = _put(worker, big)
    assert response.status_code == 413 and response.mimetype == "application/problem+json"
    png = io.BytesIO()
    Image.new("RGBA", (3, 3)).save(png, "PNG")
    assert _put(worker, png.getvalue(), content_type="image/png").status_code == 201


def test_visibility_follows_the_records_that_name_the_photo(api):
    uploader = api("field_worker", buurten=[BUURT_A])
    neighbour = api("field_worker", buurten=[BUURT_A])
    stranger = api("field_worker", buurten=[BUURT_B])
    team = api("team")
    data = _jpeg_with_gps()
    sha = hashlib.sha256(data).hexdigest()
    assert _put(uploader, data).status_code == 201
    url = f"/api/v1/attachments/{sha}"
    assert uploader.get(url).status_code == 200
    assert team.get(url).status_code == 404 and neighbour.get(url).status_code == 404
    push(uploader, new_id(), [upsert(1, "signal", new_id(), signal_fields(BUURT_A, photos=[sha]))])
    assert team.get(url).status_code == 200 and neighbour.get(url).status_code == 200
    assert stranger.get(url).status_code == 404
    assert team.get(f"/api/v1/attachments/{'a' * 64}").status_code == 404
