"""Questions every output asks of the model, in no language: which places an agency has, which lack
a fact.  Wording is the presenter's; these only find records."""

from __future__ import annotations

from .model import Agency, Branch, Guide


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
