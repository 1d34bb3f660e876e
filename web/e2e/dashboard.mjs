// The dashboard in headless Chromium against a running local stack:
//   node web/e2e/dashboard.mjs <config.json>
// config: {baseUrl, patient, otherPatient, ingest: [argv...]} where `ingest` is the command that sends
// one reading for `patient` through the internal ingest entry point. Prints one JSON report line;
// exits non-zero on the first failed expectation.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { apiGet, apiStats, launch, reporting, signIn, watchCsp, widget, waitUntil } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { baseUrl } = config;
const report = {};
const first = await launch();
const second = await launch(); // another browser profile: another patient's session
await reporting([first, second], report, async () => {
  const page = await first.context.newPage();
  const other = await second.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  // The runner serves the distribution's headers: any CSP violation here would break deployed.
  const cspViolations = [await watchCsp(page), await watchCsp(other)]; // live lists

  await signIn(page, baseUrl, config.patient);
  await signIn(other, baseUrl, config.otherPatient);
  report.before = await widget(page);
  assert.deepEqual(report.before, await apiStats(page, baseUrl), "the widget shows GET /biomarkers/stats");
  report.otherBefore = await widget(other);
  assert.deepEqual(report.otherBefore, await apiStats(other, baseUrl), "the other patient's widget shows their stats");
  assert.notDeepEqual(await page.getByTestId("latest").locator("tbody tr").count(), 0, "latest readings listed");

  // Live: wait for the socket, then ingest one reading for the first patient; no reload.
  await page.getByTestId("live").filter({ hasText: "live" }).waitFor({ timeout: 15_000 });
  await other.getByTestId("live").filter({ hasText: "live" }).waitFor({ timeout: 15_000 });
  const navigations = [];
  page.on("framenavigated", (frame) => { if (frame === page.mainFrame()) navigations.push(frame.url()); });
  execFileSync(config.ingest[0], config.ingest.slice(1), { stdio: "pipe" });
  const expected = await apiStats(page, baseUrl);
  assert.notDeepEqual(expected, report.before, "the ingested reading changes the patient's stats");
  await page.getByTestId("stats-total").filter({ hasText: String(expected.total) }).waitFor({ timeout: 15_000 });
  await waitUntil(page, 
    (want) => document.querySelector('[data-testid="stats-outOfRange-count"]')?.textContent === String(want),
    expected.outOfRange.count, { timeout: 15_000 });
  report.after = await widget(page);
  assert.deepEqual(report.after, expected, "the widget updated live to the new GET /biomarkers/stats");
  assert.deepEqual(navigations, [], "no reload");

  // The other patient's page got no message for it: same numbers, and the API agrees.
  await other.waitForTimeout(1_500);
  report.otherAfter = await widget(other);
  assert.deepEqual(report.otherAfter, report.otherBefore, "the other patient's widget did not change");
  assert.deepEqual(await apiStats(other, baseUrl), report.otherBefore, "the other patient's stats did not change");
  // A refill request: pending on the page (no second button), then staff approve it through the
  // API and the open page shows the decision and one refill fewer, live, without a reload.
  const meds = page.getByTestId("medications");
  const refillable = meds.locator("li").filter({ has: page.getByRole("button", { name: /^Request refill/ }) }).first();
  const medicationId = await refillable.getAttribute("data-medication");
  const left = Number((await refillable.textContent()).match(/(\d+) refills/)[1]);
  await refillable.getByRole("button", { name: /^Request refill/ }).click();
  const row = meds.locator(`li[data-medication="${medicationId}"]`);
  await row.getByRole("status").filter({ hasText: "waiting for the clinic" }).waitFor();
  assert.equal(await row.getByRole("button", { name: /^Request refill/ }).count(), 0, "no button while pending");
  const pendingRequests = await apiGet(page, baseUrl, "/refill-requests?status=pending&limit=100");
  const request = pendingRequests.items.find((r) => r.medicationId === medicationId);
  assert.ok(request, "the page's request is pending in the API");
  const note = `Approved in the browser test ${request.requestId.slice(0, 6)}`;
  const decided = await fetch(`${baseUrl}/admin/refill-requests/${request.requestId}`, {
    method: "PATCH", body: JSON.stringify({ decision: "approved", note }),
    headers: { Authorization: `Bearer ${config.staffToken}`, "Content-Type": "application/json" },
  });
  assert.equal(decided.status, 200, "staff approve the request through the API");
  await row.getByRole("status").filter({ hasText: note }).waitFor({ timeout: 15_000 });
  await row.filter({ hasText: `${left - 1} refills` }).waitFor({ timeout: 15_000 });
  assert.equal(await row.getAttribute("data-refill-status"), "approved");
  assert.deepEqual(navigations, [], "the decision arrived without a reload");
  report.refilled = { before: left, after: left - 1, note: (await row.getByRole("status").textContent()).trim() };

  // Appointments: the type filter asks the API for that type; paging follows its cursor.
  const appointments = page.getByTestId("appointments");
  await Promise.all([
    page.waitForResponse((r) => r.url().includes("/appointments?") && r.url().includes("type=lab")),
    appointments.getByLabel("Kind").selectOption("lab"),
  ]);
  // The rendered list (after React's update) holds lab appointments only.
  await waitUntil(page, () => {
    const rows = [...document.querySelectorAll('[data-testid="appointments"] li .muted')].map((e) => e.textContent);
    return rows.length > 0 && rows.every((t) => t.startsWith("lab ·"));
  }, null, { timeout: 10_000 }).catch(async () => {
    assert.fail(`only lab appointments: ${await appointments.locator("li .muted").allTextContents()}`);
  });
  const firstPage = await appointments.locator("li strong").allTextContents();
  if (await appointments.getByRole("button", { name: "Next" }).isEnabled()) {
    const [next] = await Promise.all([
      page.waitForResponse((r) => r.url().includes("/appointments?") && r.url().includes("cursor=")),
      appointments.getByRole("button", { name: "Next" }).click(),
    ]);
    assert.equal(next.status(), 200);
    await appointments.getByRole("button", { name: "Previous" }).and(page.locator(":enabled")).waitFor();
  }
  report.labAppointments = firstPage.length;
  assert.deepEqual(errors, [], "no errors in the page");
  report.cspViolations = cspViolations.flat();
  assert.deepEqual(report.cspViolations, [], "no Content Security Policy violation");
});
