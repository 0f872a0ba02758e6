"""One settings object, read from the environment (then ``.env``, then defaults).

Only ``create_app`` and the CLI build it; everything below ``api/`` receives plain values. Environment names are
the ones users already know (``HOST``, ``PORT``, ``DATABASE_URL``, ``OPENAI_*``) plus ``MIXCOACH_*`` for our own.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr
from pydantic_settings import BaseSettings, SettingsConfigDict


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

    llm: Literal["auto", "builtin", "openai"] = Field("auto", validation_alias=_env("MIXCOACH_LLM"))
    openai_api_key: SecretStr | None = Field(None, validation_alias=_env("OPENAI_API_KEY"))
    openai_base_url: str | None = Field(None, validation_alias=_env("OPENAI_BASE_URL"))
    openai_model: str = Field("gpt-4o-mini", validation_alias=_env("OPENAI_MODEL"))
    llm_timeout_s: float = Field(60.0, gt=0, validation_alias=_env("MIXCOACH_LLM_TIMEOUT_S"))
    llm_chunk_timeout_s: float = Field(30.0, gt=0, validation_alias=_env("MIXCOACH_LLM_CHUNK_TIMEOUT_S"))
    llm_max_retries: int = Field(2, ge=0, validation_alias=_env("MIXCOACH_LLM_MAX_RETRIES"))
    summary_every: int = Field(4, ge=1, validation_alias=_env("MIXCOACH_SUMMARY_EVERY"))
    prompt_token_budget: int = Field(6000, ge=500, validation_alias=_env("MIXCOACH_PROMPT_TOKEN_BUDGET"))

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
