"""A guide as a git repository, and the spreadsheet round trip: what guide export writes,
guide import reads back as no change.  Shared by the export and the formula tests."""

from __future__ import annotations

import subprocess


def as_repository(root):
    """A guide as a git repository, so `guide diff HEAD` compares with it."""
    git = ["git", "-C", str(root), "-c", "user.name=t", "-c", "user.email=t@example.jp"]
    subprocess.run([*git, "init", "-q"], check=True)
    subprocess.run([*git, "add", "data"], check=True)
    subprocess.run([*git, "commit", "-qm", "shipped data"], check=True)
    return root


def assert_export_then_import_changes_nothing(run_guide, repo, sheet, kind: str, fmt: str) -> None:
    assert run_guide("export", kind, "--format", fmt, "--output", sheet, "--root", repo).code == 0
    before = (repo / "data" / f"{kind}.yaml").read_bytes()
    result = run_guide("import", kind, sheet, "--root", repo)
    assert result.code == 0, result.err
    assert "変更はありません" in result.out
    assert (repo / "data" / f"{kind}.yaml").read_bytes() == before
    assert "相談機関とプログラムに変更はありません。" in run_guide("diff", "HEAD", "--root", repo).out
