"""The deployment files say only true things: every ``mixcoach`` command in ``docs/deploy/compose.yaml`` parses with
the real CLI, every setting it passes is one ``Settings`` reads (and the web's and worker's environments validate),
the order (migrate first, nobody migrating on start) holds, and the README's table documents every setting."""

from __future__ import annotations

import re
import shlex
from pathlib import Path
from typing import Any

import pytest
import yaml  # type: ignore[import-untyped]

from api.cli import build_parser
from api.settings import Settings

ROOT = Path(__file__).resolve().parents[2]
COMPOSE = ROOT / "docs" / "deploy" / "compose.yaml"
MIXCOACH_SERVICES = ("migrate", "web", "worker")
OTHER_PROGRAMS_SETTINGS = {
    "POSTGRES_USER",
    "POSTGRES_PASSWORD",
    "POSTGRES_DB",
    "MINIO_ROOT_USER",
    "MINIO_ROOT_PASSWORD",
}


def _aliases() -> set[str]:
    names: set[object] = set()
    for field in Settings.model_fields.values():
        alias = field.validation_alias
        names.update(getattr(alias, "choices", [alias]))  # AliasChoices, or a plain name
    return {name for name in names if isinstance(name, str)}


@pytest.fixture(scope="module")
def compose() -> dict[str, Any]:
    loaded: dict[str, Any] = yaml.safe_load(COMPOSE.read_text())
    return loaded


@pytest.mark.parametrize("service", MIXCOACH_SERVICES)
def test_deploy_layout_commands_parse_with_the_real_cli(compose: dict[str, Any], service: str) -> None:
    argv = shlex.split(compose["services"][service]["command"])
    assert argv[0] == "mixcoach"
    args = build_parser(argv[1:]).parse_args(argv[1:])  # SystemExit on an unknown command or option
    assert args.command == argv[1]


@pytest.mark.parametrize("service", MIXCOACH_SERVICES)
def test_deploy_layout_settings_exist_and_validate(
    compose: dict[str, Any], service: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    environment: dict[str, str] = compose["services"][service]["environment"]
    unknown = set(environment) - _aliases() - {"OPENAI_BASE_URL", "OPENAI_MODEL"} - OTHER_PROGRAMS_SETTINGS
    assert unknown == set()
    for name in _aliases():
        monkeypatch.delenv(name, raising=False)  # only the file's values count
    for name, value in environment.items():
        monkeypatch.setenv(name, str(value))
    settings = Settings(_env_file=None)  # raises on a bad value or a queue without PostgreSQL
    assert settings.distributed and settings.s3_bucket and not settings.migrate_on_start


def test_deploy_layout_migrates_once_before_web_and_workers(compose: dict[str, Any]) -> None:
    services = compose["services"]
    for name in ("web", "worker"):
        assert services[name]["depends_on"]["migrate"] == {"condition": "service_completed_successfully"}
        # longer than the drain, so SIGKILL never cuts a graceful shutdown short
        grace = float(services[name]["environment"]["MIXCOACH_SHUTDOWN_GRACE_S"])
        assert float(services[name]["stop_grace_period"].rstrip("s")) > grace
    assert "/readyz" in " ".join(services["web"]["healthcheck"]["test"])


def test_deploy_layout_readme_documents_every_setting() -> None:
    readme = (ROOT / "README.md").read_text()
    table = "\n".join(line for line in readme.splitlines() if line.startswith("| `"))
    documented = set(re.findall(r"`([A-Z][A-Z0-9_]+)`", table))
    # a row may name a pair as `MIXCOACH_X_PER_HOUR` / `_PER_DAY`
    for stem, second in re.findall(r"`(MIXCOACH_[A-Z_]+?)_PER_HOUR` / `(_PER_DAY)`", table):
        documented.add(stem + second)
    assert _aliases() - documented == set()
