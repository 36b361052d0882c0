"""Questions every output asks of the model, in no language: which places an agency has, which lack
a fact.  Wording is the presenter's; these only find records."""

from __future__ import annotations

from .model import Agency, Branch, Guide, Program

# How long a printed list may grow before it is printed in parts, one per concern (and the area's programs):
LIST_ROWS = 200  # the agency list in one file up to this many rows, one per service in a concern (about eight pages)
AREA_ENTRIES = 36  # an area's offices and agencies on one sheet up to this many (about three pages)
PROGRAMS_PART = "programs"  # the part of a split area's handout that lists its programs


def places(agency: Agency) -> list[Branch | None]:
    """The HSDS locations of an agency: itself (None) when it has an address or hours or no branches, and each branch."""
    own = [None] if agency.address or agency.hours or not agency.branches else []
    return own + list(agency.branches)


def without_postal_code(guide: Guide) -> list[str]:
    """The places whose address has no postal code (HSDS requires one, and the export never invents
    it; `guide report` lists them), as agency or agency/branch ids."""
    return [
        f"{agency.id}/{branch.id}" if branch else agency.id
        for agency in guide.agencies
        for branch in places(agency)
        if (address := (branch or agency).address) and not address.postal_code
    ]


def agency_list_parts(guide: Guide) -> list[str]:
    """The concerns the agency list is printed in parts by (one file each), in the taxonomy's order;
    none while the list fits in one file (LIST_ROWS)."""
    rows = {c.id: sum(1 for a in guide.agencies for s in a.services if c.id in s.categories) for c in guide.taxonomy.categories}
    return [category for category, count in rows.items() if count] if sum(rows.values()) > LIST_ROWS else []


def area_handout_parts(guide: Guide, offices: list[tuple[Agency, Branch]], located: list[Agency], programs: list[Program]) -> list[str]:
    """The parts an area's handout is printed in: each concern a place for the area serves, then its
    programs (PROGRAMS_PART) when it has any; none while its places fit on one sheet (AREA_ENTRIES).
    `offices`, `located`, `programs`: the area's offices, the agencies located in or serving it, its programs."""
    with_office = {agency.id for agency, _ in offices}
    places = [agency for agency, _ in offices] + [agency for agency in located if agency.id not in with_office]
    if len(places) <= AREA_ENTRIES:
        return []
    concerns = [c.id for c in guide.taxonomy.categories if any(c.id in s.categories for agency in places for s in agency.services)]
    return concerns + ([PROGRAMS_PART] if programs else [])
