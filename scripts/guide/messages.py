"""Wording of every data problem: what is wrong (how to fix it), in the reader's language.

Each problem code maps to ONE English message id; its translations are in locale/<lang>.po
(parameters written {name}, filled after translation).  Adding a problem: add
`"code": "english text with {param}"` here and the same msgid with its msgstr to
locale/ja.po; tests/test_i18n.py fails until both are there.  An old-style entry
`"code": {"ja": JA, "en": EN}` converts mechanically: `"code": EN` here, and
`msgid EN` / `msgstr JA` in locale/ja.po.
"""

from __future__ import annotations


from .i18n import TOOL_LANGUAGE, words
from .problems import Problem
from .terminal import shown

# code -> English message id.  Parameters come from Problem.params.
CATALOG: dict[str, str] = {
    # --- the file itself
    "file_missing": "file is missing (create {expected})",
    "bom": "the file starts with a byte-order mark (save it as UTF-8 without BOM)",
    "encoding": "this is not valid UTF-8 (save the file with UTF-8 encoding)",
    "crlf": "line endings are CRLF (Windows style) (save the file with LF line endings)",
    "tab": "a tab is used for indentation (replace tabs with spaces)",
    "yaml_syntax": "YAML syntax error: {detail} (check indentation, the space after each colon and unclosed quotes)",
    "file_empty": "the file is empty (add its content)",
    "key_not_text": "a key is not text (write keys as words)",
    "duplicate_key": "key '{key}' appears twice (also on line {first_line}; keep one)",
    "yaml_tag": "YAML tag {tag} is not allowed (remove it)",
    # --- shape of a record (from the model)
    "missing": "required field '{field}' is missing (add it)",
    "extra_forbidden": "unknown field '{field}' ({hint})",
    "did_you_mean": "did you mean '{suggestion}'?",
    "allowed_fields": "allowed fields: {allowed}",
    "string_type": "expected text, got {got} (quote values that are only digits or dates)",
    "int_type": "expected a whole number, got {got}",
    "bool_type": "expected true or false, got {got}",
    "list_type": "expected a list, got {got} (start each item with '- ' or write [a, b])",
    "dict_type": "expected fields ('name: value'), got {got}",
    "date_invalid": "{value} is not a valid date (write a real date as 2024-04-01)",
    "literal_error": "{value} is not allowed (use one of: {expected})",
    "pattern_mismatch": "{value} is not in the right format ({format})",
    "too_short": "needs at least {min} item(s) (add them)",
    "string_too_short": "must not be empty (write a value or remove the field)",
    "number_range": "{value} is out of range ({limit})",
    "invalid_value": "invalid value: {detail}",
    # --- values (custom checks in the model)
    "id_format": "id '{value}' has the wrong form (use lower-case ASCII letters, digits and hyphens, e.g. family-support-desk)",
    "time_invalid": "{time} is not a time of day (use 00:00 to 24:00)",
    "time_range_format": "time range '{value}' has the wrong form (write it quoted, like \"08:30-17:15\")",
    "time_range_order": "time range '{value}' closes before it opens (write open-close)",
    "kana_invalid": "reading '{value}' contains non-kana characters ({chars}) (write it in hiragana or katakana)",
    "text_empty": "the text is empty (write it as {{ja: ...}})",
    "text_value_empty": "the '{lang}' text is empty (write it or remove that language)",
    "lang_code_invalid": "'{lang}' is not a language code (use codes such as ja or en)",
    "unofficial_invalid": "unofficial must list language codes present in this text (e.g. [en])",
    "phone_invalid": "{number} is not a valid phone number (write it as published, with area code, e.g. 012-345-6789)",
    "phone_no_area_code": "phone number {number} has no area code (add it, e.g. {area_code}-{number})",
    "exception_shape": "a dated exception needs either 'closed: true' or 'times', not both or neither",
    "period_order": "the closed period ends before it starts (swap the dates)",
    "hours_no_weekly": "hours have no weekly rules (add them, or use status: not_published when none are published)",
    "hours_not_published_with_weekly": "status is not_published but weekly hours are given (keep one)",
    "recurrence_monthly": "a monthly rule needs nth and days (e.g. nth: [2], days: [tue])",
    "recurrence_yearly": "a yearly rule needs times_per_year",
    # --- across records
    "duplicate_id": "id '{id}' is used twice (also at {first}; choose another id)",
    "unknown_ref": "no {kind} with id '{id}' ({hint})",
    "kind_agency": "agency",
    "kind_category": "category",
    "kind_audience": "audience",
    "kind_area": "area",
    "kind_area_kind": "area kind",
    "kind_program_kind": "program kind",
    "kind_source": "source",
    "ref_hint_suggest": "did you mean '{suggestion}'?",
    "ref_hint_where": "use an id defined in {where}",
    "lang_undeclared": "language '{lang}' is not in site.yaml languages (add it there or remove this line)",
    "translation_missing": "required language '{lang}' is missing (add {lang}: ...)",
    "stale": "last verified {date}, {days} days ago (check the facts and update last_verified)",
    "future_date": "last_verified {date} is in the future (write the day the facts were checked)",
    "hub_not_marked": "this is the hub agency of '{category}' but none of its services in that category has hub: true (mark one)",
    "hub_without_category": "hub: true, but categories.yaml does not name this agency as the hub of '{category}' (fix one of them)",
    "no_site_url": "the site's public address is not set, so the handouts have no QR codes (set url in data/site.yaml or the {variable} variable)",
    "holidays_run_out": "the public-holiday table ends in {year} (update the holidays package)",
    # --- format hints of pattern_mismatch, by field (load._FORMATS)
    "format_postal_code": "write it quoted, like \"123-4567\"",
    "format_email": "write it like soudan@example.jp",
    "format_url": "write an address starting with https://",
    "format_report_error_url": "write an address starting with https://",
    "format_local_government_code": "write six digits, quoted, e.g. \"123456\"",
    "format_phone_area_code": "write the area code, quoted, e.g. \"012\"",
    "format_code": "write a language code such as ja or en",
    "format_other": "see the schema",
    # --- hardening (issue 9): limits, addresses, invisible text, links out of the project, the build lock
    "file_too_large": "the file is too large ({size_mb} MB; the limit is {limit_mb} MB: split it or remove what is not needed)",
    "file_unreadable": "the file cannot be read: {reason} (check its permissions)",
    "not_a_file": "{expected} is not a file (it is a folder or similar: make it a YAML file)",
    "yaml_aliases": "aliases (*name) copy too many values (the limit is {limit}: write the values out instead)",
    "yaml_too_deep": "the data nests too deeply (the limit is {limit} levels: check indentation and unclosed brackets)",
    "text_too_long": "the value is too long ({length} characters; the limit is {limit}: shorten it)",
    "bidi_control": "the text contains bidirectional control characters ({chars}) that make it look different from what it is (remove them)",
    "text_invisible": "the '{lang}' text has no visible characters (only zero-width or blank characters: write the text)",
    "theme_text_markup": "'{value}' contains {chars}, which site titles, descriptions, language names and page titles cannot hold (write ＜ ＞ ＆ ” or words instead)",
    "phone_letters": "phone number {number} contains letters ({chars}) (write digits and hyphens as published; watch for O/0, I/1 and S/5 scan mistakes)",
    "phone_chars": "phone number {number} contains characters that are not allowed ({chars}) (use digits, hyphens and brackets only)",
    "symlink_outside": "this symbolic link leads out of {folder}/ (or to the private file) (replace the link with the file itself)",
    "site_url_invalid": "the {variable} variable ('{value}') is not a public address (write an address starting with https://)",
    "build_locked": "another guide build (process {pid}) is running in this folder (run this again when it has finished)",
    "build_stopped": "the build was stopped (what it had started was removed)",
    "build_no_write": "cannot write to {path}: {reason} (check the folder's permissions; site/ was not changed)",
    # --- what the data declares (issue 10: any city)
    "lg_code_check_digit": "local government code {value} has a wrong check digit (did you mean {expected}? check the official list, or remove the line)",
    "phrase_counters_unsourced": "these words name counters but say no document that names them (add source, or remove counters)",
    "scaffold_example": "'{id}' is an example that guide new wrote, not the city's own (replace it with the city's, or delete example: true once it is)",
    "hubs_undeclared": "a hub is named but categories.yaml declares no hubs (mark, label, source) (add hubs, or remove the hub)",
    "extension_in_public_text": "this public text holds what looks like an extension number ('{found}') (extensions are staff-only: put them in data/private.yaml)",
    "handout_overflow": "does not fit on one A4 page even with the least detail, so it was printed on {pages} pages (shorten the texts it prints or the sizes in templates/handouts/handouts.css)",
    # --- hardening, round 2 (issue 24): what broke the build or a command though check passed
    "line_break": "the value holds a line break ({chars}), which a name, title, label, address or phone label cannot hold (write it on one line: only descriptions and notes may have several lines)",
    "control_char": "the value holds control characters ({chars}), which show nothing and break the calendar and XML files (remove them; retype the text if it was pasted)",
    "email_chars": "e-mail address '{value}' contains {chars}, with which the mail link would do more than write to that address (write one plain address, like soudan@example.jp)",
    "ical_refused": "{where}: the calendar feed could not be written: {detail} (remove line breaks and control characters from the program's name, venue and notes)",
    "mkdocs_refused": "'{setting}' is not allowed in mkdocs.yml: {why}",
    "mkdocs_why_code": "it would run code while the site is built (guide build makes the pages: the guide uses no MkDocs hooks or plugins; remove it)",
    "mkdocs_why_elsewhere": "it would load a file from outside the site, which the pages' Content-Security-Policy forbids (give a path of the site's own, such as assets/guide/x.css, or remove it)",
    "mkdocs_why_fixed": "guide build relies on it (write {expected}, or leave it out)",
    "mkdocs_extension": "the Markdown extension '{name}' is not one the guide allows: some read files or run code while the site is built (use one of: {allowed})",
    # --- hardening round 2 (issue 24): content/ is as untrusted as data/
    "hard_link": "this file is a hard link: it shares its contents with another file (perhaps data/private.yaml), which would be read or published with it (replace it with a copy of the file)",
    "content_file_type": "this kind of file cannot be in content/: only Markdown pages and pictures ({allowed}) (remove it, or save the picture in one of those formats)",
    "picture_mismatch": "the file is not a {suffix} picture, though its name says so (save it again in that format, or give it the right name)",
    "svg_doctype": "the SVG picture has a DOCTYPE or entity declarations (remove them, or export the picture again)",
    "svg_element": "the SVG picture contains <{element}>, which can run script or show something from elsewhere (remove it, or save the picture as PNG)",
    "svg_attribute": "the SVG picture has the attribute {attribute}, which runs script (remove it, or save the picture as PNG)",
    "svg_reference": "the SVG picture refers to something outside itself ('{value}') (keep everything inside the file, or save the picture as PNG)",
    "svg_invalid": "the SVG picture is not well-formed XML ({detail}) (export the picture again)",
    "front_matter_shape": "the front matter between the --- lines is not a list of 'key: value' lines (write it as title: ...)",
    "front_matter_key": "'{field}' cannot be set in a page's front matter (allowed: {allowed})",
    "front_matter_text": "'{field}' must be one line of plain text (remove the line breaks and control characters)",
    "page_tag": "<{tag}> cannot be used in a page (write it in Markdown; the HTML a page may hold is plain formatting such as <span>, <br> or <details>)",
    "page_attribute": "the attribute {attribute} cannot be used in a page (remove it: event handlers and inline styles do not work on this site; a table column aligned with ':' makes a style too)",
    "page_address": "the address '{value}' cannot be used in a page (link to a page of the guide or to an address starting with https://, mailto: or tel:; a picture must be a file in content/)",
    "page_id": "the id '{value}' cannot be used in a page (ids starting with __ or guide belong to the site itself; use letters, digits, - and _)",
    "page_markup": "'{text}' cannot be used in a page (remove it; an HTML comment may hold only plain words)",
    # --- guided questions (issue 23): data/flow.yaml
    "flow_answer_target": "an answer must lead to exactly one of next, agencies, hub or category (it gives: {given}) (keep one)",
    "flow_unreachable": "question '{id}' is not reached from the start question (lead an answer to it with next: {id}, or remove it)",
    "flow_cycle": "next: {id} leads back to a question already asked on this path (lead it to a later question or an outcome)",
    "flow_too_long": "this outcome is {answers} answers from the start; at most {most} are allowed (ask fewer questions before it)",
    "flow_no_hub": "category '{category}' has no hub, so hub: cannot lead to it (use category: {category} for its counters)",
    "flow_not_for_residents": "'{id}' takes no consultations from residents directly (from_residents: false), and residents can reach this answer (name it only after an answer marked professionals: true)",
    "kind_question": "question",
    "kind_service": "service of that agency",
    "format_agencies": "write an agency id, or agency~service",
}


def word(code: str, lang: str, /, **params) -> str:
    """The message for `code`; a parameter given as (code, params) is worded first."""
    params = {k: word(v[0], lang, **v[1]) if isinstance(v, tuple) else v for k, v in params.items()}
    return words(lang)(CATALOG[code], **params)


# Control characters and line breaks quoted from the data: shown by their code point, so that a
# value cannot break the one-line message, hide a character or send escape codes to the terminal.


def format_problem(problem: Problem, lang: str = TOOL_LANGUAGE) -> str:
    """`data/agencies.yaml:12:5: what is wrong (how to fix it)` — one line per problem."""
    text = word(problem.code, lang, **problem.params)
    prefix = words(lang)("warning") + ": " if problem.severity == "warning" else ""
    return shown(f"{problem.file}:{problem.line}:{problem.column}: {prefix}{text}", one_line=True)


def github_annotation(problem: Problem, lang: str = TOOL_LANGUAGE) -> str:
    """The problem as a GitHub Actions workflow command: an error or warning shown on its line of a
    pull request.  The words quote the data, so they are escaped as the runner requires: no text
    from a file can end the command or start another."""
    where = ",".join(f"{key}={_escaped(str(value), properties=True)}" for key, value in
                     (("file", problem.file), ("line", problem.line), ("col", problem.column), ("title", "guide check")))
    return f"::{problem.severity} {where}::{_escaped(shown(word(problem.code, lang, **problem.params), one_line=True))}"


def _escaped(text: str, *, properties: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    return text.replace(":", "%3A").replace(",", "%2C") if properties else text
