"""The architecture, checked: the layout tells it, and it stays that way.

- ``aidaily/`` keeps at most 12 top-level modules; the rest lives in subpackages by concept;
- no module is over 600 lines, and each has a docstring;
- no import cycle among the modules of ``aidaily``, ``sources`` and ``flows``, in the whole
  static graph: imports made when a module loads *and* those inside functions (a
  function-local import only delays a cycle to the first call; those under
  ``TYPE_CHECKING`` are for the type checker only);
- the layers (``LAYERS``): a module imports only from its own layer or lower ones;
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


def all_imports(path: Path) -> set[str]:
    """Every module ``path`` names in an import, wherever (TYPE_CHECKING blocks included)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


def runtime_imports(path: Path) -> set[str]:
    """Modules ``path`` imports when it loads or when any of its functions runs: every
    import statement except those under ``TYPE_CHECKING``."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()

    def visit(node: ast.AST) -> None:
        if _type_checking_block(node):
            assert isinstance(node, ast.If)
            for child in node.orelse:
                visit(child)
            return
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            found.add(node.module)
            found.update(f"{node.module}.{alias.name}" for alias in node.names)
        for child in ast.iter_child_nodes(node):
            visit(child)

    visit(tree)
    return found


def import_graph(mods: dict[str, Path]) -> dict[str, set[str]]:
    """Module -> the modules of ``mods`` it imports at any time (``runtime_imports``)."""
    return {name: {m for m in runtime_imports(path) if m in mods and m != name}
            for name, path in mods.items()}


def find_cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle of ``graph`` as ``[a, b, …, a]``, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def walk(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph[node]):
            if state.get(nxt) == 1:
                return stack[stack.index(nxt):] + [nxt]
            if nxt not in state and (cycle := walk(nxt)):
                return cycle
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state and (cycle := walk(node)):
            return cycle
    return None


#: The layers, lowest first: a module may import from its own layer and those below,
#: never from one above. A module belongs to the layer of the longest prefix naming it.
LAYERS: list[tuple[str, ...]] = [
    # the base: errors, exit codes, plain data, text and the date window (stdlib only)
    ("aidaily", "aidaily.errors", "aidaily.exitcodes", "aidaily.atomic", "aidaily.text", "aidaily.models",
     "aidaily.stories.window"),
    ("aidaily.config", "aidaily.format", "sources"),  # settings, the house format, site adapters
    ("aidaily.store", "aidaily.checks"),  # the database; the checks of a text against sources
    ("aidaily.stories",),  # dedup, ranking
    ("aidaily.memory",),  # what earlier issues ran: the blog's posts, the record, the matching
    ("aidaily.ingest",),  # fetching a day
    ("aidaily.llm",),  # the model's client (its TLS context is the fetcher's)
    ("aidaily.editor",),  # plan, write, assemble a draft
    # a run's record, options and lock: what review and delivery read of a run
    ("aidaily.pipeline.report", "aidaily.pipeline.options", "aidaily.pipeline.runlock"),
    ("aidaily.delivery",),  # notices and the git repository
    ("aidaily.review",),  # drafts, review record, publish, the review page
    ("aidaily.pipeline",),  # the stages of a run, the up-to-date check
    ("flows", "aidaily.demo"),  # Prefect's wiring
    ("aidaily.cli", "aidaily.__main__"),
]


def layer_of(module: str) -> int:
    best, level = "", -1
    for k, prefixes in enumerate(LAYERS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > len(best):
                best, level = prefix, k
    assert level >= 0, f"{module} is in no layer: add it to LAYERS"
    return level


def test_few_top_level_modules() -> None:
    top = [p.name for p in (ROOT / "aidaily").glob("*.py")]
    assert len(top) <= 12, sorted(top)


def test_small_documented_modules() -> None:
    for name, path in modules().items():
        text = path.read_text(encoding="utf-8")
        assert len(text.splitlines()) < 600, f"{name}: {len(text.splitlines())} lines"
        assert ast.get_docstring(ast.parse(text)), f"{name} has no docstring"


def test_no_import_cycles() -> None:
    cycle = find_cycle(import_graph(modules()))
    assert cycle is None, "import cycle: " + " -> ".join(cycle or [])


def test_the_cycle_check_sees_function_local_imports(tmp_path: Path) -> None:
    """A cycle closed only by an import inside a function is found (it was not, when
    only the imports made at load time were read)."""
    (tmp_path / "a.py").write_text("import b\n", encoding="utf-8")
    (tmp_path / "b.py").write_text("def f():\n    from a import x\n    return x\n", encoding="utf-8")
    (tmp_path / "c.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import a\n",
                                   encoding="utf-8")
    mods = {p.stem: p for p in tmp_path.glob("*.py")}
    graph = import_graph(mods)
    assert graph == {"a": {"b"}, "b": {"a"}, "c": set()}
    assert find_cycle(graph) == ["a", "b", "a"]


def test_lower_layers_never_import_upper_ones() -> None:
    mods = modules()
    bad = [f"{name} (layer {layer_of(name)}) imports {dep} (layer {layer_of(dep)})"
           for name, deps in import_graph(mods).items() for dep in sorted(deps)
           if layer_of(dep) > layer_of(name)]
    assert not bad, "\n".join(bad)


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
