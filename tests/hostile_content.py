"""A content page with hostile but allowed front matter, and the minimal fixture guide built with it.

Shared by the content rules (tests/test_content_rules.py) and the browser's view of them
(tests/browser/test_hostile_content.py).
"""

from __future__ import annotations

import re
from pathlib import Path

from guide.cli import main

from conftest import TODAY, copy_guide

# The probe's attribute break-out, as a description: plain text, so allowed, and printed escaped once.
DESCRIPTION = "Say \"hi\" & <b>bye</b> — it's fine'\"><script>alert(1)</script>"
DESCRIPTION_ESCAPED_ONCE = "Say &quot;hi&quot; &amp; &lt;b&gt;bye&lt;/b&gt; — it&#x27;s fine&#x27;&quot;&gt;&lt;script&gt;alert(1)&lt;/script&gt;"


def build_hostile_but_allowed(root: Path) -> Path:
    """The minimal guide whose about pages have a description with quotes, < > and &, and whose
    extra English page has MultiMarkdown-style `key: value` lines (which MkDocs would read as front matter)."""
    copy_guide(root)
    for lang in ("ja", "en"):
        about = root / "content" / lang / "about.md"
        quoted = DESCRIPTION.replace("'", "''")
        about.write_text(re.sub(r"^title: (.*)$", rf"title: \1's test\ndescription: '{quoted}'", about.read_text(encoding="utf-8"), count=1, flags=re.M), encoding="utf-8")
    (root / "content" / "en" / "plain.md").write_text(
        "template: redirect.html\nlocation: https://evil.example/\nauthor: Someone Example\n\nBody text.\n", encoding="utf-8")
    assert main(["build", "--root", str(root), "--skip-handouts", "--today", TODAY]) == 0
    return root
