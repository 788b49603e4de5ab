"""What story matching compares: sentences, numbers, names and dates of one article, language-independent
where possible (digits and capitalised names survive translation and transliteration better than words)."""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from unspun.records import Article
from unspun.stories.facts import calendar_days
from unspun.stories.shingles import normalize_words

_SENTENCE_END = re.compile(r"(?<=[.!?…»”\"’])\s+(?=[\"“«‘'(\[]?[A-ZА-ЯЁ0-9])|\n+")
# Numbers, ordinals included by their digits ("14th" and "14-е" are 14): a translation writes its source's
# session numbers and dates with its own suffixes.
_NUMBER = re.compile(r"(?<![\w.])\d+(?:[.,]\d+)*(?=(?:st|nd|rd|th|e|er|ème|º|ª)?(?![\w]))")
_NAME = re.compile(r"\b[A-ZА-ЯЁ][a-zа-яё]{2,}(?:[-’'][A-ZА-ЯЁ]?[a-zа-яё]+)?\b")
_FACT = re.compile(f"{_NUMBER.pattern}|{_NAME.pattern}")
# Cyrillic to Latin, enough to match names across scripts (Путин ~ Putin, Солодаев ~ Solodayev).
_CYRILLIC = dict(zip("абвгдеёжзийклмнопрстуфхцчшщъыьэюя",
                     ["a", "b", "v", "g", "d", "e", "e", "zh", "z", "i", "i", "k", "l", "m", "n", "o", "p", "r",
                      "s", "t", "u", "f", "kh", "ts", "ch", "sh", "shch", "", "y", "", "e", "yu", "ya"], strict=True))
NAME_KEY_CHARS = 5  # names compare on their first letters, after transliteration: endings vary by grammar
_MIN_SENTENCE_CHARS = 25
# Capitalised words that start sentences or are calendar words carry no identity.
_NOT_NAMES = frozenset({
    "The", "This", "That", "These", "Those", "There", "Their", "They", "What", "When", "Where", "Which",
    "While", "With", "Without", "After", "Before", "During", "But", "And", "However", "Meanwhile",
    "According", "Also", "Although", "Because", "Since", "Monday", "Tuesday", "Wednesday", "Thursday",
    "Friday", "Saturday", "Sunday", "January", "February", "March", "April", "May", "June", "July", "August",
    "September", "October", "November", "December", "Mr", "Mrs", "Ms", "Dr", "He", "She", "It", "We", "You",
    "His", "Her", "Its", "Our", "In", "On", "At", "For", "From", "By", "As", "To", "Of", "An", "If", "Yet",
    "So", "Not",
})


_ATTRIBUTION = re.compile(
    r"\((?P<paren>[A-Z][A-Za-z .-]{1,30})\)|\[Source: (?P<source>[^\]]{2,40})\]|"
    r"(?:[Aa]ccording to|[Cc]iting|reported by|told|quoted by) (?:the )?(?P<cited>[A-ZА-Я][\w .-]{1,40})")


def attributed_sources(text: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    """Known outlets the text credits, and those among them whose copy it carries.

    A dateline or byline credit ("New Delhi, Dec 4 (IANS)", "[Source: Reuters]", "told PTI") marks a
    version that carries the outlet's own copy; "according to TASS" or "reported by Bloomberg" marks one
    that cites it. Both count as credits; only the first makes a version a likely origin.
    """
    from unspun.nlp.lexicons import source_outlets

    outlets = source_outlets()
    credited: list[str] = []
    carried: list[str] = []
    head = text[:3000]
    cited_only: set[str] = set()
    for match in _ATTRIBUTION.finditer(head):
        cited = match.group("cited")
        credit = (match.group("paren") or match.group("source") or cited or "").strip()
        carries = not cited or match.group(0).startswith("told")
        for outlet in _outlets_in(credit, outlets):
            _add(credited, outlet)
            if carries:
                _add(carried, outlet)
            else:
                cited_only.add(outlet)
    dateline = head.split("\n", 1)[0][:120]  # "MOSCOW — RIA Novosti.", "РИА Новости: ..."
    for outlet in _outlets_in(dateline, outlets):
        _add(credited, outlet)
        if outlet not in cited_only:
            _add(carried, outlet)
    return tuple(credited), tuple(carried)


def _add(items: list[str], item: str) -> None:
    if item not in items:
        items.append(item)


def site_outlet(site: str | None) -> tuple[str, str] | None:
    """(outlet, kind) when the site belongs to a wire service, state media outlet, ministry or government."""
    from unspun.nlp.lexicons import source_sites

    if not site:
        return None
    host = site.lower().removeprefix("www.")
    sites = source_sites()
    parts = host.split(".")
    return next((sites[".".join(parts[k:])] for k in range(len(parts) - 1) if ".".join(parts[k:]) in sites), None)


def _outlets_in(text: str, outlets: dict[str, str]) -> list[str]:
    """Outlet names in the text, as whole words, longest first ("RIA Novosti" before "RIA")."""
    hits: list[str] = []
    for name in sorted(outlets, key=len, reverse=True):
        if re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text) and not any(name in h for h in hits):
            hits.append(name)
    return hits


@dataclass(frozen=True)
class StoryFeatures:
    """The comparable parts of one article."""

    id: str
    sentences: tuple[str, ...]
    numbers: frozenset[str]
    names: frozenset[str]
    published: str | None
    site: str | None
    language: str | None
    attributed: tuple[str, ...] = ()  # outlets the text credits (wire services, state media)
    carried: tuple[str, ...] = ()  # outlets whose copy the text carries (dateline, byline)
    words: int = 0
    fingerprint: str = ""  # the same for texts that differ only in case, spacing and punctuation
    sentence_numbers: tuple[frozenset[str], ...] = ()  # per sentence: its numbers, years included
    days: frozenset[str] = frozenset()  # calendar days it names ("MM-DD"), stories/facts.py
    facts: tuple[str, ...] = ()  # names and numbers as written, in the order of their first mention


def split_sentences(text: str) -> list[str]:
    """Sentences long enough to carry a fact; a regex splitter, so no parse is needed (and any language)."""
    parts = (p.strip() for p in _SENTENCE_END.split(text))
    return [p for p in parts if len(p) >= _MIN_SENTENCE_CHARS]


def article_features(article: Article) -> StoryFeatures:
    text = article.text
    words = normalize_words(text)
    credited, carried = attributed_sources(text)
    sentences = split_sentences(text)
    numbers = frozenset(n.replace(",", "") for n in _NUMBER.findall(text) if not _is_trivial_number(n))
    names = frozenset(name_key(w) for w in _NAME.findall(text) if w not in _NOT_NAMES)
    return StoryFeatures(
        id=article.id or "",
        sentences=tuple(sentences),
        numbers=numbers,
        names=names,
        published=article.published,
        site=article.site,
        language=article.language,
        attributed=credited,
        carried=carried,
        words=len(words),
        fingerprint=hashlib.sha1(" ".join(words).encode()).hexdigest() if words else "",
        sentence_numbers=tuple(sentence_numbers(s) for s in sentences),
        days=calendar_days(text),
        facts=ordered_facts(text),
    )


def ordered_facts(text: str) -> tuple[str, ...]:
    """Names and numbers as the text writes them, each once, in the order of first mention (a name's key
    decides what counts as once: "Vessarin" and "Vessarin's" are one fact)."""
    seen: dict[str, str] = {}
    for match in _FACT.finditer(text):
        word = match.group()
        if word in _NOT_NAMES or (word[0].isdigit() and _is_trivial_number(word)):
            continue
        seen.setdefault(fact_key(word), word)
    return tuple(seen.values())


def fact_key(fact: str) -> str:
    """What two mentions of one fact share: a name's key, or a number without its separators."""
    return fact.replace(",", "") if fact[0].isdigit() else name_key(fact)


def sentence_numbers(sentence: str) -> frozenset[str]:
    """The numbers of one sentence that can tell two events apart: counts, amounts, years (not single digits)."""
    return frozenset(n for n in (m.replace(",", "") for m in _NUMBER.findall(sentence)) if len(n.replace(".", "")) > 1)


def sentence_names(sentence: str) -> frozenset[str]:
    """The name keys of one sentence's capitalised words, its first word left out (capitalised anyway)."""
    words = _NAME.findall(sentence)
    if words and sentence.lstrip(" \"“«‘'(").startswith(words[0]):
        words = words[1:]
    return frozenset(name_key(w) for w in words if w not in _NOT_NAMES)


def name_key(word: str) -> str:
    """A script-independent key for a name: transliterated, lower-cased, first letters only."""
    latin = "".join(_CYRILLIC.get(ch, ch) for ch in word.lower())
    return latin.replace("-", "").replace("’", "").replace("'", "")[:NAME_KEY_CHARS]


def _is_trivial_number(token: str) -> bool:
    """Single digits and the years around now are shared by unrelated stories."""
    digits = token.replace(",", "").replace(".", "")
    return len(digits) == 1 or (len(digits) == 4 and digits.startswith("20"))


def overlap(a: frozenset[str], b: frozenset[str]) -> float:
    """Overlap coefficient: shared items over the smaller set (0 when either is empty)."""
    if not a or not b:
        return 0.0
    return len(a & b) / min(len(a), len(b))
