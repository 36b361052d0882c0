"""What a hostile contributor writes into the data, and the minimal fixture guide built with it everywhere.

Shared by the hardening tests (tests/test_hardening.py) and the browser's CSP tests.
"""

from __future__ import annotations

from datetime import date
from pathlib import Path

import yaml

from guide import build as build_module

from conftest import TODAY, copy_guide

# What a hostile contributor writes into a text: script, an attribute break-out, an entity.
PAYLOAD = "<script>alert(1)</script>\"'><img src=x onerror=alert(2)>&amp;"
ESCAPED_ONCE = "&lt;script&gt;alert(1)&lt;/script&gt;&#34;&#39;&gt;&lt;img src=x onerror=alert(2)&gt;&amp;amp;"


def _with_payload(value: object, key: str = "") -> object:
    """Every multilingual text of the data (names, descriptions, notes …) and every source section, poisoned."""
    if isinstance(value, dict):
        if "ja" in value and all(isinstance(v, str) for k, v in value.items() if k != "unofficial"):
            return {k: (f"{v}{PAYLOAD}" if k != "unofficial" else v) for k, v in value.items()}
        return {k: _with_payload(v, k) for k, v in value.items()}
    if isinstance(value, list):
        return [_with_payload(v, key) for v in value]
    if key in {"section", "note"} and isinstance(value, str):
        return value + PAYLOAD
    return value


def build_poisoned(root: Path) -> Path:
    """The minimal fixture guide with the payload in every text of every record, built without handouts."""
    copy_guide(root)
    for name in ("agencies.yaml", "programs.yaml", "categories.yaml", "areas.yaml", "sources.yaml", "flow.yaml"):
        path = root / "data" / name
        data = _with_payload(yaml.safe_load(path.read_text(encoding="utf-8")))
        path.write_text(yaml.safe_dump(data, allow_unicode=True, sort_keys=False), encoding="utf-8")
    build_module.build(root, today=date.fromisoformat(TODAY), handouts=False)
    return root
