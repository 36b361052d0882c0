"""The publishing machinery that cannot run here: GitHub workflows, pre-commit and yamllint.

The workflows are validated against the GitHub-workflow JSON Schema that check-jsonschema
ships (no network) and their structure is asserted: pinned actions, the pull-request
check's steps, and Pages deployment from main only.  The shell of the `guide check` step
is run for real against a broken copy of the guide.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from yamllint import linter
from yamllint.config import YamlLintConfig

from conftest import GUIDES, MINIMAL, REPO, TODAY

from guide.messages import github_annotation
from guide.problems import Problem

WORKFLOWS = REPO / ".github" / "workflows"
PULL_REQUEST = WORKFLOWS / "pull-request.yml"
DEPLOY = WORKFLOWS / "deploy.yml"
PRE_COMMIT = REPO / ".pre-commit-config.yaml"
YAMLLINT = REPO / ".yamllint.yaml"
BROKEN = Path(__file__).parent / "broken"

BIN = Path(sys.executable).parent  # the venv's bin/: guide, yamllint, check-jsonschema
PINNED_SHA = re.compile(r"^[\w.-]+/[\w./-]+@[0-9a-f]{40}$")
PINNED_TAG = re.compile(r"^[\w.-]+/[\w./-]+@v\d+\.\d+\.\d+$")


def load(path: Path) -> dict:
    workflow = yaml.safe_load(path.read_text(encoding="utf-8"))
    if True in workflow:  # YAML 1.1 reads the key `on` as true
        workflow["on"] = workflow.pop(True)
    return workflow


def steps(workflow: dict) -> list[dict]:
    return [step for job in workflow["jobs"].values() for step in job.get("steps", [])]


def runs(workflow: dict) -> str:
    return "\n".join(step.get("run", "") for step in steps(workflow))


def step_using(workflow: dict, action: str) -> dict:
    [step] = [step for step in steps(workflow) if step.get("uses", "").startswith(action + "@")]
    return step


# --- both workflows ---------------------------------------------------------------------------


@pytest.mark.parametrize("schema", ["vendor.github-workflows", "custom.github-workflows-require-timeout"])
@pytest.mark.parametrize("path", [PULL_REQUEST, DEPLOY], ids=lambda p: p.name)
def test_workflow_is_valid_for_github(path, schema):
    done = subprocess.run(
        [str(BIN / "check-jsonschema"), "--builtin-schema", schema, str(path)],
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize("path", [PULL_REQUEST, DEPLOY], ids=lambda p: p.name)
def test_every_action_is_pinned_with_its_release_in_a_comment(path):
    uses = re.findall(r"^\s*(?:-\s+)?uses:\s*(\S+)(.*)$", path.read_text(encoding="utf-8"), re.M)
    assert uses
    for action, rest in uses:
        if PINNED_SHA.match(action):
            assert re.fullmatch(r"\s+# v\d+\.\d+\.\d+", rest), f"{action}: say its release, e.g. '# v4.2.2'"
        else:
            assert PINNED_TAG.match(action), f"{action} is not pinned to a commit SHA or an exact release"


@pytest.mark.parametrize("path", [PULL_REQUEST, DEPLOY], ids=lambda p: p.name)
def test_jobs_run_on_ubuntu_with_a_time_limit_and_read_only_by_default(path):
    workflow = load(path)
    assert workflow["permissions"] == {"contents": "read"}
    for name, job in workflow["jobs"].items():
        assert job["runs-on"] == "ubuntu-latest", name
        assert isinstance(job["timeout-minutes"], int) and job["timeout-minutes"] <= 90, name
        for step in job.get("steps", []):
            if step.get("uses", "").startswith("actions/checkout@"):
                assert step["with"]["persist-credentials"] is False


# --- the pull-request check -------------------------------------------------------------------


def test_pull_request_workflow_runs_on_pull_requests():
    assert set(load(PULL_REQUEST)["on"]) == {"pull_request"}


def test_pull_request_checks_tests_builds_and_uploads_a_preview():
    workflow = load(PULL_REQUEST)
    commands = runs(workflow)
    assert "./dev setup" in commands
    assert ".venv/bin/guide check" in commands
    assert "./dev test" in commands
    assert ".venv/bin/guide build" in commands
    upload = step_using(workflow, "actions/upload-artifact")
    assert upload["with"]["name"] == "site-preview"
    assert upload["with"]["path"].split() == ["site/", "build/handouts/", "build/report.md"]
    assert upload["with"]["if-no-files-found"] == "error"
    names = [step.get("name", step.get("uses", "")) for step in steps(workflow)]
    assert names.index("guide check") < names.index("guide build") < names.index("Upload the preview")


def test_pull_request_writes_the_change_summary_against_the_base_branch():
    workflow = load(PULL_REQUEST)
    assert step_using(workflow, "actions/checkout")["with"]["fetch-depth"] == 0
    [summary] = [step for step in steps(workflow) if "guide diff" in step.get("run", "")]
    assert summary["env"]["BASE_REF"] == "${{ github.base_ref }}"
    assert '.venv/bin/guide diff "origin/$BASE_REF" HEAD --format markdown >> "$GITHUB_STEP_SUMMARY"' in summary["run"]
    assert '.venv/bin/guide report --format markdown >> "$GITHUB_STEP_SUMMARY"' in summary["run"]


def _guide_check_step() -> str:
    [step] = [step for step in steps(load(PULL_REQUEST)) if step.get("name") == "guide check"]
    return step["run"]


def _run_step(script: str, root: Path) -> tuple[subprocess.CompletedProcess, str]:
    """Run a step's script the way GitHub does (`bash -e -o pipefail`) in a guide's folder."""
    guide = root / ".venv" / "bin" / "guide"
    guide.parent.mkdir(parents=True)
    guide.write_text(f'#!/bin/sh\nexec "{sys.executable}" -m guide.cli "$@" --today {TODAY}\n', encoding="utf-8")
    guide.chmod(0o755)
    summary = root / "summary.md"
    summary.touch()
    done = subprocess.run(
        ["bash", "--noprofile", "--norc", "-e", "-o", "pipefail", "-c", script],
        cwd=root,
        env={**os.environ, "GITHUB_STEP_SUMMARY": str(summary)},
        capture_output=True,
        text=True,
        encoding="utf-8",
        check=False,
    )
    return done, summary.read_text(encoding="utf-8")


def _broken_guide(tmp_path: Path, case: str | None) -> Path:
    root = tmp_path / "guide"
    shutil.copytree(MINIMAL, root)
    if case:
        for path in (BROKEN / case).iterdir():
            if not path.name.startswith("expected"):
                shutil.copyfile(path, root / "data" / path.name)
    return root


def test_the_guide_check_step_annotates_errors_and_fails(tmp_path):
    root = _broken_guide(tmp_path, "41-four-mistakes-in-one-file")

    done, summary = _run_step(_guide_check_step(), root)

    assert done.returncode == 1
    annotations = [line for line in done.stdout.splitlines() if line.startswith("::error ")]
    assert len(annotations) == 4
    assert annotations[0] == (
        "::error file=data/agencies.yaml,line=9,col=11,title=guide check::"
        "読み「架空そうだんせんたー」にかな以外の文字（架空）があります（ひらがなかカタカナで書いてください）"
    )
    assert "::stop-commands::" in done.stdout  # the report quotes the data: printed with commands off
    assert "```text" in summary and "不明な項目「adress」です" in summary


@pytest.mark.parametrize("case", [None, "40-stale-last-verified"], ids=["good", "only-a-warning"])
def test_the_guide_check_step_passes_quietly_without_errors(tmp_path, case):
    root = _broken_guide(tmp_path, case)

    done, summary = _run_step(_guide_check_step(), root)

    assert done.returncode == 0, done.stdout + done.stderr
    assert "::error" not in done.stdout
    assert summary == ""
    warnings = [line for line in done.stdout.splitlines() if line.startswith("::warning ")]
    assert len(warnings) == (0 if case is None else 1)  # a stale date shows on its line, as a warning


def test_an_annotation_quoting_the_data_cannot_start_another_workflow_command():
    """The words quote what a contributor wrote: a line break in them would let it issue commands."""
    problem = Problem("data/a,b:c.yaml", 3, 7, "duplicate_key", {"key": "x\n::error::100%", "first_line": 1})
    annotation = github_annotation(problem, "en")
    assert annotation.startswith("::error file=data/a%2Cb%3Ac.yaml,line=3,col=7,title=guide check::")
    assert "\n" not in annotation and "x[U+000A]::error::100%25" in annotation


# --- deployment -------------------------------------------------------------------------------


def test_deploy_runs_on_main_only():
    workflow = load(DEPLOY)
    assert workflow["on"]["push"] == {"branches": ["main"]}
    assert set(workflow["on"]) == {"push", "workflow_dispatch"}
    for name, job in workflow["jobs"].items():
        assert job["if"] == "github.ref == 'refs/heads/main'", name  # also when run by hand


def test_deploy_checks_builds_and_publishes_the_site_to_pages():
    workflow = load(DEPLOY)
    assert workflow["concurrency"]["group"] == "pages"
    build, deploy = workflow["jobs"]["build"], workflow["jobs"]["deploy"]
    commands = "\n".join(step.get("run", "") for step in build["steps"])
    assert "./dev setup" in commands and ".venv/bin/guide check" in commands
    [build_step] = [step for step in build["steps"] if step.get("run") == ".venv/bin/guide build"]
    assert build_step["env"]["GUIDE_SITE_URL"] == "${{ steps.pages.outputs.base_url }}"
    assert step_using({"jobs": {"build": build}}, "actions/configure-pages")["id"] == "pages"
    assert step_using({"jobs": {"build": build}}, "actions/upload-pages-artifact")["with"]["path"] == "site"
    assert deploy["needs"] == "build"
    assert deploy["permissions"] == {"pages": "write", "id-token": "write"}
    assert deploy["environment"]["name"] == "github-pages"
    assert step_using({"jobs": {"deploy": deploy}}, "actions/deploy-pages")["id"] == "deployment"
    assert "pages" not in workflow["permissions"]  # write access only where it deploys


@pytest.mark.parametrize("path", [PULL_REQUEST, DEPLOY], ids=lambda p: p.name)
def test_builds_start_from_the_handouts_printed_before(path):
    workflow = load(path)
    cache = step_using(workflow, "actions/cache")
    assert cache["with"]["path"].split() == ["build/handouts-cache", "build/templates-cache"]
    assert cache["with"]["key"] == "guide-build-${{ github.sha }}"
    assert cache["with"]["restore-keys"] == "guide-build-"  # the newest cache of an earlier commit
    names = [step.get("name", step.get("uses", "")) for step in steps(workflow)]
    assert names.index("Handouts printed before") < names.index("guide build")


# --- pre-commit -----------------------------------------------------------------------------


def test_pre_commit_has_local_hooks_only():
    config = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))
    assert [repo["repo"] for repo in config["repos"]] == ["local"]  # nothing to download
    hooks = {hook["id"]: hook for hook in config["repos"][0]["hooks"]}
    assert set(hooks) == {"guide-check", "yamllint"}
    for hook in hooks.values():
        assert set(hook) <= {"id", "name", "entry", "language", "files", "pass_filenames", "types"}
        assert hook["language"] == "system" and hook["name"]
        re.compile(hook["files"])
    assert hooks["guide-check"]["entry"] == ".venv/bin/guide check"
    assert hooks["guide-check"]["pass_filenames"] is False
    assert re.search(hooks["guide-check"]["files"], "data/agencies.yaml")
    assert hooks["yamllint"]["entry"] == ".venv/bin/yamllint -c .yamllint.yaml"
    pattern = re.compile(hooks["yamllint"]["files"])
    assert pattern.search("data/agencies.yaml") and pattern.search("data/private.example.yml")
    assert not pattern.search("tests/broken/22-tab-indentation/agencies.yaml")
    assert not pattern.search("data/README.md")


def _hook_command(hook_id: str) -> list[str]:
    """A hook's entry as pre-commit would run it from the repository (the venv's tools if .venv is elsewhere)."""
    config = yaml.safe_load(PRE_COMMIT.read_text(encoding="utf-8"))
    [hook] = [hook for hook in config["repos"][0]["hooks"] if hook["id"] == hook_id]
    program, *args = hook["entry"].split()
    path = REPO / program
    return [str(path if path.exists() else BIN / Path(program).name), *args]


# --- yamllint -----------------------------------------------------------------------------------


def shipped_data_files(root: Path = REPO) -> list[Path]:
    """A guide's data files (private.yaml is git-ignored)."""
    return sorted(path for path in (root / "data").glob("*.y*ml") if path.name != "private.yaml")


@pytest.fixture(scope="module")
def yamllint_config() -> YamlLintConfig:
    return YamlLintConfig(file=str(YAMLLINT))


def lint(config: YamlLintConfig, text: str) -> list:
    return [p for p in linter.run(text, config) if p.level == "error"]


@pytest.mark.parametrize("path", [p for root in GUIDES.values() for p in shipped_data_files(root)], ids=lambda p: p.relative_to(REPO).as_posix())
def test_yamllint_accepts_every_shipped_data_file(path, yamllint_config):
    problems = list(linter.run(path.read_text(encoding="utf-8"), yamllint_config))
    assert [f"{p.line}:{p.column} {p.rule}: {p.desc}" for p in problems] == []


@pytest.mark.parametrize("path", [PULL_REQUEST, DEPLOY, PRE_COMMIT, YAMLLINT], ids=lambda p: p.name)
def test_yamllint_accepts_this_machinery_too(path, yamllint_config):
    problems = list(linter.run(path.read_text(encoding="utf-8"), yamllint_config))
    assert [f"{p.line}:{p.column} {p.rule}: {p.desc}" for p in problems] == []


MISTAKES = {
    "trailing spaces": (lambda text: text.replace('"086-900-0001"', '"086-900-0001"  ', 1), "trailing-spaces"),
    "a tab": (lambda text: text.replace("\n      - number:", "\n\t- number:", 1), None),  # a syntax error
    "a duplicate key": (lambda text: text.replace("    last_verified: 2026-10-01\n", "    last_verified: 2026-10-01\n    last_verified: 2026-11-20\n", 1), "key-duplicates"),
    "Windows line endings": (lambda text: text.replace("\n", "\r\n"), "new-lines"),
    "yes for true": (lambda text: text.replace("closed_on_public_holidays: true", "closed_on_public_holidays: yes", 1), "truthy"),
    "a missing final newline": (lambda text: text.rstrip("\n"), "new-line-at-end-of-file"),
}


@pytest.mark.parametrize("mistake", sorted(MISTAKES))
def test_yamllint_catches_a_real_mistake(mistake, yamllint_config):
    change, rule = MISTAKES[mistake]
    text = (MINIMAL / "data" / "agencies.yaml").read_text(encoding="utf-8")
    broken = change(text)
    assert broken != text
    problems = lint(yamllint_config, broken)
    assert problems, mistake
    assert problems[0].rule == rule, [(p.line, p.rule, p.desc) for p in problems]


def test_the_yamllint_hook_fails_on_a_broken_copy_and_passes_on_the_real_files(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    for path in shipped_data_files():
        shutil.copyfile(path, data / path.name)
    shutil.copyfile(YAMLLINT, tmp_path / ".yamllint.yaml")
    files = [f"data/{path.name}" for path in shipped_data_files()]

    good = subprocess.run(_hook_command("yamllint") + files, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert good.returncode == 0, good.stdout + good.stderr

    agencies = data / "agencies.yaml"
    agencies.write_text(re.sub(r"(number: \S+)\n", r"\1 \n", agencies.read_text(encoding="utf-8"), count=1), encoding="utf-8")
    bad = subprocess.run(_hook_command("yamllint") + files, cwd=tmp_path, capture_output=True, text=True, check=False)
    assert bad.returncode == 1
    assert "trailing-spaces" in bad.stdout and "data/agencies.yaml" in bad.stdout


def test_the_guide_check_hook_runs_guide_check(tmp_path):
    root = tmp_path / "guide"
    shutil.copytree(MINIMAL, root)
    command = _hook_command("guide-check") + ["--today", TODAY]
    assert subprocess.run(command, cwd=root, capture_output=True, check=False).returncode == 0
    shutil.copyfile(BROKEN / "01-phone-without-area-code" / "agencies.yaml", root / "data" / "agencies.yaml")
    bad = subprocess.run(command, cwd=root, capture_output=True, text=True, encoding="utf-8", check=False)
    assert bad.returncode == 1
    assert "市外局番がありません" in bad.stderr
