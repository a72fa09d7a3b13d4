import { Counter, type Registry } from 'prom-client';

/** What happened to a request or answer at the bridge, a fixed set of labels. */
export type BridgeEvent =
  | 'bridged' | 'minted' | 'client-authorization' | 'no-cookie' | 'bad-cookie' | 'no-session' | 'store-error'
  | 'touched' | 'login' | 'logout' | 'refused-token' | 'cached' | 'login-failed' | 'invalidated';

export const BRIDGE_EVENTS: readonly BridgeEvent[] = [
  'bridged', 'minted', 'client-authorization', 'no-cookie', 'bad-cookie', 'no-session', 'store-error', 'touched', 'login', 'logout', 'refused-token',
  'cached', 'login-failed', 'invalidated',
];

export interface BridgeMetrics {
  count(event: BridgeEvent): void;
}

/**
 * `proxy_bridge_events_total{event}` in the proxy's registry. The label children are made
 * once, so counting on the hot path is one increment.
 */
export function createBridgeMetrics(registry: Registry): BridgeMetrics {
  const counter = new Counter({
    name: 'proxy_bridge_events_total',
    help: 'Session bridge events: requests bridged or not (and why), tokens minted, sessions touched, logins and logouts turned into sessions, backend tokens refused',
    labelNames: ['event'],
    registers: [registry],
  });
  const children = new Map(BRIDGE_EVENTS.map((e) => [e, counter.labels(e)]));
  return { count: (event) => children.get(event)?.inc() };
}

export const NO_BRIDGE_METRICS: BridgeMetrics = { count: () => undefined };
