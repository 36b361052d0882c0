"""The whole public dataset as one JSON file, with its format version, build date and JSON Schema.

The schema is generated from the model, as the data files' schemas are (`guide schema`),
so the two cannot drift apart.  Only public files are in `Guide`: the private overlay
is never loaded into it.
"""

from __future__ import annotations

from datetime import date
from functools import lru_cache

from pydantic import BaseModel, ConfigDict, Field

from ..model import Agency, Areas, Guide, Program, Site, SourceFile, Taxonomy

FORMAT = "resource-guide"
FORMAT_VERSION = "1.0"
SCHEMA_FILE = "guide.schema.json"


class Dataset(BaseModel):
    """Every public fact of a resource guide, as `guide build` exports it."""

    model_config = ConfigDict(extra="forbid", title="Resource guide dataset")

    format: str = Field(FORMAT, description="Always resource-guide.")
    format_version: str = Field(description="Major.minor: a new major version may rename or remove fields.")
    built: date = Field(description="The date the dataset was built.")
    site: Site
    taxonomy: Taxonomy
    areas: Areas
    sources: SourceFile
    agencies: list[Agency]
    programs: list[Program]


def dataset(guide: Guide, built: date) -> dict:
    record = Dataset(
        format_version=FORMAT_VERSION,
        built=built,
        **{name: getattr(guide, name) for name in ("site", "taxonomy", "areas", "sources", "agencies", "programs")},
    )
    return record.model_dump(mode="json", exclude_none=True)


@lru_cache(maxsize=1)
def dataset_schema() -> dict:
    schema = Dataset.model_json_schema()
    return {"$schema": "https://json-schema.org/draft/2020-12/schema", **schema}
