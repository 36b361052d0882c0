"""Staff-only facts (内線, 担当者名) never reach a public file, and `guide check` warns when a public
text seems to hold one.

A private overlay gives every agency and every service of the minimal guide an extension and two
staff names; the built site is read file by file (pages, the finder index, every open-data file,
the sitemap; the handouts are checked in test_handouts.py).
"""

from __future__ import annotations

import pytest
import yaml

from conftest import MINIMAL, REPO, TODAY, copy_guide, edit_data
from guide.cli import main

TEXT_FILES = {".html", ".json", ".js", ".csv", ".ics", ".xml", ".txt"}


def planted_overlay() -> tuple[str, list[str]]:
    """A private overlay for every agency and service of the minimal guide, and every value it holds."""
    agencies = yaml.safe_load((MINIMAL / "data" / "agencies.yaml").read_text(encoding="utf-8"))["agencies"]
    contacts, values = [], []
    for n, agency in enumerate(agencies):
        for m, service in enumerate([None, *agency["services"]]):
            extension, staff = f"内線{n}{m}987", [f"職員架空{n}{m}主", f"職員架空{n}{m}副"]
            contacts.append({"agency": agency["id"], **({"service": service["id"]} if service else {}), "extension": extension, "staff": staff})
            values += [extension, *staff]
    return yaml.safe_dump({"contacts": contacts}, allow_unicode=True), values


@pytest.fixture(scope="module")
def planted_site(tmp_path_factory):
    root = copy_guide(tmp_path_factory.mktemp("planted") / "guide")
    overlay, values = planted_overlay()
    (root / "data" / "private.yaml").write_text(overlay, encoding="utf-8")
    assert main(["check", "--root", str(root), "--today", TODAY]) == 0  # the overlay is read: its values are real to the tool
    assert main(["build", "--root", str(root), "--today", TODAY, "--skip-handouts"]) == 0
    return root / "site", values


def test_no_public_file_holds_a_staff_only_value(planted_site):
    site, values = planted_site
    files = [p for p in site.rglob("*") if p.is_file() and p.suffix in TEXT_FILES]
    assert len(values) >= 10
    assert {p.suffix for p in files} >= {".html", ".json", ".csv", ".ics", ".xml"}
    assert len([p for p in files if p.is_relative_to(site / "data")]) >= 10
    leaks = [(p.relative_to(site).as_posix(), v) for p in files for v in values if v in p.read_text(encoding="utf-8-sig")]
    assert leaks == []


def test_the_build_keeps_no_copy_of_the_overlay_in_its_folder(planted_site):
    # What the data files parsed into is kept in build/ for the next build: never the private overlay's.
    site, values = planted_site
    kept = [p for p in (site.parent / "build").rglob("*") if p.is_file()]
    assert any(p.name == "data--agencies.yaml.marshal" for p in kept)
    leaks = [(p.name, v) for p in kept for v in values if v.encode() in p.read_bytes()]
    assert leaks == []


def test_the_guide_in_data_has_no_extension_in_a_public_text(run_guide):
    result = run_guide("check", "--root", REPO, "--lang", "en")
    assert not [line for line in result.problem_lines if "extension number" in line]
    assert "5443" not in (REPO / "data" / "agencies.yaml").read_text(encoding="utf-8")  # the note it warned about


PLANTED_TEXTS = {
    "agencies.yaml": [("      ja: 生活の困りごとを何でも受け付ける架空の窓口です。\n", "      ja: 生活の困りごとを何でも受け付ける架空の窓口です（内線1234）。\n")],
    "programs.yaml": [
        ("description: {ja: いすに座ってできる体操です。}", "description: {ja: いすに座ってできる体操です。, en: Call ext. 55}"),
        ("        section: 表面\n", "        section: 表面\n        note: 担当 内線（5678、5679）\n"),
    ],
}


def test_guide_check_warns_where_a_public_text_holds_an_extension(minimal_copy, run_guide):
    edit_data(minimal_copy, PLANTED_TEXTS)
    result = run_guide("check", "--root", minimal_copy, "--today", TODAY, "--lang", "en")
    assert result.code == 0  # a warning: the build goes on
    warnings = [line for line in result.problem_lines if "extension number" in line]
    assert warnings == [
        "data/agencies.yaml:13:11: warning: this public text holds what looks like an extension number ('内線1234') (extensions are staff-only: put them in data/private.yaml)",
        "data/programs.yaml:9:43: warning: this public text holds what looks like an extension number ('ext. 55') (extensions are staff-only: put them in data/private.yaml)",
        "data/programs.yaml:27:15: warning: this public text holds what looks like an extension number ('内線（5678') (extensions are staff-only: put them in data/private.yaml)",
    ]
    japanese = run_guide("check", "--root", minimal_copy, "--today", TODAY)
    assert "data/agencies.yaml:13:11: 警告: 公開される文に内線番号らしきもの「内線1234」があります（内線は職員向けの情報です。data/private.yaml に書いてください）" in japanese.err


def test_a_telephone_number_is_not_taken_for_an_extension(minimal_copy, run_guide):
    result = run_guide("check", "--root", minimal_copy, "--today", TODAY, "--lang", "en")
    assert not [line for line in result.problem_lines if "extension number" in line]
