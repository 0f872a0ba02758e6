"""Tortoise configuration in one place, shared by the app, the migration runner and the ``tortoise`` CLI.

``TORTOISE_ORM`` exists only for the CLI (``tortoise -c services.store.config.TORTOISE_ORM makemigrations``);
the running app calls ``tortoise_config(db_url)`` with the URL from its settings.
"""

from __future__ import annotations

import os
from typing import Any

MODELS_MODULE = "services.store.models"
MIGRATIONS_MODULE = "services.store.migrations"


def tortoise_config(db_url: str) -> dict[str, Any]:
    """The Tortoise config dict for one database: a single ``models`` app with its migrations package."""
    return {
        "connections": {"default": normalise_db_url(db_url)},
        "apps": {
            "models": {
                "models": [MODELS_MODULE],
                "migrations": MIGRATIONS_MODULE,
                "default_connection": "default",
            }
        },
        "use_tz": True,
        "timezone": "UTC",
    }


def normalise_db_url(db_url: str) -> str:
    """Accept the ``postgresql://`` spelling users copy from other tools; Tortoise wants ``postgres://``."""
    if db_url.startswith("postgresql://"):
        return "postgres://" + db_url.removeprefix("postgresql://")
    return db_url


# For the tortoise CLI only; the app never reads this.
TORTOISE_ORM = tortoise_config(os.environ.get("DATABASE_URL", "sqlite://data/dev-migrations.sqlite3"))
