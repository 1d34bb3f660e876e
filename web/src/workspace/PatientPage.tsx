import { useState } from "react";
import type { Schemas } from "../api/client";
import { formatTime, useFetched } from "../panels/useFetched";
import { PatientAccount } from "./PatientAccount";
import { PatientAppointments } from "./PatientAppointments";
import { PatientMedications } from "./PatientMedications";
import { PatientReadings } from "./PatientReadings";
import type { StaffPanelProps } from "./Workspace";

const ROWS = [["optimal", "Optimal"], ["inRange", "In range"], ["outOfRange", "Out of range"]] as const;

/** One patient's record: stats, readings (record a lab result, correct one), appointments,
 * medications and the account (disable, enable). Every read here is audited by the API. */
export function PatientPage({ client, onError, patient, onBack, onAudit }: StaffPanelProps & {
  patient: Schemas["User"]; onBack: () => void; onAudit: () => void;
}) {
  const userId = patient.userId;
  // Moves when a reading is recorded or corrected: the stats and the readings refetch.
  const [readingsVersion, setReadingsVersion] = useState(0);
  const stats = useFetched(() => client.GET("/admin/patients/{userId}/stats", { path: { userId } }),
    [client, userId, readingsVersion], onError);
  const panel = { client, onError, userId };
  return (
    <div className="grid" data-testid="patient-page" data-patient={userId}>
      <section className="card" aria-labelledby="patient-title">
        <div className="toolbar">
          <h2 id="patient-title">{patient.name ?? patient.email}</h2>
          <button onClick={onAudit}>Audit log<span className="visually-hidden"> of {patient.name ?? patient.email}</span></button>
          <button onClick={onBack}>All patients</button>
        </div>
        <p className="muted">{patient.email} · patient since {formatTime(patient.createdAt)}</p>
      </section>
      <section className="card" data-testid="patient-stats" aria-labelledby="patient-stats-title">
        <h2 id="patient-stats-title">Biomarkers</h2>
        {stats.error && <p role="alert" className="error">{stats.error}</p>}
        {stats.data && (
          <>
            <p className="total"><strong data-testid="patient-stats-total">{stats.data.total}</strong> biomarkers tracked</p>
            <ul className="stats">
              {ROWS.map(([key, label]) => (
                <li key={key} className={`status-${key}`}>
                  <span className="label">{label}</span>
                  <strong data-testid={`patient-stats-${key}`}>{stats.data!.counts[key]}</strong>
                  <span className="percent">{stats.data![key]}%</span>
                  <span className="bar" style={{ width: `${stats.data![key]}%` }} />
                </li>
              ))}
            </ul>
          </>
        )}
      </section>
      <PatientReadings {...panel} version={readingsVersion} onChanged={() => setReadingsVersion((v) => v + 1)} />
      <PatientAppointments {...panel} />
      <PatientMedications {...panel} />
      <PatientAccount {...panel} />
    </div>
  );
}
