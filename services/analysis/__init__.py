"""Audio analysis: pure numerics from a decoded file to a typed ``Analysis``.

No database, web, settings or asyncio here. May import only ``services.errors`` and third-party numerics.
Public surface: ``analyze``, ``probe``, ``AnalysisConfig`` and the result models in ``result``.
"""

from __future__ import annotations

from services.analysis.blas import single_threaded_blas

single_threaded_blas()  # before any module below imports numpy (see ``blas``)

from services.analysis.config import AnalysisConfig  # noqa: E402
from services.analysis.decode import probe  # noqa: E402
from services.analysis.engine import analyze  # noqa: E402
from services.analysis.result import SCHEMA_VERSION, Analysis, FileInfo  # noqa: E402

__all__ = ["SCHEMA_VERSION", "Analysis", "AnalysisConfig", "FileInfo", "analyze", "probe"]
