import type { Schemas } from "../api/client";
import { isOpen } from "../panels/appointments/when";

type StaffAction = Schemas["StaffAction"];

export const ACTION_LABELS: Record<StaffAction, string> = {
  confirm: "Confirm", cancel: "Cancel", complete: "Completed", "no-show": "No-show",
};

/** What staff may do to an appointment, as the API allows it (shared/clinic/services/appointments.py,
 * STAFF_TRANSITIONS): before it starts, confirm a request or cancel an open one; once it has
 * started, mark a scheduled one completed or a no-show. */
export function staffActions(appointment: { status: string; startTime: number }, now: number): StaffAction[] {
  if (appointment.startTime > now) {
    if (!isOpen(appointment.status)) return [];
    return appointment.status === "requested" ? ["confirm", "cancel"] : ["cancel"];
  }
  return appointment.status === "scheduled" ? ["complete", "no-show"] : [];
}
