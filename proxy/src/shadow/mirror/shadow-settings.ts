import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';

/** A route's `shadow` block as the route table holds it (proxy/src/config ShadowConfig). */
export interface ShadowSettings {
  readonly to: string;
  /** Upper-case methods mirrored (default GET, HEAD). */
  readonly methods: readonly string[];
  /** 0–100: share of matching requests mirrored. */
  readonly percent: number;
  readonly ignore: readonly string[];
  /** Unsafe methods may be mirrored (the validator requires it for POST/PUT/PATCH/DELETE). */
  readonly unsafe: boolean;
  readonly unordered: boolean | readonly string[];
  readonly headers: readonly string[];
  readonly noise: 'off' | 'learn';
  readonly timeoutMs: number;
}

/** The part of a backend the shadower needs (proxy/src/config BackendConfig fits). */
export interface ShadowBackend {
  readonly name: string;
  readonly url: URL;
  readonly auth: 'session' | 'jwt';
}

/** Header changes for a copy: a value sets, `null`/undefined removes. */
export type HeaderChanges = Readonly<Record<string, string | string[] | null | undefined>>;

/**
 * How a copy sent to `backend` is authorised. The default passes the client's headers as
 * they are (right for a `session` backend: the cookie works on both). For a `jwt` shadow of
 * a `session` primary the proxy wires in the session bridge, which answers with
 * `{ authorization: 'Bearer <token minted for that session>' }`.
 */
export type AuthorizeShadow = (req: IncomingMessage, backend: ShadowBackend) => HeaderChanges | undefined | Promise<HeaderChanges | undefined>;

/** A bounded copy of a body taken as it streamed past (proxy/src/tee-stream TeedBody fits). */
export interface BodyCopy {
  readonly body: Buffer;
  /** There was more than the cap. */
  readonly truncated: boolean;
  /** The stream ended normally. */
  readonly complete: boolean;
}

/** What the proxy knows when it decides to mirror a request. */
export interface MirrorStart {
  readonly route: string;
  readonly requestId: string;
  readonly method: string;
  /** Path and query as forwarded to the primary. */
  readonly pathAndSearch: string;
  /** The client request; its headers are copied now, as they are forwarded to the primary. */
  readonly req: IncomingMessage;
  readonly primary: ShadowBackend;
  readonly shadow: ShadowBackend;
  readonly settings: ShadowSettings;
  /** `performance.now()` when the client's request arrived (ForwardContext.startedAt); default now. */
  readonly startedAt?: number;
  /** The write sequence the comparison is judged against (routes.yaml `database`; default the shared one). */
  readonly database?: string;
}

/** The per-request handle: fed by the proxy as the exchange progresses. */
export interface ShadowTap {
  /** The request body as it streams to the primary (not needed for bodiless requests). */
  requestBody(copy: Promise<BodyCopy>): void;
  /** The primary's status and headers, and its body as it streams to the client. */
  primaryResponse(status: number, headers: IncomingHttpHeaders, body: Promise<BodyCopy>): void;
  /** The client's exchange is over; `answered` is false when it failed or was abandoned. */
  end(outcome: { readonly answered: boolean; readonly durationMs: number }): void;
}

const SAFE = new Set(['GET', 'HEAD', 'OPTIONS']);
export const isSafeMethod = (method: string): boolean => SAFE.has(method);
