import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { request } from 'node:http';
import { pino } from 'pino';
import { createTokenService } from '../../../lib/tokens.js';
import { startServer, type RunningServer } from '../server.js';
import { createMcpHttpApp, type McpHttpApp, type McpHttpDeps } from '../../../new-backend/src/mcp-server/http/create-mcp-http-app.js';
import { createFixture, JWT_SECRETS, MCP_TOKEN, type Fixture } from './fixture.js';
import type { Policy } from '../../../new-backend/src/mcp-server/policy/policy.js';

export const INSPECTOR_ORIGIN = 'http://localhost:6274';

export interface HttpFixture {
  readonly fx: Fixture;
  readonly mcp: McpHttpApp;
  readonly server: RunningServer;
  readonly url: string;
  readonly tokens: ReturnType<typeof createTokenService>;
  connect(headers: Record<string, string>): Promise<{ client: Client; transport: StreamableHTTPClientTransport }>;
  close(): Promise<void>;
}

/** The real HTTP app on a free port, on a real command service. */
export async function startHttpFixture(policy?: Policy, extra: Partial<McpHttpDeps> = {}): Promise<HttpFixture> {
  const fx = createFixture(policy);
  const tokens = createTokenService(JWT_SECRETS);
  const mcp = createMcpHttpApp({
    commands: fx.commands,
    serviceTokens: [MCP_TOKEN],
    tokens,
    users: fx.users,
    allowedHosts: ['localhost', '127.0.0.1', '[::1]'],
    allowedOrigins: [INSPECTOR_ORIGIN],
    logger: pino({ level: 'silent' }),
    ...extra,
  });
  const server = await startServer(mcp.app);
  const url = `${server.url}/mcp`;
  const clients: Client[] = [];
  return {
    fx, mcp, server, url, tokens,
    async connect(headers) {
      const transport = new StreamableHTTPClientTransport(new URL(url), { requestInit: { headers } });
      const client = new Client({ name: 'test', version: '1.0.0' });
      await client.connect(transport);
      clients.push(client);
      return { client, transport };
    },
    async close() {
      await Promise.all(clients.map((c) => c.close().catch(() => undefined)));
      await mcp.close();
      await server.close();
      await fx.cleanup();
    },
  };
}

export interface RawResponse {
  readonly status: number;
  readonly headers: Record<string, string | string[] | undefined>;
  readonly body: string;
}

/** A request with full control of headers (fetch will not send a custom Host). */
export function rawRequest(url: string, options: { method?: string; headers?: Record<string, string>; body?: string | Buffer }): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(url, { method: options.method ?? 'POST', headers: options.headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks).toString('utf8') }));
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(options.body);
  });
}

export const INITIALIZE = JSON.stringify({
  jsonrpc: '2.0', id: 1, method: 'initialize',
  params: { protocolVersion: '2025-06-18', capabilities: {}, clientInfo: { name: 'raw', version: '1' } },
});

export const JSON_HEADERS = { 'content-type': 'application/json', accept: 'application/json, text/event-stream' };
