import type { Trend } from "./load";

// The chart's data in uPlot's aligned form: one x array (seconds) shared by every series, null
// where a series has no point. Daily points sit at noon of their day.
export const SERIES = ["min", "max", "avg", "reading", "outOfRange"] as const;

const noon = (day: string) => {
  const [y, m, d] = day.split("-").map(Number);
  return new Date(y, m - 1, d, 12).getTime() / 1000;
};

export function outside(value: number, trend: Trend): boolean {
  const normal = trend.reference?.normal;
  return normal !== undefined && (value < normal.low || value > normal.high);
}

export function aligned(trend: Trend): [number[], ...(number | null)[][]] {
  const rows = new Map<number, (number | null)[]>();
  const row = (x: number) => rows.get(x) ?? rows.set(x, [null, null, null, null, null]).get(x)!;
  for (const p of trend.daily) {
    const r = row(noon(p.day));
    r[0] = p.min; r[1] = p.max; r[2] = p.avg;
    if (outside(p.avg, trend)) r[4] = p.avg;
  }
  for (const reading of trend.raw) {
    const r = row(reading.recordedAt / 1000);
    if (reading.status === "out-of-range") r[4] = reading.value;
    else r[3] = reading.value;
  }
  const xs = [...rows.keys()].sort((a, b) => a - b);
  return [xs, ...SERIES.map((_, i) => xs.map((x) => rows.get(x)![i]))];
}

/** The y range: the data and the reference range, with a margin. */
export function yRange(trend: Trend, values: (number | null)[][]): [number, number] {
  const all = values.flat().filter((v): v is number => v !== null);
  if (trend.reference) all.push(trend.reference.normal.low, trend.reference.normal.high);
  if (all.length === 0) return [0, 1];
  const low = Math.min(...all);
  const high = Math.max(...all);
  const pad = (high - low || Math.abs(high) || 1) * 0.1;
  return [low - pad, high + pad];
}
