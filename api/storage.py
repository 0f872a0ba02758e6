"""Which audio store this process uses: an S3-compatible bucket when one is configured, else the data folder."""

from __future__ import annotations

from api.settings import Settings
from services.store.audio_store import AudioStorage, AudioStore
from services.store.audio_store_s3 import S3AudioStore


def audio_storage_from(settings: Settings) -> AudioStorage:
    if settings.s3_bucket is None:
        return AudioStore(settings.data_dir)
    key, secret = settings.s3_access_key_id, settings.s3_secret_access_key
    return S3AudioStore(
        bucket=settings.s3_bucket,
        scratch=settings.data_dir,
        endpoint=settings.s3_endpoint,
        region=settings.s3_region,
        access_key_id=key.get_secret_value() if key else None,
        secret_access_key=secret.get_secret_value() if secret else None,
    )
