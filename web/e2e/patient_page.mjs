// The patient's page in headless Chromium against a running, seeded local stack:
//   node web/e2e/patient_page.mjs <config.json>      config: {baseUrl, patient}
// Appointments (next one first, past ones, request, cancel, a refusal in words), trend charts
// against the API's daily history, reading filters and the widget's links, refill buttons, the
// phone and zoomed layouts, and axe-core on every view. Prints one JSON report line; exits
// non-zero on the first failed expectation.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { apiGet, launch, reporting, seriousViolations, signIn, waitUntil } from "./browser.mjs";

const config = JSON.parse(readFileSync(process.argv[2], "utf8"));
const { baseUrl } = config;
const report = { axe: {} };
const browser = await launch();
const DESKTOP = { width: 1280, height: 900 };

async function accessible(page, view) {
  const violations = await seriousViolations(page);
  report.axe[view] = violations.length;
  assert.deepEqual(violations, [], `axe: no serious or critical violation (${view})`);
}

/** Responses the page gets while `action` runs, until `done` resolves and at least one came. */
async function answers(page, match, action, done) {
  const seen = [];
  const listen = (r) => { if (match(r.url())) seen.push(r); };
  page.on("response", listen);
  await action();
  await done();
  for (let waited = 0; seen.length === 0 && waited < 10_000; waited += 100) await page.waitForTimeout(100);
  page.off("response", listen);
  return Promise.all(seen.map(async (r) => ({ url: r.url(), status: r.status(), body: await r.json() })));
}

await reporting(browser, report, async () => {
  const page = await browser.context.newPage();
  const errors = [];
  page.on("pageerror", (e) => errors.push(String(e)));
  await page.goto(`${baseUrl}/app/`);
  await page.locator(`button[data-email="${config.patient}"]`).waitFor();
  await accessible(page, "sign-in");
  await signIn(page, baseUrl, config.patient);

  // Time to the stats widget: a signed-in load, from navigation start to the widget's numbers.
  report.statsWidgetMs = [];
  for (let i = 0; i < 5; i++) {
    await page.reload();
    await page.getByTestId("stats-total").waitFor();
    report.statsWidgetMs.push(Math.round(await page.evaluate(() => performance.now())));
  }

  // Appointments: the first shown is the API's next upcoming one, in the clinic's local time.
  const appointments = page.getByTestId("appointments");
  const upcoming = await apiGet(page, baseUrl, "/appointments?when=upcoming&limit=1");
  const next = upcoming.items[0];
  assert.ok(next && next.startTime > Date.now(), "the seeded data has an upcoming appointment");
  const firstShown = appointments.locator("li[data-appointment]").first();
  await firstShown.and(page.locator(`[data-appointment="${next.appointmentId}"]`)).waitFor();
  assert.ok(await page.getByTestId("next-appointment").locator(`[data-appointment="${next.appointmentId}"]`).isVisible());
  report.nextAppointment = (await firstShown.locator(".when").textContent()).trim();
  assert.match(report.nextAppointment, new RegExp(`${Number(next.date.slice(11, 13)) % 12 || 12}:${next.date.slice(14, 16)} [AP]M$`),
    "the clinic's local time");
  await accessible(page, "dashboard");

  // Past appointments, one click away: the API's when=past page, most recent first.
  const [past] = await answers(page, (u) => u.includes("/appointments?") && u.includes("when=past"),
    () => appointments.getByRole("button", { name: "Past" }).click(),
    () => appointments.getByRole("button", { name: "Past", pressed: true }).waitFor());
  await waitUntil(page, (id) => document.querySelector(`[data-testid="appointments"] li[data-appointment]`)
    ?.getAttribute("data-appointment") === id, past.body.items[0].appointmentId);
  assert.deepEqual(await appointments.locator("li[data-appointment]").evaluateAll((l) => l.map((e) => e.dataset.appointment)),
    past.body.items.map((a) => a.appointmentId), "past appointments as the API lists them");
  assert.ok(past.body.items.every((a) => a.startTime < Date.now()));
  report.pastShown = past.body.items.length;
  await accessible(page, "past appointments");
  await appointments.getByRole("button", { name: "Upcoming" }).click();
  await firstShown.and(page.locator(`[data-appointment="${next.appointmentId}"]`)).waitFor();

  // Request: a time in the past is refused by the API (400) and said in words; a future one is made.
  const request = page.getByTestId("request-appointment");
  await request.getByRole("button", { name: "Request an appointment" }).click();
  await request.getByLabel("Date and time").fill("2020-01-06T10:00");
  await request.getByRole("button", { name: "Send request" }).click();
  report.requestRefused = (await request.getByRole("alert").textContent()).trim();
  assert.match(report.requestRefused, /^Choose a time in the future.*\(400 validation_error\)$/);
  await accessible(page, "request form");
  const ahead = new Date(Date.now() + 700 * 86_400_000);
  const local = `${ahead.getFullYear()}-${String(ahead.getMonth() + 1).padStart(2, "0")}-${String(ahead.getDate()).padStart(2, "0")}T10:30`;
  await request.getByLabel("Date and time").fill(local);
  await request.getByRole("button", { name: "Send request" }).click();
  await request.getByRole("status").filter({ hasText: "Appointment requested" }).waitFor();
  // Cancel it from the page: find it among the upcoming ones (the latest of them, two years ahead).
  const mine = (await apiGet(page, baseUrl, "/appointments?when=upcoming&status=requested&limit=100")).items
    .find((a) => a.startTime === new Date(local).getTime());
  assert.ok(mine, "the request reached the API");
  const row = appointments.locator(`li[data-appointment="${mine.appointmentId}"]`);
  // The kind the form asked for; then page by page (each page rendered as the API answered it).
  const shown = async (answer) => waitUntil(page, (ids) => [...document.querySelectorAll(
    '[data-testid="appointments"] li[data-appointment]')].map((e) => e.dataset.appointment).join() === ids,
  (await answer.json()).items.map((a) => a.appointmentId).join());
  let [answer] = await Promise.all([page.waitForResponse((r) => r.url().includes("/appointments?") && r.url().includes("type=checkup")),
    appointments.getByLabel("Kind").selectOption("checkup")]);
  await shown(answer);
  const nextPage = appointments.getByRole("button", { name: "Next" });
  while (!(await row.isVisible()) && await nextPage.isEnabled()) {
    [answer] = await Promise.all([page.waitForResponse((r) => r.url().includes("/appointments?") && r.url().includes("cursor=")),
      nextPage.click()]);
    await shown(answer);
  }
  await row.getByRole("button", { name: "Reschedule" }).click();
  await accessible(page, "reschedule form");
  await row.getByRole("button", { name: "Cancel" }).click();
  await row.getByRole("status").filter({ hasText: "Appointment cancelled." }).waitFor();
  assert.equal((await apiGet(page, baseUrl, `/appointments/${mine.appointmentId}`)).status, "cancelled");
  await page.reload();
  await page.getByTestId("stats-total").waitFor();

  // Medications: a refill button exactly where the API allows a request (active, refills left,
  // none pending); the seeded pending request is shown as waiting.
  const medications = await apiGet(page, baseUrl, "/medications?limit=20");
  const waiting = new Set((await apiGet(page, baseUrl, "/refill-requests?status=pending&limit=100")).items
    .map((r) => r.medicationId));
  assert.ok(waiting.size > 0, "seeded: a pending refill request");
  const eligible = medications.items.filter((m) => m.active && m.refills > 0 && !waiting.has(m.medicationId))
    .map((m) => m.medicationId).sort();
  assert.ok(eligible.length > 0 && eligible.length < medications.items.length, "seeded: some eligible, some not");
  const meds = page.getByTestId("medications");
  await meds.locator("li[data-medication]").first().waitFor();
  const withButton = await meds.locator("li[data-medication]").filter({ has: page.getByRole("button", { name: /^Request refill/ }) })
    .evaluateAll((l) => l.map((e) => e.dataset.medication));
  assert.deepEqual(withButton.sort(), eligible, "refill buttons for the eligible medications only");
  for (const medicationId of waiting) {
    await meds.locator(`li[data-medication="${medicationId}"]`).getByRole("status")
      .filter({ hasText: "waiting for the clinic" }).waitFor();
  }
  report.refillButtons = { eligible: eligible.length, medications: medications.items.length, waiting: waiting.size };

  // The widget's counts: each opens the latest readings with its status, exactly the ones it
  // counts (every page of them, one row per biomarker).
  const readings = page.getByTestId("latest");
  const latestOf = (status) => (u) => u.includes("/biomarkers/latest?") && u.includes(`status=${status}`);
  // The table shows exactly the answer's readings (by name), each with the status's pill.
  const rowsAre = (want) => waitUntil(page, ({ names, label }) => {
    const panel = document.querySelector('[data-testid="latest"]');
    const shown = [...panel.querySelectorAll("tbody td:first-child")].map((e) => e.textContent);
    const pills = [...panel.querySelectorAll("tbody .pill")].map((e) => e.textContent);
    return shown.join("|") === names.join("|") && pills.every((t) => t === label)
      && (names.length > 0 || panel.textContent.includes("No readings match."));
  }, want, { timeout: 10_000 });
  report.counts = {};
  for (const [key, status] of [["optimal", "optimal"], ["inRange", "in-range"], ["outOfRange", "out-of-range"]]) {
    const link = page.getByTestId(`stats-${key}-count`);
    const count = Number((await link.textContent()).trim());
    const label = status.replace(/-/g, " ");
    let [answer] = await answers(page, latestOf(status), () => link.click(), async () => {});
    const names = [];
    for (;;) {
      assert.equal(answer.status, 200);
      assert.ok(answer.body.items.every((r) => r.status === status), `${label}: the API's answer`);
      await rowsAre({ names: answer.body.items.map((r) => r.name), label });
      names.push(...answer.body.items.map((r) => r.name));
      if (!answer.body.nextCursor) break;
      [answer] = await answers(page, (u) => latestOf(status)(u) && u.includes("cursor="),
        () => readings.getByRole("button", { name: "Next" }).click(), async () => {});
    }
    assert.equal(await readings.getByRole("heading").textContent(), "Latest readings");
    assert.equal(names.length, count, `${label}: the count is the number of rows its link shows`);
    assert.equal(new Set(names).size, names.length, `${label}: one row per biomarker`);
    report.counts[key] = { count, rows: names.length };
  }
  assert.ok(report.counts.outOfRange.count > 0 && report.counts.inRange.count > 0, "seeded: statuses to click");

  // The filters: a category of the latest readings, then every reading of it (GET /biomarkers).
  await readings.getByRole("button", { name: "Clear filters" }).click();
  const [vitals] = await answers(page, (u) => u.includes("/biomarkers/latest?") && u.includes("category=vitals") && !u.includes("status="),
    () => readings.getByLabel("Category").selectOption("vitals"), async () => {});
  await waitUntil(page, (want) => [...document.querySelectorAll('[data-testid="latest"] tbody td:first-child')]
    .map((e) => e.textContent).join("|") === want, vitals.body.items.map((r) => r.name).join("|"));
  assert.ok(vitals.body.items.length > 0 && vitals.body.items.every((r) => r.category === "vitals"));
  const [every] = await answers(page, (u) => u.includes("/biomarkers?") && u.includes("category=vitals"),
    () => readings.getByLabel("Show").selectOption("every"), async () => {});
  await readings.getByRole("heading", { name: "Every reading" }).waitFor();
  assert.ok(every.body.items.length > 0 && every.body.items.every((r) => r.category === "vitals"));
  await readings.getByLabel("Show").selectOption("latest");
  await readings.getByRole("heading", { name: "Latest readings" }).waitFor();
  report.filters = { vitals: vitals.body.items.length, everyVitals: every.body.items.length };
  await accessible(page, "filtered readings");

  // A biomarker's trend: for each range, the chart's daily points are the days the API answered.
  const name = vitals.body.items.find((r) => r.name === "Heart Rate")?.name ?? vitals.body.items[0].name;
  const trend = page.getByTestId("trend");
  report.trend = { name, points: {} };
  for (const [label, key, click] of [["30 days", "30d", () => readings.getByRole("button", { name, exact: true }).first().click()],
    ["6 months", "6m"], ["1 year", "1y"], ["All", "all"]]) {
    const daily = await answers(page, (u) => u.includes("/history?") && u.includes("resolution=daily"),
      click ?? (() => trend.getByRole("button", { name: label, exact: true }).click()),
      () => trend.locator(`[data-testid="trend-chart"][data-range="${key}"]`).waitFor());
    const days = new Set(daily.flatMap((a) => a.body.items.map((p) => p.day)));
    const shown = Number(await trend.getByTestId("trend-chart").getAttribute("data-daily-points"));
    assert.equal(shown, days.size, `${label}: the chart's daily points are the API's days`);
    assert.equal(await trend.getByTestId("trend-daily-table").locator("tbody tr").count(), days.size, `${label}: the table too`);
    report.trend.points[key] = shown;
  }
  assert.ok(report.trend.points["30d"] > 0 && report.trend.points["30d"] < report.trend.points["1y"], "longer ranges, more days");
  assert.ok(await trend.locator("canvas").count() > 0, "a chart is drawn");
  await trend.getByText("Table view").click();
  await accessible(page, "trend chart and table");

  // On a phone (375 px) and at 200% zoom (half the CSS width of a 1280 px window): nothing wider
  // than the viewport, every control at least 44 px, and the views still pass axe.
  report.layout = {};
  for (const [view, size] of [["phone", { width: 375, height: 812 }], ["zoom200", { width: 640, height: 450 }]]) {
    await page.setViewportSize(size);
    await page.waitForTimeout(300); // the chart follows its box's width
    const { scrollWidth, small } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      small: [...document.querySelectorAll("button, select, input, summary")].map((e) => [e, e.getBoundingClientRect()])
        .filter(([, r]) => r.width > 0 && (r.width < 44 || r.height < 44))
        .map(([e, r]) => `${e.tagName} "${e.textContent.trim().slice(0, 20)}" ${Math.round(r.width)}x${Math.round(r.height)}`),
    }));
    report.layout[view] = { scrollWidth, small: small.length };
    assert.ok(scrollWidth <= size.width, `${view}: document ${scrollWidth} px wide in a ${size.width} px viewport`);
    assert.deepEqual(small, [], `${view}: touch targets of at least 44 px`);
    await accessible(page, view);
  }
  await page.setViewportSize(DESKTOP);
  assert.deepEqual(errors, [], "no errors in the page");
});
