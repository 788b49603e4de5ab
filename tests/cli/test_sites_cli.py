"""`unspun sites`, `unspun site` and `unspun network` over a real store (SQLite and PostgreSQL) holding the
world of tests/sites/world.py: every format parses with a standard reader, Gephi's formats included."""

from __future__ import annotations

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import networkx as nx
import pytest
from typer.testing import CliRunner

from tests.cli.test_cli import run_unspun
from tests.sites.world import BUSY, FARMED, FARMS, HOSTILE, HOSTILE_FROM, MINISTRY
from unspun.cli.app import app

GEXF = "{http://gexf.net/1.3}"


def invoke(runner: CliRunner, *args: str) -> str:
    result = runner.invoke(app, list(args))
    assert result.exit_code == 0, result.output
    return result.stdout


def test_sites_cli_lists_every_site_in_each_format(runner: CliRunner, world_store_url: str) -> None:
    document = json.loads(invoke(runner, "sites", "--db", world_store_url, "--format", "json"))
    assert document["schema"] == "unspun.sites/1"
    sites = {s["site"]: s for s in document["sites"]}
    assert set(sites) == {MINISTRY, HOSTILE, *FARMS, *BUSY}
    assert sites[FARMS[0]]["derived_share"] == 1.0 and sites[FARMS[0]]["community"] is not None
    assert document["network"]["edges"] >= 3
    rows = list(csv.DictReader(io.StringIO(invoke(runner, "sites", "--db", world_store_url, "--format", "csv"))))
    assert {r["site"] for r in rows} == set(sites)
    assert {r["site"]: int(r["articles"]) for r in rows} == {s: v["articles"] for s, v in sites.items()}
    text = invoke(runner, "sites", "--db", world_store_url, "--limit", "3")
    assert MINISTRY in text and HOSTILE not in text  # three busiest only


def test_sites_cli_one_site_with_its_partners_and_evidence(runner: CliRunner, world_store_url: str) -> None:
    document = json.loads(invoke(runner, "site", FARMS[0].upper(), "--db", world_store_url, "--format", "json"))
    assert document["schema"] == "unspun.site/1" and document["profile"]["site"] == FARMS[0]
    partners = {e["site"]: e for e in document["coordinated_with"]}
    assert set(FARMS[1:]) <= set(partners)
    assert all(e["co_stories"] == len(e["evidence"]) for e in partners.values())
    assert sum(w["articles"] for w in document["profile"]["weekly"]) == len(FARMED)
    text = invoke(runner, "site", FARMS[0], "--db", world_store_url)
    assert FARMS[1] in text and "subscribe to <site>" in text.lower()


def test_sites_cli_unknown_site_is_one_clear_message(world_store_url: str) -> None:
    result = run_unspun("site", "nowhere.example", "--db", world_store_url)
    assert result.returncode != 0 and "Traceback" not in result.stderr
    assert result.stderr.startswith("unspun: no stored article comes from nowhere.example")


def test_sites_cli_network_json_matches_the_contract(runner: CliRunner, world_store_url: str) -> None:
    document = json.loads(invoke(runner, "network", "--db", world_store_url, "--format", "json", "--out", "-"))
    assert document["schema"] == "unspun.network/1"
    nodes = {n["site"]: n for n in document["nodes"]}
    assert {"site", "community", "articles", "derived_share"} <= set(nodes[FARMS[0]])
    assert len({nodes[f]["community"] for f in FARMS}) == 1
    for edge in document["edges"]:
        assert {"source", "target", "weight", "evidence"} <= set(edge) and edge["weight"] > 0
        assert edge["source"] in nodes and edge["target"] in nodes
        for item in edge["evidence"]:
            assert set(item) == {"story", "articles", "lag_seconds"} and len(item["articles"]) == 2


def test_sites_cli_network_gexf_and_graphml_open_in_standard_readers(runner: CliRunner, world_store_url: str,
                                                                      tmp_path: Path) -> None:
    gexf = tmp_path / "n.gexf"
    invoke(runner, "network", "--db", world_store_url, "--format", "gexf", "--out", str(gexf))
    root = ET.parse(gexf).getroot()
    assert root.tag == f"{GEXF}gexf" and root.attrib["version"] == "1.3"
    ids = {n.attrib["id"] for n in root.iter(f"{GEXF}node")}
    assert set(FARMS) | {HOSTILE} <= ids  # the hostile name is escaped, not broken
    edges = list(root.iter(f"{GEXF}edge"))
    assert edges and all(e.attrib["source"] in ids and e.attrib["target"] in ids for e in edges)
    read = nx.read_gexf(gexf)
    assert set(FARMS) <= set(read.nodes) and read.number_of_edges() == len(edges)

    graphml = tmp_path / "n.graphml"
    invoke(runner, "network", "--db", world_store_url, "--format", "graphml", "--out", str(graphml))
    graph = nx.read_graphml(graphml)
    assert set(graph.nodes) == ids and graph.number_of_edges() == len(edges)
    edge = graph.edges[FARMS[0], FARMS[1]]
    assert edge["co_stories"] == len(FARMED) and len(edge["stories"].split(" | ")) == len(FARMED)
    boilerplate = graph.nodes[FARMS[0]]["boilerplate"].split(" | ")  # a list, written as text
    assert len(boilerplate) >= 2 and any(line.startswith("subscribe to <site>") for line in boilerplate)
    assert graph.nodes[HOSTILE]["articles"] == len(FARMED) - HOSTILE_FROM
    assert graph.has_edge(HOSTILE, FARMS[0])  # the hostile name survives as an edge end too


def test_sites_cli_network_drawings(runner: CliRunner, world_store_url: str, tmp_path: Path) -> None:
    svg = tmp_path / "n.svg"
    invoke(runner, "network", "--db", world_store_url, "--format", "svg", "--out", str(svg))
    root = ET.parse(svg).getroot()
    assert root.tag == "{http://www.w3.org/2000/svg}svg"
    labels = [t.text for t in root.iter("{http://www.w3.org/2000/svg}text")]
    assert set(FARMS) | {HOSTILE} <= set(labels)  # parsed back as text: escaped, not markup
    png = tmp_path / "n.png"
    invoke(runner, "network", "--db", world_store_url, "--format", "png", "--out", str(png))
    assert png.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


@pytest.mark.parametrize("args,message", [
    (["--format", "svg", "--out", "-"], "write SVG or PNG to a file"),
    (["--format", "gexf", "--out", "/nonexistent-dir/n.gexf"], "cannot write /nonexistent-dir/n.gexf"),
])
def test_sites_cli_network_bad_output_is_one_clear_message(world_store_url: str, args: list[str],
                                                           message: str) -> None:
    result = run_unspun("network", "--db", world_store_url, *args)
    assert result.returncode != 0 and message in result.stderr and "Traceback" not in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
