// docs/dashboard.png: node web/e2e/screenshot.mjs <base URL> <out.png> [demo email]
// against a running, seeded local stack (`make dev`).
import { launch, signIn } from "./browser.mjs";

const [baseUrl = "http://127.0.0.1:3000", out = "docs/dashboard.png", email] = process.argv.slice(2);
const browser = await launch({ width: 1200, height: 900 });
try {
  const page = await browser.context.newPage();
  const accounts = await (await fetch(`${baseUrl}/local/auth/demo-accounts`)).json();
  const patient = email ?? accounts.accounts.find((a) => a.role === "patient").email;
  await signIn(page, baseUrl, patient);
  await page.getByTestId("latest").locator("tbody tr").first().waitFor();
  // With a trend open: the vitals, then the heart rate's chart.
  await page.getByTestId("latest").getByLabel("Category").selectOption("vitals");
  await page.getByTestId("latest").getByRole("button", { name: "Heart Rate", exact: true }).first().click();
  await page.getByTestId("trend-chart").waitFor();
  await page.waitForLoadState("networkidle");
  await page.screenshot({ path: out, fullPage: true });
  console.log(`wrote ${out}`);
} finally {
  await browser.close();
}
