/** Staff: the ID token's `cognito:groups` holds `admin`, the group the API checks on every staff
 * route. The page only chooses what to show; the API still refuses a patient (403). */
export function isStaff(claims: Record<string, unknown> | null): boolean {
  const groups = claims?.["cognito:groups"];
  return Array.isArray(groups) && groups.includes("admin");
}
