import type { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { Identity } from '../identity/identity.js';

export interface SessionEntry {
  readonly id: string;
  /** The identity that sent `initialize` (M8); only it may use the session. */
  readonly owner: Identity;
  readonly transport: StreamableHTTPServerTransport;
  readonly server: McpServer;
  lastSeen: number;
}

export interface SessionLimits {
  /** A session unused this long is closed. */
  readonly idleMs: number;
  /** Opening one more closes that identity's least recently used session. */
  readonly maxPerIdentity: number;
  /** Beyond this, new sessions are refused. */
  readonly maxTotal: number;
}

/**
 * Live MCP sessions, each with its own server and transport (M9), keyed by session id
 * and owned by one identity (M8). Idle ones expire; an identity cannot pile up sessions.
 */
export function createSessionRegistry(limits: SessionLimits, clock: () => number = Date.now) {
  const sessions = new Map<string, SessionEntry>();

  /** The session if `identity` owns it; another identity's session is reported as unknown. */
  function lookup(id: string, identity: Identity): SessionEntry | undefined {
    const entry = sessions.get(id);
    if (!entry || entry.owner.key !== identity.key) return undefined;
    entry.lastSeen = clock();
    return entry;
  }

  function add(entry: SessionEntry): void {
    const mine = [...sessions.values()].filter((s) => s.owner.key === entry.owner.key).sort((a, b) => a.lastSeen - b.lastSeen);
    for (const old of mine.slice(0, Math.max(0, mine.length - limits.maxPerIdentity + 1))) void close(old);
    sessions.set(entry.id, entry);
  }

  function full(): boolean {
    return sessions.size >= limits.maxTotal;
  }

  function remove(id: string): void {
    sessions.delete(id);
  }

  async function close(entry: SessionEntry): Promise<void> {
    sessions.delete(entry.id);
    // Closing the server aborts its in-flight calls, which kills their process groups.
    await entry.server.close().catch(() => undefined);
    await entry.transport.close().catch(() => undefined);
  }

  async function sweep(): Promise<void> {
    const cutoff = clock() - limits.idleMs;
    await Promise.all([...sessions.values()].filter((s) => s.lastSeen < cutoff).map(close));
  }

  async function closeAll(): Promise<void> {
    await Promise.all([...sessions.values()].map(close));
  }

  return { lookup, add, full, remove, close, sweep, closeAll, size: () => sessions.size };
}

export type SessionRegistry = ReturnType<typeof createSessionRegistry>;
