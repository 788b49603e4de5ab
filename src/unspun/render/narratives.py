"""`unspun narratives` output: the table of counts and the evidence sentences, as text or JSON."""

from __future__ import annotations

import json
import shlex
from dataclasses import asdict

from rich.console import Console
from rich.table import Table
from rich.text import Text

from unspun.store.narratives import NarrativeCount, NarrativeFilter, NarrativeHit


def counts_json(counts: list[NarrativeCount], where: NarrativeFilter) -> str:
    return json.dumps({"schema": "unspun.narratives/1", "filter": _filter(where),
                       "counts": [asdict(c) for c in counts]}, ensure_ascii=False, indent=2)


def evidence_json(hits: list[NarrativeHit], where: NarrativeFilter) -> str:
    return json.dumps({"schema": "unspun.narrative_evidence/1", "filter": _filter(where),
                       "articles": [asdict(h) for h in hits]}, ensure_ascii=False, indent=2)


def _filter(where: NarrativeFilter) -> dict[str, str]:
    return {k: v for k, v in asdict(where).items() if v is not None}


def render_counts(counts: list[NarrativeCount], console: Console, db: str | None) -> None:
    if not counts:
        console.print("No narratives found (articles with none are labelled Other and not counted; narratives below "
                      "the confidence shown in reports are not counted either: they are in each article's JSON).")
        return
    table = Table(title="Articles per narrative, site and week", expand=True)
    table.add_column("week", width=9)
    table.add_column("site", ratio=1)
    table.add_column("narrative", ratio=3)
    table.add_column("articles", justify="right", width=8)
    for c in counts:
        table.add_row(c.week, Text(c.site or "—"), Text(c.label), str(c.articles))
    console.print(table)
    first = counts[0]
    command = ["unspun", "narratives", "--evidence", "--label", first.label, "--week", first.week]
    if first.site:
        command += ["--site", first.site]
    if db:
        command += ["--db", db]
    console.print(Text("The sentences behind a row: " + shlex.join(command), style="dim"))


def render_evidence(hits: list[NarrativeHit], console: Console) -> None:
    if not hits:
        console.print("No article carries a matching narrative.")
        return
    for hit in hits:
        n = hit.narrative
        head = Text(f"{hit.article_id}", style="bold")
        head.append(" · " + " · ".join(x for x in (hit.site, hit.published, hit.title) if x), style="dim")
        console.print(head)
        line = Text(f"  {n.label}", style="magenta")
        line.append(f"  ({n.score:.2f})", style="dim")
        if n.sub_narratives:
            line.append("\n  " + "; ".join(s.label for s in n.sub_narratives), style="magenta")
        for e in n.evidence:
            line.append(f"\n    [{e.start}:{e.end}] “{e.text}”")
        if not n.evidence:
            line.append("\n    (no evidence sentence stored)", style="dim")
        console.print(line)
