"""Every component example on one page per medium (the web, with the site's CSS; paper, with the
handouts'), in both editions, passes axe (WCAG 2.1 AA) in Chromium."""

from __future__ import annotations

import pytest
from conftest import REPO, axe_violations, phone_page, render_component, serve
from markupsafe import escape

from guide.templating import TEMPLATES, component_css, components

pytestmark = pytest.mark.browser

SITE_CSS = REPO / "overrides" / "assets" / "guide" / "guide.css"
HANDOUT_CSS = TEMPLATES / "handouts" / "handouts.css"


def gallery(lang: str, medium: str) -> str:
    """Every example under a heading of its own, in the list a page puts it in when it is a list item."""
    sections = []
    for component in components():
        for example in component.examples:
            html = render_component(lang, component, component.arguments(example), paper=medium == "paper")
            if html.startswith("<li"):
                html = f"<ul class=\"{component.name.replace('_card', '')}-list\">{html}</ul>"
            sections.append(f"<section><h2>{escape(component.name)}: {escape(example.name)}</h2>{html}</section>")
    css = component_css("web") + SITE_CSS.read_text(encoding="utf-8") if medium == "web" else HANDOUT_CSS.read_text(encoding="utf-8") + component_css("paper")
    body = "".join(sections)
    return f'<!DOCTYPE html><html lang="{lang}"><head><meta charset="utf-8"><title>Components</title><style>{css}</style></head><body><main class="md-typeset"><h1>Components</h1>{body}</main></body></html>'


@pytest.mark.parametrize("medium", ["web", "paper"])
@pytest.mark.parametrize("lang", ["ja", "en"])
def test_every_example_passes_axe(browser, tmp_path, lang, medium):
    (tmp_path / "index.html").write_text(gallery(lang, medium), encoding="utf-8")
    with serve(tmp_path) as url, phone_page(browser, url) as page:
        page.goto(url)
        assert page.locator("main section").count() == sum(len(c.examples) for c in components())
        assert axe_violations(page) == []
