"""The architecture, checked: the layout tells it, and it stays that way.

- ``aidaily/`` keeps at most 12 top-level modules; the rest lives in subpackages by concept;
- no module is over 600 lines, and each has a docstring;
- no import cycle among the modules of ``aidaily``, ``sources`` and ``flows``, in the whole
  static graph: imports made when a module loads *and* those inside functions (a
  function-local import only delays a cycle to the first call; those under
  ``TYPE_CHECKING`` are for the type checker only);
- the layers (``LAYERS``): a module imports only from its own layer or lower ones;
- nothing below the CLI imports the CLI; the CLI starts without Prefect or openai;
- a function-local import only where it keeps start-up small (it loads something its
  module, or for the CLI ``aidaily --help``, does not), each with its reason in a comment;
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


def import_statements(path: Path) -> list[tuple[ast.Import | ast.ImportFrom, bool, list[ast.stmt]]]:
    """Every import statement of ``path`` that runs (those under ``TYPE_CHECKING`` are for
    the type checker only; its ``else`` runs), with whether it is inside a function and the
    statement list it stands in."""
    found: list[tuple[ast.Import | ast.ImportFrom, bool, list[ast.stmt]]] = []

    def visit(node: ast.AST, in_function: bool, statements: list[ast.stmt]) -> None:
        if _type_checking_block(node):
            assert isinstance(node, ast.If)
            for child in node.orelse:
                visit(child, in_function, node.orelse)
            return
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            found.append((node, in_function, statements))
        inside = in_function or isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda))
        for _field, value in ast.iter_fields(node):
            if isinstance(value, list):
                for child in value:
                    if isinstance(child, ast.AST):
                        visit(child, inside, value)
            elif isinstance(value, ast.AST):
                visit(value, inside, [])

    tree = ast.parse(path.read_text(encoding="utf-8"))
    for statement in tree.body:
        visit(statement, False, tree.body)
    return found


def _module_of_file(path: Path) -> str:
    return next(name for name, p in modules().items() if p == path)


def _absolute(path: Path, node: ast.ImportFrom | ast.Import) -> list[str]:
    """The modules an import statement names, relative ones resolved."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    base = node.module or ""
    if node.level:
        package = _module_of_file(path).split(".")
        if path.name != "__init__.py":
            package = package[:-1]
        package = package[: len(package) - (node.level - 1)]
        base = ".".join(package + ([node.module] if node.module else []))
    return [base] + [f"{base}.{alias.name}" for alias in node.names]


def runtime_imports(path: Path) -> set[str]:
    """Modules ``path`` imports when it loads or when any of its functions runs."""
    found: set[str] = set()
    for node, _in_function, _statements in import_statements(path):
        found.update(_absolute(path, node))
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


# -- function-local imports: only where they keep start-up small, each with its reason -----

STDLIB = frozenset(sys.stdlib_module_names)


def load_time_imports(path: Path) -> list[ast.Import | ast.ImportFrom]:
    """The import statements run when ``path`` loads: outside functions and TYPE_CHECKING."""
    return [node for node, in_function, _ in import_statements(path) if not in_function]


def function_local_imports(path: Path) -> list[tuple[ast.Import | ast.ImportFrom, list[ast.stmt]]]:
    """Each import inside a function (TYPE_CHECKING blocks aside), with the statement list
    it stands in."""
    return [(node, statements) for node, in_function, statements in import_statements(path) if in_function]


class LoadClosure:
    """What importing a module loads, read from the source: our modules and the top-level
    names of the other packages (third-party ``pkg``, standard library ``std:name``),
    through the imports each of our modules runs when it loads."""

    def __init__(self) -> None:
        self.mods = modules()
        self.memo: dict[str, frozenset[str]] = {}

    def of_names(self, names: list[str]) -> frozenset[str]:
        out: set[str] = set()
        for name in names:
            if name in self.mods:
                out |= self.of(name)
            elif name.split(".")[0] in PACKAGES:
                continue  # ``from package import name``: the name is not a module
            else:
                root = name.split(".")[0]
                out.add(f"std:{name}" if root in STDLIB else root)
        return frozenset(out)

    def of(self, module: str) -> frozenset[str]:
        if module in self.memo:
            return self.memo[module]
        self.memo[module] = frozenset()  # the layout test forbids cycles; guard anyway
        parts = module.split(".")
        out: set[str] = {module}
        for k in range(1, len(parts) + 1):
            name = ".".join(parts[:k])
            if name in self.mods:
                out.add(name)
                path = self.mods[name]
                for node in load_time_imports(path):
                    out |= self.of_names(_absolute(path, node))
        self.memo[module] = frozenset(out)
        return self.memo[module]


def _reason_comment(lines: list[str], node: ast.stmt, statements: list[ast.stmt]) -> bool:
    """A comment on the import's own line, or on the line above the run of imports it is in."""
    if "#" in lines[node.lineno - 1].split("import", 1)[1]:
        return True
    at = statements.index(node)
    while True:
        if statements[at].lineno > 1 and lines[statements[at].lineno - 2].strip().startswith("#"):
            return True
        if at == 0 or not isinstance(statements[at - 1], (ast.Import, ast.ImportFrom)):
            return False
        at -= 1


def deferral_problems() -> list[str]:
    """Function-local imports that defer nothing, or say no reason.

    An import inside a function is there to keep start-up small: in the CLI, to keep
    ``aidaily --help`` (every command module loads) from loading what one command needs;
    below it, to keep a module's load from pulling a third-party package only some of its
    functions need. One that loads nothing more than its module already does belongs at
    the top; each one left says why in a comment.
    """
    closure = LoadClosure()
    # every command module loads with the CLI (app.py among them)
    help_loads = closure.of_names([f"aidaily.cli.{p.stem}" for p in (ROOT / "aidaily" / "cli").glob("*.py")])
    problems = []
    for name, path in closure.mods.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        own = help_loads if name.startswith("aidaily.cli") else closure.of(name)
        for node, statements in function_local_imports(path):
            where = f"{path.relative_to(ROOT)}:{node.lineno} {ast.unparse(node)}"
            more = closure.of_names(_absolute(path, node)) - own
            if not name.startswith("aidaily.cli"):
                more = frozenset(m for m in more if "." not in m and not m.startswith("std:") and m not in PACKAGES)
            if not more:
                problems.append(f"{where}: loads nothing its module does not already load: import it at the top")
            elif not _reason_comment(lines, node, statements):
                problems.append(f"{where}: a function-local import says why in a comment (what it defers)")
    return problems


def test_function_local_imports_defer_something_and_say_why() -> None:
    problems = deferral_problems()
    assert not problems, "\n".join(problems)
