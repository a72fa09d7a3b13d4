// A recording is a JSON Lines file: one header line, one line per exchange in the order the
// exchanges ended, and a closing line. A file without its closing line was cut short.

export const RECORDING_FORMAT = 1;

/** Request headers kept (never Cookie or Authorization: the user is kept by id). */
export const RECORDED_REQUEST_HEADERS: readonly string[] = ['content-type', 'accept', 'if-none-match', 'if-match', 'if-modified-since', 'if-unmodified-since'];
/** Response headers kept (never Set-Cookie or the bridge's token headers). */
export const RECORDED_RESPONSE_HEADERS: readonly string[] = ['content-type', 'location', 'etag', 'retry-after'];

export interface RecordingLimits {
  /** Each request and response body is kept up to this many bytes; a longer one is marked truncated and not kept. */
  readonly bodyBytes: number;
  /** The file stops growing here: the recording ends with reason `size`. */
  readonly fileBytes: number;
  /** Exchanges to record, or null for no count. */
  readonly exchanges: number | null;
  /** How long to record, or null for no deadline. */
  readonly durationMs: number | null;
}

export interface RecordingHeader {
  readonly recording: typeof RECORDING_FORMAT;
  readonly id: string;
  /** The route recorded, or several separated by commas (`users,mcp`). */
  readonly route: string;
  readonly startedAt: string;
  readonly limits: RecordingLimits;
  /** Fields whose values were replaced (besides passwords, tokens, secrets, cookies, authorization). */
  readonly redacted: readonly string[];
}

/** A body as recorded: JSON as a value, text as a string, anything else as base64. */
export interface RecordedBody {
  readonly encoding: 'json' | 'text' | 'base64' | 'none';
  readonly body: unknown;
  /** Longer than the limit: `body` is null and the exchange cannot be replayed as it was. */
  readonly truncated: boolean;
}

export interface RecordedExchange {
  readonly seq: number;
  /** When the request arrived. */
  readonly at: string;
  /** Milliseconds from the recording's start to the request's arrival. */
  readonly offsetMs: number;
  readonly durationMs: number;
  /** The user by id, as the session bridge knows them; null for anonymous requests. */
  readonly user: string | null;
  /** The route that matched; files written before routes were kept per exchange have only the header's. */
  readonly route?: string;
  readonly method: string;
  readonly path: string;
  /** With its `?`, or ''. */
  readonly query: string;
  readonly backend: string;
  readonly request: { readonly headers: Readonly<Record<string, string>> } & RecordedBody;
  readonly response: { readonly status: number; readonly headers: Readonly<Record<string, string>> } & RecordedBody;
}

export type RecordingEndReason = 'duration' | 'count' | 'size' | 'stopped' | 'closed' | 'error';

export interface RecordingFooter {
  readonly end: true;
  readonly endedAt: string;
  readonly reason: RecordingEndReason;
  readonly exchanges: number;
  /** Exchanges seen but not written: the client left, or the disk fell behind. */
  readonly skipped: number;
}
