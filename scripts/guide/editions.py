"""The language editions of the site and the address each is published at."""

from __future__ import annotations

import os
import re
from dataclasses import dataclass

from .i18n import default_language
from .model import URL_PATTERN, Guide

# The published address, when the deployment knows it better than data/site.yaml (GitHub Pages).
SITE_URL_VARIABLE = "GUIDE_SITE_URL"


def invalid_site_url_variable() -> str | None:
    """The value of GUIDE_SITE_URL when it breaks the address rule of data/site.yaml's url (checked at start-up)."""
    value = os.environ.get(SITE_URL_VARIABLE)
    return value if value and not re.fullmatch(URL_PATTERN, value) else None


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
        default = default_language(guide.site)
        return [cls(lang.code, "" if lang.code == default else f"{lang.code}/") for lang in guide.site.languages]

    @classmethod
    def of(cls, guide: Guide, lang: str) -> Edition:
        return next(edition for edition in cls.all_for(guide) if edition.lang == lang)

    def url(self, guide: Guide, site_url: str | None = None) -> str | None:
        """This edition's public address, ending in "/" (under `site_url` when given, else the site's public address)."""
        base = site_url or public_url(guide)
        return base.rstrip("/") + "/" + self.prefix if base else None
