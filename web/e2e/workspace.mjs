// The staff workspace in headless Chromium against a running, seeded local stack:
//   node web/e2e/workspace.mjs <config.json>   config: {baseUrl, log, staff: {email, totpSecret}, patient, otherPatient}
// A patient's page never loads the workspace; a staff member signs in with the email link and the
// authenticator code, finds the patient by the start of their family name and by email, opens their page, records a lab result, confirms
// an appointment, edits a medication and prescribes one, pages and exports the audit log; a
// refusal is said in words; axe-core on every view; the views fit a 375 px phone. Prints one JSON
// report line; exits non-zero on the first failed expectation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { idTokenOf, launch, reporting, seriousViolations, signIn, signInStaff, waitUntil, watchCsp } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { baseUrl } = config;
const report = { axe: {}, layout: {} };
const browser = await launch();
const PHONE = { width: 375, height: 812 };
const DESKTOP = { width: 1280, height: 900 };

async function accessible(page, view) {
  const violations = await seriousViolations(page);
  report.axe[view] = violations.length;
  assert.deepEqual(violations, [], `axe: no serious or critical violation (${view})`);
}

/** No horizontal scroll on a phone, every control at least 44 px, and axe still passes there. */
async function fitsPhone(page, view) {
  await page.setViewportSize(PHONE);
  await page.waitForTimeout(200);
  const { scrollWidth, small } = await page.evaluate(() => ({
    scrollWidth: document.documentElement.scrollWidth,
    small: [...document.querySelectorAll("button, select, input, summary, a")].map((e) => [e, e.getBoundingClientRect()])
      .filter(([, r]) => r.width > 0 && (r.width < 44 || r.height < 44))
      .map(([e, r]) => `${e.tagName} "${(e.textContent || e.getAttribute("type") || "").trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`),
  }));
  report.layout[view] = scrollWidth;
  assert.ok(scrollWidth <= PHONE.width, `${view}: document ${scrollWidth} px wide in a ${PHONE.width} px viewport`);
  assert.deepEqual(small, [], `${view}: touch targets of at least 44 px`);
  await accessible(page, `${view} (phone)`);
  await page.setViewportSize(DESKTOP);
}

/** The API with a token, as the page calls it. */
async function api(token, method, path, body) {
  const response = await fetch(`${baseUrl}${path}`, {
    method, headers: { Authorization: `Bearer ${token}`, ...(body ? { "Content-Type": "application/json" } : {}) },
    body: body ? JSON.stringify(body) : undefined,
  });
  return { status: response.status, body: await response.json() };
}

const rows = (page, selector) => page.evaluate((s) => [...document.querySelectorAll(s)].map((e) => e.dataset), selector);

await reporting(browser, report, async () => {
  const errors = [];
  const workspaceChunks = [];
  browser.context.on("response", (r) => { if (/\/assets\/Workspace-[^/]+\.js$/.test(r.url())) workspaceChunks.push(r.url()); });

  // A patient: their dashboard, no workspace, not even its code; the API refuses them staff routes.
  const patientPage = await browser.context.newPage();
  patientPage.on("pageerror", (e) => errors.push(String(e)));
  await signIn(patientPage, baseUrl, config.patient);
  assert.equal(await patientPage.getByTestId("workspace").count(), 0, "a patient never sees the workspace");
  report.patientLoadedWorkspace = workspaceChunks.length;
  assert.equal(workspaceChunks.length, 0, "the patient's page does not download the workspace");
  const patientToken = await idTokenOf(patientPage);
  report.patientOnStaffRoute = (await api(patientToken, "GET", "/admin/patients")).status;
  assert.equal(report.patientOnStaffRoute, 403);
  await patientPage.close();

  // A staff member signs in (email link, then the authenticator code) and lands in the workspace.
  const page = await browser.context.newPage();
  page.on("pageerror", (e) => errors.push(String(e)));
  const csp = await watchCsp(page);
  await signInStaff(page, { baseUrl, log: config.log, ...config.staff });
  await page.getByTestId("workspace").waitFor({ timeout: 20_000 });
  assert.ok(workspaceChunks.length > 0, "the workspace is loaded for staff");
  const token = await idTokenOf(page);
  await page.locator("[data-patient]").first().waitFor();
  await accessible(page, "patients");
  await fitsPhone(page, "patients");

  // A requested appointment for the patient, a month ahead, for staff to confirm from the page.
  const patient = (await api(token, "GET", `/admin/patients?email=${encodeURIComponent(config.patient)}`)).body.items[0];
  const booked = await api(token, "POST", `/admin/patients/${patient.userId}/appointments`,
    { type: "follow-up", startTime: Date.now() + 30 * 86_400_000, title: "Workspace follow-up", status: "requested" });
  assert.equal(booked.status, 201, JSON.stringify(booked.body));

  // Search by the start of a name, as a nurse types it: the first letters of the patient's family
  // name, in capitals, list them among patients only whose name has a word starting so (accents and
  // case aside); the staff member's own family name never lists them (staff are not patients); a
  // search of one letter is said beside the box, and a name nobody has is said in words.
  const search = page.getByTestId("patient-search");
  const box = search.getByLabel("Name or email address");
  const fold = (text) => text.normalize("NFD").replace(/\p{M}/gu, "").replace(/['\u2019]/g, "").toLowerCase();
  const startsAWord = (name, typed) => fold(name).split(/[^\p{L}]+/u).some((word) => word.startsWith(fold(typed)));
  const listedNames = () => page.evaluate(() => [...document.querySelectorAll("[data-patient] button.link")]
    .map((e) => [e.closest("[data-patient]").dataset.patient, e.textContent]));
  async function searchName(typed) {
    await box.fill(typed);
    await search.getByRole("button", { name: "Search" }).click();
    await search.getByText(`Patients whose name has a word starting with “${typed}”.`).waitFor();
    // Until the answer replaces the previous list: every name shown starts a word with it, or none is shown.
    const deadline = Date.now() + 30_000;
    for (;;) {
      const listed = await listedNames();
      const none = await search.getByRole("status").filter({ hasText: `starting with “${typed}”` }).count();
      if ((listed.length > 0 && listed.every(([, name]) => startsAWord(name, typed))) || none) return listed;
      assert.ok(Date.now() < deadline, `the search for ${typed} answered`);
      await page.waitForTimeout(100);
    }
  }
  const typedName = patient.name.split(/\s+/).at(-1).slice(0, 3).toUpperCase();
  const byName = await searchName(typedName);
  assert.ok(byName.some(([id]) => id === patient.userId), `"${typedName}" lists ${patient.name}`);
  const staffSub = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub;
  const staffName = (await api(token, "GET", "/me")).body.name;
  const byStaffName = await searchName(staffName.split(/\s+/).at(-1).slice(0, 3));
  assert.ok(!byStaffName.some(([id]) => id === staffSub), "staff are never listed");
  await searchName("Qxzv");
  await search.getByRole("status").filter({ hasText: "No patient's name has a word starting with “Qxzv”." }).waitFor();
  await box.fill("a");
  await search.getByRole("button", { name: "Search" }).click();
  await search.getByRole("alert").filter({ hasText: "Type at least the first two letters of a name." }).waitFor();
  report.nameSearch = { typed: typedName, listed: byName.length, staffListed: false };
  await accessible(page, "patients by name");

  // Search by the exact address: an unknown one finds no one; the patient's finds them alone, and
  // their page opens.
  await box.fill("no.one@demo.clinic.test");
  await search.getByRole("button", { name: "Search" }).click();
  await search.getByRole("status").filter({ hasText: "No patient has that address." }).waitFor();
  await box.fill(config.patient);
  await search.getByRole("button", { name: "Search" }).click();
  await waitUntil(page, (id) => [...document.querySelectorAll("[data-patient]")].map((e) => e.dataset.patient).join() === id, patient.userId);
  await search.locator(`[data-patient="${patient.userId}"] button`).click();
  const stats = (await api(token, "GET", `/admin/patients/${patient.userId}/stats`)).body;
  await page.getByTestId("patient-stats-total").filter({ hasText: String(stats.total) }).waitFor();
  report.statsShown = Number(await page.getByTestId("patient-stats-total").textContent());
  await page.locator("[data-testid=patient-readings] tbody tr").first().waitFor();
  await accessible(page, "patient page");

  // Record a lab result: the latest reading's biomarker again, same value, so its status and the
  // patient's stats stay as they were; the list shows it among the newest.
  const readingsUrl = `/admin/patients/${patient.userId}/biomarkers?limit=20`;
  const shownBefore = new Set((await api(token, "GET", readingsUrl)).body.items.map((r) => r.readingId));
  const latest = (await api(token, "GET", readingsUrl)).body.items[0];
  const lab = page.getByTestId("lab-entry");
  await lab.getByText("Record a lab result").click();
  await lab.getByLabel("Biomarker").fill(latest.name);
  await lab.getByLabel("Value").fill(String(latest.value));
  // A unit the catalog does not use for it is refused in words, and nothing is stored.
  await lab.getByLabel("Unit").fill("kg");
  await lab.getByRole("button", { name: "Record" }).click();
  report.labRefused = (await lab.getByRole("alert").textContent()).trim();
  assert.match(report.labRefused, /^Not recorded: unit does not match.*\(400 validation_error\)$/);
  await lab.getByLabel("Unit").fill(latest.unit);
  await lab.getByRole("button", { name: "Record" }).click();
  await lab.getByRole("status").filter({ hasText: `${latest.name} recorded.` }).waitFor();
  const added = (await api(token, "GET", readingsUrl)).body.items.filter((r) => !shownBefore.has(r.readingId));
  assert.equal(added.length, 1, "one lab result stored (none from the refused one)");
  const [newest] = added;
  assert.deepEqual([newest.name, newest.value], [latest.name, latest.value]);
  await page.locator(`[data-testid=patient-readings] tr[data-reading="${newest.readingId}"]`).waitFor();
  report.labResult = { name: newest.name, source: newest.source };
  await accessible(page, "lab entry");

  // Confirm the requested appointment: the row says so and the API agrees.
  const appointments = page.getByTestId("patient-appointments");
  const row = appointments.locator(`[data-appointment="${booked.body.appointmentId}"]`);
  while (!(await row.isVisible())) await appointments.getByRole("button", { name: /^More/ }).click();
  await row.getByRole("button", { name: /^Confirm/ }).click();
  await row.getByRole("status").filter({ hasText: "Now scheduled." }).waitFor();
  const upcoming = (await api(token, "GET", `/admin/patients/${patient.userId}/appointments?when=upcoming&status=scheduled&limit=100`)).body;
  assert.ok(upcoming.items.some((a) => a.appointmentId === booked.body.appointmentId), "the API has it scheduled");
  assert.deepEqual(await row.getByRole("button").allTextContents(), ["Cancel: Workspace follow-up, " + (await row.locator(".when").textContent())],
    "a scheduled, upcoming appointment can only be cancelled");
  report.appointment = "scheduled";

  // Edit a medication's dose, then put it back: each save is what the API then has.
  const meds = page.getByTestId("patient-medications");
  const first = meds.locator("li[data-medication]").first();
  await first.waitFor();
  const medicationId = await first.getAttribute("data-medication");
  const medication = () => api(token, "GET", `/admin/patients/${patient.userId}/medications?limit=100`)
    .then((r) => r.body.items.find((m) => m.medicationId === medicationId));
  const before = await medication();
  for (const dose of [`${before.dose} (reviewed)`, before.dose]) {
    await first.getByRole("button", { name: /^Edit/ }).click();
    await first.getByLabel("Dose").fill(dose);
    await first.getByRole("button", { name: "Save" }).click();
    await meds.getByRole("status").filter({ hasText: `${before.name} saved.` }).waitFor();
    await waitUntil(page, ([id, d]) => document.querySelector(`[data-medication="${id}"] .muted`)?.textContent.startsWith(`${d} ·`),
      [medicationId, dose]);
    assert.equal((await medication()).dose, dose);
  }
  report.medicationEdited = true;
  // Prescribe: the form (checked on a phone while open, with the lab entry's), then the list and
  // the API have the new medication.
  await meds.getByRole("button", { name: "Prescribe" }).click();
  const form = meds.getByTestId("medication-form");
  const name = `Workspace check ${Date.now()}`;
  await form.getByLabel("Name").fill(name);
  await form.getByLabel("Dose").fill("1 tablet daily");
  await form.getByLabel("Refills").fill("2");
  await accessible(page, "medications");
  await fitsPhone(page, "patient page");
  await form.getByRole("button", { name: "Save prescription" }).click();
  await meds.getByRole("status").filter({ hasText: `${name} prescribed.` }).waitFor();
  const prescribed = (await api(token, "GET", `/admin/patients/${patient.userId}/medications?limit=100`)).body.items
    .find((m) => m.name === name);
  assert.deepEqual([prescribed?.dose, prescribed?.refills, prescribed?.active], ["1 tablet daily", 2, true]);
  await meds.locator(`[data-medication="${prescribed.medicationId}"]`).waitFor();
  report.prescribed = true;

  // The account: disabling asks once more, then the API has it disabled and the card says so;
  // enabling gives the patient back their access.
  const account = page.getByTestId("patient-account");
  const enabledInApi = async () => (await api(token, "GET", `/admin/patients/${patient.userId}`)).body.enabled;
  await account.getByTestId("account-state").filter({ hasText: "Enabled" }).waitFor();
  await account.getByRole("button", { name: "Disable account" }).click();
  await accessible(page, "account");
  await account.getByRole("button", { name: "Disable now" }).click();
  await account.getByRole("status").filter({ hasText: "Account disabled" }).waitFor();
  await account.getByTestId("account-state").filter({ hasText: "Disabled" }).waitFor();
  const whileDisabled = await enabledInApi();
  await account.getByRole("button", { name: "Enable account" }).click();
  await account.getByRole("status").filter({ hasText: "Account enabled" }).waitFor();
  await account.getByTestId("account-state").filter({ hasText: "Enabled" }).waitFor();
  report.account = [whileDisabled, await enabledInApi()];

  // Another patient's page (every count in its status row, two-digit ones too) passes axe as well.
  await page.getByTestId("patient-page").getByRole("button", { name: "All patients" }).click();
  await search.getByLabel("Email address").fill(config.otherPatient);
  await search.getByRole("button", { name: "Search" }).click();
  const other = (await api(token, "GET", `/admin/patients?email=${encodeURIComponent(config.otherPatient)}`)).body.items[0];
  await waitUntil(page, (id) => [...document.querySelectorAll("[data-patient]")].map((e) => e.dataset.patient).join() === id,
    other.userId);
  await search.locator("[data-patient] button").click();
  await page.locator("[data-testid=patient-readings] tbody tr").first().waitFor();
  await page.getByTestId("patient-stats-total").waitFor();
  await accessible(page, "another patient's page");
  await page.getByTestId("patient-page").getByRole("button", { name: "All patients" }).click();
  await search.getByLabel("Email address").fill(config.patient);
  await search.getByRole("button", { name: "Search" }).click();
  await waitUntil(page, (id) => [...document.querySelectorAll("[data-patient]")].map((e) => e.dataset.patient).join() === id,
    patient.userId);
  await search.locator("[data-patient] button").click();
  await page.getByTestId("patient-stats-total").waitFor();

  // The patient's audit log, from their page: newest first, "More" appends the next page; the
  // export covers the last week.
  await page.getByTestId("patient-page").getByRole("button", { name: /^Audit log/ }).click();
  const audit = page.getByTestId("audit-log");
  await audit.locator("tbody tr").first().waitFor();
  const firstPage = (await rows(page, "[data-testid=audit-log] tbody tr")).length;
  assert.equal(firstPage, 20, "the staff member's reads of this record fill a first page");
  await audit.getByRole("button", { name: /^More/ }).click();
  await waitUntil(page, (n) => document.querySelectorAll("[data-testid=audit-log] tbody tr").length > n, firstPage);
  const ids = (await rows(page, "[data-testid=audit-log] tbody tr")).map((d) => d.event);
  const patients = await page.evaluate(() => [...document.querySelectorAll("[data-testid=audit-log] tbody td:last-child")]
    .map((e) => e.textContent));
  assert.deepEqual([...new Set(patients)], [patient.userId], "this patient's records only");
  assert.equal(new Set(ids).size, ids.length, "pages do not repeat events");
  report.auditRows = ids.length;
  const exportPanel = page.getByTestId("audit-export");
  await exportPanel.getByRole("button", { name: "Export" }).click();
  await page.getByTestId("audit-export-done").waitFor({ timeout: 60_000 });
  report.auditExported = Number((await page.getByTestId("audit-export-done").textContent()).split(" ")[0]);
  assert.ok(report.auditExported >= ids.length, "the week's export holds at least the events shown");
  await accessible(page, "audit log");
  await fitsPhone(page, "audit log");

  // The audit log's own tab: what the signed-in staff member did.
  const me = JSON.parse(Buffer.from(token.split(".")[1], "base64url").toString()).sub;
  const [own] = await Promise.all([
    page.waitForResponse((r) => r.url().includes("/admin/audit?") && r.url().includes(`actorId=${me}`)),
    page.getByRole("navigation", { name: "Workspace" }).getByRole("button", { name: "Audit log" }).click(),
  ]);
  const ownIds = (await own.json()).items.map((e) => e.eventId).join();
  await waitUntil(page, (want) => [...document.querySelectorAll("[data-testid=audit-log] tbody tr")]
    .map((e) => e.dataset.event).join() === want, ownIds);
  const actors = await page.evaluate(() => [...document.querySelectorAll("[data-testid=audit-log] tbody td:nth-child(4)")]
    .map((e) => e.textContent));
  assert.ok(actors.length > 0 && actors.every((a) => a === me), "the staff member's own actions");
  report.ownActions = (await rows(page, "[data-testid=audit-log] tbody tr")).length;

  assert.deepEqual(errors, [], "no errors in the page");
  assert.deepEqual(csp, [], "no Content Security Policy violation");
});
