// A typed fetch client over the types openapi-typescript generates from docs/openapi.json.
// Paths, query parameters and response bodies are checked against the contract at compile time;
// every non-2xx answer becomes an ApiError carrying the API's error shape (README.md, "Errors").
import type { components, paths } from "./schema";

export type Schemas = components["schemas"];
export type ErrorCode = Schemas["ErrorCode"];

type Method = "get" | "post" | "put" | "patch" | "delete";
type PathsWith<M extends Method> = { [P in keyof paths]: paths[P] extends Record<M, object> ? P : never }[keyof paths];
type Operation<P extends keyof paths, M extends Method> = paths[P] extends Record<M, infer O> ? O : never;
type Params<O> = O extends { parameters: infer X } ? X : never;
type Query<O> = Params<O> extends { query?: infer Q } ? Q : never;
type PathParams<O> = Params<O> extends { path: infer Pp } ? Pp : never;
type Body<O> = O extends { requestBody: { content: { "application/json": infer B } } } ? B : never;
type Success<O> = O extends { responses: infer R }
  ? { [S in keyof R]: S extends 200 | 201 ? (R[S] extends { content: { "application/json": infer J } } ? J : never) : never }[keyof R]
  : never;

export type Options<O> = (Query<O> extends never | undefined ? { query?: never } : { query?: Query<O> }) &
  (PathParams<O> extends never ? { path?: never } : { path: PathParams<O> }) &
  (Body<O> extends never ? { body?: never } : { body: Body<O> });

/** A 4xx/5xx answer in the error shape: `{"error": {"code", "message", "details"}}`. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: ErrorCode | "network",
    message: string,
    readonly details: Schemas["ErrorDetail"]["details"] = [],
  ) {
    super(message);
    this.name = "ApiError";
  }
}

function isErrorBody(value: unknown): value is Schemas["ErrorBody"] {
  const error = (value as { error?: { code?: unknown; message?: unknown } } | null)?.error;
  return typeof error?.code === "string" && typeof error?.message === "string";
}

export interface ClientConfig {
  baseUrl: string; // the API on the page's origin ("/api", from config.json), or another origin
  token: () => Promise<string | null>; // the Cognito ID token (refreshed when due), sent as Authorization: Bearer
}

/** One request in the error shape's terms. */
async function send(config: ClientConfig, method: string, url: string, body?: unknown): Promise<unknown> {
  const headers: Record<string, string> = { Accept: "application/json" };
  if (body !== undefined) headers["Content-Type"] = "application/json";
  let response: Response;
  try {
    const token = await config.token(); // a refresh, when due, needs the network too
    if (token) headers.Authorization = `Bearer ${token}`;
    response = await fetch(config.baseUrl + url, {
      method: method.toUpperCase(), headers, body: body === undefined ? undefined : JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, "network", "the API could not be reached");
  }
  const payload: unknown = await response.json().catch(() => null);
  if (!response.ok) {
    if (isErrorBody(payload)) throw new ApiError(response.status, payload.error.code, payload.error.message, payload.error.details);
    throw new ApiError(response.status, "internal", `unexpected answer (HTTP ${response.status})`);
  }
  return payload;
}

/** `?a=1&b=2` from the set values of `query` (empty when none is set). */
function queryString(query: object | undefined): string {
  const search = new URLSearchParams();
  for (const [key, value] of Object.entries(query ?? {})) {
    if (value !== undefined && value !== null && value !== "") search.set(key, String(value));
  }
  return search.size ? `?${search}` : "";
}

export function createClient(config: ClientConfig) {
  async function request<M extends Method, P extends PathsWith<M>>(
    method: M, path: P, options: Options<Operation<P, M>>,
  ): Promise<Success<Operation<P, M>>> {
    const { query, path: pathParams, body } = options as { query?: object; path?: object; body?: unknown };
    const url = String(path).replace(/\{(\w+)\}/g, (_, name: string) =>
      encodeURIComponent(String((pathParams as Record<string, unknown>)[name])));
    return (await send(config, method, url + queryString(query), body)) as Success<Operation<P, M>>;
  }
  return {
    GET: <P extends PathsWith<"get">>(path: P, options: Options<Operation<P, "get">>) => request("get", path, options),
    POST: <P extends PathsWith<"post">>(path: P, options: Options<Operation<P, "post">>) => request("post", path, options),
    PATCH: <P extends PathsWith<"patch">>(path: P, options: Options<Operation<P, "patch">>) => request("patch", path, options),
    PUT: <P extends PathsWith<"put">>(path: P, options: Options<Operation<P, "put">>) => request("put", path, options),
    config,
  };
}

export type Client = ReturnType<typeof createClient>;
