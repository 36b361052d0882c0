"""Questions every output asks of the model, in no language: which places an agency has, which lack
a fact.  Wording is the presenter's; these only find records."""

from __future__ import annotations

from dataclasses import dataclass

from .model import Agency, Branch, Guide, Program, Service, SourceRef
from .phones import hub_counters, voice_phones

ASK_INSTEAD = 3  # counters named where a counter has no number: enough to choose, few enough to read
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


@dataclass(frozen=True)
class WayOn:
    """How a resident reaches help from a counter the documents give no number for."""

    annex: SourceRef | None  # the documents give the number elsewhere (the list's annex), not in this guide yet
    ask: list[tuple[Agency, Service]]  # counters with a number to ask instead, each with what it takes in the concern
    concerns: list[str]  # the counter's category ids, its main one first: their pages list every counter of the concern


class WaysOn:
    """The way on (WayOn) from each counter of a guide: the counters to ask instead are ranked once per
    list of concerns (a guide's counters share a few), not by reading every agency for each counter."""

    def __init__(self, guide: Guide):
        self.guide = guide
        self.hubs = hub_counters(guide)
        self._ranked: dict[tuple[str, ...], list[tuple[Agency, Service]]] = {}

    def __call__(self, agency: Agency, branch: Branch | None = None) -> WayOn | None:
        """None when the counter (or its branch) has a number to call; else the way that works: the
        concern's hub, then other counters of its concerns (the main concern first) that have a number
        and take residents' calls."""
        if voice_phones(agency, branch):
            return None
        concerns = tuple(dict.fromkeys(c for s in agency.services for c in s.categories))
        if concerns not in self._ranked:
            self._ranked[concerns] = self._rank(concerns)
        ask = [(other, service) for other, service in self._ranked[concerns] if other.id != agency.id][:ASK_INSTEAD]
        return WayOn((branch and branch.annex) or agency.annex, ask, list(concerns))

    def _rank(self, concerns: tuple[str, ...]) -> list[tuple[Agency, Service]]:
        """The first ASK_INSTEAD + 1 counters to ask for these concerns: one more, as the asking counter may be among them."""
        hub_ids = {self.hubs[c].id for c in concerns if self.hubs.get(c)}
        candidates = []
        for other in self.guide.agencies:
            shared = [(concerns.index(c), s) for s in other.services if s.from_residents for c in s.categories if c in concerns]
            if shared and voice_phones(other):
                rank, service = min(shared, key=lambda pair: pair[0])
                candidates.append((other.id not in hub_ids, rank, other.reading, other, service))
        return [(other, service) for *_key, other, service in sorted(candidates, key=lambda c: c[:3])][: ASK_INSTEAD + 1]


def dead_ends(guide: Guide) -> list[tuple[Agency, Branch | None, WayOn]]:
    """Every counter without a number, with its way on (`guide report` lists them for the city to fix)."""
    ways = WaysOn(guide)
    return [(agency, branch, way) for agency in guide.agencies for branch in places(agency) if (way := ways(agency, branch))]


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
    listed = [agency for agency, _ in offices] + [agency for agency in located if agency.id not in with_office]
    if len(listed) <= AREA_ENTRIES:
        return []
    concerns = [c.id for c in guide.taxonomy.categories if any(c.id in s.categories for agency in listed for s in agency.services)]
    return concerns + ([PROGRAMS_PART] if programs else [])
