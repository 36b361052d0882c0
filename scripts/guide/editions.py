"""The language editions of the site and the address each is published at."""

from __future__ import annotations

import os
from dataclasses import dataclass

from .model import Guide

# The published address, when the deployment knows it better than data/site.yaml (GitHub Pages).
SITE_URL_VARIABLE = "GUIDE_SITE_URL"


def public_url(guide: Guide) -> str | None:
    """The site's public address (for QR codes and canonical links), or None when nobody said."""
    return os.environ.get(SITE_URL_VARIABLE) or guide.site.url


@dataclass(frozen=True)
class Edition:
    """One language edition: the required (default) language at the site root, others under /<code>/."""

    lang: str
    prefix: str  # "" or "en/"

    @classmethod
    def all_for(cls, guide: Guide) -> list[Edition]:
        default = next((lang.code for lang in guide.site.languages if lang.required), guide.site.languages[0].code)
        return [cls(lang.code, "" if lang.code == default else f"{lang.code}/") for lang in guide.site.languages]

    @classmethod
    def of(cls, guide: Guide, lang: str) -> Edition:
        return next(edition for edition in cls.all_for(guide) if edition.lang == lang)

    def url(self, guide: Guide) -> str | None:
        """This edition's public address, ending in "/"."""
        base = public_url(guide)
        return base.rstrip("/") + "/" + self.prefix if base else None
