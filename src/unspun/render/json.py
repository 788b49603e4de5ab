"""The JSON contract "unspun.analysis/1" (docs/json-contract.md): one object per article."""

from __future__ import annotations

import json as _json

from unspun.records import Analysis

SCHEMA = "unspun.analysis/1"


def render_json(analysis: Analysis, indent: int | None = 2) -> str:
    return _json.dumps(analysis.to_dict(), ensure_ascii=False, indent=indent)


def render_jsonl(analysis: Analysis) -> str:
    return render_json(analysis, indent=None)
