// A small typed client of the volunteer-hours API, built with openapi-fetch on the types that
// openapi-typescript generates from openapi/openapi.json (into src/schema.ts, not committed).
// It logs in, lists volunteers, submits a roster with an Idempotency-Key (and sends it again,
// as a client would after a timeout, to show that the retry is answered from the first
// request), and downloads the totals as CSV.
//
//   npm --prefix .ci/spec ci && ln -s ../../.ci/spec/node_modules clients/typescript/node_modules
//   clients/typescript/node_modules/.bin/openapi-typescript openapi/openapi.json \
//     -o clients/typescript/src/schema.ts
//   clients/typescript/node_modules/.bin/tsc -p clients/typescript   # to dist/
//   node clients/typescript/dist/client.js
//
// (.ci/spec/run does the same in a temporary copy, and runs it when given SPEC_SERVER_URL.)
//
// Environment: VH_BASE_URL (e.g. http://127.0.0.1:8080), VH_USERNAME and VH_PASSWORD (a
// secretary's account), VH_EVENT_ID and VH_VOLUNTEER_ID (whose hours to submit; by default
// event 8 and the first volunteer listed).
import { randomUUID } from "node:crypto";
import createClient, { type Middleware } from "openapi-fetch";
import type { components, paths } from "./schema.js";

type Problem = components["schemas"]["Problem"];

function env(name: string, fallback?: string): string {
  const value = process.env[name] ?? fallback;
  if (value === undefined || value === "") {
    console.error(`set ${name}`);
    process.exit(2);
  }
  return value;
}

// Problems are told apart by their stable `type`; X-Request-Id is what to quote when reporting.
function fail(what: string, response: Response, problem?: Problem): never {
  const request = response.headers.get("X-Request-Id") ?? "-";
  const reason = problem ? `${problem.type}: ${problem.detail}` : response.statusText;
  console.error(`${what}: HTTP ${response.status} ${reason} (X-Request-Id ${request})`);
  process.exit(1);
}

const api = createClient<paths>({ baseUrl: env("VH_BASE_URL") });

// 1. Log in. The access token goes on every later request.
const login = await api.POST("/api/v1/auth/login", {
  body: { username: env("VH_USERNAME"), password: env("VH_PASSWORD") },
});
if (login.data === undefined) {
  fail("log in", login.response, login.error);
}
const { access_token, user } = login.data;
const bearer: Middleware = {
  onRequest({ request }) {
    request.headers.set("Authorization", `Bearer ${access_token}`);
    return request;
  },
};
api.use(bearer);
console.log(`logged in as ${user.username} (${user.role})`);

// 2. List volunteers: the first page of those in the caller's scope.
const list = await api.GET("/api/v1/volunteers", { params: { query: { limit: 20 } } });
if (list.data === undefined) {
  fail("list volunteers", list.response, list.error);
}
const volunteers = list.data;
console.log(`${volunteers.total} volunteers; first: ${volunteers.items[0]?.name ?? "none"}`);

// 3. Submit a roster. One fresh Idempotency-Key per submission, the same on every retry of it.
const eventId = Number(env("VH_EVENT_ID", "8"));
const volunteerId = Number(env("VH_VOLUNTEER_ID", String(volunteers.items[0]?.id ?? "")));
const key = randomUUID();
const submit = () =>
  api.POST("/api/v1/events/{id}/hours", {
    params: { path: { id: eventId }, header: { "Idempotency-Key": key } },
    body: { entries: [{ volunteer_id: volunteerId, minutes: 120, role: "引导员" }] },
  });
const first = await submit();
if (first.data === undefined) {
  fail("submit the roster", first.response, first.error);
}
const retry = await submit();
if (retry.data === undefined) {
  fail("retry the roster", retry.response, retry.error);
}
const ids = first.data.entries.map((entry) => entry.id);
if (retry.data.entries.map((entry) => entry.id).join() !== ids.join()) {
  throw new Error("the retry recorded the roster a second time");
}
const replayed = retry.response.headers.get("Idempotent-Replayed");
console.log(`submitted entries ${ids.join(", ")} to event ${eventId}; retry replayed: ${replayed}`);

// 4. Download the totals as CSV (UTF-8 with a BOM, for Excel).
const csv = await api.GET("/api/v1/exports/totals.csv", {
  params: { query: { group_by: "branch,month" } },
  parseAs: "text",
});
if (csv.data === undefined) {
  fail("download the CSV", csv.response, csv.error);
}
const disposition = csv.response.headers.get("Content-Disposition") ?? "no Content-Disposition";
console.log(`CSV: ${csv.data.trimEnd().split("\r\n").length} lines (${disposition})`);
