import { isJsonMediaType } from '../shadow/diff/media-type.js';

export interface RedactorOptions {
  /** Keep email addresses as they are (they are personal data: redacted by default). */
  readonly keepEmails?: boolean;
  /** More keys whose values are secrets (a route's `redact` fields), matched case-insensitively. */
  readonly keys?: readonly string[];
}

/** Keys whose string values are secrets wherever they appear (JSON, forms, queries). */
export const SECRET_KEY = /pass|token|secret|authori[sz]ation|cookie|api[-_]?key|credential|private[-_]?key|signature/i;
// Secrets recognised by their shape, under any key and inside text.
const SHAPES: ReadonlyArray<{ readonly kind: string; readonly pattern: RegExp }> = [
  { kind: 'token', pattern: /\beyJ[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]{4,}\.[A-Za-z0-9_-]*/g },
  { kind: 'hash', pattern: /\$(?:2[abxy]?|argon2(?:id|i|d)|scrypt|pbkdf2[\w-]*|[156])\$[^\s"',;]{16,}/g },
  { kind: 'cookie', pattern: /\bs(?::|%3A)[\w-]{8,}\.[\w%/+=-]{8,}/g },
];
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,}/g;

const MAX_LABELS = 10_000;
const KEY_VALUE = /(^|[?&;,\s])([\w.-]+)=([^&\s"';,]+)/g;

/** True when text holds a redaction label (such a request cannot be sent again as it was). */
export const isRedacted = (text: string): boolean => text.includes('[redacted');

/**
 * Replaces secrets in JSON values, form and query strings, headers and text: string values
 * under secret-looking keys (password, token, cookie, authorization, api key…, plus
 * `keys`), and, under any key and inside text, JWTs, password hashes, signed session
 * cookies and (unless `keepEmails`) email addresses. Each distinct secret gets its own
 * label (`[redacted token 2]`), the same wherever it appears in what one redactor sees,
 * so values that agreed still agree and values that differed still differ.
 *
 * @example
 * const r = new Redactor({ keys: ['ssn'] });
 * r.body('{"password":"x","ssn":"1"}', 'application/json'); // {"password":"[redacted secret 1]","ssn":"[redacted secret 2]"}
 */
export class Redactor {
  readonly #labels = new Map<string, string>();
  readonly #counts = new Map<string, number>();
  readonly #shapes: ReadonlyArray<{ readonly kind: string; readonly pattern: RegExp }>;

  readonly #keys: ReadonlySet<string>;

  constructor(options: RedactorOptions = {}) {
    this.#shapes = options.keepEmails ? SHAPES : [...SHAPES, { kind: 'email', pattern: EMAIL }];
    this.#keys = new Set((options.keys ?? []).map((k) => k.toLowerCase()));
  }

  /** Whether values under `key` are secrets. */
  secretKey(key: string): boolean {
    return SECRET_KEY.test(key) || this.#keys.has(key.toLowerCase());
  }

  /** The same label for the same value everywhere in one fixture. */
  label(value: string, kind: string): string {
    const known = this.#labels.get(value);
    if (known) return known;
    // A long recording meets many secrets: past this many, new ones share one label per kind.
    if (this.#labels.size >= MAX_LABELS) return `[redacted ${kind}]`;
    const n = (this.#counts.get(kind) ?? 0) + 1;
    this.#counts.set(kind, n);
    const label = `[redacted ${kind} ${n}]`;
    this.#labels.set(value, label);
    return label;
  }

  text(text: string): string {
    // `access_token=…` inside text (a URL echoed back, a log line): the value is a secret.
    let out = text.replace(KEY_VALUE, (m, lead: string, key: string, value: string) => (this.secretKey(key) && !isRedacted(value) ? `${lead}${key}=${this.label(value, 'secret')}` : m));
    for (const { kind, pattern } of this.#shapes) out = out.replace(pattern, (m) => this.label(m, kind));
    return out;
  }

  /** A JSON value; `key` is the name it sits under, if any. */
  value(v: unknown, key: string | undefined): unknown {
    if (typeof v === 'string') return key && this.secretKey(key) && !isRedacted(v) ? this.label(v, 'secret') : this.text(v);
    if (Array.isArray(v)) return v.map((x) => this.value(x, key));
    if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, this.value(x, k)]));
    return v;
  }

  body(text: string, contentType: string | undefined): string {
    const type = (contentType ?? '').toLowerCase();
    if (type.startsWith('application/x-www-form-urlencoded')) return this.form(text);
    // JSON is compared structurally, so it may be written again; text only in place.
    if (!isJsonMediaType(contentType)) return this.text(text);
    try {
      return JSON.stringify(this.value(JSON.parse(text), undefined));
    } catch {
      return this.text(text);
    }
  }

  form(text: string): string {
    const form = new URLSearchParams(text);
    const out = new URLSearchParams();
    for (const [k, v] of form) out.append(k, this.secretKey(k) ? this.label(v, 'secret') : this.text(v));
    return out.toString();
  }

  path(pathAndSearch: string): string {
    const q = pathAndSearch.indexOf('?');
    if (q < 0) return this.text(pathAndSearch);
    return `${this.text(pathAndSearch.slice(0, q))}?${this.form(pathAndSearch.slice(q + 1))}`;
  }
}

