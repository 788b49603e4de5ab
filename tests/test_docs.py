"""Documentation tests: every CLI option and every JSON field is documented."""

from __future__ import annotations

import re
from pathlib import Path

import typer.main

from unspun.cli.app import app
from unspun.records import Analysis, Article, Quote, Sourcing, Span, Speaker

ROOT = Path(__file__).resolve().parents[1]


def _fields(value: object, prefix: str = "") -> set[str]:
    found: set[str] = set()
    if isinstance(value, dict):
        for key, item in value.items():
            found.add(key)
            found |= _fields(item, key)
    elif isinstance(value, list):
        for item in value:
            found |= _fields(item, prefix)
    return found


def test_docs_every_cli_option_is_in_the_readme() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    command = typer.main.get_command(app)
    for name, sub in command.commands.items():  # type: ignore[attr-defined]
        assert f"unspun {name}" in readme, f"command {name} is not documented"
        for param in sub.params:
            for option in param.opts:
                if option.startswith("--"):
                    assert option in readme, f"option {option} of `unspun {name}` is not documented"


def test_docs_every_json_field_is_in_the_contract() -> None:
    contract = (ROOT / "docs" / "json-contract.md").read_text(encoding="utf-8")
    speaker = Speaker(type="named", text="Ann Lee", start=0, end=7, name="Ann Lee", role="official")
    quote = Quote(text="x", start=0, end=1, kind="direct", speaker=speaker, cue=Span("said", 0, 4))
    analysis = Analysis(
        article=Article(text="Ann Lee said x.", id="a"), quotes=[quote],
        sourcing=Sourcing(1, 1, 0, 0, 0, 0, 0.0, ["Ann Lee"], []), entities=[], dates=[], hedges=[],
    )
    documented = set(re.findall(r"`([a-z_]+)`", contract)) | set(re.findall(r'"([a-z_]+)"', contract))
    documented |= {w for cell in re.findall(r"`([a-z_./]+)`", contract) for w in re.split(r"[./]", cell)}
    missing = _fields(analysis.to_dict()) - documented
    assert not missing, f"fields missing from docs/json-contract.md: {sorted(missing)}"
