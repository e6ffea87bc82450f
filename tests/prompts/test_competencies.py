"""The competency list holds the ALSC areas, loads an operator's list of the same shape, and
refuses a bad file with one sentence naming the file and the mistake."""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path

import pytest

from prompts.catalog import CatalogError
from prompts.competencies import DEFAULT_FILE, CompetencyList, load_competencies

ALSC_AREAS = (
    "Commitment to Client Group",
    "Reference and User Services",
    "Programming Skills",
    "Knowledge, Curation, and Management of Materials",
    "Outreach and Advocacy",
    "Administrative and Management Skills",
    "Professionalism and Professional Development",
)

OPERATOR_LIST = """
name: County youth services skills
source:
  publisher: Riverside County Library
scale:
  4: I lead it
  2: I am trying it
  1: Not yet
  "3": I do it alone
areas:
  - id: storytime
    title: Storytime
    description: Planning and leading storytimes for babies to preschoolers.
  - id: outreach
    title: School outreach
"""

GOOD_AREA = "  - id: storytime\n    title: Storytime\n"
GOOD_SCALE = "scale: {1: a, 2: b, 3: c, 4: d}\n"
GOOD_HEAD = "name: Ours\nsource: {publisher: Us}\n"


@pytest.fixture(scope="module")
def alsc() -> CompetencyList:
    return load_competencies()


def _write(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "ours.yaml"
    path.write_text(text, encoding="utf-8")
    return path


def test_the_default_list_holds_the_alsc_areas_in_order(alsc):
    """The seven areas, titled as ALSC words them."""
    assert tuple(area.title for area in alsc.areas) == ALSC_AREAS


def test_default_area_ids_are_unique_slugs_with_a_description(alsc):
    """Ratings are stored by id, so each must be distinct and safe to keep."""
    ids = [area.id for area in alsc.areas]
    assert len(set(ids)) == len(ids) == 7
    assert all(re.fullmatch(r"[a-z0-9][a-z0-9-]*", area_id) for area_id in ids)
    assert all(20 <= len(area.description) <= 300 for area in alsc.areas)


def test_the_default_scale_labels_one_to_four(alsc):
    """Each rating has its own words, lowest first."""
    assert [level.rating for level in alsc.scale] == [1, 2, 3, 4]
    assert alsc.label(1) == "New to this"
    assert alsc.label(4) == "Could teach it"
    assert len({level.label for level in alsc.scale}) == 4


def test_the_default_list_cites_its_edition(alsc):
    """The file says which edition it follows and where ALSC publishes it."""
    assert alsc.name == "ALSC Competencies for Librarians Serving Children in Libraries"
    assert alsc.source.publisher.startswith("Association for Library Service to Children")
    assert alsc.source.edition.startswith("2020")
    assert alsc.source.url == "https://www.ala.org/alsc/edcareeers/alsccorecomps"
    header = DEFAULT_FILE.read_text(encoding="utf-8").split("\nname:")[0]
    assert "2020" in header
    assert "https://www.ala.org/alsc/edcareeers/alsccorecomps" in header


def test_the_list_cannot_be_changed_after_loading(alsc):
    """Loaded once, shared everywhere: nobody edits it in place."""
    with pytest.raises(dataclasses.FrozenInstanceError):
        alsc.name = "Other"  # type: ignore[misc]
    assert isinstance(alsc.areas, tuple)


def test_an_operator_file_loads_in_place_of_the_default(tmp_path):
    """Its own areas and labels, the scale put in order whatever order it was written in."""
    competencies = load_competencies(_write(tmp_path, OPERATOR_LIST))
    assert competencies.name == "County youth services skills"
    assert [area.id for area in competencies.areas] == ["storytime", "outreach"]
    assert competencies.area("outreach").title == "School outreach"
    assert competencies.area("outreach").description == ""
    assert [level.label for level in competencies.scale] == [
        "Not yet",
        "I am trying it",
        "I do it alone",
        "I lead it",
    ]
    assert competencies.source.url == ""


def test_asking_for_an_unknown_area_or_rating_is_a_key_error(alsc):
    with pytest.raises(KeyError):
        alsc.area("nowhere")
    with pytest.raises(KeyError):
        alsc.label(5)


@pytest.mark.parametrize(
    ("text", "message"),
    [
        (GOOD_HEAD + GOOD_SCALE + "areas: []\n", "field areas: the list has no areas"),
        (GOOD_HEAD + GOOD_SCALE, "field areas: Field required"),
        (
            GOOD_HEAD + GOOD_SCALE + "areas:\n" + GOOD_AREA + GOOD_AREA,
            "areas entry storytime appears twice",
        ),
        (
            GOOD_HEAD + GOOD_SCALE + "areas:\n" + GOOD_AREA + "  - id: reading\n",
            "areas entry 2 (reading), field title: Field required",
        ),
        (
            GOOD_HEAD + GOOD_SCALE + "areas:\n  - id: reading\n    title: ''\n",
            "areas entry 1 (reading), field title: String should have at least 1 character",
        ),
        (
            GOOD_HEAD + GOOD_SCALE + "areas:\n  - id: Read Aloud\n    title: Read aloud\n",
            "areas entry 1 (Read Aloud), field id: String should match pattern",
        ),
        (
            GOOD_HEAD + GOOD_SCALE + "areas:\n" + GOOD_AREA + "    level: hard\n",
            "areas entry 1 (storytime), field level: unknown field",
        ),
        (
            GOOD_HEAD + "scale: {0: a, 1: b, 2: c, 3: d}\nareas:\n" + GOOD_AREA,
            "field scale: the scale must label each rating 1 to 4 once; it labels 0, 1, 2, 3",
        ),
        (
            GOOD_HEAD + "scale: {1: a, 2: b, 3: c, 4: d, 5: e}\nareas:\n" + GOOD_AREA,
            "field scale: the scale must label each rating 1 to 4 once; it labels 1, 2, 3, 4, 5",
        ),
        (
            GOOD_HEAD + "scale: {1: a, 2: b, 4: d}\nareas:\n" + GOOD_AREA,
            "field scale: the scale must label each rating 1 to 4 once; it labels 1, 2, 4",
        ),
        (
            GOOD_HEAD + "scale: [a, b, c, d]\nareas:\n" + GOOD_AREA,
            "field scale: write the scale as a mapping from each rating 1 to 4 to its label",
        ),
        (
            GOOD_HEAD + "scale: {1: a, 2: b, 3: '', 4: d}\nareas:\n" + GOOD_AREA,
            "field scale: String should have at least 1 character",
        ),
        (
            "source: {publisher: Us}\n" + GOOD_SCALE + "areas:\n" + GOOD_AREA,
            "field name: Field required",
        ),
        (
            "name: Ours\n" + GOOD_SCALE + "areas:\n" + GOOD_AREA,
            "field source: Field required",
        ),
        ("areas: [\n", "line 2: not valid YAML"),
        ("- just a list\n", "expected a mapping with name, source, scale and areas"),
    ],
)
def test_a_bad_file_is_refused_in_one_sentence(tmp_path, text, message):
    """The file's path, then what is wrong with which entry and field."""
    path = _write(tmp_path, text)
    with pytest.raises(CatalogError) as raised:
        load_competencies(path)
    said = str(raised.value)
    assert said.startswith(f"{path}:")
    assert message in said
    assert "\n" not in said


def test_a_missing_file_is_named(tmp_path):
    path = tmp_path / "nope.yaml"
    with pytest.raises(CatalogError, match="cannot read the competency list") as raised:
        load_competencies(path)
    assert str(raised.value).startswith(f"{path}:")
