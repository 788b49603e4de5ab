"""Where the tests find their own fixtures and the development data (../shared, or $UNSPUN_SHARED)."""

from __future__ import annotations

import os
from pathlib import Path

SHARED = Path(os.environ.get("UNSPUN_SHARED") or Path(__file__).resolve().parents[2] / "shared")
FIXTURES = Path(__file__).resolve().parent / "fixtures"
