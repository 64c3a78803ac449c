"""Dependencies point one way: shared ← incidents, scoring, reports ← the web app, the CLI.

Every import statement in the source tree is read (function-level ones too), so a rule
broken anywhere fails here, with the module and the import named.
"""

from __future__ import annotations

import ast
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("shared", "services", "jixiao", "demo")

# (module prefix, imports it must never make)
RULES: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("shared", ("services", "jixiao", "demo", "bench")),
    ("services.incidents", ("services.scoring", "services.reports", "jixiao", "demo")),
    ("services.scoring", ("services.incidents", "services.reports", "jixiao", "demo")),
    ("services.reports", ("services.scoring", "services.incidents", "jixiao", "demo")),
    ("services", ("jixiao", "demo", "bench")),
    ("demo", ("jixiao", "bench")),
)


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def imports(path: Path) -> set[str]:
    found: set[str] = set()
    package = module_name(path).rsplit(".", 1)[0] if path.name != "__init__.py" else module_name(path)
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:  # relative: resolve against the package
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                found.add(".".join([*base, node.module] if node.module else base))
            elif node.module:
                found.add(node.module)
                found.update(f"{node.module}.{alias.name}" for alias in node.names)
    return found


def sources() -> list[Path]:
    return sorted(p for pkg in PACKAGES for p in (ROOT / pkg).rglob("*.py"))


def _under(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def violations() -> list[str]:
    out = []
    for path in sources():
        name = module_name(path)
        for imported in sorted(imports(path)):
            for prefix, banned in RULES:
                if _under(name, prefix):
                    out += [f"{name} imports {imported}" for b in banned if _under(imported, b)]
    return sorted(set(out))


def test_every_layer_imports_only_what_is_below_it():
    assert violations() == []


def test_the_pure_domains_import_only_the_standard_library_and_other_domain_code():
    stdlib = set(sys.stdlib_module_names) | {"__future__"}
    offending = []
    for path in sources():
        name = module_name(path)
        if ".domain" not in f".{name}":
            continue
        for imported in imports(path):
            top = imported.split(".")[0]
            if top in stdlib or ".domain" in f".{imported}":
                continue
            offending.append(f"{name} imports {imported}")
    assert offending == []


@pytest.mark.parametrize(("module", "imported", "expected"), [
    ("services.reports.results", "services.scoring.domain.monthly", True),
    ("services.scoring.work", "services.incidents.event_commands", True),
    ("shared.org", "services.scoring.load", True),
    ("services.reports.results", "shared.org", False),
    ("jixiao.cli", "services.scoring.rebuild", False),
])
def test_the_check_itself_catches_a_wrong_way_import(module, imported, expected):
    broken = any(_under(module, prefix) and any(_under(imported, b) for b in banned) for prefix, banned in RULES)
    assert broken is expected
