"""Reading YAML the way staff write it: values keep their text and their place in the file."""

from __future__ import annotations

import pytest

from guide.yamlfile import read_yaml


def read(tmp_path, text: str | bytes):
    path = tmp_path / "data.yaml"
    path.write_bytes(text.encode("utf-8") if isinstance(text, str) else text)
    return read_yaml(path, "data/data.yaml")


def codes(parsed) -> list[tuple[int, int, str]]:
    return [(p.line, p.column, p.code) for p in parsed.problems]


# --- values: YAML 1.2 core, so times and words stay text ------------------------------


def test_unquoted_clock_times_stay_text_not_sexagesimal_numbers(tmp_path):
    parsed = read(tmp_path, "open: 8:30\nrange: 8:30-17:15\nlist: [9:00-12:00, 13:00-16:00]\n")
    assert parsed.data == {"open": "8:30", "range": "8:30-17:15", "list": ["9:00-12:00", "13:00-16:00"]}


@pytest.mark.parametrize("word", ["yes", "no", "on", "off", "y", "n", "Yes", "NO"])
def test_yaml_1_1_booleans_stay_words(tmp_path, word):
    assert read(tmp_path, f"value: {word}\n").data == {"value": word}


@pytest.mark.parametrize(
    ("written", "value"),
    [("true", True), ("False", False), ("~", None), ("null", None), ("", None), ("20", 20), ("-3", -3), ("1.5", 1.5)],
)
def test_core_schema_scalars_become_plain_values(tmp_path, written, value):
    assert read(tmp_path, f"value: {written}\n").data == {"value": value}


def test_dates_stay_text_for_the_model_to_check(tmp_path):
    assert read(tmp_path, "day: 2026-12-05\nbad: 2023-02-30\n").data == {"day": "2026-12-05", "bad": "2023-02-30"}


@pytest.mark.parametrize("written", ['"086"', "'true'", '"20"', "|\n  20"])
def test_quoted_and_block_scalars_are_always_text(tmp_path, written):
    value = read(tmp_path, f"value: {written}\n").data["value"]
    assert isinstance(value, str)


@pytest.mark.parametrize("written", ["086", "0120", "0000001"])
def test_digits_with_a_leading_zero_stay_text_because_they_are_codes(tmp_path, written):
    # An area code or a number with leading zeros is never arithmetic: keep what was written.
    assert read(tmp_path, f"value: {written}\n").data["value"] == written


@pytest.mark.parametrize(("written", "number"), [("20", 20), ("-3", -3), ("1.5", 1.5), ("0", 0)])
def test_plain_numbers_are_numbers(tmp_path, written, number):
    assert read(tmp_path, f"value: {written}\n").data["value"] == number


def test_integer_keys_become_text_keys(tmp_path):
    assert read(tmp_path, "1: one\n").data == {"1": "one"}


# --- positions -------------------------------------------------------------------------


def test_every_value_and_key_knows_its_line_and_column(tmp_path):
    parsed = read(tmp_path, "# comment\nagencies:\n  - id: a\n    phones:\n      - number: \"086-900-0001\"\n")
    assert parsed.values[("agencies",)] == (3, 3)
    assert parsed.values[("agencies", 0)] == (3, 5)
    assert parsed.values[("agencies", 0, "id")] == (3, 9)
    assert parsed.values[("agencies", 0, "phones", 0, "number")] == (5, 17)
    assert parsed.keys[("agencies", 0, "phones")] == (4, 5)


def test_a_missing_value_is_placed_at_its_nearest_existing_parent(tmp_path):
    parsed = read(tmp_path, "agencies:\n  - id: a\n")
    assert parsed.position(("agencies", 0, "source", 0, "document")) == (2, 5)
    assert parsed.position(("agencies", 0, "id"), key=True) == (2, 5)
    assert parsed.position(("nothing",)) == (1, 1)


def test_columns_count_characters_not_bytes(tmp_path):
    parsed = read(tmp_path, "name: {ja: 架空相談センター, en: Example}\n")
    assert parsed.values[("name", "en")] == (1, 26)


# --- problems with the file itself -----------------------------------------------------


def test_a_duplicate_key_is_reported_with_the_first_line_and_the_first_value_kept(tmp_path):
    parsed = read(tmp_path, "a: 1\nb: 2\na: 3\n")
    assert codes(parsed) == [(3, 1, "duplicate_key")]
    assert parsed.problems[0].params == {"key": "a", "first_line": 1}
    assert parsed.data == {"a": 1, "b": 2}


def test_all_duplicate_keys_are_reported_in_one_read(tmp_path):
    parsed = read(tmp_path, "a: 1\na: 2\nb:\n  c: 1\n  c: 2\n")
    assert codes(parsed) == [(2, 1, "duplicate_key"), (5, 3, "duplicate_key")]


def test_tabs_in_indentation_are_reported_line_by_line_and_nothing_else(tmp_path):
    parsed = read(tmp_path, "a:\n\tb: 1\n  c: \"x\ty\"\n  \td: 2\n")
    assert codes(parsed) == [(2, 1, "tab"), (4, 3, "tab")]
    assert parsed.data is None


def test_a_tab_inside_a_value_is_not_indentation(tmp_path):
    parsed = read(tmp_path, 'a: "x\ty"\n')
    assert parsed.problems == []
    assert parsed.data == {"a": "x\ty"}


def test_a_byte_order_mark_is_reported_and_the_file_still_read(tmp_path):
    parsed = read(tmp_path, b"\xef\xbb\xbfa: 1\n")
    assert codes(parsed) == [(1, 1, "bom")]
    assert parsed.data == {"a": 1}


def test_crlf_is_reported_at_the_first_line_end_and_the_file_still_read(tmp_path):
    parsed = read(tmp_path, b"abc: 1\r\nd: 2\r\n")
    assert codes(parsed) == [(1, 7, "crlf")]
    assert parsed.data == {"abc": 1, "d": 2}


def test_shift_jis_is_reported_where_the_first_undecodable_character_stands(tmp_path):
    parsed = read(tmp_path, "a: 1\nname: 架空\n".encode("shift_jis"))
    assert codes(parsed) == [(2, 7, "encoding")]
    assert parsed.data is None


def test_a_file_of_comments_only_is_empty(tmp_path):
    assert codes(read(tmp_path, "# nothing yet\n")) == [(1, 1, "file_empty")]


def test_a_syntax_error_is_reported_not_raised(tmp_path):
    parsed = read(tmp_path, "a: [1, 2\nb: 3\n")
    assert [p.code for p in parsed.problems] == ["yaml_syntax"]
    assert parsed.problems[0].params["detail"]
    assert parsed.data is None


def test_custom_tags_are_reported(tmp_path):
    parsed = read(tmp_path, "a: !secret value\n")
    assert codes(parsed) == [(1, 4, "yaml_tag")]
    assert parsed.problems[0].params == {"tag": "!secret"}


@pytest.mark.parametrize("document", ["theme: !foo {name: material}\n", "theme: !foo\n  name: material\n", "nav: !foo [a]\n"])
def test_a_custom_tag_on_a_mapping_or_a_list_is_reported_too(tmp_path, document):
    """MkDocs' own loader gives such a tag a meaning (!ENV, !relative); the guide reads it as plain data, so it is refused."""
    assert [(p.line, p.code) for p in read(tmp_path, document).problems] == [(1, "yaml_tag")]


@pytest.mark.parametrize("key", ["~", "true", "[a, b]"])
def test_keys_that_are_not_text_are_reported(tmp_path, key):
    parsed = read(tmp_path, f"ok: 1\n{key}: x\n")
    assert codes(parsed) == [(2, 1, "key_not_text")]
    assert parsed.data == {"ok": 1}


# --- kept from one read to the next ----------------------------------------------------


def test_a_file_read_again_is_taken_from_what_was_kept_until_its_bytes_change(tmp_path):
    path, kept = tmp_path / "agencies.yaml", tmp_path / "kept"
    path.write_text("agencies:\n  - id: a\n    hours: 8:30\n", encoding="utf-8")
    first = read_yaml(path, "data/agencies.yaml", kept=kept)
    (stored,) = kept.iterdir()
    again = read_yaml(path, "data/agencies.yaml", kept=kept)
    assert (again.data, again.values, again.keys, again.path) == (first.data, first.values, first.keys, "data/agencies.yaml")
    assert again.position(("agencies", 0, "hours")) == (3, 12)
    stored.write_bytes(stored.read_bytes().replace(b"8:30", b"9:45"))  # what was kept, not the file, is read
    assert read_yaml(path, "data/agencies.yaml", kept=kept).data["agencies"][0]["hours"] == "9:45"
    path.write_text("agencies:\n  - id: a\n    hours: 10:00\n", encoding="utf-8")  # an edit: read anew, kept anew
    assert read_yaml(path, "data/agencies.yaml", kept=kept).data["agencies"][0]["hours"] == "10:00"
    assert read_yaml(path, "data/agencies.yaml", kept=kept).data["agencies"][0]["hours"] == "10:00"


def test_a_file_with_problems_is_never_kept_and_a_broken_kept_file_is_read_past(tmp_path):
    path, kept = tmp_path / "agencies.yaml", tmp_path / "kept"
    path.write_text("a: 1\na: 2\n", encoding="utf-8")
    for _ in range(2):  # reported each time
        assert codes(read_yaml(path, "data/agencies.yaml", kept=kept)) == [(2, 1, "duplicate_key")]
    assert not kept.exists()
    path.write_text("a: 1\n", encoding="utf-8")
    read_yaml(path, "data/agencies.yaml", kept=kept)
    (stored,) = kept.iterdir()
    stored.write_bytes(b"\x00not marshal")
    assert read_yaml(path, "data/agencies.yaml", kept=kept).data == {"a": 1}
