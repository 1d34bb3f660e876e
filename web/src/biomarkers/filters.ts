import type { Schemas } from "../api/client";

// The catalog's categories (shared/clinic/catalog.py CATEGORIES; tests/unit/test_web_catalog.py
// keeps the two lists equal) and the API's statuses: the filters the readings' indexes serve.
export const CATEGORIES = ["metabolic", "lipids", "cbc", "kidney", "liver", "electrolytes", "thyroid", "hormones",
  "inflammation", "vitamins-minerals", "vitals"] as const;

export type Status = Schemas["BiomarkerStatus"];
export const STATUSES: { value: Status; label: string }[] = [
  { value: "optimal", label: "Optimal" },
  { value: "in-range", label: "In range" },
  { value: "out-of-range", label: "Out of range" },
];

/** What the readings panel shows: the latest reading of each biomarker (what the stats count) or
 * every reading (`every`), either one narrowed to a category and/or a status. */
export interface ReadingFilter { category?: string; status?: Status; every?: boolean }

export const isFiltered = (f: ReadingFilter) => Boolean(f.category || f.status);
