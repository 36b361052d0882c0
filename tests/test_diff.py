"""`guide diff BASE [HEAD]`: every change to agencies, programs and guided questions, in words staff can check against the documents.

Each test builds a throw-away git repository from tests/fixtures/minimal, commits an
edit of the YAML text and compares.  The expected lines are written by hand from the
edit: they are the specification of the wording, not recorded output.
"""

from __future__ import annotations

import os
import shutil
import subprocess
from datetime import date
from pathlib import Path

import pytest

from guide import diff
from guide.load import load_guide

from conftest import MINIMAL, TODAY

GIT_ENV = {
    **os.environ,
    "GIT_CONFIG_GLOBAL": os.devnull,
    "GIT_CONFIG_NOSYSTEM": "1",
    "GIT_AUTHOR_NAME": "Test",
    "GIT_AUTHOR_EMAIL": "test@example.jp",
    "GIT_COMMITTER_NAME": "Test",
    "GIT_COMMITTER_EMAIL": "test@example.jp",
}


def git(root: Path, *argv: str) -> str:
    done = subprocess.run(
        ["git", "-c", "user.name=Test", "-c", "user.email=test@example.jp", "-C", str(root), *argv],
        env=GIT_ENV,
        capture_output=True,
        text=True,
        check=True,
    )
    return done.stdout.strip()


def short(root: Path, rev: str) -> str:
    return git(root, "rev-parse", "--short=7", rev)


def commit(root: Path, message: str) -> None:
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", message)


def edit(root: Path, file: str, old: str, new: str) -> None:
    """Replace one exact piece of a data file's text (it must occur exactly once)."""
    path = root / "data" / file
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1, f"{old!r} occurs {text.count(old)} times in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")


@pytest.fixture
def repo(tmp_path) -> Path:
    """The minimal guide as the first commit of a new repository."""
    root = tmp_path / "guide"
    shutil.copytree(MINIMAL / "data", root / "data")
    git(root.parent, "-c", "init.defaultBranch=main", "init", "-q", str(root))
    commit(root, "base")
    return root


@pytest.fixture
def guide_diff(run_guide):
    """`guide diff …` on the guide at `root`, as on the command line."""

    def run(root: Path, *argv: str):
        return run_guide("diff", "--root", root, "--today", TODAY, *argv)

    return run


def title(root: Path, base: str = "HEAD~1", head: str | None = "HEAD", lang: str = "ja") -> str:
    head_words = f"{head} ({short(root, head)})" if head else ("作業中のファイル" if lang == "ja" else "working tree")
    words = "データの変更" if lang == "ja" else "Changes in the data"
    return f"{words}: {base} ({short(root, base)}) → {head_words}"


# --- records changed --------------------------------------------------------------------


def test_phone_change(repo, guide_diff):
    edit(repo, "agencies.yaml", '- number: "086-900-0021"', '- number: "086-900-0029"')
    edit(repo, "agencies.yaml", "last_verified: 2026-11-20", "last_verified: 2026-11-22")
    commit(repo, "new number")
    run = guide_diff(repo, "HEAD~1", "HEAD")
    assert run.code == 0, run.err
    assert run.lines == [
        title(repo),
        "",
        "相談機関の変更（1件）",
        "- 架空家計相談室：電話番号 086-900-0021 → 086-900-0029、最終確認日 2026-11-20 → 2026-11-22",
    ]


def test_address_and_service_phone_are_worded_as_published(repo, guide_diff):
    edit(repo, "agencies.yaml", "street: {ja: 架空町一丁目1-1}", "street: {ja: 架空町三丁目3-3}")
    edit(repo, "agencies.yaml", '- number: "0120-000-001"', '- number: "0120-000-002"')
    commit(repo, "moved")
    run = guide_diff(repo, "HEAD~1", "HEAD")
    assert run.lines[2:] == [
        "相談機関の変更（2件）",
        "- 架空相談センター：所在地 〒000-0001 テスト東区架空町一丁目1-1 テスト会館 2F → 〒000-0001 テスト東区架空町三丁目3-3 テスト会館 2F",
        "- 架空家計相談室：相談内容 kakei の電話番号 0120-000-001（相談専用ダイヤル） → 0120-000-002（相談専用ダイヤル）",
    ]


def test_added_program_session(repo, guide_diff):
    edit(
        repo,
        "programs.yaml",
        "        - date: 2027-01-13\n          note: {ja: 時間は未定}\n",
        "        - date: 2027-01-13\n          times: \"14:00-15:30\"\n          note: {ja: 時間は未定}\n"
        "        - date: 2027-01-23\n",
    )
    commit(repo, "one more session")
    run = guide_diff(repo, "HEAD~1", "HEAD")
    assert run.code == 0, run.err
    assert run.lines == [
        title(repo),
        "",
        "プログラムの変更（1件）",
        "- 架空家計講座：開催日 2027-01-13 の時間 記載なし → 14:00–15:30、開催日の追加: 2027-01-23",
    ]


def test_removed_session_and_changed_recurrence(repo, guide_diff):
    edit(repo, "programs.yaml", "          days: [tue, fri]", "          days: [mon, tue, wed]")
    edit(
        repo,
        "programs.yaml",
        "        - date: 2026-12-09\n          times: \"14:00-15:30\"\n          venue: {ja: テスト会館 3F 会議室}\n",
        "",
    )
    commit(repo, "changes")
    run = guide_diff(repo, "HEAD~1", "HEAD")
    assert run.lines[2:] == [
        "プログラムの変更（2件）",
        "- 架空いきいき体操：開催の決まり 毎週 火・金 10:00–11:00 → 毎週 月〜水 10:00–11:00",
        "- 架空家計講座：開催日の削除: 2026-12-09",
    ]


def test_renamed_id_is_a_rename_not_a_removal_and_an_addition(repo, guide_diff):
    edit(repo, "agencies.yaml", "  - id: kakuu-kakei\n", "  - id: kakuu-kakei-soudan\n")
    edit(repo, "agencies.yaml", '- number: "086-900-0021"', '- number: "086-900-0022"')
    edit(repo, "programs.yaml", "organiser: kakuu-kakei", "organiser: kakuu-kakei-soudan")
    edit(repo, "flow.yaml", "[kakuu-kakei~kakei]", "[kakuu-kakei-soudan~kakei]")  # the guided questions name it too
    edit(repo, "flow.yaml", "[kakuu-kakei~kyufu]", "[kakuu-kakei-soudan~kyufu]")
    commit(repo, "rename")
    run = guide_diff(repo, "HEAD~1", "HEAD")
    assert run.code == 0, run.err
    assert run.lines == [
        title(repo),
        "",
        "相談機関の変更（1件）",
        "- 架空家計相談室：ID変更: kakuu-kakei → kakuu-kakei-soudan、電話番号 086-900-0021 → 086-900-0022",
        "",
        "プログラムの変更（1件）",
        "- 架空家計講座：主催 kakuu-kakei → kakuu-kakei-soudan",
        "",
        "「質問に答えて相談先をさがす」の質問の変更（1件）",
        "- お金のことで、いちばん近いのは：答え 家計のやりくり の行き先 kakuu-kakei~kakei → kakuu-kakei-soudan~kakei、"
        "答え 給付を受けたい の行き先 kakuu-kakei~kyufu → kakuu-kakei-soudan~kyufu",
    ]


def test_renamed_service_inside_an_agency(repo, guide_diff):
    edit(repo, "agencies.yaml", "      - id: kyufu\n", "      - id: kyufukin\n")
    edit(repo, "flow.yaml", "kakuu-kakei~kyufu", "kakuu-kakei~kyufukin")  # the guided questions name it
    commit(repo, "rename service")
    run = guide_diff(repo, "HEAD~1", "HEAD")
    assert run.lines[2:] == [
        "相談機関の変更（1件）",
        "- 架空家計相談室：相談内容の ID変更: kyufu → kyufukin",
        "",
        "「質問に答えて相談先をさがす」の質問の変更（1件）",
        "- お金のことで、いちばん近いのは：答え 給付を受けたい の行き先 kakuu-kakei~kyufu → kakuu-kakei~kyufukin",
    ]


def test_removed_agency(repo, guide_diff):
    text = (repo / "data" / "agencies.yaml").read_text(encoding="utf-8")
    start, end = text.index("  - id: example-counter"), text.index("  - id: kakuu-kakei")
    (repo / "data" / "agencies.yaml").write_text(text[:start] + text[end:], encoding="utf-8")
    commit(repo, "closed")
    run = guide_diff(repo, "HEAD~1", "HEAD")
    assert run.code == 0, run.err
    assert run.lines == [title(repo), "", "相談機関の削除（1件）", "- 架空健康窓口（example-counter）"]


NEW_AGENCY = """
  - id: kakuu-shigoto
    name: {ja: 架空しごと相談所}
    kana: かくうしごとそうだんじょ
    services:
      - id: shigoto
        description: {ja: 仕事さがしの相談}
        categories: [soudan]
    phones:
      - number: "086-900-0031"
    source:
      - document: test-list-2026
        section: 相談機関一覧 No.5
    last_verified: 2026-11-20
"""


def test_added_agency(repo, guide_diff):
    with (repo / "data" / "agencies.yaml").open("a", encoding="utf-8") as handle:
        handle.write(NEW_AGENCY)
    commit(repo, "new agency")
    run = guide_diff(repo, "HEAD~1", "HEAD")
    assert run.code == 0, run.err
    assert run.lines == [title(repo), "", "相談機関の追加（1件）", "- 架空しごと相談所（kakuu-shigoto）"]


def test_working_tree_against_head(repo, guide_diff):
    edit(repo, "agencies.yaml", 'times: ["08:30-17:15"]\n      closed_on_public_holidays: true\n      closed_year_end: true\n    source:',
         'times: ["09:00-17:00"]\n      closed_on_public_holidays: true\n      closed_year_end: true\n    source:')
    run = guide_diff(repo, "HEAD")  # not committed: HEAD against the files as they are
    assert run.code == 0, run.err
    assert run.lines == [
        title(repo, "HEAD", None),
        "",
        "相談機関の変更（1件）",
        "- 架空家計相談室：受付時間 月〜金 8:30–17:15, 祝日休み, 年末年始休み → 月〜金 9:00–17:00, 祝日休み, 年末年始休み",
    ]


def test_no_changes(repo, guide_diff):
    run = guide_diff(repo, "HEAD")
    assert run.code == 0
    assert run.lines == [title(repo, "HEAD", None), "", "相談機関とプログラムに変更はありません。"]


# --- languages and formats ------------------------------------------------------------------


def _english_edit(repo: Path) -> None:
    edit(repo, "agencies.yaml", "en: Example Consultation Center", "en: Example Advice Center")
    edit(repo, "agencies.yaml", '- number: "086-900-0001"', '- number: "086-900-0005"')
    edit(repo, "programs.yaml", "        - date: 2027-01-13\n", "        - date: 2027-01-23\n        - date: 2027-01-13\n")
    commit(repo, "english")


def test_english_output(repo, guide_diff):
    _english_edit(repo)
    run = guide_diff(repo, "HEAD~1", "HEAD", "--lang", "en")
    assert run.code == 0, run.err
    assert run.lines == [
        title(repo, lang="en"),
        "",
        "Agencies changed (1)",
        "- Example Advice Center: name Example Consultation Center → Example Advice Center; phone 086-900-0001 → 086-900-0005",
        "",
        "Programs changed (1)",
        "- 架空家計講座: session added: 2027-01-23",  # no English name: the Japanese one
    ]


def test_a_change_only_in_another_language_names_that_language(repo, guide_diff):
    _english_edit(repo)
    run = guide_diff(repo, "HEAD~1", "HEAD")
    assert run.lines[3] == "- 架空相談センター：名前（en） Example Consultation Center → Example Advice Center、電話番号 086-900-0001 → 086-900-0005"


def test_markdown_output(repo, guide_diff):
    edit(repo, "agencies.yaml", '- number: "086-900-0021"', '- number: "086-900-0029"')
    edit(repo, "programs.yaml", "note: {ja: 日程は決まり次第お知らせします}", 'note: {ja: "日程は決まり次第お知らせします | 雨天中止"}')
    commit(repo, "markdown")
    run = guide_diff(repo, "HEAD~1", "HEAD", "--format", "markdown")
    assert run.code == 0, run.err
    assert run.lines == [
        f"## データの変更: HEAD\\~1 ({short(repo, 'HEAD~1')}) → HEAD ({short(repo, 'HEAD')})",
        "",
        "### 相談機関の変更（1件）",
        "",
        "- 架空家計相談室：電話番号 086-900-0021 → 086-900-0029",
        "",
        "### プログラムの変更（1件）",
        "",
        "- 架空ふれあいサロン：日程の補足 日程は決まり次第お知らせします → 日程は決まり次第お知らせします \\| 雨天中止",
    ]


# --- errors ------------------------------------------------------------------------------------


def test_bad_revision_is_a_usage_error(repo, guide_diff):
    run = guide_diff(repo, "no-such-branch")
    assert run.code == 2
    assert run.out == ""
    assert run.err.splitlines() == [
        "guide diff: リビジョン「no-such-branch」が見つかりません（git log --oneline で確かめ、コミット・ブランチ・タグの名前を書いてください）"
    ]
    assert "Traceback" not in run.err


def test_bad_head_revision_in_english(repo, guide_diff):
    run = guide_diff(repo, "HEAD", "v9", "--lang", "en")
    assert run.code == 2
    assert run.err.splitlines() == ["guide diff: revision 'v9' was not found (check with git log --oneline and give a commit, branch or tag)"]


def test_not_a_repository_is_a_usage_error(tmp_path, guide_diff):
    root = tmp_path / "plain"
    shutil.copytree(MINIMAL / "data", root / "data")
    run = guide_diff(root, "HEAD")
    assert run.code == 2
    assert "git のリポジトリではありません" in run.err and "Traceback" not in run.err


def test_a_side_with_data_errors_is_named_with_its_problems(repo, guide_diff):
    edit(repo, "agencies.yaml", '- number: "086-900-0001"', '- number: "900-0001"')
    commit(repo, "broken")
    run = guide_diff(repo, "HEAD~1", "HEAD")
    assert run.code == 1
    assert run.out == ""
    assert run.err.splitlines() == [
        f"HEAD ({short(repo, 'HEAD')}) のデータに誤りがあるため比較できません（次の 1 件を直してください）:",
        "  data/agencies.yaml:33:17: 電話番号 900-0001 に市外局番がありません（市外局番を付けてください。例: 086-900-0001）",
    ]


def test_a_revision_without_data(repo, guide_diff):
    (repo / "README").write_text("x\n", encoding="utf-8")
    git(repo, "rm", "-r", "-q", "data")
    commit(repo, "no data")
    git(repo, "checkout", "-q", "HEAD~1", "--", "data")
    run = guide_diff(repo, "HEAD")
    assert run.code == 1
    assert run.err.splitlines() == [
        f"guide diff: HEAD ({short(repo, 'HEAD')}) には data/ フォルダがありません（data/ があるリビジョンを指定してください）"
    ]


def test_guide_in_a_subfolder_of_the_repository(tmp_path, guide_diff):
    top = tmp_path / "repo"
    root = top / "guides" / "kakuu-shi"
    shutil.copytree(MINIMAL / "data", root / "data")
    git(tmp_path, "init", "-q", str(top))
    commit(top, "base")
    edit(root, "agencies.yaml", '- number: "086-900-0021"', '- number: "086-900-0029"')
    run = guide_diff(root, "HEAD")
    assert run.lines[2:] == ["相談機関の変更（1件）", "- 架空家計相談室：電話番号 086-900-0021 → 086-900-0029"]


# --- the pure function ------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def minimal_guide():
    return load_guide(MINIMAL, today=date.fromisoformat(TODAY)).guide


def _with_agency(guide, agency_id: str, **update):
    agencies = [a.model_copy(update=update) if a.id == agency_id else a for a in guide.agencies]
    return guide.model_copy(update={"agencies": agencies})


def test_same_phone_and_address_under_a_new_id_and_name_is_a_rename(minimal_guide):
    from guide.model import Text

    new = _with_agency(minimal_guide, "kakuu-soudan-center", id="yorozu-center", name=Text({"ja": "架空よろず相談センター"}))
    changes = diff.diff_guides(minimal_guide, new, "ja")
    assert changes.agencies.added == [] and changes.agencies.removed == []
    assert [c.items for c in changes.agencies.changed] == [
        ["ID変更: kakuu-soudan-center → yorozu-center", "名前 架空相談センター → 架空よろず相談センター"]
    ]
    assert changes.agencies.changed[0].old_id == "kakuu-soudan-center"


def test_mostly_equal_fields_under_a_new_id_is_a_rename(minimal_guide):
    from guide.model import Text

    # example-counter has no phone and no address: only the likeness of its fields tells.
    new = _with_agency(minimal_guide, "example-counter", id="kenko-counter", name=Text({"ja": "架空けんこう窓口"}))
    changes = diff.diff_guides(minimal_guide, new, "en")
    assert [c.items for c in changes.agencies.changed] == [["id changed: example-counter → kenko-counter", "name Example Counter → 架空けんこう窓口"]]


def test_a_name_kept_in_any_language_under_a_new_id_is_a_rename(minimal_guide):
    from guide.model import Text

    old = next(a for a in minimal_guide.agencies if a.id == "example-counter")  # no phone, no address
    same_english = old.model_copy(update={"id": "x", "name": Text({"ja": "架空けんこう窓口", "en": old.name.get("en")})})
    assert diff.same_record(old, same_english) == 1.0
    renamed_in_both = old.model_copy(update={"id": "x", "name": Text({"ja": "架空けんこう窓口", "en": "Health Desk"})})
    assert diff.same_record(old, renamed_in_both) < 1.0


def test_a_different_record_under_a_new_id_is_removed_and_added(minimal_guide):
    kakei = next(a for a in minimal_guide.agencies if a.id == "kakuu-kakei")
    replacement = next(a for a in minimal_guide.agencies if a.id == "kakuu-soudan-center").model_copy(update={"id": "other"})
    from guide.model import Text

    replacement = replacement.model_copy(update={"name": Text({"ja": "別の窓口"}), "phones": [], "address": None})
    agencies = [replacement if a.id == "kakuu-kakei" else a for a in minimal_guide.agencies]
    changes = diff.diff_guides(minimal_guide, minimal_guide.model_copy(update={"agencies": agencies}), "ja")
    assert [(e.id, e.name) for e in changes.agencies.added] == [("other", "別の窓口")]
    assert [(e.id, e.name) for e in changes.agencies.removed] == [(kakei.id, "架空家計相談室")]


def test_unchanged_guide_has_no_changes(minimal_guide):
    changes = diff.diff_guides(minimal_guide, minimal_guide, "ja")
    assert changes.empty
    assert diff.render(changes, "en", "text") == "No changes to agencies or programs.\n"


def test_wired_into_guide_command(repo, run_guide):
    """`guide diff` on the command line is the same command."""
    edit(repo, "agencies.yaml", '- number: "086-900-0021"', '- number: "086-900-0029"')
    run = run_guide("diff", "HEAD", "--root", repo, "--today", TODAY)
    assert run.code == 0
    assert run.out.splitlines()[2:] == ["相談機関の変更（1件）", "- 架空家計相談室：電話番号 086-900-0021 → 086-900-0029"]


def test_a_planned_period_and_a_doubt_to_confirm_are_named(repo, guide_diff):
    edit(
        repo,
        "programs.yaml",
        "    last_verified: 2026-11-01\n",
        "    last_verified: 2026-11-01\n    to_confirm: 開催の有無\n"
        "    period:\n      end: 2027-03-31\n      source: {document: test-list-2026, section: 地域の集いの場}\n",
    )
    commit(repo, "period and doubt")
    run = guide_diff(repo, "HEAD~1", "HEAD")
    assert run.code == 0, run.err
    assert run.lines[2:] == [
        "プログラムの変更（1件）",
        "- 架空ふれあいサロン：予定の期間の終わり 記載なし → 2027-03-31、市に確認すること 記載なし → 開催の有無",
    ]


# --- the guided questions -------------------------------------------------------------------


def test_where_an_answer_leads_and_a_new_answer_are_worded(repo, guide_diff):
    edit(repo, "flow.yaml", "        agencies: [kakuu-kakei~kyufu]", "        category: debt")
    edit(
        repo,
        "flow.yaml",
        "        hub: soudan\n  - id: money",
        "        hub: soudan\n      - text: {ja: 借金がある}\n        category: debt\n  - id: money",
    )
    commit(repo, "flow")
    run = guide_diff(repo, "HEAD~1", "HEAD")
    assert run.code == 0, run.err
    assert run.lines[2:] == [
        "「質問に答えて相談先をさがす」の質問の変更（2件）",
        "- どんなことでお困りですか：答えの追加: 借金がある（支出・借金の窓口）",
        "- お金のことで、いちばん近いのは：答え 給付を受けたい の行き先 窓口 架空家計相談室（給付金の手続きの案内） → 支出・借金の窓口",
    ]


def test_a_question_taken_out_and_the_first_question_changed(repo, guide_diff):
    edit(repo, "flow.yaml", "start: who", "start: worry")
    text = (repo / "data/flow.yaml").read_text(encoding="utf-8")
    who = text.index("  - id: who")
    (repo / "data/flow.yaml").write_text(text[:who] + text[text.index("  - id: worry"):], encoding="utf-8")
    commit(repo, "no who")
    run = guide_diff(repo, "HEAD~1", "HEAD", "--lang", "en")
    assert run.code == 0, run.err
    assert run.lines[2:] == [
        "Guided questions removed (1)",
        "- Who is it about? (who)",
        "",
        "Guided questions changed (1)",
        "- the guided questions (flow.yaml): first question Who is it about? → What is the worry?",
    ]


def test_a_guide_that_loses_its_flow_says_so(repo, guide_diff):
    (repo / "data/flow.yaml").unlink()
    commit(repo, "no flow")
    run = guide_diff(repo, "HEAD~1", "HEAD", "--lang", "en")
    assert run.code == 0, run.err
    assert run.lines[2:] == [
        "Guided questions removed (4)",
        "- the guided questions (flow.yaml) (flow)",
        "- Who is it about? (who)",
        "- What is the worry? (worry)",
        "- About money, which is closest? (money)",
    ]
