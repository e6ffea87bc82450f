"""The program's competency list: the areas members rate themselves on, kept as data.

At kickoff and at closing each member rates themselves 1 to 4 on every area, and the funder report
shows the change per area. The list is data so a program can bring its own: the built-in file
``prompts/competencies/alsc.yaml`` holds the areas of the ALSC competencies (its header cites the
edition), and an operator may load a YAML file of the same shape instead. A mistake in a file is a
``CatalogError`` naming the file and what is wrong, as the activity catalog reports its files.
"""

from __future__ import annotations

from collections.abc import Mapping
from pathlib import Path
from typing import Annotated

from pydantic import (
    ConfigDict,
    Field,
    TypeAdapter,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic.dataclasses import dataclass

from prompts.catalog import CatalogError, read_mapping

DEFAULT_FILE = Path(__file__).parent / "competencies" / "alsc.yaml"
RATINGS = (1, 2, 3, 4)  # fixed, so ratings from different lists and years stay comparable
Id = Annotated[str, Field(pattern=r"^[a-z0-9][a-z0-9-]*$", max_length=60)]
_CONFIG = ConfigDict(extra="forbid", str_strip_whitespace=True)


@dataclass(frozen=True, config=_CONFIG)
class Source:
    """Where the list comes from, so the report can cite it."""

    publisher: Annotated[str, Field(min_length=1, max_length=200)]
    edition: str = Field("", max_length=200)
    url: str = Field("", max_length=300)


@dataclass(frozen=True, config=_CONFIG)
class ScaleLevel:
    """One point of the rating scale and the words a member picks it by."""

    rating: int
    label: Annotated[str, Field(min_length=1, max_length=40)]


@dataclass(frozen=True, config=_CONFIG)
class CompetencyArea:
    """One area; ``id`` is what stored ratings refer to, so it stays when the wording changes."""

    id: Id
    title: Annotated[str, Field(min_length=1, max_length=80)]
    description: str = Field("", max_length=300)


@dataclass(frozen=True, config=_CONFIG)
class CompetencyList:
    """A named list of areas and the labels of the ratings 1 to 4."""

    name: Annotated[str, Field(min_length=1, max_length=150)]
    source: Source
    scale: tuple[ScaleLevel, ...]
    areas: Annotated[tuple[CompetencyArea, ...], Field(max_length=25)]  # a form row each

    @field_validator("scale", mode="before")
    @classmethod
    def _scale_from_mapping(cls, value: object) -> object:
        if not isinstance(value, Mapping):
            raise ValueError("write the scale as a mapping from each rating 1 to 4 to its label")
        return [{"rating": rating, "label": label} for rating, label in value.items()]

    @field_validator("scale")
    @classmethod
    def _one_label_per_rating(cls, value: tuple[ScaleLevel, ...]) -> tuple[ScaleLevel, ...]:
        ratings = sorted(level.rating for level in value)
        if tuple(ratings) != RATINGS:
            got = ", ".join(map(str, ratings)) or "none"
            raise ValueError(f"the scale must label each rating 1 to 4 once; it labels {got}")
        return tuple(sorted(value, key=lambda level: level.rating))

    @field_validator("areas")
    @classmethod
    def _some_areas(cls, value: tuple[CompetencyArea, ...]) -> tuple[CompetencyArea, ...]:
        if not value:
            raise ValueError("the list has no areas")
        return value

    @model_validator(mode="after")
    def _unique_ids(self) -> CompetencyList:
        seen: set[str] = set()
        for area in self.areas:
            if area.id in seen:
                raise ValueError(f"areas entry {area.id} appears twice")
            seen.add(area.id)
        return self

    def area(self, area_id: str) -> CompetencyArea:
        """The area with ``area_id``; ``KeyError`` if this list has none."""
        for area in self.areas:
            if area.id == area_id:
                return area
        raise KeyError(area_id)

    def label(self, rating: int) -> str:
        """The words for ``rating`` (1 to 4); ``KeyError`` for any other number."""
        for level in self.scale:
            if level.rating == rating:
                return level.label
        raise KeyError(rating)


def _describe(path: Path, raw: Mapping[str, object], error: ValidationError) -> str:
    """The first problem as one sentence: the file, the entry (by number and id), the field."""
    first = error.errors()[0]
    location = list(first["loc"])
    entry = ""
    if len(location) >= 2 and location[0] == "areas" and isinstance(location[1], int):
        items = raw.get("areas")
        item = items[location[1]] if isinstance(items, list) else None
        name = item.get("id") if isinstance(item, dict) else None
        entry = f" areas entry {location[1] + 1}" + (f" ({name})" if name else "") + ","
        location = location[2:]
    if location and location[0] == "scale":
        location = location[:1]  # the levels are built from the mapping: name the field only
    where = ".".join(str(part) for part in location)
    field = f" field {where}:" if where else ""
    message = first["msg"].removeprefix("Value error, ")
    if first["type"] == "unexpected_keyword_argument":
        message = "unknown field (a misspelling?)"
    return f"{path}:{entry}{field} {message}"


def load_competencies(path: Path | None = None) -> CompetencyList:
    """The built-in list, or the operator's file at ``path``, checked whole before any use."""
    path = DEFAULT_FILE if path is None else Path(path)
    raw = read_mapping(path, "competency list", "name, source, scale and areas")
    try:
        return TypeAdapter(CompetencyList).validate_python(raw)
    except ValidationError as error:
        raise CatalogError(_describe(path, raw, error)) from None
