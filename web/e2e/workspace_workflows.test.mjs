// The workspace's refill queue and reading corrections, with the patient's own page open beside
// it, in headless Chromium against a running, seeded local stack:
//   node web/e2e/workspace_workflows.test.mjs <config.json>   config: {baseUrl, staff, patient} (emails)
// (a) the patient asks for a refill; staff approve it in the queue; the patient's open page shows
//     the refill used, without a reload;
// (b) staff record an in-range lab result for the patient and correct its value to one out of range;
//     the patient's open stats widget and the staff's own move by one, without a reload.
// Run by tests/http/test_workspace_workflows_browser.py once the template has the refill-queue and
// correction routes. Prints one JSON report line; exits non-zero on the first failed expectation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { apiGet, apiStats, idTokenOf, launch, reporting, signIn, waitUntil, widget } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { baseUrl } = config;
const report = {};
const browser = await launch();

/** Set a mark in the page's window: it survives anything but a reload. */
const mark = (page) => page.evaluate(() => { window.notReloaded = true; });
const notReloaded = (page) => page.evaluate(() => window.notReloaded === true);

await reporting(browser, report, async () => {
  // The patient's dashboard stays open throughout.
  const patientPage = await browser.context.newPage();
  await signIn(patientPage, baseUrl, config.patient);
  const meds = await apiGet(patientPage, baseUrl, "/medications?limit=100");
  const eligible = meds.items.find((m) => m.active && m.refills > 0);
  assert.ok(eligible, "the seeded patient has a medication with refills left");
  const shownRefills = (refills) => waitUntil(patientPage, ([id, text]) =>
    document.querySelector(`[data-testid="medications"] [data-medication="${id}"] .muted`)?.textContent.includes(text),
  [eligible.medicationId, `${refills} refills`]);
  const medicationRow = patientPage.locator(`[data-testid="medications"] [data-medication="${eligible.medicationId}"]`);
  await medicationRow.getByRole("button", { name: /^Request refill/ }).click();
  await medicationRow.getByRole("status").waitFor();
  await mark(patientPage);

  // (a) Staff find the request in the queue (oldest first, so page with More) and approve it.
  // (The demo picker: the staff sign-in itself is tested in web/e2e/workspace.mjs, and each email
  // link counts against the address's limit on the runner the browser tests share.)
  const page = await browser.context.newPage();
  await page.goto(`${baseUrl}/app/`);
  await page.locator(`button[data-email="${config.staff}"]`).click();
  await page.getByTestId("workspace").waitFor({ timeout: 20_000 });
  const token = await idTokenOf(page);
  const patientId = JSON.parse(Buffer.from((await idTokenOf(patientPage))
    .split(".")[1], "base64url").toString()).sub;
  let request = null;
  for (let cursor = null, first = true; !request && (first || cursor); first = false) {
    const page = await (await fetch(`${baseUrl}/admin/refill-requests?status=pending&limit=100${cursor ? `&cursor=${cursor}` : ""}`,
      { headers: { Authorization: `Bearer ${token}` } })).json();
    request = page.items.find((r) => r.userId === patientId && r.medicationId === eligible.medicationId);
    cursor = page.nextCursor;
  }
  assert.ok(request, "the patient's request waits in the queue");
  await page.getByRole("button", { name: "Refill requests" }).click();
  const queue = page.getByTestId("refill-queue");
  const row = queue.locator(`[data-request="${request.requestId}"]`);
  await queue.locator("[data-request]").first().waitFor();
  while (!(await row.isVisible())) await queue.getByRole("button", { name: /^More/ }).click();
  await row.getByRole("button", { name: /^Approve/ }).click();
  await row.getByRole("status").filter({ hasText: "Approved." }).waitFor();
  // Deciding it again is refused in words (409).
  const again = await fetch(`${baseUrl}/admin/refill-requests/${request.requestId}`, { method: "PATCH",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" }, body: JSON.stringify({ decision: "denied" }) });
  report.decidedAgain = again.status;
  assert.equal(again.status, 409);
  // One approved request uses one refill; the patient's open page shows it without a reload.
  const after = (await apiGet(patientPage, baseUrl, "/medications?limit=100")).items.find((m) => m.medicationId === eligible.medicationId);
  assert.equal(after.refills, eligible.refills - 1);
  await shownRefills(after.refills);
  assert.ok(await notReloaded(patientPage), "the patient's page was not reloaded");
  report.refill = { before: eligible.refills, after: after.refills };

  // (b) Staff record an in-range result of a catalog biomarker for the patient, dated now: it is
  // the newest reading, on the first page of the workspace's list (newest first) whatever else
  // this shared account has been through. Then they correct its value to one out of range.
  const name = "Glucose";
  const { reference } = await apiGet(patientPage, baseUrl, `/biomarkers/${name}/history?resolution=daily`);
  assert.ok(reference, `${name} has a reference range`);
  const recordedAt = Date.now();
  const entered = await fetch(`${baseUrl}/admin/patients/${patientId}/biomarkers`, { method: "POST",
    headers: { Authorization: `Bearer ${token}`, "Content-Type": "application/json" },
    body: JSON.stringify({ readings: [{ name, value: (reference.normal.low + reference.normal.high) / 2,
      unit: reference.unit, recordedAt, sourceReadingId: `workflows-${recordedAt}` }] }) });
  assert.equal(entered.status, 200, "the lab result is recorded");
  const [result] = (await entered.json()).results;
  assert.equal(result.outcome, "accepted");
  const target = { reading: { readingId: result.readingId, name }, high: reference.normal.high };
  // The patient's widget has caught up with the new reading before the correction is measured.
  const expected = await apiStats(patientPage, baseUrl);
  await waitUntil(patientPage, (n) => Number(document.querySelector('[data-testid="stats-total"]')?.textContent) === n,
    expected.total);
  await waitUntil(patientPage, (n) => Number(document.querySelector('[data-testid="stats-outOfRange-count"]')?.textContent) === n,
    expected.outOfRange.count);
  await page.getByRole("button", { name: "Patients" }).click();
  const search = page.getByTestId("patient-search");
  await search.getByLabel("Email address").fill(config.patient);
  await search.getByRole("button", { name: "Search" }).click();
  await search.locator(`[data-patient="${patientId}"] button`).click();
  const readings = page.getByTestId("patient-readings");
  await readings.locator(`tbody tr[data-reading="${target.reading.readingId}"]`).waitFor();
  const before = await widget(patientPage);
  const staffBefore = Number(await page.getByTestId("patient-stats-outOfRange").textContent());
  await readings.locator(`tr[data-reading="${target.reading.readingId}"] button.link`).click();  // its history
  const readingRow = readings.locator(`tr[data-reading="${target.reading.readingId}"]`);
  await readingRow.getByRole("button", { name: /^Correct value/ }).click();
  const form = page.getByTestId("correction");
  await form.getByLabel(/^Correct value/).fill(String(target.high * 3 + 1));
  await form.getByLabel("Reason").fill("Transcription error: decimal point");
  await form.getByRole("button", { name: "Save correction" }).click();
  await form.waitFor({ state: "detached" });
  await waitUntil(patientPage, (n) => Number(document.querySelector('[data-testid="stats-outOfRange-count"]')?.textContent) === n,
    before.outOfRange.count + 1);
  await waitUntil(page, (n) => Number(document.querySelector('[data-testid="patient-stats-outOfRange"]')?.textContent) === n,
    staffBefore + 1);
  const widgetAfter = await widget(patientPage);
  assert.equal(widgetAfter.total, before.total, "a corrected value is not a new biomarker");
  assert.ok(await notReloaded(patientPage), "the patient's page was not reloaded");
  report.correction = { name: target.reading.name, outOfRange: [before.outOfRange.count, widgetAfter.outOfRange.count] };
});
