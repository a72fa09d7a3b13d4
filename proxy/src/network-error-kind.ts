/** Why an exchange with a backend failed, from the error's code: the metric label and the diff's `error`. */
export type NetworkErrorKind = 'refused' | 'dns' | 'unreachable' | 'reset' | 'timeout' | 'protocol' | 'other';

/**
 * The one table of network error codes, for primaries (upstream-error.ts) and shadow copies
 * alike. A name that does not resolve is `dns`, not `unreachable`: it is a typo or a missing
 * record in the backend's URL, which an operator fixes in config, not on the network.
 */
export const NETWORK_ERROR_KINDS: Readonly<Record<string, NetworkErrorKind>> = Object.freeze({
  ECONNREFUSED: 'refused',
  ENOTFOUND: 'dns',
  EAI_AGAIN: 'dns',
  EHOSTUNREACH: 'unreachable',
  ENETUNREACH: 'unreachable',
  EHOSTDOWN: 'unreachable',
  ECONNRESET: 'reset',
  EPIPE: 'reset',
  ECONNABORTED: 'reset',
  ETIMEDOUT: 'timeout',
  ESOCKETTIMEDOUT: 'timeout',
});

/** The kind of a Node network error code; llhttp's parse errors (`HPE_…`) are the backend speaking bad HTTP. */
export function networkErrorKind(code: string | undefined): NetworkErrorKind {
  if (!code) return 'other';
  return NETWORK_ERROR_KINDS[code] ?? (code.startsWith('HPE_') ? 'protocol' : 'other');
}
