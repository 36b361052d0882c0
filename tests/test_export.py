"""`guide export`: the records as the city's spreadsheet — and back: importing the export of the shipped
guide changes nothing (`guide diff` shows no change); an edit in the sheet is exactly the change."""


import pytest
from openpyxl import load_workbook

from conftest import MINIMAL, REPO, STAFF_EXTENSION, STAFF_NAME, copy_guide, plant_staff_only_facts
from roundtrip import as_repository, assert_export_then_import_changes_nothing


@pytest.fixture
def repo(tmp_path):
    """The minimal fixture guide as a git repository."""
    return as_repository(copy_guide(tmp_path / "guide"))


@pytest.mark.parametrize("guide", [MINIMAL, REPO], ids=["fixture", "guide-in-data"])
@pytest.mark.parametrize("kind", ["agencies", "programs"])
@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_importing_the_export_of_a_guide_changes_nothing(guide, run_guide, tmp_path, kind, fmt):
    repo = as_repository(copy_guide(tmp_path / "guide", guide=guide))
    assert_export_then_import_changes_nothing(run_guide, repo, tmp_path / f"{kind}.{fmt}", kind, fmt)


def test_an_edit_in_the_sheet_is_exactly_the_change(repo, run_guide, tmp_path):
    sheet = tmp_path / "agencies.xlsx"
    run_guide("export", "agencies", "--output", sheet, "--root", repo)
    book = load_workbook(sheet)
    ws = book.active
    headers = [c.value for c in ws[1]]
    row = next(r for r in ws.iter_rows(min_row=2) if r[0].value == "kakuu-soudan-center")
    row[headers.index("電話")].value = "086-900-9999"
    row[headers.index("最終確認日")].value = "2026-11-20"
    book.save(sheet)
    assert run_guide("import", "agencies", sheet, "--root", repo).code == 0
    summary = run_guide("diff", "HEAD", "--root", repo).out
    assert "- 架空相談センター：電話番号 086-900-0001 → 086-900-9999、最終確認日 2026-10-01 → 2026-11-20" in summary
    assert summary.count("\n- ") == 1  # nothing else changed
    assert "Example Consultation Center" in (repo / "data" / "agencies.yaml").read_text(encoding="utf-8")  # translations kept


def test_staff_only_facts_are_never_exported(repo, run_guide, tmp_path):
    plant_staff_only_facts(repo)
    for fmt in ("xlsx", "csv"):
        sheet = tmp_path / f"agencies.{fmt}"
        run_guide("export", "agencies", "--format", fmt, "--output", sheet, "--root", repo)
        cells = [str(c) for row in load_workbook(sheet).active.iter_rows(values_only=True) for c in row] if fmt == "xlsx" else [sheet.read_text(encoding="utf-8-sig")]
        assert not any(STAFF_EXTENSION in c or STAFF_NAME in c for c in cells)
        assert "内線" not in (cells[0] if fmt == "csv" else " ".join(cells[:20]))


def test_csv_for_excel_in_shift_jis(repo, run_guide, tmp_path):
    sheet = tmp_path / "agencies.csv"
    result = run_guide("export", "agencies", "--format", "csv", "--encoding", "shift_jis", "--output", sheet, "--root", repo)
    assert result.code == 0, result.err
    text = sheet.read_bytes().decode("cp932")
    assert text.startswith("ID,相談内容ID,No.,相談項目,相談内容,対象,機関名")  # the headers of the city's own list
    assert "架空相談センター" in text


def test_rows_deleted_from_the_sheet_are_listed_and_removed_only_when_asked(repo, run_guide, tmp_path):
    sheet = tmp_path / "programs.csv"
    run_guide("export", "programs", "--format", "csv", "--output", sheet, "--root", repo)
    lines = sheet.read_text(encoding="utf-8-sig").splitlines()
    kept = [line for line in lines if not line.startswith("kakuu-taisou,")]
    assert len(kept) == len(lines) - 1
    sheet.write_text("\n".join(kept) + "\n", encoding="utf-8")
    listed = run_guide("import", "programs", sheet, "--root", repo, "--lang", "en")
    assert "In the guide but not in the sheet (kept; --remove-missing removes them): 架空いきいき体操" in listed.err
    assert "No changes" in listed.out
    removed = run_guide("import", "programs", sheet, "--root", repo, "--remove-missing")
    assert removed.code == 0, removed.err
    assert "プログラムの削除（1件）" in removed.out and "架空いきいき体操" in removed.out


def test_an_edited_working_copy_is_not_overwritten_unless_forced(repo, run_guide, tmp_path):
    sheet = tmp_path / "programs.csv"
    assert run_guide("export", "programs", "--format", "csv", "--output", sheet, "--root", repo).code == 0
    assert run_guide("export", "programs", "--format", "csv", "--output", sheet, "--root", repo).code == 0  # unedited: written again
    with sheet.open("a", encoding="utf-8") as edit:
        edit.write("架空の新しい教室,体操・運動\r\n")
    edited = sheet.read_bytes()
    refused = run_guide("export", "programs", "--format", "csv", "--output", sheet, "--root", repo, "--lang", "en")
    assert refused.code == 1
    assert f"{sheet}: changed since guide export wrote it (import the edits with guide import first, or give --force" in refused.err
    assert sheet.read_bytes() == edited
    forced = run_guide("export", "programs", "--format", "csv", "--output", sheet, "--root", repo, "--force")
    assert forced.code == 0 and "架空の新しい教室" not in sheet.read_text(encoding="utf-8-sig")


def test_once_its_edits_are_imported_a_working_copy_may_be_exported_over_again(repo, run_guide, tmp_path):
    sheet = tmp_path / "agencies.csv"
    run_guide("export", "agencies", "--format", "csv", "--output", sheet, "--root", repo)
    sheet.write_text(sheet.read_text(encoding="utf-8-sig").replace("086-900-0001", "086-900-9999", 1), encoding="utf-8-sig")
    assert run_guide("import", "agencies", sheet, "--root", repo).code == 0
    again = run_guide("export", "agencies", "--format", "csv", "--output", sheet, "--root", repo)
    assert again.code == 0, again.err
    assert "086-900-9999" in sheet.read_text(encoding="utf-8-sig")


def test_a_file_export_did_not_write_is_not_overwritten(repo, run_guide, tmp_path):
    sheet = tmp_path / "agencies.xlsx"
    sheet.write_bytes(b"the city's own workbook")
    refused = run_guide("export", "agencies", "--output", sheet, "--root", repo, "--lang", "en")
    assert refused.code == 1 and "the file exists and was not written by guide export" in refused.err
    assert sheet.read_bytes() == b"the city's own workbook"
