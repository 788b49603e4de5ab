"""Hand-written cue phrases (model/cues.tsv) for the technique classifier, matched over lower-cased words."""

from __future__ import annotations

from functools import lru_cache
from importlib import resources
from pathlib import Path

CUES_FILE = "cues.tsv"

# first word -> [(whole phrase as words, cue class)]
CueIndex = dict[str, list[tuple[tuple[str, ...], str]]]


def read_cues(path: Path) -> CueIndex:
    """Parse a cue file: ``class<TAB>phrase`` lines, ``#`` comments and blank lines skipped."""
    index: CueIndex = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if not line.strip() or line.startswith("#"):
            continue
        cue_class, sep, phrase = line.partition("\t")
        words = tuple(phrase.split())
        if not sep or not cue_class or not words:
            raise ValueError(f"{path}:{number}: expected 'class<TAB>phrase', got {line!r}")
        index.setdefault(words[0], []).append((words, cue_class))
    return index


@lru_cache(maxsize=1)
def load_cues() -> CueIndex:
    """The packaged cue lexicon, read once per process."""
    return read_cues(Path(str(resources.files("unspun.techniques") / "model" / CUES_FILE)))


def match_cues(
    words: list[str], start: int, end: int, index: CueIndex | None = None
) -> list[tuple[str, str]]:
    """(cue class, phrase) for every cue phrase starting at a word in [start, end); it may run past end."""
    if index is None:
        index = load_cues()
    found = []
    for i in range(max(start, 0), min(end, len(words))):
        for phrase, cue_class in index.get(words[i], ()):
            if tuple(words[i : i + len(phrase)]) == phrase:
                found.append((cue_class, " ".join(phrase)))
    return found
