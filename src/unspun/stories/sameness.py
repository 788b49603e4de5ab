"""Whether two articles report one event: the features of the same-story classifier (stories/model.py) and the
hard rules around it.

A story is one event. Same actors in the same week is not enough: two reports of one event tell it the same way
in their lead, name the same calendar days, and appear within days of each other, while a different event of the
same people (the minister's previous visit, the commission's last session, next day's tally) names other days or
other numbers in matching sentences. No single signal separates them (a heavy model-written rewrite can resemble
its source less than a report of another event does), so a logistic regression weighs them all, trained on
labelled story families (eval/train_stories.py; calibration in docs/evaluation.md, "Stories").

The rules kept outside the model: identical texts are one story; articles published more than
``StoryOptions.max_days_apart`` days apart are not (a later event is another story); two texts in one language
that share no name and no number are not; matching sentences with different numbers veto (``ruled_out``); and a
text in a language the sentence encoder was not trained on is matched by the names and numbers it shares.
"""

from __future__ import annotations

import math

import numpy as np

from unspun.stories.align import alignment, ordered_alignment
from unspun.stories.facts import days_conflict
from unspun.stories.features import StoryFeatures, overlap, sentence_names

EVENT_FEATURES = (
    "article_cosine",  # mean sentence vectors
    "lead_cosine",  # best match among the first two sentences of each: the lead says what happened
    "cover_050", "cover_055",  # share of one article's sentences found in the other (the larger share)
    "ordered_050",  # ... in the same order
    "name_overlap", "number_overlap", "log_shared_names",
    "days_apart",  # publication dates, 0-7 days, as a share of a week (0 when either is undated)
    "undated",
    "days_conflict",  # both name calendar days, none the same
    "days_shared",
    "cross_language",
)
# Cosine at which matching sentences are compared for their numbers (numbers_conflict): paraphrases of one fact
# under the multilingual encoder sit at 0.5-0.8.
NUMBER_SENTENCE_MATCH = 0.6
# Cosine from which two sentences are one template (the same words around different names): rewrites of one
# fact paraphrase (0.55-0.8), a template repeated with other names keeps nearly every word.
TEMPLATE_SENTENCE_MATCH = 0.8


def event_features(a: StoryFeatures, b: StoryFeatures, sa: np.ndarray, sb: np.ndarray) -> np.ndarray:
    """The classifier's features of one pair, in the order of ``EVENT_FEATURES`` (symmetric in a and b)."""
    from unspun.stories.lineage import days_between

    out = np.zeros(len(EVENT_FEATURES), dtype=np.float64)
    if len(sa) and len(sb):
        mean_a, mean_b = sa.mean(axis=0), sb.mean(axis=0)
        norm = float(np.linalg.norm(mean_a) * np.linalg.norm(mean_b))
        out[0] = float(mean_a @ mean_b) / norm if norm else 0.0
        out[1] = float((sa[:2] @ sb[:2].T).max())
        out[2], out[3] = max(alignment(sa, sb, 0.5)), max(alignment(sa, sb, 0.55))
        out[4] = ordered_alignment(sa, sb, 0.5)
    out[5], out[6] = overlap(a.names, b.names), overlap(a.numbers, b.numbers)
    out[7] = math.log1p(len(a.names & b.names))
    dated = bool(a.published and b.published)
    out[8] = min(abs(days_between(a.published, b.published)), 7) / 7 if dated else 0.0
    out[9] = 0.0 if dated else 1.0
    out[10], out[11] = float(days_conflict(a.days, b.days)), float(bool(a.days & b.days))
    out[12] = float((a.language or "en") != (b.language or "en"))
    return out


def ruled_out(a: StoryFeatures, b: StoryFeatures, sa: np.ndarray, sb: np.ndarray) -> bool:
    """Pairs the rules keep apart before the model is asked: in one language, reports of one event name at
    least one common name or number; matching sentences that report different numbers are another occurrence
    of the same template (the next day's tally, another year's session); and near-identical sentences that
    name different places or people are the same template filled in for another event ("forces liberated the
    settlement of X", next week of Y)."""
    same_language = (a.language or "en") == (b.language or "en")
    if same_language and not (a.names & b.names) and not (a.numbers & b.numbers):
        return True
    return numbers_conflict(a, b, sa, sb, NUMBER_SENTENCE_MATCH) or (
        same_language and names_conflict(a, b, sa, sb, TEMPLATE_SENTENCE_MATCH))


def names_conflict(a: StoryFeatures, b: StoryFeatures, sa: np.ndarray, sb: np.ndarray, threshold: float) -> bool:
    """Whether near-identical sentences (one template) name different things more often than the same ones
    (at least twice): each of the two sentences has a name the other lacks."""
    if not len(sa) or not len(sb) or len(a.sentences) != len(sa) or len(b.sentences) != len(sb):
        return False
    sims = sa @ sb.T
    agree = conflict = 0
    for i, j in enumerate(sims.argmax(axis=1)):
        if sims[i, j] < threshold:
            continue
        na, nb = sentence_names(a.sentences[i]), sentence_names(b.sentences[int(j)])
        if na - nb and nb - na:
            conflict += 1
        elif na & nb:
            agree += 1
    return conflict >= 2 and conflict > agree


def numbers_conflict(a: StoryFeatures, b: StoryFeatures, sa: np.ndarray, sb: np.ndarray, threshold: float) -> bool:
    """Whether matching sentences report different numbers more often than the same ones (at least twice):
    the next day's drone tally, another year's summit. Versions of one story keep their source's numbers."""
    if not len(sa) or not len(sb) or len(a.sentence_numbers) != len(sa) or len(b.sentence_numbers) != len(sb):
        return False
    sims = sa @ sb.T
    agree = conflict = 0
    for i, j in enumerate(sims.argmax(axis=1)):
        na, nb = a.sentence_numbers[i], b.sentence_numbers[int(j)]
        if sims[i, j] >= threshold and na and nb:
            agree, conflict = (agree + 1, conflict) if na & nb else (agree, conflict + 1)
    return conflict >= 2 and conflict > agree
