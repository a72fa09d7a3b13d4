import assert from 'node:assert/strict';
import { WebSocket } from 'ws';
import { ApiClient, type ClientResponse } from '../kit/client.js';
import { uniqueName } from '../kit/unique.js';

/** What a routing under test hands the /mcp suite. */
export interface McpTarget {
  /** The URL the frontend would use (a backend or the proxy). */
  readonly baseUrl: string;
  readonly admin: { readonly username: string; readonly password: string };
  /**
   * How this target's client proves who it is: `cookie` (connect.sid from /auth/login,
   * the browser's way: legacy, the proxy) or `bearer` (the X-Auth-Token /auth/login
   * answers with, sent as Authorization: the new backend reached directly).
   */
  readonly credential: 'cookie' | 'bearer';
  /** Takes the MCP server away (port closed) and brings it back. */
  mcpDown(): Promise<void>;
  mcpUp(): Promise<void>;
  teardown(): Promise<void> | void;
}

export type McpSetup = () => Promise<McpTarget>;

export const COMMAND_KEYS = ['id', 'user_id', 'tool_name', 'command', 'params', 'status', 'result', 'approved_by', 'created_at', 'updated_at'];
export const RESULT_KEYS = ['stdout', 'stderr', 'exit_code', 'duration_ms', 'truncated'];
const ISO_MS = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A signed-in user of the target: HTTP with their credential, and WebSockets with it. */
export class McpActor {
  constructor(
    readonly target: McpTarget,
    readonly client: ApiClient,
    readonly user: { readonly id: number; readonly username: string; readonly role: 'admin' | 'user' },
    private readonly headers: Record<string, string>,
  ) {}

  request<T = any>(method: string, path: string, json?: unknown): Promise<ClientResponse<T>> { // eslint-disable-line @typescript-eslint/no-explicit-any
    return this.client.request<T>(method, path, { headers: this.headers, ...(json === undefined ? {} : { json }) });
  }

  get<T = any>(path: string) { return this.request<T>('GET', path); } // eslint-disable-line @typescript-eslint/no-explicit-any
  post<T = any>(path: string, json?: unknown) { return this.request<T>('POST', path, json); } // eslint-disable-line @typescript-eslint/no-explicit-any

  execute(command: string, extra: Record<string, unknown> = {}) {
    return this.post('/mcp/execute', { tool_name: 'terminal_command', params: { command, ...extra } });
  }

  /**
   * Opens /mcp/ws as a page served by the target would: its Origin, and this user's
   * credential (the cookie, or the Authorization header).
   */
  async socket(): Promise<TestSocket> {
    const url = `${this.target.baseUrl.replace(/^http/, 'ws')}/mcp/ws`;
    const cookie = await this.client.jar.getCookieString(this.target.baseUrl);
    return TestSocket.open(url, { origin: new URL(this.target.baseUrl).origin, ...this.headers, ...(cookie ? { cookie } : {}) });
  }
}

/** Signs in through POST /auth/login the way this target's client does. */
export async function signIn(target: McpTarget, username: string, password: string): Promise<McpActor> {
  const client = new ApiClient(target.baseUrl);
  const res = await client.login(username, password);
  assert.equal(res.status, 200, `login as ${username} failed: ${res.status} ${res.text}`);
  const headers: Record<string, string> = {};
  if (target.credential === 'bearer') {
    const token = res.headers.get('x-auth-token');
    assert.ok(token, 'the new backend answers a login with X-Auth-Token');
    headers.authorization = `Bearer ${token}`;
  }
  return new McpActor(target, client, res.body as McpActor['user'], headers);
}

/** A new user created by the admin, signed in. */
export async function newUser(target: McpTarget, admin: McpActor, role: 'admin' | 'user' = 'user'): Promise<McpActor> {
  const username = uniqueName('m');
  const password = `pw-${username}`;
  const created = await admin.post('/users', { username, name: `MCP ${username}`, email: `${username}@example.test`, password, role });
  assert.equal(created.status, 201, `creating ${username}: ${created.status} ${created.text}`);
  return signIn(target, username, password);
}

/** A command object: the contract's keys in order, typed fields, ISO timestamps. */
export function assertCommand(value: unknown, expected: Record<string, unknown> = {}): asserts value is Record<string, any> { // eslint-disable-line @typescript-eslint/no-explicit-any
  assert.ok(value && typeof value === 'object', `expected a command, got ${JSON.stringify(value)}`);
  const c = value as Record<string, unknown>;
  assert.deepEqual(Object.keys(c), COMMAND_KEYS);
  assert.ok(Number.isInteger(c.id) && Number.isInteger(c.user_id));
  assert.ok(c.params && typeof c.params === 'object' && !Array.isArray(c.params), 'params is an object');
  assert.match(String(c.created_at), ISO_MS);
  assert.match(String(c.updated_at), ISO_MS);
  assert.ok(c.updated_at! >= c.created_at!, 'updated_at is not before created_at');
  if (c.result !== null) {
    assert.deepEqual(Object.keys(c.result as object), RESULT_KEYS);
    const r = c.result as Record<string, unknown>;
    assert.equal(typeof r.stdout, 'string');
    assert.equal(typeof r.stderr, 'string');
    assert.ok(r.exit_code === null || Number.isInteger(r.exit_code));
    assert.ok(Number.isInteger(r.duration_ms));
    assert.equal(typeof r.truncated, 'boolean');
  }
  for (const [key, v] of Object.entries(expected)) assert.deepEqual(c[key], v, `command.${key} in ${JSON.stringify(c)}`);
}

export interface SocketMessage {
  readonly type: string;
  readonly id?: unknown;
  readonly command?: Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
  readonly error?: string;
}

/** A real WebSocket that keeps every message, so a test can wait for one without racing. */
export class TestSocket {
  readonly messages: SocketMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters = new Set<() => void>();

  private constructor(readonly ws: WebSocket) {
    ws.on('message', (data) => {
      this.messages.push(JSON.parse(String(data)) as SocketMessage);
      this.#waiters.forEach((w) => w());
    });
    this.closed = new Promise((resolve) => ws.once('close', (code, reason) => {
      resolve({ code, reason: reason.toString() });
      this.#waiters.forEach((w) => w());
    }));
    ws.on('error', () => undefined);
  }

  /** Resolves once the socket is open; rejects with the status of a refused upgrade. */
  static open(url: string, headers: Record<string, string>): Promise<TestSocket> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(url, { headers });
      const socket = new TestSocket(ws);
      ws.once('open', () => resolve(socket));
      ws.once('unexpected-response', (_req, res) => reject(Object.assign(new Error(`upgrade refused: ${res.statusCode}`), { status: res.statusCode })));
      ws.once('error', reject);
    });
  }

  send(message: unknown): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /** The first message (already received or still to come) that matches; fails after `timeoutMs`. */
  next(match: (m: SocketMessage) => boolean, what: string, timeoutMs = 30_000): Promise<SocketMessage> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.messages.find(match);
        if (found) return done(() => resolve(found));
        if (this.ws.readyState === WebSocket.CLOSED) return done(() => reject(new Error(`socket closed before ${what}; got ${JSON.stringify(this.messages)}`)));
      };
      const timer = setTimeout(() => done(() => reject(new Error(`no ${what} within ${timeoutMs} ms; got ${JSON.stringify(this.messages)}`))), timeoutMs);
      const done = (settle: () => void) => {
        clearTimeout(timer);
        this.#waiters.delete(check);
        settle();
      };
      this.#waiters.add(check);
      check();
    });
  }

  /** The reply to a client message id. */
  reply(id: unknown, timeoutMs?: number): Promise<SocketMessage> {
    return this.next((m) => m.id === id && (m.type === 'command_result' || m.type === 'error'), `a reply to ${JSON.stringify(id)}`, timeoutMs);
  }

  /** A command_update for command `id` with this status (and these other fields, when given). */
  update(id: number, status: string, fields: Record<string, unknown> = {}, timeoutMs?: number): Promise<SocketMessage> {
    const matches = (c: Record<string, unknown> | undefined) => c?.id === id && c.status === status && Object.entries(fields).every(([k, v]) => c[k] === v);
    return this.next((m) => m.type === 'command_update' && matches(m.command), `command_update ${id} ${status} ${JSON.stringify(fields)}`, timeoutMs);
  }

  /** Closes as a browser leaving the page does (close handshake); cuts the connection if that stalls. */
  async close(): Promise<void> {
    if (this.ws.readyState === WebSocket.CLOSED) return;
    this.ws.close(1000);
    const cut = setTimeout(() => this.ws.terminate(), 5000);
    await this.closed;
    clearTimeout(cut);
  }
}
