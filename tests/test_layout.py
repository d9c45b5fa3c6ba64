"""The architecture, checked: the layout tells it, and it stays that way.

- ``aidaily/`` keeps at most 12 top-level modules; the rest lives in subpackages by concept;
- no module is over 600 lines, and each has a docstring;
- no import cycle among the modules of ``aidaily``, ``sources`` and ``flows`` (imports made
  when a module loads; those under ``TYPE_CHECKING`` are for the type checker only);
- nothing below the CLI imports the CLI; the CLI starts without Prefect or openai;
- no private internals of a library (``os._exit``, overriding Prefect's
  ``serialize_parameters``, ``BeautifulSoup._…``, ``bs4.builder``);
- every dependency ``pyproject.toml`` declares is imported somewhere.
"""

from __future__ import annotations

import ast
import re
import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("aidaily", "sources", "flows")
#: Distribution name -> the module it is imported as, where the two differ.
IMPORT_NAMES = {
    "beautifulsoup4": "bs4", "python-frontmatter": "frontmatter", "pyyaml": "yaml",
    "sqlalchemy": "sqlalchemy", "charset-normalizer": "charset_normalizer",
    "markdown-it-py": "markdown_it", "lxml_html_clean": "lxml_html_clean", "pillow": "PIL",
}


def modules() -> dict[str, Path]:
    out = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts and "versions" in path.parts:
                continue  # Alembic revisions: loaded by Alembic, not imported
            parts = list(path.relative_to(ROOT).with_suffix("").parts)
            if parts[-1] == "__init__":
                parts = parts[:-1]
            out[".".join(parts)] = path
    return out


def _type_checking_block(node: ast.AST) -> bool:
    return isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test)


def load_time_imports(path: Path) -> set[str]:
    """Modules ``path`` imports when it loads (not inside functions or TYPE_CHECKING)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(body: list[ast.stmt]) -> None:
        for node in body:
            if _type_checking_block(node):
                continue
            if isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
            elif isinstance(node, ast.If | ast.Try | ast.With):
                for field in ("body", "orelse", "finalbody", "handlers"):
                    for child in getattr(node, field, []) or []:
                        visit(child.body if isinstance(child, ast.ExceptHandler) else [child])

    visit(tree.body)
    return found


def all_imports(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def test_few_top_level_modules() -> None:
    top = [p.name for p in (ROOT / "aidaily").glob("*.py")]
    assert len(top) <= 12, sorted(top)


def test_small_documented_modules() -> None:
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) < 600, f"{name}: {len(text.splitlines())} lines"
        assert ast.get_docstring(ast.parse(text)), f"{name} has no docstring"


def test_no_import_cycles() -> None:
    mods = modules()
    graph = {name: {m for m in load_time_imports(path) if m in mods and m != name}
             for name, path in mods.items()}
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                cycle = stack[stack.index(nxt):] + [nxt]
                raise AssertionError("import cycle: " + " -> ".join(cycle))
            if nxt not in state:
                walk(nxt)
        stack.pop()
        state[node] = 2

    for node in sorted(graph):
        if node not in state:
            walk(node)


def test_nothing_below_the_cli_imports_it() -> None:
    for name, path in modules().items():
        if name.startswith("aidaily.cli") or name == "aidaily.__main__":  # the entry point
            continue
        bad = {m for m in all_imports(path) if m == "aidaily.cli" or m.startswith("aidaily.cli.")}
        assert not bad, f"{name} imports {bad}"


def test_cli_start_up_imports_neither_prefect_nor_openai() -> None:
    code = ("import sys, aidaily.cli.app;"
            "print(sorted(m for m in ('prefect', 'openai', 'sqlalchemy') if m in sys.modules))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True,
                         cwd=ROOT)
    assert out.stdout.strip() == "[]", out.stdout


def test_no_private_internals() -> None:
    banned = re.compile(r"os\._exit|def serialize_parameters|BeautifulSoup\._|bs4\.builder|"
                        r"from bs4\.builder|\bPlainParamsFlow\b|\bQuickExit\b")
    for name, path in modules().items():
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
            code = line.split("#", 1)[0]
            assert not banned.search(code), f"{name}:{number}: {line.strip()}"


def test_every_declared_dependency_is_imported() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["project"]
    imported = {m.split(".")[0] for path in modules().values() for m in all_imports(path)}
    for requirement in project["dependencies"]:
        dist = re.split(r"[<>=!\[; ]", requirement, maxsplit=1)[0]
        module = IMPORT_NAMES.get(dist.lower(), IMPORT_NAMES.get(dist, dist.lower().replace("-", "_")))
        assert module in imported, f"{dist} is declared but never imported (as {module})"


def test_every_package_is_installed() -> None:
    """A non-editable install ships every subpackage and the prompts."""
    listed = set(tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
                 ["tool"]["setuptools"]["packages"])
    found = {".".join(p.parent.relative_to(ROOT).parts) for package in PACKAGES
             for p in (ROOT / package).rglob("__init__.py")}
    assert found <= listed, sorted(found - listed)
    assert "aidaily.prompts" in listed
