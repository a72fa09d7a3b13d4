import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { ACTING_USER_HEADER, APPROVAL_META_KEY, TERMINAL_TOOL, mintApprovalGrant, type GrantRequest } from './mcp-client/protocol.js';
import { classify, toOutcome, type Failure, type RunOutcome } from './mcp-client/run-outcome.js';

// The module both backends use to run commands through the MCP server.
export * from './mcp-client/protocol.js';
export type { CommandResult, RunOutcome } from './mcp-client/run-outcome.js';

export interface CommandClientOptions {
  /** The MCP endpoint, e.g. MCP_URL or http://127.0.0.1:5000/mcp. */
  readonly url: string;
  /** MCP_TOKEN: the service credential (never a user's own token, SECURITY M7). */
  readonly serviceToken: string;
  /** JWT_SECRET as a list; needed only for `client.mintApprovalGrant`. */
  readonly jwtSecrets?: readonly string[];
  /** Called when an MCP session is opened for a user (null: the service itself), e.g. to insert into mcp_sessions. */
  readonly onSession?: (userId: number | null, mcpSessionId: string) => void | Promise<void>;
  /** How long opening a session may take before the server counts as unavailable. Default 3000 ms. */
  readonly connectTimeoutMs?: number;
  /** Added to a command's own timeout to bound the whole call. Default 15000 ms. */
  readonly callGraceMs?: number;
}

/** The user a command runs for. The server reads the role from the database itself. */
export interface ActingUser {
  readonly id: number | string;
  readonly role?: 'admin' | 'user';
}

export interface RunRequest {
  readonly user: ActingUser;
  /** One program and its arguments, as the frontend sends it (params.command). */
  readonly command: string;
  /** Relative to the workspace; default its root. */
  readonly cwd?: string;
  readonly timeoutMs?: number;
  /** From mintApprovalGrant, when an admin approved this exact command. */
  readonly approvalGrant?: string;
}

export interface ToolInfo {
  readonly name: string;
  readonly description: string;
  readonly inputSchema: Record<string, unknown>;
}

export type ListToolsOutcome = { ok: true; tools: ToolInfo[] } | { ok: false; kind: 'unavailable' | 'denied' | 'failed'; message: string };

interface Connection {
  readonly client: Client;
  readonly transport: StreamableHTTPClientTransport;
}

/**
 * Runs terminal_command on the MCP server for a user: the real SDK client over
 * Streamable HTTP, the service token plus `X-Acting-User-Id`, one MCP session per acting
 * user (reused; reopened when the server has forgotten it). Every outcome is a value:
 * a server that is down or slow is `unavailable` within the connect timeout, never a hang.
 *
 * @example
 * const commands = createCommandClient({ url: env.MCP_URL, serviceToken: env.MCP_TOKEN,
 *   jwtSecrets: secretList(env.JWT_SECRET), onSession: (userId, id) => recordMcpSession(userId, id) });
 * const out = await commands.run({ user: { id: 7, role: 'user' }, command: 'ls -la' });
 * if (out.ok) save(out.status, out.result);
 * else if (out.kind === 'approval_required') savePending(out.argv, out.cwd, out.argvSha256);
 */
export function createCommandClient(options: CommandClientOptions) {
  const url = new URL(options.url);
  const connectTimeoutMs = options.connectTimeoutMs ?? 3000;
  const callGraceMs = options.callGraceMs ?? 15_000;
  const connections = new Map<string, Promise<Connection>>();

  function connection(user: ActingUser | undefined): Promise<Connection> {
    const key = user ? String(user.id) : '';
    let pending = connections.get(key);
    if (!pending) {
      pending = open(user);
      connections.set(key, pending);
      pending.catch(() => connections.delete(key));
    }
    return pending;
  }

  async function open(user: ActingUser | undefined): Promise<Connection> {
    const headers: Record<string, string> = { Authorization: `Bearer ${options.serviceToken}` };
    if (user) headers[ACTING_USER_HEADER] = String(user.id);
    const transport = new StreamableHTTPClientTransport(url, { requestInit: { headers } });
    const client = new Client({ name: 'strangler-backend', version: '0.1.0' });
    try {
      await client.connect(transport, { timeout: connectTimeoutMs });
    } catch (err) {
      await client.close().catch(() => undefined);
      throw err;
    }
    if (transport.sessionId && options.onSession) {
      await options.onSession(user ? Number(user.id) : null, transport.sessionId);
    }
    return { client, transport };
  }

  async function forget(user: ActingUser | undefined, conn: Connection): Promise<void> {
    const key = user ? String(user.id) : '';
    const pending = connections.get(key);
    if (pending && (await pending.catch(() => undefined)) === conn) connections.delete(key);
    await conn.client.close().catch(() => undefined);
  }

  /** Runs `task` on the user's session, reopening it once if the server forgot it. */
  async function withSession<T>(user: ActingUser | undefined, task: (c: Connection) => Promise<T>): Promise<{ ok: true; value: T; sessionId?: string } | { ok: false; failure: Failure }> {
    for (let attempt = 0; attempt < 2; attempt++) {
      let conn: Connection;
      try {
        conn = await connection(user);
      } catch (err) {
        return { ok: false, failure: classify(err) };
      }
      try {
        const value = await task(conn);
        return { ok: true, value, ...(conn.transport.sessionId ? { sessionId: conn.transport.sessionId } : {}) };
      } catch (err) {
        const failure = classify(err);
        // A protocol-level refusal leaves the session usable; anything at the HTTP level does not.
        if (failure.kind !== 'failed') await forget(user, conn);
        if (failure.kind === 'session-lost' && attempt === 0) continue;
        return { ok: false, failure };
      }
    }
    return { ok: false, failure: { kind: 'unavailable', message: 'the MCP server keeps forgetting the session' } };
  }

  async function listTools(user?: ActingUser): Promise<ListToolsOutcome> {
    const out = await withSession(user, (c) => c.client.listTools(undefined, { timeout: connectTimeoutMs + callGraceMs }));
    if (!out.ok) return { ok: false, kind: out.failure.kind === 'session-lost' ? 'unavailable' : out.failure.kind, message: out.failure.message };
    return {
      ok: true,
      tools: out.value.tools.map((t) => ({ name: t.name, description: t.description ?? '', inputSchema: t.inputSchema as Record<string, unknown> })),
    };
  }

  async function run(request: RunRequest): Promise<RunOutcome> {
    if (typeof request.command !== 'string' || request.command.trim() === '') {
      return { ok: false, kind: 'invalid', message: 'params.command must be a non-empty string' };
    }
    const args: Record<string, unknown> = { command: request.command };
    if (request.cwd !== undefined) args.cwd = request.cwd;
    if (request.timeoutMs !== undefined) args.timeout_ms = request.timeoutMs;
    const timeout = (request.timeoutMs ?? 30_000) + callGraceMs;
    const out = await withSession(request.user, (c) => c.client.callTool(
      { name: TERMINAL_TOOL, arguments: args, ...(request.approvalGrant ? { _meta: { [APPROVAL_META_KEY]: request.approvalGrant } } : {}) },
      undefined,
      { timeout, maxTotalTimeout: timeout },
    ) as Promise<CallToolResult>);
    if (!out.ok) {
      const kind = out.failure.kind === 'session-lost' ? 'unavailable' : out.failure.kind;
      return { ok: false, kind, message: out.failure.message };
    }
    return toOutcome(out.value, out.sessionId);
  }

  return {
    listTools,
    run,
    /** mintApprovalGrant with this client's JWT secrets. */
    mintApprovalGrant(grant: Omit<GrantRequest, 'secrets'>): Promise<string> {
      if (!options.jwtSecrets?.length) throw new Error('createCommandClient needs jwtSecrets to mint approval grants');
      return mintApprovalGrant({ ...grant, secrets: options.jwtSecrets });
    },
    /** Ends every MCP session (DELETE) and closes the clients. */
    async close(): Promise<void> {
      const all = [...connections.values()];
      connections.clear();
      await Promise.all(all.map(async (pending) => {
        const conn = await pending.catch(() => undefined);
        if (!conn) return;
        await Promise.race([conn.transport.terminateSession().catch(() => undefined), new Promise((r) => setTimeout(r, connectTimeoutMs).unref())]);
        await conn.client.close().catch(() => undefined);
      }));
    },
  };
}

export type CommandClient = ReturnType<typeof createCommandClient>;
