"""What the browser tests share: the viewports, finding a page of each kind in a built site, the
keyboard's focus, and the check for text a reader cannot see in full.

Pages are found by the site's structure, never by a record id, so the tests hold for any guide."""

from __future__ import annotations

from pathlib import Path

import pytest

DESKTOP = {"width": 1280, "height": 900}
TAP = 44  # px: the smallest target a finger hits reliably (WCAG 2.5.5)

# A 375×812 phone zoomed to 200 %: the page lays out 188 CSS px wide, each px drawn twice as large.
ZOOMED = {"viewport": {"width": 188, "height": 406}, "device_scale_factor": 2, "locale": "ja-JP", "timezone_id": "Asia/Tokyo"}

# Text a reader cannot see in full: drawn outside `root` (the header's bar: white on white),
# outside the page's width, or outside a box that clips what overflows it.
CUT_OFF = """(root) => {
  const cut = [];
  const clips = value => value === 'hidden' || value === 'clip';
  const outside = (r, b) => r.left < b.left - 0.5 || r.right > b.right + 0.5 || r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5;
  for (const top of document.querySelectorAll(root)) {
    const walker = document.createTreeWalker(top, NodeFilter.SHOW_TEXT);
    for (let node; (node = walker.nextNode());) {
      const el = node.parentElement;
      if (!node.textContent.trim() || getComputedStyle(el).visibility !== 'visible' || el.closest('.hub-mark__words')) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        let clipped = r.left < -0.5 || r.right > innerWidth + 0.5 || outside(r, top.getBoundingClientRect());
        for (let box = el; box && box !== top && !clipped; box = box.parentElement) {
          const style = getComputedStyle(box), b = box.getBoundingClientRect();
          clipped = (clips(style.overflowX) && (r.left < b.left - 0.5 || r.right > b.right + 0.5))
                 || (clips(style.overflowY) && (r.top < b.top - 0.5 || r.bottom > b.bottom + 0.5));
        }
        if (clipped) { cut.push(node.textContent.trim().slice(0, 30)); break; }
      }
    }
  }
  return cut;
}"""


def first(site: Path, pattern: str) -> str:
    """The site-relative URL of the first page (in name order) whose index.html matches `pattern`."""
    found = sorted(site.glob(pattern))
    assert found, pattern
    return found[0].parent.relative_to(site).as_posix() + "/"


def page_types(site: Path, prefix: str = "") -> dict[str, str]:
    """One page of each type in an edition, found by the site's structure."""
    root = site / prefix if prefix else site
    edition = {
        "home": "",
        "finder": "finder/",
        "categories": "categories/",
        "category": first(root, "categories/*/index.html"),
        "agencies": "agencies/",
        "agency": first(root, "agencies/*/index.html"),
        "branch": first(root, "agencies/*/*/index.html"),
        "programs": "programs/",
        "program": first(root, "programs/*/index.html"),
        "areas": "areas/",
        "area": first(root, "areas/*/index.html"),
        "about": "about/",
        "not found": "404.html",
    }
    return {name: prefix + path for name, path in edition.items()}


def editions(site: Path) -> list[str]:
    """"" for the default edition, then "<lang>/" for every other one that was built."""
    return ["", *sorted(f"{p.name}/" for p in site.iterdir() if (p / "finder" / "index.html").is_file())]


def first_with(site: Path, pattern: str, marker: str) -> str:
    """The first page matching `pattern` whose HTML contains `marker`."""
    for html in sorted(site.glob(pattern)):
        if marker in html.read_text(encoding="utf-8"):
            return html.parent.relative_to(site).as_posix() + "/"
    pytest.skip(f"no page {pattern} with {marker} in this guide")


FOCUSED = """() => {
  const el = document.activeElement;
  const r = el.getBoundingClientRect();
  return {tag: el.tagName, cls: String(el.className), text: (el.textContent || '').trim().slice(0, 30),
          left: r.left, right: r.right, top: r.top, bottom: r.bottom, width: r.width, height: r.height,
          inDrawer: !!el.closest('.md-sidebar--primary')};
}"""


def tab(page) -> dict:
    page.keyboard.press("Tab")
    return page.evaluate(FOCUSED)
