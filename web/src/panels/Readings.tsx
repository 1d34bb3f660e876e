import { CATEGORIES, isFiltered, type ReadingFilter, STATUSES, type Status } from "../biomarkers/filters";
import { Pager, useCursors } from "./Pager";
import { formatTime, type PanelProps, useFetched } from "./useFetched";

const PAGE = 10;

/** The latest reading of each biomarker (GET /biomarkers/latest), or every reading newest first
 * (GET /biomarkers); both narrowed by category and status on the server. A stats count opens the
 * latest readings of its status: exactly the ones it counts. A name opens that biomarker's trend. */
export function Readings({ client, version, onError, filter, onFilter, onChoose }: PanelProps & {
  filter: ReadingFilter; onFilter: (f: ReadingFilter) => void; onChoose: (name: string) => void;
}) {
  const { category, status, every } = filter;
  const cursors = useCursors(`${every ? "every" : "latest"}|${category}|${status}`);
  const { cursor } = cursors;
  const { data, error, loading } = useFetched(
    () => every
      ? client.GET("/biomarkers", { query: { category, status, limit: PAGE, cursor } })
      : client.GET("/biomarkers/latest", { query: { category, status, limit: PAGE, cursor } }),
    [client, version, category, status, every, cursor], onError);
  return (
    <section className="card wide" data-testid="latest" aria-labelledby="readings-title">
      <h2 id="readings-title" tabIndex={-1}>{every ? "Every reading" : "Latest readings"}</h2>
      <div className="toolbar">
        <label>Show{" "}
          <select value={every ? "every" : "latest"} onChange={(e) => onFilter({ ...filter, every: e.target.value === "every" })}>
            <option value="latest">latest of each</option>
            <option value="every">every reading</option>
          </select>
        </label>
        <label>Category{" "}
          <select value={category ?? ""} onChange={(e) => onFilter({ ...filter, category: e.target.value || undefined })}>
            <option value="">all</option>
            {CATEGORIES.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <label>Status{" "}
          <select value={status ?? ""} onChange={(e) => onFilter({ ...filter, status: (e.target.value || undefined) as Status | undefined })}>
            <option value="">all</option>
            {STATUSES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
          </select>
        </label>
        {isFiltered(filter) && <button onClick={() => onFilter({ every })}>Clear filters</button>}
      </div>
      <p className="muted">{every ? "Every reading that matches, newest first." : "The latest reading of each biomarker, by name."}</p>
      {error && <p role="alert" className="error">{error}</p>}
      {data && data.items.length === 0 && <p className="muted">{isFiltered(filter) ? "No readings match." : "No readings yet."}</p>}
      {data && data.items.length > 0 && (
        <div className="scroll-x">
          <table>
            <thead><tr><th scope="col">Biomarker</th><th scope="col">Value</th><th scope="col">Status</th><th scope="col">Recorded</th></tr></thead>
            <tbody>
              {data.items.map((r) => (
                <tr key={r.readingId}>
                  <td><button className="link" onClick={() => onChoose(r.name)}>{r.name}</button></td>
                  <td>{r.value} {r.unit}</td>
                  <td><span className={`pill ${r.status}`}>{r.status.replace(/-/g, " ")}</span></td>
                  <td>{formatTime(r.recordedAt)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <Pager cursors={cursors} nextCursor={data?.nextCursor} loading={loading} />
    </section>
  );
}
