import { legacyMcp } from '../../legacy-adapter/src/mcp/legacy-mcp.js';
import { newBackendMcp } from '../../new-backend/src/mcp/new-backend-mcp.js';
import { startLegacy } from '../kit/legacy.js';
import { mcpSettings, startMcpServer, type RunningMcpServer } from '../kit/mcp.js';
import { startNewBackend } from '../kit/new-backend.js';
import { startSystem } from '../kit/system.js';
import { tempDir } from '../kit/temp.js';
import type { McpTarget } from './mcp-target.js';

// Tests wait on the feed, not the clock: a short poll keeps them quick; no tools cache,
// so "the MCP server is down" is seen by GET /mcp/tools too.
const tuning = { feedIntervalMs: 150, toolsCacheMs: 0 } as const;

export function legacyFeature(mcp: RunningMcpServer) {
  return legacyMcp({ settings: mcpSettings(mcp), ...tuning });
}

export function newBackendFeature(mcp: RunningMcpServer) {
  return newBackendMcp({ settings: mcpSettings(mcp), ...tuning });
}

function controls(mcp: RunningMcpServer) {
  return { mcpDown: () => mcp.stop(), mcpUp: () => mcp.start() };
}

/** The legacy app reached directly, with its session cookie. */
export async function legacyTarget(): Promise<McpTarget> {
  const dir = tempDir('strangler-mcp-legacy-');
  const mcp = await startMcpServer();
  const legacy = await startLegacy({ dbPath: dir.file('app.db'), mcp: legacyFeature(mcp) });
  mcp.attach(legacy.dbPath);
  return {
    baseUrl: legacy.url, admin: legacy.admin, credential: 'cookie', ...controls(mcp),
    async teardown() {
      await legacy.close();
      await mcp.close();
      dir.cleanup();
    },
  };
}

/** The new backend reached directly, with the bearer token its login answers with. */
export async function newBackendTarget(): Promise<McpTarget> {
  const mcp = await startMcpServer();
  const nb = await startNewBackend({ mcp: newBackendFeature(mcp) });
  mcp.attach(nb.dbPath);
  return {
    baseUrl: nb.url, admin: nb.admin, credential: 'bearer', ...controls(mcp),
    async teardown() {
      await nb.close();
      await mcp.close();
    },
  };
}

/** The whole system through the proxy (session bridge included), `mcp` routed to one backend. */
export async function proxyTarget(mcpOn: 'legacy' | 'new'): Promise<McpTarget> {
  const mcp = await startMcpServer();
  const system = await startSystem({
    routing: { mcp: mcpOn },
    legacy: { mcp: legacyFeature(mcp) },
    newBackend: { mcp: newBackendFeature(mcp) },
  });
  mcp.attach(system.dbPath);
  return {
    baseUrl: system.url, admin: system.admin, credential: 'cookie', ...controls(mcp),
    async teardown() {
      // The proxy's tunnels first: a tunnel whose backend closed while the client was still
      // sending (the 1009 test) stays half-open, and the server would wait for it forever.
      await system.proxy.close();
      await system.close();
      await mcp.close();
    },
  };
}
