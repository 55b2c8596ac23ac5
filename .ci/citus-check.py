#!/usr/bin/env python3
"""Checks the schema against the sharding plan of docs/scaling.md.

Migrates a fresh PostgreSQL database with the service's own `migrate`, reads its catalog,
and applies Citus's documented rules for distributed tables to the classification in
docs/scaling-plan.json (every table distributed by the plan's column, or a reference
table):

- a distributed table has the distribution column;
- its primary key and every unique constraint or unique index include that column;
- a foreign key between distributed tables includes it on both sides (they are colocated);
- a foreign key from a reference table to a distributed one is not allowed;
- ON DELETE SET NULL / SET DEFAULT may not touch the distribution column.

It prints what the schema would have to change, and fails when that list differs from the
plan's `changes` (the plan is stale) or when a table is not classified (a new table needs a
decision). `--list` prints every change; `--write` rewrites the plan's `changes`.

Usage: citus-check.py POSTGRES_URL BINARY [--list] [--write]
"""

import json
import os
import subprocess
import sys
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parent.parent
PLAN = ROOT / "docs" / "scaling-plan.json"


def psql(url, sql):
    out = subprocess.run(
        ["psql", url, "-X", "-q", "-At", "-F", "\t", "-v", "ON_ERROR_STOP=1", "-c", sql],
        check=True,
        capture_output=True,
        text=True,
    ).stdout
    return [line.split("\t") for line in out.splitlines() if line]


def with_database(url, name):
    parts = urlsplit(url)
    return urlunsplit(parts._replace(path="/" + name))


def catalog(url):
    tables = sorted(
        r[0]
        for r in psql(
            url,
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public' "
            "AND tablename NOT LIKE '\\_\\_diesel%'",
        )
    )
    columns = {}
    for table, column in psql(
        url,
        "SELECT table_name, column_name FROM information_schema.columns "
        "WHERE table_schema = 'public'",
    ):
        columns.setdefault(table, set()).add(column)
    uniques = []
    for table, index, primary, cols, partial in psql(
        url,
        """
        SELECT t.relname, i.relname, x.indisprimary,
               COALESCE((SELECT string_agg(a.attname, ',' ORDER BY k.n)
                         FROM unnest(x.indkey) WITH ORDINALITY k(attnum, n)
                         JOIN pg_attribute a ON a.attrelid = t.oid AND a.attnum = k.attnum
                         -- the key's columns, not those it INCLUDEs
                         WHERE k.n <= x.indnkeyatts), ''),
               x.indpred IS NOT NULL
        FROM pg_index x
        JOIN pg_class i ON i.oid = x.indexrelid
        JOIN pg_class t ON t.oid = x.indrelid
        JOIN pg_namespace s ON s.oid = t.relnamespace
        WHERE s.nspname = 'public' AND x.indisunique
        ORDER BY t.relname, i.relname
        """,
    ):
        uniques.append(
            {
                "table": table,
                "name": index,
                "primary": primary == "t",
                "columns": [c for c in cols.split(",") if c],
                "partial": partial == "t",
            }
        )
    foreign = []
    for name, table, cols, target, target_cols, on_delete in psql(
        url,
        """
        SELECT c.conname, t.relname,
               (SELECT string_agg(a.attname, ',' ORDER BY k.n)
                FROM unnest(c.conkey) WITH ORDINALITY k(attnum, n)
                JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = k.attnum),
               r.relname,
               (SELECT string_agg(a.attname, ',' ORDER BY k.n)
                FROM unnest(c.confkey) WITH ORDINALITY k(attnum, n)
                JOIN pg_attribute a ON a.attrelid = c.confrelid AND a.attnum = k.attnum),
               c.confdeltype
        FROM pg_constraint c
        JOIN pg_class t ON t.oid = c.conrelid
        JOIN pg_class r ON r.oid = c.confrelid
        JOIN pg_namespace s ON s.oid = t.relnamespace
        WHERE s.nspname = 'public' AND c.contype = 'f'
        ORDER BY t.relname, c.conname
        """,
    ):
        foreign.append(
            {
                "name": name,
                "table": table,
                "columns": cols.split(","),
                "target": target,
                "target_columns": target_cols.split(","),
                "on_delete": on_delete,
            }
        )
    return tables, columns, uniques, foreign


def changes(plan, tables, columns, uniques, foreign):
    column = plan["distribution_column"]
    kinds = plan["tables"]
    found = []
    unclassified = [t for t in tables if t not in kinds]
    gone = [t for t in kinds if t not in tables]
    distributed = {t for t in tables if kinds.get(t) == "distributed"}
    for t in sorted(distributed):
        if column not in columns.get(t, set()):
            found.append(f"{t}: add column {column}")
    for u in uniques:
        if u["table"] in distributed and column not in u["columns"]:
            what = "primary key" if u["primary"] else "unique index " + u["name"]
            found.append(
                f"{u['table']}: {what} ({', '.join(u['columns']) or 'expression'}) "
                f"must include {column}"
            )
    for f in foreign:
        source, target = f["table"], f["target"]
        if source in distributed and target in distributed:
            if column not in f["columns"] or column not in f["target_columns"]:
                found.append(
                    f"{source}: foreign key {f['name']} ({', '.join(f['columns'])}) -> "
                    f"{target} ({', '.join(f['target_columns'])}) must include {column}"
                )
            if f["on_delete"] in ("n", "d"):
                found.append(
                    f"{source}: foreign key {f['name']} ON DELETE "
                    f"{'SET NULL' if f['on_delete'] == 'n' else 'SET DEFAULT'} would change "
                    f"{column}: name the columns it sets (SET NULL ({', '.join(c for c in f['columns'] if c != column)}))"
                )
        elif kinds.get(source) == "reference" and target in distributed:
            found.append(
                f"{source}: foreign key {f['name']} from a reference table to distributed "
                f"{target} is not allowed"
            )
    return found, unclassified, gone


def main():
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    write = "--write" in sys.argv
    if len(args) != 2:
        print(__doc__.strip().splitlines()[-1], file=sys.stderr)
        return 2
    base, binary = args
    plan = json.loads(PLAN.read_text())
    name = f"vh_citus_check_{os.getpid()}"
    psql(base, f"CREATE DATABASE {name}")
    try:
        url = with_database(base, name)
        env = dict(os.environ, DATABASE_URL=url, RUST_LOG="warn")
        subprocess.run([binary, "migrate"], check=True, env=env, capture_output=True)
        tables, columns, uniques, foreign = catalog(url)
    finally:
        psql(base, f"DROP DATABASE IF EXISTS {name}")

    found, unclassified, gone = changes(plan, tables, columns, uniques, foreign)
    kinds = plan["tables"]
    print(
        f"{len(tables)} tables: {sum(1 for t in tables if kinds.get(t) == 'distributed')} "
        f"distributed by {plan['distribution_column']}, "
        f"{sum(1 for t in tables if kinds.get(t) == 'reference')} reference"
    )
    print(f"{len(found)} changes before the schema can be distributed on Citus (docs/scaling.md)")
    if write or "--list" in sys.argv:
        for line in found:
            print(f"  - {line}")
    if write:
        plan["changes"] = found
        PLAN.write_text(json.dumps(plan, ensure_ascii=False, indent=2) + "\n")
        print(f"wrote {PLAN.relative_to(ROOT)}")
        return 0
    failed = False
    if unclassified:
        print(f"not classified in {PLAN.relative_to(ROOT)}: {', '.join(unclassified)}")
        failed = True
    if gone:
        print(f"classified but not in the schema: {', '.join(gone)}")
        failed = True
    expected = plan.get("changes", [])
    if found != expected:
        print(f"the plan's list of changes is stale ({PLAN.relative_to(ROOT)}):")
        for line in sorted(set(expected) - set(found)):
            print(f"  no longer needed: {line}")
        for line in sorted(set(found) - set(expected)):
            print(f"  new: {line}")
        print("update docs/scaling.md for it, then run with --write")
        failed = True
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
