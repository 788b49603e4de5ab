"""A readable terminal report with Rich: sourcing at a glance, then every quotation."""

from __future__ import annotations

from rich.console import Console, Group
from rich.panel import Panel
from rich.table import Table
from rich.text import Text

from unspun.extract.techniques import by_paragraph, summarise
from unspun.records import Analysis, Quote

TYPE_STYLES = {
    "named": "green",
    "anonymous": "red",
    "unnamed": "yellow",
    "document": "cyan",
    "unknown": "magenta",
}


def render_terminal(analysis: Analysis, console: Console) -> None:
    console.print(_header(analysis))
    console.print(_sourcing(analysis))
    if analysis.quotes:
        console.print(_quotes(analysis.quotes))
    if analysis.narratives:
        console.print(_narratives(analysis))
    if any(t.level == "span" for t in analysis.techniques):
        console.print(_techniques(analysis))
    if any(t.level == "paragraph" for t in analysis.techniques):
        console.print(_paragraph_techniques(analysis))
    hidden = _hidden(analysis)
    if hidden:
        console.print(Text(hidden, style="dim"))
    extras = _extras(analysis)
    if extras is not None:
        console.print(extras)


def _header(analysis: Analysis) -> Panel:
    a = analysis.article
    title = Text(a.title or a.id or "article", style="bold")
    meta = " · ".join(x for x in (a.site, a.published, a.url) if x)
    words = len(a.text.split())
    return Panel(Group(title, Text(f"{meta}  ({words} words)" if meta else f"{words} words", style="dim")))


def _sourcing(analysis: Analysis) -> Text:
    s = analysis.sourcing
    line = Text(f"{s.quotes} quotations: ")
    for kind, style in TYPE_STYLES.items():
        count = getattr(s, kind)
        if count:
            line.append(f"{count} {kind}  ", style=style)
    line.append(f"\n{s.share_unidentified:.0%} of quoted words come from sources the article does not identify.")
    if s.named_sources:
        line.append("\nNamed sources: " + ", ".join(s.named_sources))
    if s.featured_not_quoted:
        line.append("\nFeatured but never quoted: " + ", ".join(s.featured_not_quoted[:12]), style="dim")
    return line


def _quotes(quotes: list[Quote]) -> Table:
    table = Table(show_lines=False, expand=True)
    table.add_column("#", justify="right", width=3)
    table.add_column("kind", width=8)
    table.add_column("quotation", ratio=3)
    table.add_column("speaker", ratio=2)
    table.add_column("source", width=10)
    for n, q in enumerate(quotes, start=1):
        sp = q.speaker
        who = sp.name or sp.text or "—"
        if sp.name and sp.text and sp.text != sp.name:
            who = f"{sp.name} ({sp.text})"
        if q.continuation:
            who += " [continues]"
        details = ", ".join(x for x in (sp.role, sp.affiliation) if x)
        snippet = q.text if len(q.text) <= 160 else q.text[:157] + "…"
        # Text, not markup strings: article text such as "[reopen]" or "[/]" is not Rich markup.
        speaker = Text(who)
        if details:
            speaker.append("\n" + details, style="dim")
        table.add_row(str(n), q.kind, Text(snippet), speaker, Text(sp.type, style=TYPE_STYLES[sp.type]))
    return table


def _narratives(analysis: Analysis) -> Text:
    """Each narrative with its score, sub-narratives and the sentences that show it (character offsets)."""
    found = analysis.shown_narratives
    if not found:
        return Text("Narratives: none of the catalog's narratives is supported with confidence (Other).", style="dim")
    out = Text("Narratives", style="bold")
    for narrative in found:
        out.append(f"\n• {narrative.label}", style="bold magenta")
        out.append(f"  ({narrative.score:.2f})", style="dim")
        subs = [s.label.split(": ")[-1] for s in narrative.sub_narratives]
        if subs:
            out.append("\n    " + "; ".join(subs), style="magenta")
        for e in narrative.evidence:
            snippet = e.text if len(e.text) <= 220 else e.text[:217] + "…"
            out.append(f"\n    [{e.start}:{e.end}] “{snippet}”")
    return out


def _techniques(analysis: Analysis) -> Text:
    shown = analysis.shown_techniques
    if not shown:
        return Text("Persuasion techniques: none found with confidence.", style="dim")
    out = Text(f"Persuasion techniques ({len(shown)} spans)", style="bold")
    for name, count, examples in summarise(shown):
        out.append(f"\n• {name} ×{count}: ", style="cyan")
        out.append(", ".join(f"“{t.text}”" for t in examples))
    return out


def _paragraph_techniques(analysis: Analysis) -> Text:
    groups = by_paragraph(analysis.shown_paragraph_techniques)
    if not groups:
        return Text("Paragraph techniques: none found with confidence (all in the JSON report).", style="dim")
    out = Text(f"Paragraph techniques ({len(groups)} paragraph{'s' * (len(groups) != 1)})", style="bold")
    for paragraph, records in groups:
        snippet = paragraph.text if len(paragraph.text) <= 160 else paragraph.text[:157] + "…"
        out.append(f"\n• [{paragraph.start}:{paragraph.end}] ", style="cyan")
        out.append(", ".join(f"{t.name} ({t.score:.2f})" for t in records), style="cyan")
        out.append(f"\n    “{snippet}”")
    return out


def _hidden(analysis: Analysis) -> str:
    """What is not shown (below the confidence chosen for precision) and where it is."""
    narratives, spans = analysis.hidden_counts
    parts = [f"{narratives} narrative{'s' * (narratives != 1)}" if narratives else "",
             f"{spans} technique span{'s' * (spans != 1)}" if spans else ""]
    if not any(parts):
        return ""
    return (" and ".join(p for p in parts if p) + " below the confidence shown here: in the JSON report "
            "(--format json), each with its score and \"shown\": false.")


def _extras(analysis: Analysis) -> Text | None:
    parts = []
    if analysis.hedges:
        parts.append("Hedges: " + ", ".join(sorted({h.text.lower() for h in analysis.hedges})))
    if analysis.artefacts:
        parts.append(f"Rewrite artefacts (score {analysis.artefact_score:.2f}): " + "; ".join(
            f"{a.kind.replace('_', ' ')} “{a.text}”" for a in analysis.artefacts[:10]))
    dated = [d for d in analysis.dates if d.value]
    if dated:
        parts.append("Dates: " + ", ".join(f"{d.text} → {d.value}" for d in dated[:10]))
    return Text("\n".join(parts), style="dim") if parts else None
