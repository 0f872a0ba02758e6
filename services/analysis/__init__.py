"""Audio analysis: pure numerics from a decoded file to a typed ``Analysis``.

No database, web, settings or asyncio here. May import only ``services.errors`` and third-party numerics.
"""
