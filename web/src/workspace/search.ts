/** What the staff member typed in the patient search decides how the API is asked
 * (GET /admin/patients): an address (it holds "@") is looked up exactly, anything else is the
 * start of a name, given or family ("pat" finds Ava Patel), each word starting a word of the name.
 * The API folds case and accents; these are its own bounds (docs/openapi.json), said before asking. */
export type Asked = { kind: "all" } | { kind: "email"; email: string } | { kind: "name"; name: string };
export type PatientQuery = Asked | { kind: "refused"; reason: string };

// The characters the API's `name` takes: Latin letters with their accented forms, spaces,
// hyphens and apostrophes (its pattern in docs/openapi.json).
const LETTER = "A-Za-z\\u00C0-\\u00D6\\u00D8-\\u00F6\\u00F8-\\u024F\\u1E00-\\u1EFF";
const NAME_CHARACTERS = new RegExp(`^[${LETTER} '\\u2019-]*$`);
const TWO_LETTERS = new RegExp(`[${LETTER}]{2}`);
export const NAME_MAX = 64;

export function patientQuery(typed: string): PatientQuery {
  const text = typed.trim().replace(/\s+/g, " ");
  if (!text) return { kind: "all" };
  if (text.includes("@")) return { kind: "email", email: text };
  if (!NAME_CHARACTERS.test(text)) return { kind: "refused", reason: "A name holds letters, spaces, hyphens and apostrophes only." };
  if (!TWO_LETTERS.test(text)) return { kind: "refused", reason: "Type at least the first two letters of a name." };
  if (text.length > NAME_MAX) return { kind: "refused", reason: `Type at most ${NAME_MAX} characters of a name.` };
  return { kind: "name", name: text };
}

/** The sentence above the results, and the one when there are none. */
export function describe(query: Asked): { heading: string; none: string } {
  switch (query.kind) {
    case "email": return { heading: `The patient with the address ${query.email}.`, none: "No patient has that address." };
    case "name": return { heading: `Patients whose name has a word starting with “${query.name}”.`,
      none: `No patient's name has a word starting with “${query.name}”. Try fewer letters, or the other name.` };
    case "all": return { heading: "Every patient, newest first. Search by the start of a name, or by the exact email address.",
      none: "No patients yet." };
  }
}
