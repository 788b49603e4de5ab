"""The narrative catalog: each narrative and sub-narrative with its definition, example phrasings and cues.

The default catalog is the SemEval-2025 Task 10 taxonomy (``catalogs/semeval2025.yaml``); users may load their
own YAML or JSON file in the same format (``catalogs/README.md``). A bad file raises one `InputError` that
names the entry and the problem.
"""

from __future__ import annotations

import difflib
import functools
import json
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any

import yaml  # no stubs in the environment (types-PyYAML)

from unspun.errors import InputError
from unspun.records import NO_NARRATIVE  # re-exported: SemEval's label for "no narrative", reserved

DEFAULT_CATALOG = "semeval2025.yaml"

_CATALOG_KEYS = ("name", "version", "source", "licence", "description", "narratives")
_NARRATIVE_KEYS = ("label", "topic", "name", "definition", "examples", "cues", "sub_narratives")
_SUB_KEYS = ("label", "name", "definition", "examples", "cues")


@dataclass(frozen=True)
class SubNarrative:
    """A fine-grained narrative; its label is its narrative's label, ': ' and its name."""

    label: str
    name: str
    definition: str
    examples: tuple[str, ...]
    cues: tuple[str, ...] = ()


@dataclass(frozen=True)
class Narrative:
    """A coarse narrative with its sub-narratives.

    >>> n = load_catalog().find("URW: Discrediting Ukraine")
    >>> n.topic, n.name, len(n.sub_narratives)
    ('URW', 'Discrediting Ukraine', 9)
    """

    label: str
    topic: str
    name: str
    definition: str
    examples: tuple[str, ...]
    cues: tuple[str, ...] = ()
    sub_narratives: tuple[SubNarrative, ...] = ()


@dataclass(frozen=True)
class Catalog:
    """A named, versioned list of narratives; labels are unique across narratives and sub-narratives."""

    name: str
    version: str
    narratives: tuple[Narrative, ...]
    source: str = ""
    licence: str = ""

    def labels(self) -> tuple[str, ...]:
        """The narrative labels, in file order."""
        return tuple(narrative.label for narrative in self.narratives)

    def sub_labels(self) -> tuple[str, ...]:
        """The sub-narrative labels, in file order."""
        return tuple(sub.label for narrative in self.narratives for sub in narrative.sub_narratives)

    def phrasings(self) -> tuple[tuple[str, ...], tuple[str, ...]]:
        """Every example phrasing (narratives' and sub-narratives'), and the label each one illustrates."""
        texts: list[str] = []
        owners: list[str] = []
        for narrative in self.narratives:
            entries: tuple[Narrative | SubNarrative, ...] = (narrative, *narrative.sub_narratives)
            for entry in entries:
                texts += entry.examples
                owners += [entry.label] * len(entry.examples)
        return tuple(texts), tuple(owners)

    def find(self, label: str) -> Narrative | SubNarrative | None:
        """The narrative or sub-narrative with this exact label, or None when the catalog has none."""
        return self._index.get(label)

    @cached_property
    def _index(self) -> dict[str, Narrative | SubNarrative]:
        index: dict[str, Narrative | SubNarrative] = {}
        for narrative in self.narratives:
            index[narrative.label] = narrative
            index.update((sub.label, sub) for sub in narrative.sub_narratives)
        return index


def load_catalog(path: Path | None = None) -> Catalog:
    """Load a catalog from a YAML or JSON file (JSON when the name ends in .json); None loads the default."""
    if path is None:
        return _default_catalog()
    try:
        text = path.read_text(encoding="utf-8")
    except UnicodeDecodeError:
        raise InputError(f"{path}: the narrative catalog is not UTF-8 text") from None
    except OSError as error:
        raise InputError(f"{path}: cannot read the narrative catalog: {error.strerror or error}") from None
    return parse_catalog(text, str(path), is_json=path.suffix.lower() == ".json")


@functools.cache
def _default_catalog() -> Catalog:
    text = resources.files(__package__).joinpath("catalogs", DEFAULT_CATALOG).read_text(encoding="utf-8")
    return parse_catalog(text, DEFAULT_CATALOG)


def parse_catalog(text: str, source: str, *, is_json: bool = False) -> Catalog:
    """Parse and check a catalog's text; `source` names it in error messages."""
    if is_json:
        try:
            data = json.loads(text)
        except json.JSONDecodeError as error:
            where = f"line {error.lineno}, column {error.colno}"
            raise InputError(f"{source}: bad JSON at {where}: {error.msg}") from None
        except RecursionError:
            raise InputError(f"{source}: the JSON is nested too deeply to be a narrative catalog") from None
    else:
        try:
            data = yaml.safe_load(text)
        except yaml.YAMLError as error:
            mark = getattr(error, "problem_mark", None)
            where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark is not None else ""
            problem = getattr(error, "problem", None) or str(error)
            raise InputError(f"{source}: bad YAML{where}: {problem}") from None
        except RecursionError:
            raise InputError(f"{source}: the YAML is nested too deeply to be a narrative catalog") from None
    if data is None:
        raise InputError(f"{source}: the narrative catalog is empty")
    top = _Entry(source, "the catalog", data, _CATALOG_KEYS)
    version = top.data.get("version")
    if isinstance(version, int | float) and not isinstance(version, bool):  # YAML reads `version: 1.0` as 1.0
        top.data["version"] = str(version)
    name, version = top.text("name"), top.text("version", required=False)
    narratives = tuple(
        _parse_narrative(_Entry(source, f"narrative #{n}", item, _NARRATIVE_KEYS))
        for n, item in enumerate(top.items("narratives", required=True), start=1)
    )
    _check_unique(source, narratives)
    return Catalog(
        name=name,
        version=version,
        narratives=narratives,
        source=top.text("source", required=False),
        licence=top.text("licence", required=False),
    )


def _parse_narrative(entry: _Entry) -> Narrative:
    label = entry.label()
    topic, _, rest = label.partition(": ")
    if not rest:
        topic, rest = "", label
    subs = tuple(
        _parse_sub(_Entry(entry.source, f"{entry.where}, sub-narrative #{n}", item, _SUB_KEYS), label)
        for n, item in enumerate(entry.items("sub_narratives", required=False), start=1)
    )
    return Narrative(
        label=label,
        topic=entry.text("topic", required=False) or topic,
        name=entry.text("name", required=False) or rest,
        definition=entry.text("definition"),
        examples=entry.texts("examples", required=True),
        cues=tuple(cue.lower() for cue in entry.texts("cues", required=False)),
        sub_narratives=subs,
    )


def _parse_sub(entry: _Entry, parent: str) -> SubNarrative:
    label = entry.label()
    if not label.startswith(f"{parent}: ") or not label[len(parent) + 2 :].strip():
        raise entry.fail(f"the label must be its narrative's label, ': ' and a name, like '{parent}: <name>'")
    return SubNarrative(
        label=label,
        name=entry.text("name", required=False) or label[len(parent) + 2 :],
        definition=entry.text("definition"),
        examples=entry.texts("examples", required=True),
        cues=tuple(cue.lower() for cue in entry.texts("cues", required=False)),
    )


def _check_unique(source: str, narratives: tuple[Narrative, ...]) -> None:
    seen: dict[str, str] = {}
    for n, narrative in enumerate(narratives, start=1):
        places = [(narrative.label, f"narrative #{n}")]
        subs = enumerate(narrative.sub_narratives, start=1)
        places += [(sub.label, f"narrative #{n}, sub-narrative #{s}") for s, sub in subs]
        for label, where in places:
            if label in seen:
                raise InputError(f"{source}: duplicate label '{label}': {seen[label]} and {where}")
            seen[label] = where


class _Entry:
    """One mapping of the catalog file and where it sits, to name it in error messages."""

    def __init__(self, source: str, where: str, data: object, allowed: tuple[str, ...]) -> None:
        self.source, self.where = source, where
        if not isinstance(data, dict):
            raise self.fail(f"must be a mapping of keys to values, not {_kind(data)}")
        self.data: dict[Any, Any] = data
        label = data.get("label")
        if isinstance(label, str) and label.strip():  # name the entry by its label in every later message
            self.where += f" ('{label.strip()}')"
        for key in data:
            if key not in allowed:
                near = difflib.get_close_matches(str(key), allowed, n=1)
                hint = f" (did you mean '{near[0]}'?)" if near else ""
                raise self.fail(f"unknown key '{key}'{hint}; allowed keys: {', '.join(allowed)}")

    def fail(self, problem: str) -> InputError:
        return InputError(f"{self.source}: {self.where}: {problem}")

    def label(self) -> str:
        label = self.text("label")
        if label == NO_NARRATIVE:
            raise self.fail(f"'{NO_NARRATIVE}' is reserved for 'no narrative' and cannot be an entry's label")
        return label

    def text(self, key: str, required: bool = True) -> str:
        value = self.data.get(key)
        if value is None or value == "":
            if required:
                raise self.fail(f"missing required field '{key}'")
            return ""
        if not isinstance(value, str) or not value.strip():
            raise self.fail(f"'{key}' must be a non-empty string, not {_kind(value)}")
        return value.strip()

    def texts(self, key: str, required: bool) -> tuple[str, ...]:
        values = self.items(key, required)
        for value in values:
            if not isinstance(value, str) or not value.strip():
                raise self.fail(f"every item of '{key}' must be a non-empty string, not {_kind(value)}")
        return tuple(value.strip() for value in values)

    def items(self, key: str, required: bool) -> list[Any]:
        value = self.data.get(key)
        if value is None or value == []:
            if required:
                raise self.fail(f"missing required field '{key}' (a list with at least one item)")
            return []
        if not isinstance(value, list):
            raise self.fail(f"'{key}' must be a list, not {_kind(value)}")
        return value


def _kind(value: object) -> str:
    if value is None:
        return "nothing"
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return "an empty string" if not value.strip() else f"the string {value[:40]!r}"
    if isinstance(value, dict):
        return "a mapping"
    return "a list" if isinstance(value, list) else type(value).__name__
