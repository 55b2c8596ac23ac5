// Prints the findings of a linter's JSON report, grouped by rule, and the counts that decide
// whether CI passes. Used by .ci/spec/run:
//
//   node findings.mjs redocly  report.json   -> last line: "<errors> <warnings>"
//   node findings.mjs spectral report.json   -> last line: "<oas errors> <oas warnings> <owasp errors> <owasp warnings>"
//
// Every finding is listed with its JSON pointer (up to SPEC_EXAMPLES per rule, default 10;
// 0 lists them all).
import { readFileSync } from "node:fs";

const [tool, file] = process.argv.slice(2);
const report = JSON.parse(readFileSync(file, "utf8"));
const limit = Number(process.env.SPEC_EXAMPLES ?? "10");

const pointer = (segments) =>
  "#/" + segments.map((s) => String(s).replaceAll("~", "~0").replaceAll("/", "~1")).join("/");

// findings: { rule, severity: "error" | "warning" | "info", message, where }
function print(title, findings) {
  const groups = new Map();
  for (const f of findings) {
    const key = `${f.severity} ${f.rule}`;
    if (!groups.has(key)) groups.set(key, []);
    groups.get(key).push(f);
  }
  const order = { error: 0, warning: 1, info: 2 };
  const keys = [...groups.keys()].sort((a, b) => {
    const [sa, ra] = a.split(" ");
    const [sb, rb] = b.split(" ");
    return order[sa] - order[sb] || ra.localeCompare(rb);
  });
  for (const key of keys) {
    const list = groups.get(key);
    const messages = [...new Set(list.map((f) => f.message))];
    console.log(`${title}: ${key} (${list.length}): ${messages.slice(0, 3).join(" | ")}`);
    const shown = limit > 0 ? list.slice(0, limit) : list;
    for (const f of shown) console.log(`    ${f.where}`);
    if (shown.length < list.length) console.log(`    ... and ${list.length - shown.length} more`);
  }
}

const count = (findings, severity) => findings.filter((f) => f.severity === severity).length;

if (tool === "redocly") {
  const findings = report.problems.map((p) => ({
    rule: p.ruleId,
    severity: p.severity === "error" ? "error" : p.severity === "warn" ? "warning" : "info",
    message: p.message,
    where: p.location.map((l) => l.pointer).join(", "),
  }));
  print("redocly", findings);
  console.log(`${count(findings, "error")} ${count(findings, "warning")}`);
} else if (tool === "spectral") {
  const severities = ["error", "warning", "info", "info"];
  const findings = report.map((r) => ({
    rule: r.code,
    severity: severities[r.severity] ?? "info",
    message: r.message,
    where: pointer(r.path),
  }));
  const oas = findings.filter((f) => !String(f.rule).startsWith("owasp:"));
  const owasp = findings.filter((f) => String(f.rule).startsWith("owasp:"));
  print("spectral:oas", oas);
  print("owasp", owasp);
  console.log(
    `${count(oas, "error")} ${count(oas, "warning")} ${count(owasp, "error")} ${count(owasp, "warning")}`,
  );
} else {
  console.error(`unknown tool ${tool}`);
  process.exit(2);
}
