"""Photos: real bytes go through the presigned POST form into the emulator's S3, which
enforces the form's policy itself; the API then checks what arrived."""

from __future__ import annotations

import base64
import io
import json
import time
from datetime import UTC, datetime
from typing import Any

import boto3
import httpx
import pytest
from litestar import Litestar
from litestar.testing import TestClient
from PIL import Image

import app.usecases.photos as photos_usecase
from app.dev.emulator import Emulator
from app.dev.stack import StackOutputs
from app.services.photos import PhotoObjects, pending_key, photo_key
from tests.conftest import User, new_user
from tests.helpers import assert_problem, create_batch

Client = TestClient[Litestar]
MB = 1024 * 1024


def image_bytes(fmt: str = "PNG", size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, format=fmt)
    return buffer.getvalue()


@pytest.fixture(scope="module")
def s3(emulator: Emulator, stack: StackOutputs) -> Any:
    return boto3.client("s3", endpoint_url=emulator.endpoint, region_name=stack.region)


def request_form(
    client: Client, user: User, batch_id: str, content_type: str = "image/png"
) -> dict[str, Any]:
    response = client.post(
        f"/batches/{batch_id}/photos/upload",
        json={"contentType": content_type},
        headers=user.headers,
    )
    assert response.status_code == 200, response.text
    form: dict[str, Any] = response.json()
    return form


def post_form(
    form: dict[str, Any], body: bytes, content_type: str = "image/png", **overrides: str
) -> httpx.Response:
    fields = {**form["fields"], **overrides}
    return httpx.post(
        form["url"], data=fields, files={"file": ("photo", body, content_type)}, timeout=30
    )


def confirm(client: Client, user: User, batch_id: str, photo_id: str) -> httpx.Response:
    return client.post(
        f"/batches/{batch_id}/photos", json={"photoId": photo_id}, headers=user.headers
    )


def photo_items(dynamodb: Any, stack: StackOutputs, user: User, batch_id: str) -> list[Any]:
    items: list[Any] = dynamodb.query(
        TableName=stack.table_name,
        KeyConditionExpression="PK = :pk AND begins_with(SK, :prefix)",
        ExpressionAttributeValues={
            ":pk": {"S": f"USER#{user.sub}"},
            ":prefix": {"S": f"BATCH#{batch_id}#PHOTO#"},
        },
        ConsistentRead=True,
    )["Items"]
    return items


def exists(s3: Any, bucket: str, key: str) -> bool:
    try:
        s3.head_object(Bucket=bucket, Key=key)
    except s3.exceptions.ClientError:
        return False
    return True


def upload(client: Client, user: User, batch_id: str, body: bytes | None = None) -> dict[str, Any]:
    form = request_form(client, user, batch_id)
    assert post_form(form, body or image_bytes()).status_code == 204
    response = confirm(client, user, batch_id, form["photoId"])
    assert response.status_code == 201, response.text
    photo: dict[str, Any] = response.json()
    return photo


def test_the_form_pins_key_type_size_and_five_minutes(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    form = request_form(client, alice, batch["id"], "image/jpeg")
    fields = form["fields"]
    assert fields["key"] == pending_key(alice.sub, batch["id"], form["photoId"])
    assert fields["Content-Type"] == "image/jpeg"
    policy = json.loads(base64.b64decode(fields["policy"]))
    assert {"Content-Type": "image/jpeg"} in policy["conditions"]
    assert ["content-length-range", 1, 10 * MB] in policy["conditions"]
    assert {"key": fields["key"]} in policy["conditions"]
    expires = datetime.fromisoformat(policy["expiration"].replace("Z", "+00:00"))
    assert 290 <= (expires - datetime.now(UTC)).total_seconds() <= 300
    assert form["maxBytes"] == 10 * MB


def test_a_valid_image_uploads_confirms_lists_and_downloads(
    client: Client, alice: User, s3: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    body = image_bytes("JPEG", (64, 48))
    form = request_form(client, alice, batch["id"], "image/jpeg")
    assert post_form(form, body, "image/jpeg").status_code == 204

    response = confirm(client, alice, batch["id"], form["photoId"])
    assert response.status_code == 201, response.text
    photo = response.json()
    assert photo["id"] == form["photoId"]
    assert (photo["contentType"], photo["size"]) == ("image/jpeg", len(body))
    assert (photo["width"], photo["height"]) == (64, 48)
    assert httpx.get(photo["url"]).content == body
    final = photo_key(alice.sub, batch["id"], photo["id"])
    assert exists(s3, stack.photos_bucket, final)
    assert not exists(s3, stack.photos_bucket, form["fields"]["key"])

    listed = client.get(f"/batches/{batch['id']}/photos", headers=alice.headers).json()
    assert [p["id"] for p in listed["items"]] == [photo["id"]]
    downloaded = httpx.get(listed["items"][0]["url"])
    assert downloaded.status_code == 200
    assert downloaded.content == body


def test_photos_list_newest_first_in_pages(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    ids = [upload(client, alice, batch["id"])["id"] for _ in range(3)]
    first = client.get(
        f"/batches/{batch['id']}/photos", params={"limit": 2}, headers=alice.headers
    ).json()
    second = client.get(
        f"/batches/{batch['id']}/photos",
        params={"limit": 2, "cursor": first["nextCursor"]},
        headers=alice.headers,
    ).json()
    assert [p["id"] for p in first["items"] + second["items"]] == ids[::-1]


def test_s3_refuses_an_upload_over_10_mb(client: Client, alice: User, s3: Any, stack: Any) -> None:
    batch = create_batch(client, alice)
    form = request_form(client, alice, batch["id"])
    response = post_form(form, b"\x89PNG\r\n\x1a\n" + b"\0" * (11 * MB))
    assert response.status_code == 400
    assert "EntityTooLarge" in response.text
    assert not exists(s3, stack.photos_bucket, form["fields"]["key"])


def test_s3_refuses_a_type_the_form_did_not_name(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    form = request_form(client, alice, batch["id"])
    response = post_form(form, b"just text", "text/plain", **{"Content-Type": "text/plain"})
    assert response.status_code == 403
    assert "Content-Type" in response.text


def test_s3_refuses_another_key(client: Client, alice: User, bob: User) -> None:
    batch = create_batch(client, alice)
    form = request_form(client, alice, batch["id"])
    other = pending_key(bob.sub, batch["id"], form["photoId"])
    response = post_form(form, image_bytes(), key=other)
    assert response.status_code == 403
    assert "$key" in response.text


def test_s3_refuses_an_expired_form(app: Litestar, client: Client, alice: User) -> None:
    """The emulator checks the policy's expiration: a form one second old is refused."""
    batch = create_batch(client, alice)
    objects: PhotoObjects = app.state.photos.objects
    form = objects.upload_form(
        alice.sub, batch["id"], "01JAAAAAAAAAAAAAAAAAAAAAAA", "image/png",
        now=datetime.now(UTC), expires_in=1,
    )  # fmt: skip
    time.sleep(2.1)
    response = httpx.post(
        form.url, data=form.fields, files={"file": ("p", image_bytes(), "image/png")}
    )
    assert response.status_code == 403
    assert "Policy expired" in response.text


def test_confirming_an_upload_that_never_arrived_is_409(
    client: Client, alice: User, dynamodb: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    form = request_form(client, alice, batch["id"])
    assert_problem(confirm(client, alice, batch["id"], form["photoId"]), 409, "photo-not-uploaded")
    assert photo_items(dynamodb, stack, alice, batch["id"]) == []


def test_confirming_twice_is_409_and_stores_one_photo(
    client: Client, alice: User, dynamodb: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    photo = upload(client, alice, batch["id"])
    again = confirm(client, alice, batch["id"], photo["id"])
    assert_problem(again, 409, "photo-already-confirmed")
    assert len(photo_items(dynamodb, stack, alice, batch["id"])) == 1


@pytest.mark.parametrize(
    ("content_type", "body", "why"),
    [
        ("image/png", b"plain words, not a picture", "not a image/png image"),
        ("text/plain", b"plain words", "not an accepted image type"),
        ("image/png", image_bytes("JPEG"), "not a image/png image"),
        ("image/jpeg", b"\xff\xd8\xff" + b"\0" * (10 * MB), "bytes"),
    ],
    ids=["png-that-is-text", "text-plain", "jpeg-claiming-png", "over-10-mb"],
)
def test_confirm_checks_what_reached_the_bucket_again(
    client: Client,
    alice: User,
    s3: Any,
    dynamodb: Any,
    stack: StackOutputs,
    content_type: str,
    body: bytes,
    why: str,
) -> None:
    """Objects put straight into the pending prefix, past any form: the confirm refuses
    them, removes them and stores nothing."""
    batch = create_batch(client, alice)
    form = request_form(client, alice, batch["id"])
    key = form["fields"]["key"]
    s3.put_object(Bucket=stack.photos_bucket, Key=key, Body=body, ContentType=content_type)
    problem = assert_problem(
        confirm(client, alice, batch["id"], form["photoId"]), 422, "invalid-photo"
    )
    assert why in problem["detail"]
    assert not exists(s3, stack.photos_bucket, key)
    assert photo_items(dynamodb, stack, alice, batch["id"]) == []


def test_confirm_needs_a_photo_id_from_a_form(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    assert_problem(confirm(client, alice, batch["id"], "../../etc"), 400, "validation")


def test_delete_removes_item_and_object(
    client: Client, alice: User, s3: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    photo = upload(client, alice, batch["id"])
    path = f"/batches/{batch['id']}/photos/{photo['id']}"
    assert client.delete(path, headers=alice.headers).status_code == 204
    assert not exists(s3, stack.photos_bucket, photo_key(alice.sub, batch["id"], photo["id"]))
    listed = client.get(f"/batches/{batch['id']}/photos", headers=alice.headers).json()
    assert listed["items"] == []
    assert_problem(client.delete(path, headers=alice.headers), 404, "not-found")


def test_deleting_a_batch_deletes_its_photo_objects(
    client: Client, alice: User, s3: Any, stack: StackOutputs
) -> None:
    batch = create_batch(client, alice)
    photos = [upload(client, alice, batch["id"]) for _ in range(2)]
    assert client.delete(f"/batches/{batch['id']}", headers=alice.headers).status_code == 204
    for photo in photos:
        assert not exists(s3, stack.photos_bucket, photo_key(alice.sub, batch["id"], photo["id"]))


def test_someone_elses_batch_is_404_for_every_photo_route(
    client: Client, alice: User, bob: User
) -> None:
    batch = create_batch(client, alice)
    photo = upload(client, alice, batch["id"])
    base = f"/batches/{batch['id']}/photos"
    calls = [
        client.post(f"{base}/upload", json={"contentType": "image/png"}, headers=bob.headers),
        client.post(base, json={"photoId": photo["id"]}, headers=bob.headers),
        client.get(base, headers=bob.headers),
        client.delete(f"{base}/{photo['id']}", headers=bob.headers),
    ]
    for response in calls:
        assert_problem(response, 404, "not-found")
        assert alice.sub not in response.text
    still = client.get(base, headers=alice.headers).json()
    assert [p["id"] for p in still["items"]] == [photo["id"]]


def test_upload_form_refuses_other_types_and_unknown_batches(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    response = client.post(
        f"/batches/{batch['id']}/photos/upload",
        json={"contentType": "image/gif"},
        headers=alice.headers,
    )
    assert_problem(response, 400, "validation")
    missing = client.post(
        "/batches/01JAAAAAAAAAAAAAAAAAAAAAAA/photos/upload",
        json={"contentType": "image/png"},
        headers=alice.headers,
    )
    assert_problem(missing, 404, "not-found")


def test_photo_routes_need_a_token(client: Client, alice: User) -> None:
    batch = create_batch(client, alice)
    response = client.get(f"/batches/{batch['id']}/photos")
    assert_problem(response, 401, "unauthorized")


def test_unconfirmed_uploads_expire_by_a_lifecycle_rule(s3: Any, stack: StackOutputs) -> None:
    """The emulator stores lifecycle rules but does not run them: the rule is checked."""
    rules = s3.get_bucket_lifecycle_configuration(Bucket=stack.photos_bucket)["Rules"]
    by_prefix = {r.get("Filter", {}).get("Prefix"): r for r in rules}
    assert by_prefix["pending/"]["Expiration"]["Days"] == 1
    assert by_prefix["pending/"]["Status"] == "Enabled"
    assert by_prefix["exports/"]["Expiration"]["Days"] >= 1


def test_the_bucket_is_private_and_encrypted(s3: Any, stack: StackOutputs) -> None:
    block = s3.get_public_access_block(Bucket=stack.photos_bucket)
    assert all(block["PublicAccessBlockConfiguration"].values())
    sse = s3.get_bucket_encryption(Bucket=stack.photos_bucket)
    rule = sse["ServerSideEncryptionConfiguration"]["Rules"][0]
    assert rule["ApplyServerSideEncryptionByDefault"]["SSEAlgorithm"] in {"AES256", "aws:kms"}
    cors = s3.get_bucket_cors(Bucket=stack.photos_bucket)["CORSRules"]
    assert "*" not in cors[0]["AllowedOrigins"]


def test_deleting_the_account_deletes_every_photo_object(
    client: Client, stack: StackOutputs, emulator: Emulator, s3: Any
) -> None:
    user = new_user(stack, emulator, "leaving")
    batch = create_batch(client, user)
    photo = upload(client, user, batch["id"])
    pending = request_form(client, user, batch["id"])
    assert post_form(pending, image_bytes()).status_code == 204  # uploaded, never confirmed

    assert client.delete("/me", headers=user.headers).status_code == 204
    for key in (photo_key(user.sub, batch["id"], photo["id"]), pending["fields"]["key"]):
        assert not exists(s3, stack.photos_bucket, key)


@pytest.mark.parametrize("cap", ["batch", "user"])
def test_photos_are_capped_per_batch_and_per_user(
    client: Client,
    s3: Any,
    stack: StackOutputs,
    emulator: Emulator,
    monkeypatch: pytest.MonkeyPatch,
    cap: str,
) -> None:
    """Issue 10, item 16 (caps lowered here: 100 and 1000 real uploads would only be slow)."""
    monkeypatch.setattr(photos_usecase, "MAX_PHOTOS_PER_BATCH", 2)
    monkeypatch.setattr(photos_usecase, "MAX_PHOTOS_PER_USER", 3)
    user = new_user(stack, emulator, f"cap-{cap}")
    first = create_batch(client, user)
    second = create_batch(client, user)
    upload(client, user, first["id"])
    if cap == "batch":
        upload(client, user, first["id"])
        full = first
    else:
        upload(client, user, second["id"])
        upload(client, user, second["id"])
        full = create_batch(client, user)
    refused = client.post(
        f"/batches/{full['id']}/photos/upload",
        json={"contentType": "image/png"},
        headers=user.headers,
    )
    problem = assert_problem(refused, 409, "limit-reached")
    assert ("batch" if cap == "batch" else "account") in problem["detail"]
