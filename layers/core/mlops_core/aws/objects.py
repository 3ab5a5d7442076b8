"""S3 objects: URIs, write-once puts, listings, and reads checked against a sha256."""

from __future__ import annotations

import hashlib
import json
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path
from typing import Any

from botocore.exceptions import ClientError

from mlops_core.errors import ArtifactIntegrityError, NotFoundError


@dataclass(frozen=True)
class S3Object:
    """An object location, optionally pinned to one version."""

    bucket: str
    key: str
    version_id: str | None = None

    @property
    def uri(self) -> str:
        return f"s3://{self.bucket}/{self.key}"

    @classmethod
    def parse(cls, uri: str, version_id: str | None = None) -> S3Object:
        if not uri.startswith("s3://") or "/" not in uri[5:]:
            raise ValueError(f"not an s3:// URI: {uri!r}")
        bucket, key = uri[5:].split("/", 1)
        return cls(bucket, key, version_id)

    def version_args(self) -> dict[str, str]:
        """The VersionId argument of an S3 call, when this location is pinned to a version."""
        return {"VersionId": self.version_id} if self.version_id else {}


@dataclass(frozen=True)
class Listed:
    """An object found by a listing: its key and when its current version was written."""

    key: str
    written: datetime


def sha256_hex(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ObjectStore:
    """The few S3 operations the steps need, over a client handed in."""

    def __init__(self, client) -> None:
        self.client = client

    def put_once(self, target: S3Object, body: bytes, content_type: str = "application/octet-stream") -> str:
        """Write a key that must not exist yet; an existing key with the same bytes is accepted as a re-run."""
        digest = sha256_hex(body)
        try:
            self.client.put_object(Bucket=target.bucket, Key=target.key, Body=body, IfNoneMatch="*",
                                   ContentType=content_type, Metadata={"sha256": digest})
        except ClientError as error:
            if error.response["Error"]["Code"] not in ("PreconditionFailed", "ConditionalRequestConflict"):
                raise
            existing = self.client.head_object(Bucket=target.bucket, Key=target.key)["Metadata"].get("sha256")
            if existing != digest:
                raise ArtifactIntegrityError(f"{target.uri} already exists with other content; "
                                             "artifacts are write-once") from error
        return digest

    def put(self, target: S3Object, body: bytes, content_type: str = "application/octet-stream") -> str | None:
        """Write an object (a new S3 version if the key exists); returns the version id."""
        response = self.client.put_object(Bucket=target.bucket, Key=target.key, Body=body, ContentType=content_type)
        return response.get("VersionId")

    def current(self, location: S3Object) -> tuple[S3Object, datetime]:
        """The object pinned to the version asked for (or its current one), and when that version was written."""
        head = self.client.head_object(Bucket=location.bucket, Key=location.key, **location.version_args())
        return S3Object(location.bucket, location.key, head.get("VersionId")), head["LastModified"]

    def list(self, bucket: str, prefix: str, start_after: str = "") -> list[Listed]:
        """Every object under a prefix (keys after `start_after`), with when each was written."""
        pages = self.client.get_paginator("list_objects_v2").paginate(
            Bucket=bucket, Prefix=prefix, **({"StartAfter": start_after} if start_after else {}))
        return [Listed(item["Key"], item["LastModified"]) for page in pages for item in page.get("Contents", [])]

    def put_json(self, target: S3Object, doc: Any) -> str:
        return self.put_once(target, json.dumps(doc, indent=2, default=str).encode(), "application/json")

    def get_versioned(self, source: S3Object) -> tuple[bytes, str | None]:
        """Read an object; return its bytes and the version id that was read."""
        try:
            response = self.client.get_object(Bucket=source.bucket, Key=source.key, **source.version_args())
        except ClientError as error:
            if error.response["Error"]["Code"] in ("NoSuchKey", "NoSuchVersion", "NoSuchBucket", "404"):
                raise NotFoundError(f"{source.uri} does not exist") from error
            raise
        return response["Body"].read(), response.get("VersionId")

    def get_bytes(self, source: S3Object, sha256: str | None = None) -> bytes:
        """Read an object; when a sha256 is given, refuse bytes that do not match it."""
        data, _ = self.get_versioned(source)
        if sha256 is not None and sha256_hex(data) != sha256:
            raise ArtifactIntegrityError(f"{source.uri}: sha256 {sha256_hex(data)[:12]}... does not match the "
                                         f"recorded {sha256[:12]}...; refusing to load it")
        return data

    def get_json(self, source: S3Object, sha256: str | None = None) -> Any:
        return json.loads(self.get_bytes(source, sha256))

    def download(self, source: S3Object, sha256: str | None = None) -> tuple[Path, str]:
        """Copy an object to a temporary file; return the path and the sha256 of its bytes."""
        handle = tempfile.NamedTemporaryFile(prefix="mlops-", suffix=Path(source.key).suffix, delete=False)
        with handle:
            try:
                self.client.download_fileobj(source.bucket, source.key, handle, ExtraArgs=source.version_args() or None)
            except ClientError as error:
                raise NotFoundError(f"{source.uri} cannot be read: {error.response['Error']['Code']}") from error
        path = Path(handle.name)
        digest = _file_sha256(path)
        if sha256 is not None and digest != sha256:
            path.unlink()
            raise ArtifactIntegrityError(f"{source.uri} changed since it was validated (sha256 mismatch)")
        return path, digest


def newest_object(store: ObjectStore, bucket: str, prefix: str,
                  accept: Callable[[str], bool] = lambda key: True) -> tuple[S3Object, datetime]:
    """The most recently written object under a prefix whose key `accept`s, pinned to its current version, and when
    it was written."""
    objects = [o for o in store.list(bucket, prefix) if not o.key.endswith("/") and accept(o.key)]
    if not objects:
        raise NotFoundError(f"nothing under s3://{bucket}/{prefix}")
    newest = max(objects, key=lambda o: (o.written, o.key))
    return store.current(S3Object(bucket, newest.key))


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()
