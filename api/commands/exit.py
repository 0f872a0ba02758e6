"""Leaving a server process once its work is done, without interpreter finalisation when obstore was used.

obstore (the S3 client) aborts now and then at interpreter exit after async calls (SIGABRT, exit code 134: about
1 run in 10 here; the cause is upstream and unknown). A web instance or worker that stopped cleanly would then look
crashed to its supervisor and leave a core dump. Everything is closed by the time this runs, so skipping the
finaliser loses nothing: logs and standard streams are flushed first.
"""

from __future__ import annotations

import logging
import os
import sys


def leave(code: int, *, used_object_store: bool) -> int:
    """Return ``code`` normally, or end the process now with it if the object store client was used."""
    if not used_object_store:
        return code
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    os._exit(code)
