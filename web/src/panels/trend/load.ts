import type { Client, Schemas } from "../../api/client";

export type DailyPoint = Schemas["DailyPoint"];
export type Reading = Schemas["Reading"];
export type Reference = NonNullable<Schemas["DailyHistory"]["reference"]>;

const DAY = 86_400_000;
// The daily history answers at most 366 clinic-local days per request; a window shorter than
// 365 days never spans more.
const WINDOW = 365 * DAY;
const RECENT = 30 * DAY; // raw readings drawn as points: the last month of the range
const RAW_POINTS = 100;

export const RANGES = [
  { key: "30d", label: "30 days", days: 30 },
  { key: "6m", label: "6 months", days: 183 },
  { key: "1y", label: "1 year", days: 365 },
  { key: "all", label: "All", days: null },
] as const;
export type RangeKey = (typeof RANGES)[number]["key"];

export interface Trend {
  name: string;
  range: RangeKey;
  unit: string;
  reference: Reference | null;
  daily: DailyPoint[];
  raw: Reading[];
}

/** [from, to] windows covering [start, end], each within the daily history's one-page limit. */
export function windows(start: number, end: number): [number, number][] {
  const out: [number, number][] = [];
  for (let from = start; from <= end; from += WINDOW) out.push([from, Math.min(from + WINDOW - 1, end)]);
  return out;
}

async function firstReadingAt(client: Client, name: string): Promise<number | null> {
  // Raw history is oldest first: its first item is the first reading.
  const page = await client.GET("/biomarkers/{name}/history", { path: { name }, query: { limit: 1 } });
  return "resolution" in page ? null : page.items[0]?.recordedAt ?? null;
}

/** One biomarker over a range: its daily rollups (one request per year of days; "all" starts at
 * its first reading), the range's last month of raw readings, and its reference ranges. */
export async function loadTrend(client: Client, name: string, range: RangeKey, now = Date.now()): Promise<Trend> {
  const days = RANGES.find((r) => r.key === range)!.days;
  const start = days === null ? await firstReadingAt(client, name) ?? now : now - (days - 1) * DAY;
  const answers = await Promise.all(windows(start, now).map(([from, to]) =>
    client.GET("/biomarkers/{name}/history", { path: { name }, query: { resolution: "daily", from, to } })));
  const byDay = new Map<string, DailyPoint>();
  let reference: Reference | null = null;
  for (const answer of answers) {
    if (!("resolution" in answer)) continue;
    reference = answer.reference ?? null;
    for (const point of answer.items) byDay.set(point.day, point); // adjacent windows share a boundary day
  }
  const raw = await client.GET("/biomarkers/{name}/history", {
    path: { name }, query: { from: Math.max(start, now - RECENT), to: now, limit: RAW_POINTS } });
  const daily = [...byDay.values()].sort((a, b) => a.day.localeCompare(b.day));
  const readings = "resolution" in raw ? [] : raw.items;
  const unit = reference?.unit ?? daily.at(-1)?.unit ?? readings.at(-1)?.unit ?? "";
  return { name, range, unit, reference, daily, raw: readings };
}
