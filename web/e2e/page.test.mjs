// Unit tests of the page's pure parts (node --test, no browser): the trend's request windows and
// aligned series, appointment times in the clinic's zone, and refusals in a patient's words.
// esbuild (Vite's) strips the types in memory; each module is imported with its own imports
// rewritten to the transformed siblings.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { transformSync } from "esbuild";

const cache = new Map();
async function load(path) {
  if (cache.has(path)) return cache.get(path);
  const url = new URL(`../src/${path}`, import.meta.url);
  let { code } = transformSync(readFileSync(url, "utf8"), { loader: "ts", format: "esm" });
  // Inline the relative imports this test needs (the API client's ApiError), drop type-only ones.
  const imports = [...code.matchAll(/import \{([^}]*)\} from "(\.[^"]+)";/g)];
  for (const [statement, names, from] of imports) {
    const target = new URL(`${from}.ts`, url).pathname.split("/src/")[1];
    const module = await load(target);
    globalThis.__modules = { ...globalThis.__modules, [target]: module };
    code = code.replace(statement, `const {${names}} = globalThis.__modules[${JSON.stringify(target)}];`);
  }
  const module = await import(`data:text/javascript;base64,${Buffer.from(code).toString("base64")}`);
  cache.set(path, module);
  return module;
}

const DAY = 86_400_000;

test("trend windows cover the range in pieces the daily history answers in one page", async () => {
  const { windows } = await load("panels/trend/load.ts");
  assert.deepEqual(windows(0, 10 * DAY), [[0, 10 * DAY]]);
  const three = windows(0, 800 * DAY);
  assert.equal(three.length, 3);
  assert.deepEqual(three[1], [365 * DAY, 730 * DAY - 1]);
  assert.equal(three.at(-1)[1], 800 * DAY);
  assert.ok(three.every(([from, to]) => to - from < 365 * DAY), "each under 365 days: at most 366 local days");
});

test("the chart's series share one x axis: daily points at noon, readings at their time, out of range apart", async () => {
  const { aligned } = await load("panels/trend/series.ts");
  const trend = {
    name: "Heart Rate", range: "30d", unit: "bpm",
    reference: { unit: "bpm", normal: { low: 60, high: 100 }, optimal: { low: 60, high: 85 } },
    daily: [{ day: "2026-03-08", unit: "bpm", count: 2, min: 70, max: 110, avg: 105, last: 110, lastAt: 0 }],
    raw: [{ readingId: "r1", name: "Heart Rate", value: 70, unit: "bpm", status: "optimal", category: "vitals", recordedAt: 1_000, source: "x" },
      { readingId: "r2", name: "Heart Rate", value: 110, unit: "bpm", status: "out-of-range", category: "vitals", recordedAt: 2_000, source: "x" }],
  };
  const [xs, min, max, avg, reading, out] = aligned(trend);
  assert.deepEqual(xs.slice(0, 2), [1, 2]);
  assert.equal(xs[2], new Date(2026, 2, 8, 12).getTime() / 1000);
  assert.deepEqual([min[2], max[2], avg[2]], [70, 110, 105]);
  assert.deepEqual(reading, [70, null, null]);
  assert.deepEqual(out, [null, 110, 105], "an out-of-range reading and a day whose average is outside the reference");
});

test("appointment times are the clinic's wall-clock time, whatever the browser's zone", async () => {
  const { clinicLocal, isOpen } = await load("panels/appointments/when.ts");
  assert.equal(clinicLocal("2026-03-10T09:05-04:00"), "Tue, Mar 10, 2026, 9:05 AM");
  assert.equal(clinicLocal("2026-12-31T23:30-05:00"), "Thu, Dec 31, 2026, 11:30 PM");
  assert.deepEqual(["requested", "scheduled", "completed", "cancelled", "no-show"].map(isOpen), [true, true, false, false, false]);
});

test("refusals are said in words, with the API's status and code after them", async () => {
  const { explain } = await load("panels/explain.ts");
  const { ApiError } = await load("api/client.ts");
  const past = new ApiError(400, "validation_error", "the request is invalid", [{ in: "body", field: "startTime", issue: "out_of_range" }]);
  assert.equal(explain(past), "Choose a time in the future, at most two years ahead. (400 validation_error)");
  assert.equal(explain(new ApiError(409, "conflict", "x"), "No refill is possible."), "No refill is possible. (409 conflict)");
  assert.match(explain(new ApiError(404, "not_found", "no such appointment")), /^This item no longer exists/);
  assert.match(explain(new ApiError(400, "validation_error", "bad", [{ field: "unknown" }])), /^Some of what was entered is not valid/);
  assert.match(explain(new Error("boom")), /^Something went wrong on our side/);
});

test("the workspace is for a session whose groups hold admin, whatever its role claim says", async () => {
  const { isStaff } = await load("workspace/role.ts");
  assert.equal(isStaff({ "cognito:groups": ["admin"] }), true);
  assert.equal(isStaff({ "cognito:groups": ["patients"], role: "admin" }), false);
  assert.equal(isStaff({ role: "patient" }), false);
  assert.equal(isStaff({ "cognito:groups": "admin" }), false);
  assert.equal(isStaff(null), false);
});

test("staff are offered the appointment changes the API allows, by status and time", async () => {
  const { staffActions } = await load("workspace/actions.ts");
  const now = 1_000_000;
  const at = (status, startTime) => staffActions({ status, startTime }, now);
  assert.deepEqual(at("requested", now + 1), ["confirm", "cancel"]);
  assert.deepEqual(at("scheduled", now + 1), ["cancel"]);
  assert.deepEqual(at("scheduled", now), ["complete", "no-show"]);
  assert.deepEqual(at("requested", now - 1), [], "a request never confirmed cannot be completed");
  for (const done of ["completed", "cancelled", "no-show"]) {
    assert.deepEqual(at(done, now + 1), []);
    assert.deepEqual(at(done, now - 1), []);
  }
});

test("staff forms' refusals are said in words too, a refused lab result with the API's reason", async () => {
  const { explain } = await load("panels/explain.ts");
  const { ApiError } = await load("api/client.ts");
  const refused = new ApiError(400, "validation_error", "some results were refused; nothing was recorded",
    [{ in: "body", field: "readings.0", issue: "refused", message: "unit does not match the catalog's unit for this biomarker" }]);
  assert.equal(explain(refused), "Not recorded: unit does not match the catalog's unit for this biomarker. (400 validation_error)");
  const refills = new ApiError(400, "validation_error", "the request is invalid", [{ in: "body", field: "refills", issue: "less_than_equal" }]);
  assert.equal(explain(refills), "Refills go from 0 to 12. (400 validation_error)");
  const future = new ApiError(400, "validation_error", "bad", [{ field: "readings.0.recordedAt", issue: "value_error" }]);
  assert.match(explain(future), /^Choose when the sample was taken/);
});

test("the patient search box asks for an address with an @, else for the start of a name, within the API's bounds", async () => {
  const { patientQuery, describe } = await load("workspace/search.ts");
  assert.deepEqual(patientQuery("   "), { kind: "all" });
  assert.deepEqual(patientQuery(" Ava.Patel@Example.com "), { kind: "email", email: "Ava.Patel@Example.com" });
  assert.deepEqual(patientQuery("pat"), { kind: "name", name: "pat" });
  assert.deepEqual(patientQuery("  Zoë   O’Brien-Smith "), { kind: "name", name: "Zoë O’Brien-Smith" });
  for (const refused of ["a", "a b", "p4t", "pat%", "x".repeat(65)]) {
    assert.equal(patientQuery(refused).kind, "refused", refused);
  }
  assert.match(describe({ kind: "name", name: "pat" }).none, /No patient's name has a word starting with “pat”/);
  assert.match(describe({ kind: "email", email: "a@b" }).none, /No patient has that address/);
});
