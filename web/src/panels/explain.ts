import { ApiError } from "../api/client";

// The API's refusals in words a patient (or a staff member, web/src/workspace/) understands. The
// API's own message stays available to support staff through the code shown after it (e.g.
// "conflict"), never instead of the words.
const BY_FIELD: Record<string, string> = {
  startTime: "Choose a time in the future, at most two years ahead.",
  durationMinutes: "Choose a length between 5 minutes and 8 hours.",
  title: "The title is too long or uses characters that are not allowed.",
  type: "Choose a kind of appointment.",
  // staff forms (web/src/workspace/)
  recordedAt: "Choose when the sample was taken: in the past, or at most a day ahead.",
  value: "Give the value as a number.",
  unit: "Give the unit in up to 16 letters, digits or / % ^ . - signs.",
  dose: "Give the dose in up to 120 characters on one line.",
  refills: "Refills go from 0 to 12.",
  reason: "Give the reason for the correction.",
};

const BY_CODE: Record<string, string> = {
  not_found: "This item no longer exists. The list has been refreshed.",
  rate_limited: "Too many requests at once. Please wait a minute and try again.",
  unauthorized: "Your session has ended. Please sign in again.",
  forbidden: "This is not available with your account.",
  network: "The clinic could not be reached. Check your connection and try again.",
  internal: "Something went wrong on our side. Please try again later.",
};

/** A sentence for the patient, then the API's code for whoever helps them. */
export function explain(error: unknown, conflict = "This can no longer be changed."): string {
  if (!(error instanceof ApiError)) return BY_CODE.internal;
  let words: string;
  if (error.code === "validation_error") {
    // A field's rule in words; a result the API refused (lab entry) with the API's own reason,
    // which names a rule, never a value.
    const known = (error.details ?? []).map((d) => {
      const { field, issue, message } = d as { field?: unknown; issue?: unknown; message?: unknown };
      if (issue === "refused" && typeof message === "string") return `Not recorded: ${message}.`;
      return BY_FIELD[String(field ?? "").split(".").pop() ?? ""];
    }).filter(Boolean);
    words = known.length ? [...new Set(known)].join(" ") : "Some of what was entered is not valid. Please check it.";
  } else if (error.code === "conflict") {
    words = conflict;
  } else {
    words = BY_CODE[error.code] ?? BY_CODE.internal;
  }
  return `${words} (${error.status} ${error.code})`;
}
