import { BODY_MESSAGES } from './body-messages.js';

/** The answer for a failure: a status and the message the frontend contract pins. */
export interface ErrorAnswer {
  readonly status: number;
  readonly message: string;
}

const BY_TYPE: Readonly<Record<string, ErrorAnswer>> = {
  'entity.too.large': { status: 413, message: BODY_MESSAGES.tooLarge },
  'parameters.too.many': { status: 413, message: BODY_MESSAGES.tooLarge },
  'entity.parse.failed': { status: 400, message: BODY_MESSAGES.invalidJson },
  'entity.verify.failed': { status: 400, message: BODY_MESSAGES.invalidJson },
  'request.size.invalid': { status: 400, message: BODY_MESSAGES.invalidJson },
  'request.aborted': { status: 400, message: BODY_MESSAGES.invalidJson },
  'encoding.unsupported': { status: 415, message: BODY_MESSAGES.encoding },
  'charset.unsupported': { status: 415, message: BODY_MESSAGES.charset },
};

/**
 * Maps an error reaching the error middleware to the contract's answer. Body-parser
 * failures carry a `type`; anything else is a bug and becomes a bare 500 (details go to
 * the log, never to the client).
 */
export function errorStatus(err: unknown): ErrorAnswer & { expected: boolean } {
  const type = typeof err === 'object' && err !== null ? (err as { type?: unknown }).type : undefined;
  const known = typeof type === 'string' ? BY_TYPE[type] : undefined;
  if (known) return { ...known, expected: true };
  return { status: 500, message: BODY_MESSAGES.internal, expected: false };
}
