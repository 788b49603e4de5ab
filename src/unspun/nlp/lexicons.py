"""Load the word lists in nlp/rules/ once; each is plain data with its origin in rules/README.md."""

from __future__ import annotations

from functools import cache
from importlib import resources


def _lines(name: str) -> list[str]:
    text = resources.files("unspun.nlp").joinpath("rules", name).read_text(encoding="utf-8")
    return [line.strip() for line in text.splitlines() if line.strip() and not line.startswith("#")]


@cache
def word_set(name: str) -> frozenset[str]:
    return frozenset(line.lower() for line in _lines(name))


@cache
def word_map(name: str) -> dict[str, str]:
    pairs = (line.split("\t", 1) for line in _lines(name))
    return {key.strip().lower(): value.strip() for key, value in pairs}


@cache
def source_outlets() -> dict[str, str]:
    """Outlet name as written (case kept: "AP" is not "ap") -> kind (wire, state media, ministry)."""
    return dict(line.split("\t", 1) for line in _lines("source_outlets.tsv"))


@cache
def source_sites() -> dict[str, tuple[str, str]]:
    """Registered domain -> (outlet, kind) for wire services, state media, ministries and governments."""
    return {domain: (outlet, kind) for domain, outlet, kind in (line.split("\t", 2) for line in _lines("source_sites.tsv"))}


def reporting_verbs() -> frozenset[str]:
    return word_set("reporting_verbs.txt")


def document_nouns() -> frozenset[str]:
    return word_set("document_nouns.txt")


def anonymity_markers() -> frozenset[str]:
    return word_set("anonymity_markers.txt")


def person_descriptions() -> frozenset[str]:
    return word_set("person_descriptions.txt")


def institution_nouns() -> frozenset[str]:
    return word_set("institution_nouns.txt")


def hedge_phrases() -> frozenset[str]:
    return word_set("hedges.txt")


def roles() -> dict[str, str]:
    return word_map("roles.tsv")


def demonyms() -> dict[str, str]:
    return word_map("demonyms.tsv")
