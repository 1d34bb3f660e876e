import { useEffect, useRef } from "react";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";
import type { Trend } from "./load";
import { aligned, yRange } from "./series";

const HEIGHT = 260;

/** Shade a y interval across the plot area (the reference and optimal ranges). */
function shade(u: uPlot, low: number, high: number, fill: string) {
  const top = u.valToPos(high, "y", true);
  const bottom = u.valToPos(low, "y", true);
  u.ctx.save();
  u.ctx.fillStyle = fill;
  u.ctx.fillRect(u.bbox.left, top, u.bbox.width, bottom - top);
  u.ctx.restore();
}

/** The daily band (min to max) and average, raw readings as points, out-of-range points in red,
 * the reference range shaded and the optimal range shaded deeper. The canvas is a picture for
 * sighted readers; the table beside it carries the same data for everyone else. */
export function TrendChart({ trend }: { trend: Trend }) {
  const box = useRef<HTMLDivElement>(null);
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const [xs, ...values] = aligned(trend);
    const reference = trend.reference;
    const points = (fill: string, size: number) => ({ show: true, size, fill, stroke: fill });
    const chart = new uPlot({
      width: element.clientWidth || 320,
      height: HEIGHT,
      legend: { show: false },
      cursor: { show: false },
      scales: { y: { range: () => yRange(trend, values) } },
      axes: [{}, { label: trend.unit, size: 56 }],
      series: [
        {},
        { label: "daily min", stroke: "transparent", points: { show: false }, spanGaps: true },
        { label: "daily max", stroke: "transparent", points: { show: false }, spanGaps: true },
        { label: "daily average", stroke: "#2b6cb0", width: 2, spanGaps: true, points: points("#2b6cb0", 4) },
        { label: "reading", stroke: "#1d2733", paths: () => null, points: points("#1d2733", 6) },
        { label: "out of range", stroke: "#c53030", paths: () => null, points: points("#c53030", 9) },
      ],
      bands: [{ series: [2, 1], fill: "#2b6cb033" }],
      hooks: {
        drawClear: [(u) => {
          if (!reference) return;
          shade(u, reference.normal.low, reference.normal.high, "#f0b42922");
          shade(u, reference.optimal.low, reference.optimal.high, "#17803d22");
        }],
      },
    }, [xs, ...values] as uPlot.AlignedData, element);
    const resize = new ResizeObserver(() => chart.setSize({ width: element.clientWidth, height: HEIGHT }));
    resize.observe(element);
    return () => { resize.disconnect(); chart.destroy(); };
  }, [trend]);
  const summary = `${trend.name}: ${trend.daily.length} daily points and ${trend.raw.length} recent readings, in ${trend.unit}`;
  return <div className="chart" ref={box} role="img" aria-label={summary} data-testid="trend-chart" data-daily-points={trend.daily.length} data-range={trend.range} />;
}
