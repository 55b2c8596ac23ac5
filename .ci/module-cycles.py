#!/usr/bin/env python3
"""Fails when modules of src/ import each other in a circle.

A module is a file of src/ (`auth/scope.rs` is `auth::scope`, `auth/mod.rs` is `auth`). It
depends on another when it names it (`crate::db::…`, `super::model::…`, `use crate::{a, b}`);
a path names the longest module it starts with. A module's references into its own
submodules (a `mod.rs` re-exporting what its files define) are how Rust builds a facade, not
a dependency, and are left out; so is the crate root (lib.rs, main.rs), which composes all.
Prints each module's dependencies and every cycle found.
"""

import pathlib
import re
import sys

SRC = pathlib.Path(__file__).resolve().parent.parent / "src"


def module_name(path: pathlib.Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    if parts[-1] == "mod":
        parts.pop()
    return "::".join(parts)


def modules() -> dict[str, pathlib.Path]:
    found = {module_name(p): p for p in SRC.rglob("*.rs")}
    return {m: p for m, p in found.items() if m not in ("lib", "main")}


def references(text: str, me: str) -> set[str]:
    """Every module path a file names, as `a::b::c` from the crate root."""
    text = re.sub(r"//[^\n]*", "", text)
    paths = set()
    for m in re.finditer(r"\b(crate|super)((?:::[a-z_][a-z0-9_]*)*)(::\{([^{}]*)\})?", text):
        head, tail, _, group = m.groups()
        if head == "crate":
            base = [s for s in tail.split("::") if s]
        else:
            parent = me.split("::")[:-1] if me else []
            base = parent + [s for s in tail.split("::") if s]
        if group is None:
            paths.add("::".join(base))
        else:
            for item in group.split(","):
                item = item.strip()
                first = re.match(r"[a-z_][a-z0-9_]*(::[a-z_][a-z0-9_]*)*", item)
                paths.add("::".join(base + ([first.group(0)] if first else [])))
    return paths


def resolve(path: str, known: set[str]) -> str | None:
    parts = path.split("::")
    for n in range(len(parts), 0, -1):
        candidate = "::".join(parts[:n])
        if candidate in known:
            return candidate
    return None


def graph() -> dict[str, set[str]]:
    mods = modules()
    known = set(mods)
    deps: dict[str, set[str]] = {m: set() for m in mods}
    for me, path in mods.items():
        for ref in references(path.read_text(encoding="utf-8"), me):
            target = resolve(ref, known)
            if target and target != me and not target.startswith(me + "::"):
                deps[me].add(target)
    return deps


def cycles(deps: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index, low, on, stack, out, counter = {}, {}, set(), [], [], [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on.add(v)
        for w in deps[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    sys.setrecursionlimit(10_000)
    for v in sorted(deps):
        if v not in index:
            visit(v)
    return out


def main() -> int:
    deps = graph()
    for m in sorted(deps):
        print(f"{m:24} -> {', '.join(sorted(deps[m])) or '-'}")
    found = cycles(deps)
    for c in found:
        print("cycle among: " + ", ".join(c))
    if found:
        print(f"FAIL: {len(found)} group(s) of modules of src/ import each other in a circle")
        return 1
    print(f"no import cycles among the {len(deps)} modules of src/")
    return 0


if __name__ == "__main__":
    sys.exit(main())
