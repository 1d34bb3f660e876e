// Routes that are being added to the API alongside the workspace: the refill queue and reading
// corrections. Their shapes are typed here until they are in docs/openapi.json; then these types
// become `Schemas[...]` from web/src/api/schema.d.ts and the calls `client.GET` / `client.PATCH`,
// and this module goes.
import { type Client, queryString, type Schemas, send } from "../api/client";

export interface RefillRequest {
  requestId: string;
  medicationId: string;
  medicationName: string;
  status: "pending" | "approved" | "denied";
  requestedAt: number;
  userId: string;
  decidedAt?: number | null;
  note?: string | null;
}

export interface RefillPage { items: RefillRequest[]; nextCursor: string | null }

export interface RefillDecision { decision: "approved" | "denied"; note?: string }

/** A corrected value, or the reading withdrawn as entered in error; a reason either way. */
export type ReadingCorrection = { value: number; reason: string } | { status: "entered-in-error"; reason: string };

export type CorrectedReading = Omit<Schemas["Reading"], "status"> & { status: Schemas["Reading"]["status"] | "entered-in-error" };

/** GET /admin/refill-requests: oldest first. */
export const refillRequests = (client: Client, query: { status: "pending"; limit: number; cursor?: string }) =>
  send(client.config, "get", `/admin/refill-requests${queryString(query)}`) as Promise<RefillPage>;

/** PATCH /admin/refill-requests/{requestId}: 409 when already decided or no refills are left. */
export const decideRefill = (client: Client, requestId: string, body: RefillDecision) =>
  send(client.config, "patch", `/admin/refill-requests/${encodeURIComponent(requestId)}`, body) as Promise<RefillRequest>;

/** PATCH /admin/patients/{userId}/biomarkers/{readingId}: 409 when the reading was withdrawn. */
export const correctReading = (client: Client, userId: string, readingId: string, body: ReadingCorrection) =>
  send(client.config, "patch",
    `/admin/patients/${encodeURIComponent(userId)}/biomarkers/${encodeURIComponent(readingId)}`, body) as Promise<CorrectedReading>;
