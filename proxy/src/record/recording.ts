import { createWriteStream, mkdirSync, type WriteStream } from 'node:fs';
import { dirname } from 'node:path';
import type { Logger } from '../../../lib/logger.js';
import { Redactor } from '../redact/redactor.js';
import { isJsonMediaType } from '../shadow/diff/media-type.js';
import {
  RECORDING_FORMAT, type RecordedBody, type RecordedExchange, type RecordingEndReason, type RecordingFooter,
  type RecordingHeader, type RecordingLimits,
} from './recording-format.js';

/** One exchange as the extension saw it, before redaction. */
export interface SeenExchange {
  readonly startedAt: number;
  readonly at: number;
  readonly durationMs: number;
  readonly user: string | null;
  readonly route: string;
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly backend: string;
  readonly request: { readonly headers: Record<string, string>; readonly contentType: string | undefined; readonly body: Buffer; readonly truncated: boolean };
  readonly response: { readonly status: number; readonly headers: Record<string, string>; readonly contentType: string | undefined; readonly body: Buffer; readonly truncated: boolean };
}

export interface RecordingStatus {
  readonly id: string;
  readonly route: string;
  readonly file: string;
  readonly state: 'recording' | 'done';
  readonly startedAt: string;
  readonly endedAt: string | null;
  readonly reason: RecordingEndReason | null;
  readonly exchanges: number;
  readonly skipped: number;
  readonly bytes: number;
  readonly limits: RecordingLimits;
}

// The disk is behind by this much: exchanges are skipped (and counted), never queued in memory.
const MAX_PENDING_BYTES = 8 * 1024 * 1024;

/**
 * One recording in progress: writes the header, each exchange (redacted) and the closing
 * line to its file, and ends itself on its deadline, its count or its size limit. Writing
 * is asynchronous and bounded: a slow disk skips exchanges rather than holding them.
 */
export class Recording {
  readonly id: string;
  readonly route: string;
  readonly file: string;
  readonly limits: RecordingLimits;
  readonly #started = performance.now();
  readonly #startedAt = new Date();
  readonly #redactor: Redactor;
  readonly #out: WriteStream;
  readonly #done: Promise<void>;
  readonly #logger: Logger | undefined;
  #timer: NodeJS.Timeout | undefined;
  #exchanges = 0;
  #skipped = 0;
  #bytes = 0;
  #endedAt: Date | undefined;
  #reason: RecordingEndReason | undefined;

  constructor(options: { id: string; route: string; file: string; limits: RecordingLimits; redact: readonly string[]; logger?: Logger; onEnd?: () => void }) {
    this.id = options.id;
    this.route = options.route;
    this.file = options.file;
    this.limits = options.limits;
    this.#logger = options.logger;
    // Emails are kept: a replay creates the same users. Cookies and Authorization never reach it.
    this.#redactor = new Redactor({ keepEmails: true, keys: options.redact });
    mkdirSync(dirname(options.file), { recursive: true });
    this.#out = createWriteStream(options.file, { flags: 'wx', mode: 0o600 });
    this.#done = new Promise((resolve) => {
      this.#out.once('close', () => {
        options.onEnd?.();
        resolve();
      });
    });
    this.#out.on('error', (err) => {
      this.#logger?.error({ err, recording: this.id }, `recording ${this.id}: cannot write ${this.file}: ${err.message}`);
      this.#finish('error');
    });
    const header: RecordingHeader = {
      recording: RECORDING_FORMAT, id: this.id, route: this.route, startedAt: this.#startedAt.toISOString(), limits: this.limits,
      redacted: ['password', 'token', 'secret', 'cookie', 'authorization', 'api key', ...options.redact],
    };
    this.#line(header);
    if (this.limits.durationMs !== null) {
      this.#timer = setTimeout(() => this.stop('duration'), this.limits.durationMs);
      this.#timer.unref();
    }
  }

  get active(): boolean {
    return this.#reason === undefined;
  }

  /** Adds one exchange; never throws (a recording must not fail a request). */
  add(seen: SeenExchange): void {
    if (!this.active) return;
    try {
      if (this.#out.writableLength > MAX_PENDING_BYTES) {
        this.#skipped++;
        return;
      }
      const exchange: RecordedExchange = {
        seq: this.#exchanges + 1,
        at: new Date(seen.at).toISOString(),
        offsetMs: Math.round((seen.startedAt - this.#started) * 10) / 10,
        durationMs: Math.round(seen.durationMs * 10) / 10,
        user: seen.user,
        route: seen.route,
        method: seen.method,
        path: seen.path,
        query: seen.query ? this.#redactor.path(`?${seen.query.slice(1)}`) : '',
        backend: seen.backend,
        request: { headers: seen.request.headers, ...this.#body(seen.request) },
        response: { status: seen.response.status, headers: seen.response.headers, ...this.#body(seen.response) },
      };
      const text = `${JSON.stringify(exchange)}\n`;
      const bytes = Buffer.byteLength(text);
      if (this.#bytes + bytes > this.limits.fileBytes - 512) {
        void this.stop('size');
        return;
      }
      this.#exchanges++;
      this.#write(text, bytes);
      if (this.limits.exchanges !== null && this.#exchanges >= this.limits.exchanges) void this.stop('count');
    } catch (err) {
      this.#skipped++;
      this.#logger?.error({ err, recording: this.id }, `recording ${this.id}: an exchange could not be recorded`);
    }
  }

  /** The client left or the answer failed: nothing to replay, counted. */
  skip(): void {
    if (this.active) this.#skipped++;
  }

  /** Ends the recording (idempotent) and resolves once the file is complete. */
  stop(reason: RecordingEndReason = 'stopped'): Promise<void> {
    this.#finish(reason);
    return this.#done;
  }

  status(): RecordingStatus {
    return {
      id: this.id, route: this.route, file: this.file, state: this.active ? 'recording' : 'done',
      startedAt: this.#startedAt.toISOString(), endedAt: this.#endedAt?.toISOString() ?? null, reason: this.#reason ?? null,
      exchanges: this.#exchanges, skipped: this.#skipped, bytes: this.#bytes, limits: this.limits,
    };
  }

  #finish(reason: RecordingEndReason): void {
    if (!this.active) return;
    this.#reason = reason;
    this.#endedAt = new Date();
    clearTimeout(this.#timer);
    const footer: RecordingFooter = { end: true, endedAt: this.#endedAt.toISOString(), reason, exchanges: this.#exchanges, skipped: this.#skipped };
    if (reason !== 'error') this.#line(footer);
    this.#out.end();
  }

  #body(part: { contentType: string | undefined; body: Buffer; truncated: boolean }): RecordedBody {
    if (part.truncated) return { encoding: 'none', body: null, truncated: true };
    if (part.body.length === 0) return { encoding: 'none', body: null, truncated: false };
    const type = (part.contentType ?? '').toLowerCase();
    const text = part.body.toString('utf8');
    if (isJsonMediaType(part.contentType)) {
      try {
        return { encoding: 'json', body: this.#redactor.value(JSON.parse(text), undefined), truncated: false };
      } catch {
        // Not JSON after all: kept as text below.
      }
    }
    if (type.startsWith('application/x-www-form-urlencoded')) return { encoding: 'text', body: this.#redactor.form(text), truncated: false };
    if (Buffer.from(text, 'utf8').equals(part.body)) return { encoding: 'text', body: this.#redactor.text(text), truncated: false };
    return { encoding: 'base64', body: part.body.toString('base64'), truncated: false };
  }

  #line(value: unknown): void {
    const text = `${JSON.stringify(value)}\n`;
    this.#write(text, Buffer.byteLength(text));
  }

  #write(text: string, bytes: number): void {
    this.#bytes += bytes;
    this.#out.write(text);
  }
}
