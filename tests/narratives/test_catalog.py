"""The narrative catalog: the packaged SemEval-2025 taxonomy, user catalogs and their errors."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from unspun.errors import InputError
from unspun.narratives.catalog import NO_NARRATIVE, Narrative, SubNarrative, load_catalog

# Counts of SemEval-2025 Task 10 subtask 2 labels (subtask2_{coarse,fine}-grained_narratives.csv), not
# counting the bare "Other" (no narrative). The sets were checked once against those files by script.
URW_NARRATIVES, CC_NARRATIVES, SUB_NARRATIVES, OTHER_SUB_NARRATIVES = 11, 10, 95, 21

MINIMAL = """\
name: Local politics
version: 1.0
narratives:
  - label: "Housing: Newcomers are to blame"
    definition: The claim that newcomers cause the housing shortage.
    examples: ["Outsiders are buying up every flat in town."]
    sub_narratives:
      - label: "Housing: Newcomers are to blame: Second homes"
        definition: The claim that second homes empty the town.
        examples: ["Half the seafront stands empty all winter."]
"""


def _entry(label: object = "T: A", **fields: object) -> dict[str, object]:
    return {"label": label, "definition": "The claim that a.", "examples": ["A is true."], **fields}


def _write(tmp_path: Path, data: object, name: str = "c.yaml") -> Path:
    path = tmp_path / name
    path.write_text(data if isinstance(data, str) else json.dumps(data), encoding="utf-8")
    return path


def _catalog(*narratives: object) -> dict[str, object]:
    return {"name": "test", "narratives": list(narratives)}


def test_catalog_default_has_the_semeval_taxonomy() -> None:
    catalog = load_catalog()
    topics = [narrative.topic for narrative in catalog.narratives]
    assert (topics.count("URW"), topics.count("CC")) == (URW_NARRATIVES, CC_NARRATIVES)
    assert len(catalog.labels()) == URW_NARRATIVES + CC_NARRATIVES == len(set(catalog.labels()))
    assert len(catalog.sub_labels()) == SUB_NARRATIVES == len(set(catalog.sub_labels()))
    assert sum(label.endswith(": Other") for label in catalog.sub_labels()) == OTHER_SUB_NARRATIVES
    assert NO_NARRATIVE not in catalog.labels()
    assert catalog.source and catalog.licence and catalog.version


@pytest.mark.parametrize(
    "label",
    [
        "URW: Discrediting the West, Diplomacy",
        "CC: Questioning the measurements and science",
        "URW: Blaming the war on others rather than the invader: Ukraine is the aggressor",
        "URW: Discrediting Ukraine: Rewriting Ukraine’s history",
        "URW: Hidden plots by secret schemes of powerful groups: Other",
        "URW: Discrediting the West, Diplomacy: Diplomacy does/will not work",
        "CC: Green policies are geopolitical instruments: Climate-related international relations are "
        + "abusive/exploitative",
    ],
)
def test_catalog_default_has_exact_semeval_labels(label: str) -> None:
    assert load_catalog().find(label) is not None


def test_catalog_default_entries_are_complete() -> None:
    for narrative in load_catalog().narratives:
        assert narrative.sub_narratives, narrative.label
        entries: list[Narrative | SubNarrative] = [narrative, *narrative.sub_narratives]
        for entry in entries:
            assert entry.definition and len(entry.examples) >= 3, entry.label
            assert entry.cues and all(cue == cue.lower() for cue in entry.cues), entry.label
            assert len(set(entry.examples)) == len(entry.examples), entry.label


@pytest.mark.parametrize(
    ("label", "phrase"),
    [
        ("URW: Russia is the Victim: Russia actions in Ukraine are only self-defence", "citizens of Donbass"),
        ("URW: Blaming the war on others rather than the invader: The West are the aggressors", "Maidan"),
        (
            "URW: Negative Consequences for the West: Sanctions imposed by Western countries will backfire",
            "backfired",
        ),
        ("URW: Praise of Russia: Russia is a guarantor of peace and prosperity", "multipolar world"),
    ],
)
def test_catalog_default_examples_cover_typical_phrasings(label: str, phrase: str) -> None:
    entry = load_catalog().find(label)
    assert entry is not None and any(phrase in example for example in entry.examples)


def test_catalog_find_and_derived_names() -> None:
    catalog = load_catalog()
    narrative = catalog.find("URW: Discrediting Ukraine")
    sub = catalog.find("URW: Discrediting Ukraine: Ukraine is a puppet of the West")
    assert isinstance(narrative, Narrative) and isinstance(sub, SubNarrative)
    assert (narrative.topic, narrative.name) == ("URW", "Discrediting Ukraine")
    assert sub.name == "Ukraine is a puppet of the West" and sub in narrative.sub_narratives
    assert catalog.find("URW: No such narrative") is None and catalog.find(NO_NARRATIVE) is None


def test_catalog_default_is_cached() -> None:
    assert load_catalog() is load_catalog(None)


def test_catalog_minimal_yaml_loads(tmp_path: Path) -> None:
    catalog = load_catalog(_write(tmp_path, MINIMAL))
    assert (catalog.name, catalog.version) == ("Local politics", "1.0")
    assert catalog.labels() == ("Housing: Newcomers are to blame",)
    assert catalog.sub_labels() == ("Housing: Newcomers are to blame: Second homes",)
    assert catalog.narratives[0].topic == "Housing" and catalog.narratives[0].cues == ()


def test_catalog_minimal_json_loads(tmp_path: Path) -> None:
    data = _catalog(_entry("Plain label", topic="Town", name="Plain", cues=["Outsiders"]))
    catalog = load_catalog(_write(tmp_path, data, "c.json"))
    narrative = catalog.narratives[0]
    assert (narrative.label, narrative.topic, narrative.name) == ("Plain label", "Town", "Plain")
    assert narrative.cues == ("outsiders",)
    assert narrative.examples == ("A is true.",) and catalog.version == ""


def test_catalog_readme_example_loads(tmp_path: Path) -> None:
    readme = Path(__file__).parents[2] / "src/unspun/narratives/catalogs/README.md"
    block = re.search(r"```yaml\n(.*?)```", readme.read_text(encoding="utf-8"), re.DOTALL)
    assert block is not None
    assert load_catalog(_write(tmp_path, block.group(1))).sub_labels()


@pytest.mark.parametrize(
    ("data", "expected"),
    [
        ("", r"c\.yaml: the narrative catalog is empty"),
        ("- a\n- b\n", r"the catalog: must be a mapping .*not a list"),
        ({"narratives": [_entry()]}, r"the catalog: missing required field 'name'"),
        ({"name": "x"}, r"the catalog: missing required field 'narratives'"),
        ({"name": "x", "narrative": []}, r"the catalog: unknown key 'narrative' \(did you mean 'narratives'"),
        (_catalog(_entry(), "T: B"), r"narrative #2: must be a mapping of keys to values, not the string"),
        (_catalog({"definition": "d", "examples": ["e"]}), r"narrative #1: missing required field 'label'"),
        (_catalog(_entry(definition=None)), r"narrative #1 \('T: A'\): missing required field 'definition'"),
        (_catalog(_entry(examples=[])), r"narrative #1 \('T: A'\): missing required field 'examples'"),
        (_catalog(_entry(examples="A is true.")), r"\('T: A'\): 'examples' must be a list, not the string"),
        (_catalog(_entry(cues=["ok", 3])), r"\('T: A'\): every item of 'cues' must be a non-empty string"),
        (_catalog(_entry(label=7)), r"narrative #1: 'label' must be a non-empty string, not the number 7"),
        (_catalog(_entry("Other")), r"narrative #1 \('Other'\): 'Other' is reserved"),
        (
            _catalog(_entry(exmaples=["x"])),
            r"\('T: A'\): unknown key 'exmaples' \(did you mean 'examples'\?\); allowed keys: label, topic, "
            + "name, definition, examples, cues, sub_narratives",
        ),
        (
            _catalog(_entry(), _entry("T: B"), _entry()),
            r"duplicate label 'T: A': narrative #1 and narrative #3$",
        ),
        (
            _catalog(_entry(sub_narratives=[_entry("T: A: x"), _entry("T: A: x")])),
            r"duplicate label 'T: A: x': narrative #1, sub-narrative #1 and narrative #1, sub-narrative #2",
        ),
        (
            _catalog(_entry(sub_narratives=[_entry("T: B: x")])),
            r"narrative #1 \('T: A'\), sub-narrative #1 \('T: B: x'\): the label must be its narrative's "
            + "label",
        ),
        (
            _catalog(_entry(sub_narratives=[_entry("T: A: x", sub_narratives=[])])),
            r"sub-narrative #1 \('T: A: x'\): unknown key 'sub_narratives'; allowed keys: label, name,",
        ),
    ],
)
def test_catalog_bad_input_names_the_entry(tmp_path: Path, data: object, expected: str) -> None:
    with pytest.raises(InputError) as caught:
        load_catalog(_write(tmp_path, data))
    message = str(caught.value)
    assert message.startswith(str(tmp_path / "c.yaml") + ": ") and re.search(expected, message), message


def test_catalog_bad_yaml_gives_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, 'name: x\nnarratives:\n  - label: "T: A\n    definition: d\n')
    with pytest.raises(InputError, match=r"c\.yaml: bad YAML at line \d+, column \d+: "):
        load_catalog(path)
    path = _write(tmp_path, "name: x\nnarratives: [\n  - label: a\n")
    with pytest.raises(InputError, match=r"bad YAML at line 3"):
        load_catalog(path)


def test_catalog_bad_json_gives_the_line(tmp_path: Path) -> None:
    path = _write(tmp_path, '{"name": "x",\n "narratives": [,]}', "c.json")
    with pytest.raises(InputError, match=r"c\.json: bad JSON at line 2, column 17: Expecting value"):
        load_catalog(path)


def test_catalog_unreadable_file(tmp_path: Path) -> None:
    with pytest.raises(InputError, match=r"missing\.yaml: cannot read the narrative catalog: No such file"):
        load_catalog(tmp_path / "missing.yaml")
    with pytest.raises(InputError, match=r"cannot read the narrative catalog"):
        load_catalog(tmp_path)
    (tmp_path / "latin1.yaml").write_bytes("name: caf\xe9\n".encode("latin-1"))
    with pytest.raises(InputError, match=r"latin1\.yaml: the narrative catalog is not UTF-8 text"):
        load_catalog(tmp_path / "latin1.yaml")
