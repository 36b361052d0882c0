"""`guide check`: every mistake staff make by hand is reported once, in their language, at its line and column.

The corpus in tests/broken/<case>/ holds, per case, one or more data files copied
from tests/fixtures/minimal/data/ with a mistake put in, and the lines
`guide check` must print for it (expected.txt in Japanese, expected.en.txt in
English).  Those lines are a specification written by hand, not recorded output.
"""

from __future__ import annotations

import json
import shutil
import string
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from guide.cli import schema_text
from guide.load import DATA_FILES
from guide.messages import CATALOG, format_problem
from guide.model import AgencyFile, PrivateOverlay
from guide.problems import Problem
from guide.yamlfile import read_yaml

from conftest import GUIDES, MINIMAL, REPO, TODAY

TESTS = Path(__file__).parent
BROKEN = TESTS / "broken"


CASES = sorted(path.name for path in BROKEN.iterdir() if path.is_dir())


def _params(language: str) -> list:
    expected_file = "expected.txt" if language == "ja" else f"expected.{language}.txt"
    params = []
    for case in CASES:
        if not (BROKEN / case / expected_file).exists():
            continue
        params.append(pytest.param(case, language, id=f"{case}-{language}"))
    return params


def _guide_with_case(tmp_path: Path, case: str) -> Path:
    """The minimal guide with the case's data files put over the good ones."""
    root = tmp_path / "guide"
    shutil.copytree(MINIMAL, root)
    for path in (BROKEN / case).iterdir():
        if not path.name.startswith("expected"):
            shutil.copyfile(path, root / "data" / path.name)
    return root


def _expected_lines(case: str, language: str) -> list[str]:
    name = "expected.txt" if language == "ja" else f"expected.{language}.txt"
    return (BROKEN / case / name).read_text(encoding="utf-8").splitlines()


# --- the corpus of broken files ---------------------------------------------------


def test_the_corpus_is_big_enough_and_every_case_is_complete():
    assert len(CASES) >= 30
    for case in CASES:
        files = {path.name for path in (BROKEN / case).iterdir()}
        assert "expected.txt" in files, case
        assert files - {"expected.txt", "expected.en.txt"} <= {name for name, _ in DATA_FILES.values()}, case
        assert files - {"expected.txt", "expected.en.txt"}, f"{case} changes no data file"
    assert sum((BROKEN / case / "expected.en.txt").exists() for case in CASES) >= 5


@pytest.mark.parametrize(("case", "language"), _params("ja") + _params("en"))
def test_each_mistake_is_reported_exactly_as_specified(tmp_path, run_guide, case, language):
    expected = _expected_lines(case, language)
    warning_word = "警告: " if language == "ja" else "warning: "
    only_warnings = all(line.split(": ", 1)[1].startswith(warning_word) for line in expected)

    result = run_guide("check", "--root", _guide_with_case(tmp_path, case), "--today", TODAY, "--lang", language)

    assert "Traceback" not in result.err + result.out
    assert result.problem_lines == expected
    assert result.code == (0 if only_warnings else 1)


@pytest.mark.parametrize("case", CASES)
def test_every_mistake_is_reported_at_the_same_places_in_english(tmp_path, run_guide, case):
    places = [line.split(": ", 1)[0] for line in _expected_lines(case, "ja")]

    result = run_guide("check", "--root", _guide_with_case(tmp_path, case), "--today", TODAY, "--lang", "en")

    assert "Traceback" not in result.err + result.out
    assert [line.split(": ", 1)[0] for line in result.problem_lines] == places
    assert not any(ch in line for line in result.problem_lines for ch in "（）「」")  # no Japanese template leaked


@pytest.mark.parametrize("language", ["ja", "en"])
def test_summary_line_counts_errors_and_warnings(tmp_path, run_guide, language):
    result = run_guide(
        "check", "--root", _guide_with_case(tmp_path, "14-hub-agency-missing"), "--today", TODAY, "--lang", language
    )
    assert result.summary_line == {"ja": "エラー 2 件、警告 0 件", "en": "2 errors, 0 warnings"}[language]


def test_a_stale_date_is_only_a_warning(tmp_path, run_guide):
    result = run_guide("check", "--root", _guide_with_case(tmp_path, "40-stale-last-verified"), "--today", TODAY)
    assert result.code == 0
    assert result.problem_lines[0].split(": ", 1)[1].startswith("警告: ")
    assert result.summary_line == "OK（警告 1 件）"


def test_the_command_line_exits_1_without_a_traceback(tmp_path):
    """The same as the console script `guide`: a real process, a real exit code."""
    root = _guide_with_case(tmp_path, "41-four-mistakes-in-one-file")
    process = subprocess.run(
        [sys.executable, "-m", "guide.cli", "check", "--root", str(root), "--today", TODAY],
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    assert process.returncode == 1
    assert "Traceback" not in process.stderr
    assert process.stderr.splitlines()[-1] == "エラー 4 件、警告 0 件"


# --- wording ------------------------------------------------------------------------


def _placeholders(template: str) -> set[str]:
    return {field for _, field, _, _ in string.Formatter().parse(template) if field}


@pytest.mark.parametrize("code", sorted(CATALOG))
@pytest.mark.parametrize("language", ["ja", "en"])
def test_every_message_can_be_worded_in_both_languages(code, language):
    names = _placeholders(CATALOG[code])
    problem = Problem("data/x.yaml", 3, 5, code, {name: f"<{name}>" for name in names})
    line = format_problem(problem, language)
    assert line.startswith("data/x.yaml:3:5: ")
    for name in names:  # the translation keeps every parameter
        assert f"<{name}>" in line
    if language == "ja":
        assert line.removeprefix("data/x.yaml:3:5: ") != CATALOG[code].format(**{n: f"<{n}>" for n in names})


# --- usage errors -----------------------------------------------------------------


def test_an_unknown_subcommand_exits_2(run_guide):
    result = run_guide("chek", "--root", MINIMAL)
    assert result.code == 2
    assert "Traceback" not in result.err


def test_a_root_without_data_folder_exits_2_and_says_so(tmp_path, run_guide):
    result = run_guide("check", "--root", tmp_path)
    assert result.code == 2
    assert result.err == f"{tmp_path}: data/ フォルダがありません（ガイドのフォルダで実行するか --root で指定してください）\n"


def test_a_root_without_data_folder_is_explained_in_english_too(tmp_path, run_guide):
    result = run_guide("check", "--root", tmp_path, "--lang", "en")
    assert result.code == 2
    assert result.err == f"{tmp_path}: no data/ folder (run this in the guide's folder or give --root)\n"


def test_a_date_that_is_not_a_date_is_a_usage_error(run_guide):
    result = run_guide("check", "--root", MINIMAL, "--today", "2026-02-30")
    assert result.code == 2


# --- good data ------------------------------------------------------------------------


def test_the_minimal_fixture_passes_without_warnings(run_guide):
    result = run_guide("check", "--root", MINIMAL, "--today", TODAY)
    assert result.code == 0
    assert result.err == "OK（警告 0 件）\n"


def test_summary_lists_every_record_with_its_source_document(run_guide):
    result = run_guide("check", "--root", MINIMAL, "--today", TODAY, "--summary")
    assert result.code == 0
    records = {
        "kakuu-soudan-center": "test-list-2026",
        "example-counter": "test-list-2026",
        "kakuu-kakei": "test-list-2026",
        "kakuu-taisou": "test-leaflet-2026",
        "kakuu-kouza": "test-leaflet-2026",
        "kakuu-salon": "test-list-2026",
    }
    lines = result.out.splitlines()
    for record_id, document in records.items():
        listed = [line for line in lines if line.startswith(f"  {record_id}  ")]
        assert len(listed) == 1, record_id
        assert document in listed[0], record_id
    assert lines[0] == "相談機関 3　拠点 2　相談内容 4　プログラム 3"


@pytest.mark.parametrize("guide", list(GUIDES))
def test_the_shipped_data_has_no_errors(run_guide, guide):
    result = run_guide("check", "--root", GUIDES[guide])
    assert "Traceback" not in result.err
    assert result.code == 0, result.err


def test_freshness_is_judged_on_the_day_given(minimal_copy, run_guide):
    """The fixture is fresh on TODAY; a year and a half later every record is stale, still exit 0."""
    result = run_guide("check", "--root", minimal_copy, "--today", "2028-06-01", "--lang", "en")
    assert result.code == 0
    assert len(result.problem_lines) == 6
    assert all(": warning: last verified " in line for line in result.problem_lines)


# --- the model -------------------------------------------------------------------------


def test_agencies_survive_a_round_trip_through_json():
    parsed = read_yaml(MINIMAL / "data" / "agencies.yaml", "data/agencies.yaml")
    assert parsed.problems == []
    agencies = AgencyFile.model_validate(parsed.data, context={"phone_region": "JP"})

    dumped = agencies.model_dump(mode="json", exclude_defaults=True)
    again = AgencyFile.model_validate(json.loads(json.dumps(dumped)), context={"phone_region": "JP"})

    assert again == agencies
    assert again.model_dump(mode="json", exclude_defaults=True) == dumped


# --- JSON Schema for editors -------------------------------------------------------------

SCHEMA_MODELS = [*DATA_FILES.values(), ("private.yaml", PrivateOverlay)]


@pytest.mark.parametrize(("filename", "file_model"), SCHEMA_MODELS, ids=[name for name, _ in SCHEMA_MODELS])
def test_committed_schema_matches_the_model(filename, file_model):
    committed = REPO / "schema" / filename.replace(".yaml", ".schema.json")
    assert committed.read_text(encoding="utf-8") == schema_text(file_model), "run `guide schema` and commit"


@pytest.mark.parametrize("guide", list(GUIDES))
@pytest.mark.parametrize("filename", [name for name, _ in DATA_FILES.values()])
def test_each_shipped_data_file_points_editors_at_its_schema(filename, guide):
    first_line = (GUIDES[guide] / "data" / filename).read_text(encoding="utf-8").splitlines()[0]
    assert first_line == f"# yaml-language-server: $schema=../schema/{filename.replace('.yaml', '.schema.json')}"


@pytest.mark.parametrize(("filename", "file_model"), list(DATA_FILES.values()), ids=[n for n, _ in DATA_FILES.values()])
def test_the_minimal_fixture_is_valid_against_the_json_schema(filename, file_model):
    parsed = read_yaml(MINIMAL / "data" / filename, f"data/{filename}")
    assert parsed.problems == []
    schema = json.loads(schema_text(file_model))
    jsonschema.Draft202012Validator.check_schema(schema)
    errors = [error.message for error in jsonschema.Draft202012Validator(schema).iter_errors(parsed.data)]
    assert errors == []
