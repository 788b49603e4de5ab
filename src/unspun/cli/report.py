"""Bad items on stderr: one line each for the first few, then how many more, so a broken batch stays readable."""

from __future__ import annotations

import sys

from unspun.errors import UnspunError
from unspun.render.console import printable
from unspun.run.problems import ItemProblems


def print_problems(verb: str, problems: ItemProblems) -> None:
    """`unspun: VERB LABEL: reason` for each item kept, then one line for the rest, by kind."""
    for label, reason in problems.shown:
        print(printable(f"unspun: {verb} {label}: {reason}"), file=sys.stderr)
    print_hidden(verb, problems)


def print_hidden(verb: str, problems: ItemProblems) -> None:
    if problems.hidden <= 0:
        return
    kinds = ", ".join(f"{kind} {n:,}" for kind, n in problems.kinds.most_common(5))
    print(f"unspun: ... and {problems.hidden:,} more {verb} (first {len(problems.shown)} shown; by kind: {kinds})",
          file=sys.stderr)


class ProblemPrinter:
    """For a stream: print each of the first DETAIL_LIMIT problems as it happens, count the rest."""

    def __init__(self, verb: str) -> None:
        self.verb = verb
        self.problems = ItemProblems()

    def report(self, label: str, error: UnspunError) -> None:
        shown = len(self.problems.shown)
        self.problems.add_error(label, error)
        if len(self.problems.shown) > shown:  # kept word for word: not past the limit, not an expected one
            label, reason = self.problems.shown[-1]
            print(printable(f"unspun: {self.verb} {label}: {reason}"), file=sys.stderr)

    def finish(self) -> None:
        print_hidden(self.verb, self.problems)
