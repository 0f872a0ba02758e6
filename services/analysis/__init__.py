"""Audio analysis: pure numerics from a decoded file to a typed ``Analysis``.

No database, web, settings or asyncio here. May import only ``services.errors`` and third-party numerics.
Public surface: ``analyze``, ``probe``, ``AnalysisConfig`` and the result models in ``result``.
"""

from __future__ import annotations

from services.analysis.config import AnalysisConfig
from services.analysis.decode import probe
from services.analysis.engine import analyze
from services.analysis.result import SCHEMA_VERSION, Analysis, FileInfo

__all__ = ["SCHEMA_VERSION", "Analysis", "AnalysisConfig", "FileInfo", "analyze", "probe"]
