"""The whole public dataset as one JSON file, with its format version, build date and JSON Schema.

The schema is generated from the model, as the data files' schemas are (`guide schema`),
so the two cannot drift apart.  Only public files are in `Guide`: the private overlay
is never loaded into it.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from pydantic import ConfigDict, Field

from ..model import Guide

FORMAT = "resource-guide"
FORMAT_VERSION = "1.0"
SCHEMA_FILE = "guide.schema.json"


class Dataset(Guide):
    """Every public fact of a resource guide, as `guide build` exports it: the loaded guide and what it is."""

    model_config = ConfigDict(extra="forbid", frozen=True, title="Resource guide dataset")

    format: str = Field(FORMAT, description="Always resource-guide.")
    format_version: str = Field(description="Major.minor: a new major version may rename or remove fields.")
    built: date = Field(description="The date the dataset was built.")


def dataset(guide: Guide, built: date) -> dict:
    # The guide is validated already: construct, do not validate it again.
    record = Dataset.model_construct(format=FORMAT, format_version=FORMAT_VERSION, built=built, **dict(guide))
    return record.model_dump(mode="json", exclude_none=True)


@lru_cache(maxsize=1)
def dataset_schema() -> dict:
    schema = Dataset.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
