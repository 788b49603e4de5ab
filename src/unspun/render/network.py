"""The coordination graph as files: `unspun.network/1` JSON, GEXF 1.3 and GraphML (both open in Gephi; list
values are written as text joined with " | ", which every reader takes), SVG drawn here (no script: nodes link
to their site, edges carry their evidence in a tooltip), and PNG through matplotlib (the `charts` extra)."""

from __future__ import annotations

import math
from typing import Any
from xml.sax.saxutils import escape, quoteattr

import numpy as np

from unspun.errors import InputError, UnspunError
from unspun.sites.joining import Joined
from unspun.sites.profile import SiteProfile
from unspun.sites.report import SitesReport

SCHEMA = "unspun.network/1"
NODE_FIGURES = ("articles", "derived", "derived_share", "median_lag_seconds", "unidentified_share", "artefact_rate",
                "first_seen", "last_seen")
PALETTE = ("#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#000000")
LIST_JOIN = " | "


def network_json(report: SitesReport) -> dict[str, Any]:
    graph = report.graph
    joined = {j.site: j for j in graph.joined}
    nodes = [{**_node(report.profiles.get(site), site, graph.communities.get(site)),
              "joined_co_stories": joined[site].co_stories if site in joined else None} for site in _nodes(report)]
    edges = [{"source": e.source, "target": e.target, "weight": e.weight, "co_stories": e.co_stories,
              "expected": e.expected, "p_value": e.p_value, "shared_template": e.shared_template,
              "evidence": [{"story": c.story, "articles": list(c.articles), "lag_seconds": c.lag_seconds}
                           for c in e.evidence]} for e in graph.edges]
    return {"schema": SCHEMA, "window_days": graph.window_days, "stories": graph.stories,
            "pairs_tested": graph.pairs_tested, "nodes": nodes, "edges": edges,
            "joined": [joined_json(j) for j in graph.joined]}


def joined_json(joined: Joined) -> dict[str, Any]:
    """A site that joined a community as a whole, with its evidence (its version, the nearest member's)."""
    return {"site": joined.site, "community": joined.community, "weight": joined.weight,
            "co_stories": joined.co_stories, "expected": joined.expected, "p_value": joined.p_value,
            "members_met": joined.met, "evidence": [{"story": c.story, "articles": list(c.articles), "lag_seconds": c.lag_seconds}
                         for c in joined.evidence]}


def _links(report: SitesReport) -> list[tuple[str, str, float, str]]:
    """What the drawings join: every edge (source, target, weight, tooltip), and each joined site to the members
    it met (dashed in the SVG; weight 0)."""
    out = []
    for e in report.graph.edges:
        stories = ", ".join(c.story for c in e.evidence[:5]) + ("…" if len(e.evidence) > 5 else "")
        out.append((e.source, e.target, e.weight,
                    f"{e.source} - {e.target}: {e.co_stories} stories in step (p = {e.p_value:.1e}): {stories}"))
    for j in report.graph.joined:
        for member in j.met:
            out.append((j.site, member, 0.0, (f"{j.site} joined community {j.community}: {j.co_stories} stories in "
                        f"step with its members (p = {j.p_value:.1e})")))
    return out


def _nodes(report: SitesReport) -> list[str]:
    """Every site in a community, then every other site that derived a story, most stories first."""
    graph = report.graph
    return sorted(graph.sites, key=lambda s: (s not in graph.communities, -graph.sites[s], s))


def _node(profile: SiteProfile | None, site: str, community: int | None) -> dict[str, Any]:
    figures = {k: getattr(profile, k) for k in NODE_FIGURES} if profile is not None else {}
    lists = {"narratives": [label for label, _ in profile.narratives[:3]] if profile else [],
             "sources": [source for source, _ in profile.sources[:3]] if profile else [],
             "boilerplate": [line for line, _ in profile.template.boilerplate[:3]] if profile else []}
    return {"site": site, "community": community, **figures, **lists}


def network_gexf(report: SitesReport) -> str:
    """GEXF 1.3: node attributes typed, lists joined as text."""
    document = network_json(report)
    names = _attributes(document["nodes"])
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           ('<gexf xmlns="http://gexf.net/1.3" xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" '
           'xsi:schemaLocation="http://gexf.net/1.3 http://gexf.net/1.3/gexf.xsd" version="1.3">'),
           '<meta><creator>unspun</creator><description>coordination graph of sites</description></meta>',
           '<graph mode="static" defaultedgetype="undirected">', '<attributes class="node">']
    out += [f'<attribute id="{n}" title={quoteattr(name)} type="{kind}"/>' for n, (name, kind) in enumerate(names)]
    out += ['</attributes>', '<attributes class="edge">', '<attribute id="0" title="co_stories" type="integer"/>',
            '<attribute id="1" title="p_value" type="double"/>', '<attribute id="2" title="stories" type="string"/>',
            '<attribute id="3" title="shared_template" type="string"/>', '</attributes>', '<nodes>']
    for node in document["nodes"]:
        values = "".join(f'<attvalue for="{n}" value={quoteattr(_text(node.get(name)))}/>'
                         for n, (name, _) in enumerate(names) if node.get(name) is not None)
        out.append(f'<node id={quoteattr(node["site"])} label={quoteattr(node["site"])}><attvalues>{values}'
                   '</attvalues></node>')
    out.append('</nodes><edges>')
    for n, edge in enumerate(document["edges"]):
        values = (f'<attvalue for="0" value="{edge["co_stories"]}"/><attvalue for="1" value="{edge["p_value"]:.3e}"/>'
                  f'<attvalue for="2" value={quoteattr(_text([e["story"] for e in edge["evidence"]]))}/>'
                  f'<attvalue for="3" value={quoteattr(_text(edge["shared_template"]))}/>')
        out.append(f'<edge id="{n}" source={quoteattr(edge["source"])} target={quoteattr(edge["target"])} '
                   f'weight="{edge["weight"]}"><attvalues>{values}</attvalues></edge>')
    out.append('</edges></graph></gexf>')
    return "\n".join(out) + "\n"


def network_graphml(report: SitesReport) -> str:
    document = network_json(report)
    names = _attributes(document["nodes"])
    kinds = {"integer": "int", "double": "double", "string": "string"}
    out = ['<?xml version="1.0" encoding="UTF-8"?>',
           ('<graphml xmlns="http://graphml.graphdrawing.org/xmlns" '
           'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:schemaLocation="http://graphml.graphdrawing.org/'
           'xmlns http://graphml.graphdrawing.org/xmlns/1.0/graphml.xsd">')]
    out += [f'<key id="n{n}" for="node" attr.name={quoteattr(name)} attr.type="{kinds[kind]}"/>'
            for n, (name, kind) in enumerate(names)]
    out += ['<key id="weight" for="edge" attr.name="weight" attr.type="double"/>',
            '<key id="co_stories" for="edge" attr.name="co_stories" attr.type="int"/>',
            '<key id="p_value" for="edge" attr.name="p_value" attr.type="double"/>',
            '<key id="stories" for="edge" attr.name="stories" attr.type="string"/>',
            '<key id="shared_template" for="edge" attr.name="shared_template" attr.type="string"/>',
            '<graph id="sites" edgedefault="undirected">']
    for node in document["nodes"]:
        data = "".join(f'<data key="n{n}">{escape(_text(node.get(name)))}</data>'
                       for n, (name, _) in enumerate(names) if node.get(name) is not None)
        out.append(f'<node id={quoteattr(node["site"])}>{data}</node>')
    for edge in document["edges"]:
        out.append(f'<edge source={quoteattr(edge["source"])} target={quoteattr(edge["target"])}>'
                   f'<data key="weight">{edge["weight"]}</data><data key="co_stories">{edge["co_stories"]}</data>'
                   f'<data key="p_value">{edge["p_value"]:.3e}</data>'
                   f'<data key="stories">{escape(_text([e["story"] for e in edge["evidence"]]))}</data>'
                   f'<data key="shared_template">{escape(_text(edge["shared_template"]))}</data></edge>')
    out.append("</graph></graphml>")
    return "\n".join(out) + "\n"


def _attributes(nodes: list[dict[str, Any]]) -> list[tuple[str, str]]:
    """The node attributes and their GEXF types, from the values present."""
    names: dict[str, str] = {}
    for node in nodes:
        for key, value in node.items():
            if key == "site" or value is None:
                continue
            kind = ("integer" if isinstance(value, int) and not isinstance(value, bool) else
                    "double" if isinstance(value, float) else "string")
            if names.get(key) not in (None, kind):
                kind = "double" if {names[key], kind} == {"integer", "double"} else "string"
            names[key] = kind
    return sorted(names.items())


def _text(value: Any) -> str:
    if isinstance(value, list | tuple):
        return LIST_JOIN.join(_text(v) for v in value)
    return "" if value is None else str(value)


def layout(report: SitesReport, limit: int = 300, seed: int = 0) -> dict[str, tuple[float, float]]:
    """Positions in [0, 1]^2 of the linked sites (at most `limit`, heaviest first) by a force-directed layout
    (Fruchterman-Reingold, numpy): linked sites pull together, all push apart."""
    links = _links(report)
    strength: dict[str, float] = {}
    for source, target, weight, _ in links:
        strength[source] = strength.get(source, 0.0) + weight + 0.1
        strength[target] = strength.get(target, 0.0) + weight + 0.1
    sites = sorted(strength, key=lambda s: (-strength[s], s))[:limit]
    if not sites:
        return {}
    index = {s: n for n, s in enumerate(sites)}
    n = len(sites)
    rng = np.random.default_rng(seed)
    pos = rng.random((n, 2))
    weights = np.zeros((n, n))
    for source, target, weight, _ in links:
        if source in index and target in index:
            weights[index[source], index[target]] = weights[index[target], index[source]] = 1 + math.log1p(weight)
    k = 1 / math.sqrt(n)
    temperature = 0.1
    for _ in range(120):
        delta = pos[:, None, :] - pos[None, :, :]
        distance = np.maximum(np.linalg.norm(delta, axis=2), 1e-3)
        force = (k * k / distance**2 - weights * distance / k)[:, :, None] * delta
        move = force.sum(axis=1)
        length = np.maximum(np.linalg.norm(move, axis=1, keepdims=True), 1e-9)
        pos += move / length * np.minimum(length, temperature)
        temperature *= 0.96
    pos -= pos.min(axis=0)
    pos /= np.maximum(pos.max(axis=0), 1e-9)
    return {s: (float(pos[i, 0]), float(pos[i, 1])) for s, i in index.items()}


def network_svg(report: SitesReport, href: Any = None, size: int = 900, limit: int = 300) -> str:
    """The linked sites (at most `limit`) coloured by community, sized by articles; each a link when `href`
    (site -> URL) is given; each edge's tooltip names its co-published stories; a site that joined a community
    as a whole is joined to the members it met by dashed lines."""
    positions = layout(report, limit)
    margin, graph = 40, report.graph
    inner = size - 2 * margin
    label_room = 170  # the labels to the right of the rightmost sites
    out = [(f'<svg xmlns="http://www.w3.org/2000/svg" class="network" width="{size + label_room}" height="{size}" '
            f'viewBox="0 0 {size + label_room} {size}" font-family="sans-serif" font-size="10" role="img" '
            'aria-label="coordination graph of sites">'),
           f'<title>Coordination graph: {len(positions)} sites, window {graph.window_days} day(s)</title>']
    xy = {s: (margin + x * inner, margin + y * inner) for s, (x, y) in positions.items()}
    peak = max((e.weight for e in graph.edges), default=1.0) or 1.0
    for source, target, weight, tip in _links(report):
        if source in xy and target in xy:
            (x1, y1), (x2, y2) = xy[source], xy[target]
            style = f'stroke-width="{0.5 + 3 * weight / peak:.2f}"' if weight else 'stroke-width="1" stroke-dasharray="4 3"'
            out.append(f'<line x1="{x1:.1f}" y1="{y1:.1f}" x2="{x2:.1f}" y2="{y2:.1f}" stroke="#888" '
                       f'stroke-opacity="0.6" {style}><title>{escape(tip)}</title></line>')
    for site, (x, y) in xy.items():
        profile = report.profiles.get(site)
        articles = profile.articles if profile else 1
        radius = 3 + 2 * math.log1p(articles)
        community = graph.communities.get(site)
        colour = PALETTE[community % len(PALETTE)] if community is not None else "#999999"
        tip = f"{site}: community {community}, {articles} articles"
        dot = (f'<circle cx="{x:.1f}" cy="{y:.1f}" r="{radius:.1f}" fill="{colour}" stroke="#fff"><title>'
               f'{escape(tip)}</title></circle><text x="{x + radius + 2:.1f}" y="{y + 3:.1f}">{escape(site)}</text>')
        out.append(f'<a href={quoteattr(href(site))}>{dot}</a>' if href is not None else dot)
    out.append("</svg>")
    return "\n".join(out) + "\n"


def write_network(report: SitesReport, path: Any, format: str) -> None:
    """Write the graph to path in the given format (gexf, graphml, json, svg or png)."""
    import json

    if format == "json":
        path.write_text(json.dumps(network_json(report), ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    elif format == "gexf":
        path.write_text(network_gexf(report), encoding="utf-8")
    elif format == "graphml":
        path.write_text(network_graphml(report), encoding="utf-8")
    elif format == "svg":
        path.write_text(network_svg(report), encoding="utf-8")
    elif format == "png":
        _write_png(report, path)
    else:
        raise InputError(f"the network is written as gexf, graphml, json, svg or png, not {format!r}")


def _write_png(report: SitesReport, path: Any) -> None:
    try:
        import matplotlib

        matplotlib.use("Agg")
        import matplotlib.pyplot as plt
    except ImportError as exc:
        raise UnspunError("PNG needs matplotlib: pip install 'unspun[charts]' (or write .svg)") from exc
    positions = layout(report)
    figure, axes = plt.subplots(figsize=(10, 10))
    for source, target, weight, _ in _links(report):
        if source in positions and target in positions:
            (x1, y1), (x2, y2) = positions[source], positions[target]
            axes.plot([x1, x2], [1 - y1, 1 - y2], color="#888", alpha=0.5, linewidth=0.5 + math.log1p(weight) / 2,
                      linestyle="-" if weight else "--")
    for site, (x, y) in positions.items():
        community = report.graph.communities.get(site)
        axes.scatter([x], [1 - y], color=PALETTE[community % len(PALETTE)] if community is not None else "#999",
                     s=30)
        axes.annotate(site, (x, 1 - y), fontsize=6)
    axes.set_axis_off()
    figure.savefig(path, dpi=150, bbox_inches="tight")
    plt.close(figure)

