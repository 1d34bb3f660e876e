import { claimsOf } from "../session";

/** Staff: the ID token's `cognito:groups` holds `admin`, the group the API checks on every staff
 * route. The page only chooses what to show; the API still refuses a patient (403). */
export const isStaff = (token: string) => claimsOf(token)?.["cognito:groups"]?.includes("admin") ?? false;
