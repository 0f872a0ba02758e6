"""One settings object, read from the environment (then ``.env``, then defaults).

Only ``create_app`` and the CLI build it; everything below ``api/`` receives plain values. Environment names are
the ones users already know (``HOST``, ``PORT``, ``DATABASE_URL``, ``OPENAI_*``) plus ``MIXCOACH_*`` for our own.
"""

from __future__ import annotations

import ipaddress
import json
from pathlib import Path
from typing import Annotated, Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

from services.clients.quotas import QuotaLimits


def _env(name: str) -> AliasChoices:
    return AliasChoices(name)


class Settings(BaseSettings):
    model_config = SettingsConfigDict(env_file=".env", extra="ignore", populate_by_name=True, frozen=True)

    host: str = Field("127.0.0.1", validation_alias=_env("HOST"))
    port: int = Field(8000, validation_alias=_env("PORT"))
    data_dir: Path = Field(Path("data"), validation_alias=_env("MIXCOACH_DATA_DIR"))
    database_url: str | None = Field(None, validation_alias=_env("DATABASE_URL"))
    debug: bool = Field(False, validation_alias=_env("MIXCOACH_DEBUG"))

    max_upload_mb: float = Field(200.0, gt=0, validation_alias=_env("MIXCOACH_MAX_UPLOAD_MB"))
    max_duration_s: float = Field(3600.0, gt=0, validation_alias=_env("MIXCOACH_MAX_DURATION_S"))
    analysis_workers: int = Field(2, ge=1, validation_alias=_env("MIXCOACH_ANALYSIS_WORKERS"))
    create_client_per_minute: int = Field(10, ge=1, validation_alias=_env("MIXCOACH_CREATE_CLIENT_PER_MINUTE"))
    allowed_origins: list[str] = Field(default_factory=list, validation_alias=_env("MIXCOACH_ALLOWED_ORIGINS"))
    trusted_proxies: Annotated[list[str], NoDecode] = Field(
        default_factory=list, validation_alias=_env("MIXCOACH_TRUSTED_PROXIES")
    )
    """Peers (IPs, CIDR networks, or ``*``) whose ``X-Forwarded-For`` names the real client. None by default: a
    forwarded header from anyone else is ignored, so it cannot dodge the per-address ``createClient`` limit."""

    # Per-client limits. Defaults fit one musician working hard through an album (a question every minute all
    # day) while bounding what one token can cost: with a paid model, 300 answers a day is a few dollars at most.
    requests_per_minute: int = Field(600, ge=1, validation_alias=_env("MIXCOACH_REQUESTS_PER_MINUTE"))
    """GraphQL HTTP requests plus WebSocket subscribes. The web app needs a few per action; 10 a second on
    average leaves room for scripts while stopping a loop that hammers the server."""
    concurrent_generations: int = Field(3, ge=1, validation_alias=_env("MIXCOACH_CONCURRENT_GENERATIONS"))
    """Answers (and summaries) streaming at once: a person reads one answer at a time; 3 allows a feedback and
    two follow-ups in flight, and 100 parallel calls cannot hold 100 model streams open."""
    generations_per_hour: int = Field(60, ge=1, validation_alias=_env("MIXCOACH_GENERATIONS_PER_HOUR"))
    """requestFeedback, askFollowup and retryMessage calls: one a minute is a fast conversation."""
    generations_per_day: int = Field(300, ge=1, validation_alias=_env("MIXCOACH_GENERATIONS_PER_DAY"))
    """Five busy hours at the hourly rate; bounds the daily spend on a paid model."""
    uploads_per_hour: int = Field(60, ge=1, validation_alias=_env("MIXCOACH_UPLOADS_PER_HOUR"))
    """A bounce a minute: more than a mixing session produces; each upload costs an analysis (CPU seconds)."""
    uploads_per_day: int = Field(300, ge=1, validation_alias=_env("MIXCOACH_UPLOADS_PER_DAY"))
    """An album's worth of versions a day."""
    max_stored_mb: float = Field(5120.0, gt=0, validation_alias=_env("MIXCOACH_MAX_STORED_MB"))
    """5 GB per client: about 100 full-length WAV mixes; deleting tracks frees it."""

    llm: Literal["auto", "builtin", "openai"] = Field("auto", validation_alias=_env("MIXCOACH_LLM"))
    openai_api_key: SecretStr | None = Field(None, validation_alias=_env("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(None, validation_alias=_env("OPENAI_BASE_URL"))
    openai_model: str = Field("gpt-4o-mini", validation_alias=_env("OPENAI_MODEL"))
    llm_timeout_s: float = Field(60.0, gt=0, validation_alias=_env("MIXCOACH_LLM_TIMEOUT_S"))
    llm_chunk_timeout_s: float = Field(30.0, gt=0, validation_alias=_env("MIXCOACH_LLM_CHUNK_TIMEOUT_S"))
    llm_max_retries: int = Field(2, ge=0, validation_alias=_env("MIXCOACH_LLM_MAX_RETRIES"))
    llm_temperature: float = Field(0.3, ge=0, le=2, validation_alias=_env("MIXCOACH_LLM_TEMPERATURE"))
    """Low: advice should follow the measurements, not vary in wording from one ask to the next."""
    llm_max_output_tokens: int = Field(1200, ge=64, validation_alias=_env("MIXCOACH_LLM_MAX_OUTPUT_TOKENS"))
    """Sent as ``max_tokens`` on every request: a full feedback runs 300-700 tokens; 1200 leaves room for the pro
    profile while capping what a rambling model can cost."""
    generation_lease_s: float = Field(30.0, ge=3, validation_alias=_env("MIXCOACH_GENERATION_LEASE_S"))
    """How long an answer being written stays claimed by its instance without a renewal (renewed every third of
    it). Only after it lapses may another instance mark the answer INTERRUPTED: long enough to ride out a busy
    moment, short enough that a dead instance's answers become retryable soon."""
    redis_url: str | None = Field(None, validation_alias=_env("MIXCOACH_REDIS_URL"))
    """Unset: live events and rate limits stay in this process (one instance, ``make run``). Set (``redis://host:
    6379/0``): token deltas, track progress and thread events go through Redis Streams and rate limits are counted
    in Redis, so several web instances behind a load balancer behave as one."""
    redis_prefix: str = Field("mixcoach:", min_length=1, validation_alias=_env("MIXCOACH_REDIS_PREFIX"))
    """Put before every Redis key, so deployments (or test runs) can share one Redis."""
    summary_every: int = Field(4, ge=1, validation_alias=_env("MIXCOACH_SUMMARY_EVERY"))
    # Scale-out (docs/deploy.md). The defaults are the embedded mode: one process, jobs in-process, audio on disk.
    queue: Literal["embedded", "postgres"] = Field("embedded", validation_alias=_env("MIXCOACH_QUEUE"))
    """``postgres``: analyses and answers run as procrastinate jobs in ``mixcoach worker`` processes (needs a
    PostgreSQL ``DATABASE_URL`` and ``MIXCOACH_REDIS_URL``); ``embedded``: they run inside the web process."""
    worker_concurrency: int = Field(2, ge=1, validation_alias=_env("MIXCOACH_WORKER_CONCURRENCY"))
    """Jobs one ``mixcoach worker`` runs at once; analyses use that many CPU processes."""
    worker_heartbeat_s: float = Field(5.0, gt=0, validation_alias=_env("MIXCOACH_WORKER_HEARTBEAT_S"))
    stalled_after_s: float = Field(20.0, gt=0, validation_alias=_env("MIXCOACH_STALLED_AFTER_S"))
    """A worker silent this long is dead: its analyses are retried elsewhere, its answers end INTERRUPTED.
    Keep it a few heartbeats long, so a busy but living worker is never taken for dead."""
    sweep_every_s: int = Field(5, ge=1, le=59, validation_alias=_env("MIXCOACH_SWEEP_EVERY_S"))
    """How often one worker looks for dead workers' jobs and rows that lost their job."""
    migrate_on_start: bool = Field(True, validation_alias=_env("MIXCOACH_MIGRATE_ON_START"))
    workers: int | None = Field(None, ge=1, validation_alias=_env("MIXCOACH_WORKERS"))
    """``mixcoach serve`` processes; unset: one per core when ``MIXCOACH_REDIS_URL`` is set, else 1."""
    """``false`` for web instances behind ``mixcoach migrate``: N instances starting together then never race to
    change the schema."""
    shutdown_grace_s: float = Field(30.0, ge=0, validation_alias=_env("MIXCOACH_SHUTDOWN_GRACE_S"))
    audio_url_secret: SecretStr | None = Field(None, validation_alias=_env("MIXCOACH_AUDIO_URL_SECRET"))
    """Signs the short-lived audio links (``Track.audioUrl``). Unset: a random key per process, so links work only
    on the instance that issued them; set the same value on every instance behind a load balancer."""
    audio_url_ttl_s: float = Field(900.0, ge=10, validation_alias=_env("MIXCOACH_AUDIO_URL_TTL_S"))
    """How long an audio link stays valid: long enough to listen and seek, short enough that a leaked link dies
    soon (the page asks for a new one when it expires)."""
    """On SIGTERM, how long in-flight analyses and answers may take to finish before they are interrupted."""
    s3_bucket: str | None = Field(None, validation_alias=_env("MIXCOACH_S3_BUCKET"))
    """Set it to keep audio in an S3-compatible store (the bucket must exist); unset, audio stays under the data
    dir, which only works when every process shares that folder."""
    s3_endpoint: str | None = Field(None, validation_alias=_env("MIXCOACH_S3_ENDPOINT"))
    """For a non-AWS store (MinIO, Ceph, R2...): its URL. ``http://`` endpoints are allowed."""
    s3_region: str = Field("us-east-1", validation_alias=_env("MIXCOACH_S3_REGION"))
    s3_access_key_id: SecretStr | None = Field(None, validation_alias=_env("AWS_ACCESS_KEY_ID"))
    s3_secret_access_key: SecretStr | None = Field(None, validation_alias=_env("AWS_SECRET_ACCESS_KEY"))

    prompt_token_budget: int = Field(6000, ge=500, validation_alias=_env("MIXCOACH_PROMPT_TOKEN_BUDGET"))

    @field_validator("trusted_proxies", mode="before")
    @classmethod
    def _split_proxies(cls, value: object) -> object:
        """Accept a JSON list or a comma-separated string (``127.0.0.1,10.0.0.0/8``)."""
        if isinstance(value, str):
            text = value.strip()
            return json.loads(text) if text.startswith("[") else [part.strip() for part in text.split(",")]
        return value

    @field_validator("trusted_proxies")
    @classmethod
    def _check_proxies(cls, value: list[str]) -> list[str]:
        for entry in filter(None, value):
            if entry != "*":
                ipaddress.ip_network(entry, strict=False)  # ValueError names the bad entry
        return [entry for entry in value if entry]

    @model_validator(mode="after")
    def _queue_needs_postgres(self) -> Settings:
        if self.queue == "postgres" and not (self.database_url or "").startswith(("postgres://", "postgresql://")):
            raise ValueError("MIXCOACH_QUEUE=postgres needs a PostgreSQL DATABASE_URL (postgres://...)")
        return self

    def check_serving(self) -> None:
        """Web instances and workers (not ``mixcoach migrate``): in the distributed mode workers write the answers
        and analyses that web instances' subscribers follow live, which only Redis carries between processes."""
        if self.distributed and not self.redis_url:
            raise ValueError("MIXCOACH_QUEUE=postgres needs MIXCOACH_REDIS_URL (live events from the workers)")

    @property
    def distributed(self) -> bool:
        """Jobs run in ``mixcoach worker`` processes rather than in the web process."""
        return self.queue == "postgres"

    @property
    def postgres_conninfo(self) -> str:
        """``DATABASE_URL`` as libpq (psycopg, procrastinate) spells it."""
        url = self.database_url or ""
        return "postgresql://" + url.split("://", 1)[1] if "://" in url else url

    @property
    def quota_limits(self) -> QuotaLimits:
        return QuotaLimits(
            concurrent_generations=self.concurrent_generations,
            generations_per_hour=self.generations_per_hour,
            generations_per_day=self.generations_per_day,
            uploads_per_hour=self.uploads_per_hour,
            uploads_per_day=self.uploads_per_day,
            stored_bytes=int(self.max_stored_mb * 1024 * 1024),
        )

    @property
    def resolved_database_url(self) -> str:
        """``DATABASE_URL`` if set, else a SQLite file under the data dir."""
        if self.database_url:
            return self.database_url
        return f"sqlite://{(self.data_dir / 'mixcoach.sqlite3').resolve()}"

    @property
    def max_upload_bytes(self) -> int:
        return int(self.max_upload_mb * 1024 * 1024)

    @property
    def llm_engine(self) -> Literal["builtin", "openai"]:
        """``auto`` picks the OpenAI-compatible engine when a key or base URL is configured, else the builtin one."""
        if self.llm == "auto":
            return "openai" if (self.openai_api_key or self.openai_base_url) else "builtin"
        return self.llm
