"""The generator's modules stand in layers: the outputs (pages, finder, handouts, exports, report, slip,
diff, import and export of spreadsheets, scaffold) stand on the kernel below them and not on each
other, and `build`, `preview` and `cli` compose them.  Read from the source, imports inside
functions included."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "scripts" / "guide"
OUTPUTS = {"pages", "finder", "handouts", "exports", "report", "diff", "importer", "exporter", "scaffold", "slip"}
COMPOSERS = {"build", "preview", "cli"}


def module_of(path: Path) -> str:
    """`exports` for every file of the exports package, else the file's own name."""
    relative = path.relative_to(PACKAGE)
    return relative.parts[0] if len(relative.parts) > 1 else relative.stem


def imports() -> set[tuple[str, str]]:
    """(importing, imported) for every import between the package's modules."""
    edges = set()
    for path in sorted(PACKAGE.rglob("*.py")):
        here = module_of(path)
        package = path.parent.relative_to(PACKAGE).parts
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if not isinstance(node, ast.ImportFrom) or node.level == 0:
                continue
            base = list(package[: len(package) - (node.level - 1)])
            names = [*(node.module or "").split(".")] if node.module else []
            targets = [*base, *names][:1] if (base or names) else []
            if not targets:  # `from . import a, b`
                targets = [alias.name for alias in node.names]
            edges |= {(here, target) for target in targets if target != here}
    return edges


def test_no_output_imports_another():
    leaning = {(a, b) for a, b in imports() if a in OUTPUTS and b in OUTPUTS}
    assert leaning == set(), "an output imports another: let build, preview or cli compose them"


def test_the_kernel_and_the_outputs_never_import_what_composes_them():
    assert {(a, b) for a, b in imports() if b in COMPOSERS and a not in COMPOSERS} == set()


def test_there_is_no_import_cycle():
    edges = imports()
    graph: dict[str, set[str]] = {}
    for a, b in edges:
        graph.setdefault(a, set()).add(b)
    state: dict[str, int] = {}

    def cycle_from(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*path, node, nxt]
            if nxt not in state and (found := cycle_from(nxt, [*path, node])):
                return found
        state[node] = 2
        return None

    for start in sorted(graph):
        if start not in state:
            assert cycle_from(start, []) is None


def test_the_reading_of_imports_sees_every_form():
    """The checks above are not blind: relative imports of every shape are read."""
    edges = imports()
    assert ("handouts", "urls") in edges  # from .urls import …
    assert ("exports", "urls") in edges  # from ..urls import … inside the exports package
    assert ("handouts", "workers") in edges  # from ..workers import … inside the handouts package (its modules are one output)
    assert ("handouts", "sheets") not in edges  # from .sheets import …: the package's own modules, not another output
    assert ("cli", "diff") in edges  # from . import diff, …
    assert ("cli", "build") in edges  # an import inside a function
