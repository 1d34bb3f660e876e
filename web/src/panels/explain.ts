import { ApiError } from "../api/client";

// The API's refusals in words a patient understands. The API's own message stays available to
// support staff through the code shown after it (e.g. "conflict"), never instead of the words.
const BY_FIELD: Record<string, string> = {
  startTime: "Choose a time in the future, at most two years ahead.",
  durationMinutes: "Choose a length between 5 minutes and 8 hours.",
  title: "The title is too long or uses characters that are not allowed.",
  type: "Choose a kind of appointment.",
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
    const fields = (error.details ?? []).map((d) => String((d as { field?: unknown }).field ?? ""));
    const known = fields.map((f) => BY_FIELD[f.split(".").pop() ?? ""]).filter(Boolean);
    words = known.length ? [...new Set(known)].join(" ") : "Some of what was entered is not valid. Please check it.";
  } else if (error.code === "conflict") {
    words = conflict;
  } else {
    words = BY_CODE[error.code] ?? BY_CODE.internal;
  }
  return `${words} (${error.status} ${error.code})`;
}
