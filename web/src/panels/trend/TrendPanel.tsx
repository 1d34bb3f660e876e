import { useEffect, useRef, useState } from "react";
import { type PanelProps, useFetched } from "../useFetched";
import { loadTrend, RANGES, type RangeKey } from "./load";
import { TrendChart } from "./TrendChart";
import { TrendTable } from "./TrendTable";

/** One biomarker's history: a range picker, the chart, its key, and the same data as a table. */
export function TrendPanel({ client, version, onError, name, onClose }: PanelProps & { name: string; onClose: () => void }) {
  const [range, setRange] = useState<RangeKey>("30d");
  const { data, error } = useFetched(() => loadTrend(client, name, range), [client, version, name, range], onError);
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => heading.current?.focus(), [name]); // a chosen biomarker takes the reader to its chart
  const reference = data?.reference;
  return (
    <section className="card wide trend" data-testid="trend" aria-labelledby="trend-title">
      <div className="toolbar">
        <h2 id="trend-title" ref={heading} tabIndex={-1}>{name}</h2>
        <button onClick={onClose}>Close<span className="visually-hidden"> the {name} chart</span></button>
      </div>
      <div className="tabs" role="group" aria-label="Range">
        {RANGES.map((r) => (
          <button key={r.key} aria-pressed={range === r.key} onClick={() => setRange(r.key)}>{r.label}</button>
        ))}
      </div>
      {error && <p role="alert" className="error">{error}</p>}
      {data && data.name === name && (
        <>
          {data.daily.length === 0 && data.raw.length === 0 && <p className="muted">No readings in this range.</p>}
          <TrendChart trend={data} />
          <ul className="key">
            <li><span className="swatch band" />daily min to max, line: daily average</li>
            <li><span className="swatch dot" />reading</li>
            <li><span className="swatch out" />out of range</li>
            {reference && <li><span className="swatch normal" />reference {reference.normal.low}–{reference.normal.high} {data.unit}</li>}
            {reference && <li><span className="swatch optimal" />optimal {reference.optimal.low}–{reference.optimal.high} {data.unit}</li>}
          </ul>
          <TrendTable trend={data} />
        </>
      )}
    </section>
  );
}
