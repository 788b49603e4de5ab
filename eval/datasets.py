"""Load the gold quotes of each evaluation set into one shape: GoldDoc with GoldQuote spans.

Texts are read from the shared data folder at run time and never copied into the repository.
The folder is ``$UNSPUN_SHARED`` when set, else ``shared/`` next to the repository root.
PolNeAR and corpus quote spans are trimmed of whitespace and quote marks, because unspun's spans
exclude them; the hard cases and the seed gold already follow unspun's convention.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from scoring import Span, has_quote_mark, trim_span

REPO = Path(__file__).resolve().parents[1]
EVAL_DIR = REPO / "eval"
HARDCASES = EVAL_DIR / "data" / "hardcases.jsonl"
HELDOUT = EVAL_DIR / "data" / "heldout.jsonl"
SEED_GOLD = EVAL_DIR / "seed_gold.json"


class GoldDataError(Exception):
    """A gold file is missing or does not agree with the text it annotates."""


@dataclass(frozen=True)
class GoldSpeaker:
    """The gold source of a quote; any field may be unknown for a given data set."""

    text: str | None = None
    start: int | None = None
    end: int | None = None
    name: str | None = None
    type: str | None = None
    role: str | None = None
    affiliation: str | None = None
    named: bool | None = None

    @property
    def span(self) -> Span | None:
        return None if self.start is None or self.end is None else (self.start, self.end)


@dataclass(frozen=True)
class GoldQuote:
    start: int
    end: int
    marked: bool  # the annotated content held a quote mark: at least partly verbatim
    speaker: GoldSpeaker | None = None
    kind: str | None = None
    continuation: bool | None = None
    cue: str | None = None  # the gold cue's text, where the data set has one (PolNeAR)

    @property
    def span(self) -> Span:
        return self.start, self.end


@dataclass(frozen=True)
class GoldDoc:
    id: str
    text: str
    quotes: list[GoldQuote]
    published: str | None = None
    not_quotes: list[tuple[Span, str]] = field(default_factory=list)  # (span, why)


def shared_root() -> Path:
    """Where the shared data lives: ``$UNSPUN_SHARED`` or ``../shared`` beside the repository."""
    return Path(os.environ.get("UNSPUN_SHARED") or REPO.parent / "shared")


def read_text(path: Path) -> str:
    # newline="" keeps \r\n as two characters, so annotation offsets stay valid.
    with path.open(encoding="utf-8", newline="") as handle:
        return handle.read()


# --- PolNeAR ---------------------------------------------------------------------------------------

_ANN_NAME = re.compile(r"^(?P<name>.+)_(?P<annotator>[0-9a-f]+)\.ann$")


def load_polnear(split: str = "dev", limit: int | None = None) -> list[GoldDoc]:
    """PolNeAR texts of one split, each with the first annotator's attributions (sorted file order)."""
    base = shared_root() / "data" / "polnear" / split
    if not (base / "text").is_dir():
        raise GoldDataError(
            f"no PolNeAR split {split!r} under {base}; set UNSPUN_SHARED to the shared folder"
        )
    annotations: dict[str, Path] = {}
    for path in sorted((base / "attributions").glob("*.ann")):
        match = _ANN_NAME.match(path.name)
        if match:
            annotations.setdefault(match["name"], path)
    docs: list[GoldDoc] = []
    for path in sorted((base / "text").glob("*.txt")):
        if limit is not None and len(docs) >= limit:
            break
        ann = annotations.get(path.stem)
        if ann is None:
            continue
        text = read_text(path)
        docs.append(GoldDoc(id=path.stem, text=text, quotes=parse_brat(text, read_text(ann))))
    return docs


def parse_brat(text: str, ann: str) -> list[GoldQuote]:
    """Gold quotes from brat standoff: each E line's Content (and Content2) with its Source."""
    fragments: dict[str, list[Span]] = {}
    for line in ann.splitlines():
        if not line.startswith("T"):
            continue
        tid, spec, *_ = line.split("\t") + [""]
        _, _, offsets = spec.partition(" ")
        fragments[tid] = [_brat_offsets(part) for part in offsets.split(";") if part.strip()]
    quotes: dict[Span, GoldQuote] = {}
    for line in ann.splitlines():
        if not line.startswith("E"):
            continue
        roles: dict[str, str] = {}
        for arg in line.split("\t", 1)[-1].split():
            role, _, tid = arg.partition(":")
            roles.setdefault(role, tid)
        cue_parts = fragments.get(roles.get("Cue", ""), [])
        cue = " ".join(text[s:e] for s, e in cue_parts) or None
        source = fragments.get(roles.get("Source", ""))
        speaker = None
        if source:
            start, end = min(s for s, _ in source), max(e for _, e in source)
            speaker = GoldSpeaker(text=text[start:end], start=start, end=end)
        for role, tid in roles.items():
            if not role.startswith("Content") or tid not in fragments:
                continue
            # A discontinuous Content ("X," she said, "Y.") is scored as one gold quote per fragment,
            # which is how unspun reports a quotation split by its attribution.
            for part_start, part_end in fragments[tid]:
                start, end = trim_span(text, part_start, part_end)
                if end - start >= 3 and (start, end) not in quotes:
                    marked = has_quote_mark(text[part_start:part_end])
                    quotes[(start, end)] = GoldQuote(start, end, marked, speaker, cue=cue)
    return sorted(quotes.values(), key=lambda q: q.span)


def _brat_offsets(part: str) -> Span:
    start, end = part.split()
    return int(start), int(end)


# --- own hard cases ---------------------------------------------------------------------------------


def load_hardcases(path: Path = HARDCASES) -> list[GoldDoc]:
    """The team's hand-made hard cases: one article per line with quotes and not_quotes."""
    if not path.is_file():
        raise GoldDataError(f"no hard cases at {path}")
    docs = []
    for number, record in _read_jsonl(path):
        text = record["text"]
        label = f"{path.name}:{number} ({record.get('id')})"
        quotes = []
        for quote in record.get("quotes", []):
            start, end = _checked_span(text, quote, label)
            speaker = quote.get("speaker") or {}
            quotes.append(
                GoldQuote(
                    start,
                    end,
                    marked=quote.get("kind") in ("direct", "mixed"),
                    speaker=GoldSpeaker(
                        text=speaker.get("text"),
                        start=speaker.get("start"),
                        end=speaker.get("end"),
                        name=speaker.get("name"),
                        type=speaker.get("type"),
                        role=speaker.get("role"),
                        affiliation=speaker.get("affiliation"),
                    ),
                    kind=quote.get("kind"),
                    continuation=quote.get("continuation"),
                )
            )
        not_quotes = [
            (_checked_span(text, item, label), str(item.get("why", "")))
            for item in record.get("not_quotes", [])
        ]
        docs.append(
            GoldDoc(
                id=str(record.get("id") or number),
                text=text,
                quotes=quotes,
                published=record.get("published"),
                not_quotes=not_quotes,
            )
        )
    return docs


def _checked_span(text: str, item: dict[str, Any], label: str) -> Span:
    start, end = int(item["start"]), int(item["end"])
    if "text" in item and text[start:end] != item["text"]:
        raise GoldDataError(
            f"{label}: text[{start}:{end}] is {text[start:end]!r}, the gold says {item['text']!r}; fix the offsets"
        )
    return start, end  # already in unspun's convention; a mixed quote may end on its inner mark


# --- the seed article -------------------------------------------------------------------------------


def load_seed(gold_path: Path = SEED_GOLD) -> GoldDoc:
    """The seed article with its offset-only gold (eval/seed_gold.json); texts come from the seed file."""
    gold = json.loads(gold_path.read_text(encoding="utf-8"))
    path = shared_root() / "seed" / gold["seed"]
    if not path.is_file():
        raise GoldDataError(f"no seed article at {path}; set UNSPUN_SHARED to the shared folder")
    text = read_text(path)
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()
    if digest != gold["sha256"]:
        raise GoldDataError(f"{path} changed since {gold_path.name} was recorded; re-record its offsets")
    quotes = [
        GoldQuote(
            q["start"],
            q["end"],
            marked=True,
            speaker=GoldSpeaker(type=q["speaker_type"]),
            kind="direct",
            continuation=q["continuation"],
        )
        for q in gold["quotes"]
    ]
    not_quotes = [((q["start"], q["end"]), q["why"]) for q in gold["not_quotes"]]
    return GoldDoc(id=path.stem, text=text, quotes=quotes, not_quotes=not_quotes)


# --- the real-world corpus --------------------------------------------------------------------------


def load_corpus_quotes(split: str = "dev") -> list[GoldDoc]:
    """Articles of the shared corpus that have hand-annotated quotes, with those quotes as gold."""
    base = shared_root() / "corpus" / split
    if not (base / "quotes.jsonl").is_file():
        raise GoldDataError(f"no corpus quotes under {base}; set UNSPUN_SHARED to the shared folder")
    wanted: dict[str, list[dict[str, Any]]] = {}
    for _, record in _read_jsonl(base / "quotes.jsonl"):
        wanted.setdefault(record["id"], []).append(record)
    docs = []
    for _, article in _read_jsonl(base / "articles.jsonl"):
        if article["id"] not in wanted:
            continue
        text = article["text"]
        quotes = []
        for record in wanted[article["id"]]:
            start = _locate(text, record["quote"], record["char_start"], article["id"])
            span = trim_span(text, start, start + len(record["quote"]))
            speaker = GoldSpeaker(text=record.get("speaker"), named=record.get("named"))
            quotes.append(GoldQuote(*span, marked=True, speaker=speaker))
        docs.append(GoldDoc(id=article["id"], text=text, quotes=quotes, published=article.get("published")))
    return docs


def _locate(text: str, quote: str, start: int, doc_id: str) -> int:
    """The annotated offset, or the nearest exact occurrence when the offset is slightly off."""
    if text[start : start + len(quote)] == quote:
        return start
    found = [m.start() for m in re.finditer(re.escape(quote), text)]
    if not found:
        raise GoldDataError(f"{doc_id}: quote {quote[:40]!r} is not in the article text")
    return min(found, key=lambda pos: abs(pos - start))


def _read_jsonl(path: Path) -> Iterator[tuple[int, dict[str, Any]]]:
    with path.open(encoding="utf-8") as handle:
        for number, line in enumerate(handle, 1):
            if line.strip():
                try:
                    yield number, json.loads(line)
                except json.JSONDecodeError as exc:
                    raise GoldDataError(f"{path}:{number}: not valid JSON ({exc.msg})") from exc
