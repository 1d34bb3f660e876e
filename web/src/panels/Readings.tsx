import { CATEGORIES, isFiltered, type ReadingFilter, STATUSES, type Status } from "../biomarkers/filters";
import { Pager, useCursors } from "./Pager";
import { formatTime, type PanelProps, useFetched } from "./useFetched";

const PAGE = 10;

/** Without a filter: the latest reading of each biomarker. With a category or status: the
 * readings that match, newest first (GET /biomarkers, served by the readings' indexes). A name
 * opens that biomarker's trend. */
export function Readings({ client, version, onError, filter, onFilter, onChoose }: PanelProps & {
  filter: ReadingFilter; onFilter: (f: ReadingFilter) => void; onChoose: (name: string) => void;
}) {
  const cursors = useCursors(`${filter.category}|${filter.status}`);
  const { cursor } = cursors;
  const filtered = isFiltered(filter);
  const { data, error, loading } = useFetched(
    () => filtered
      ? client.GET("/biomarkers", { query: { category: filter.category, status: filter.status, limit: PAGE, cursor } })
      : client.GET("/biomarkers/latest", { query: { limit: PAGE, cursor } }),
    [client, version, filter.category, filter.status, cursor], onError);
  return (
    <section className="card wide" data-testid="latest" aria-labelledby="readings-title">
      <h2 id="readings-title" tabIndex={-1}>{filtered ? "Readings" : "Latest readings"}</h2>
      <div className="toolbar">
        <label>Category{" "}
          <select value={filter.category ?? ""} onChange={(e) => onFilter({ ...filter, category: e.target.value || undefined })}>
            <option value="">all</option>
            {CATEGORIES.map((c) => <option key={c} value={c}>{c}</option>)}
          </select>
        </label>
        <label>Status{" "}
          <select value={filter.status ?? ""} onChange={(e) => onFilter({ ...filter, status: (e.target.value || undefined) as Status | undefined })}>
            <option value="">all</option>
            {STATUSES.map((s) => <option key={s.value} value={s.value}>{s.label}</option>)}
          </select>
        </label>
        {filtered && <button onClick={() => onFilter({})}>Latest of each</button>}
      </div>
      {filtered && <p className="muted">Every reading that matches, newest first.</p>}
      {error && <p role="alert" className="error">{error}</p>}
      {data && data.items.length === 0 && <p className="muted">{filtered ? "No readings match." : "No readings yet."}</p>}
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
