// Appointment times as the clinic states them: `date` is the clinic's local ISO date-time
// ("2026-03-10T09:00-05:00"), so the page shows that wall-clock time whatever the browser's zone.
export function clinicLocal(date: string): string {
  const match = /^(\d{4})-(\d{2})-(\d{2})T(\d{2}):(\d{2})/.exec(date);
  if (!match) return date;
  const [y, mo, d, h, mi] = match.slice(1).map(Number);
  return new Date(Date.UTC(y, mo - 1, d, h, mi)).toLocaleString("en-US", {
    timeZone: "UTC", weekday: "short", month: "short", day: "numeric", year: "numeric", hour: "numeric", minute: "2-digit",
  });
}

/** A `datetime-local` input's value (the browser's own zone) as epoch milliseconds, or null. */
export function fromLocalInput(value: string): number | null {
  const ms = value ? new Date(value).getTime() : NaN;
  return Number.isFinite(ms) ? ms : null;
}

/** Open appointments are the ones a patient may still cancel or ask to move. */
export const isOpen = (status: string) => status === "requested" || status === "scheduled";
