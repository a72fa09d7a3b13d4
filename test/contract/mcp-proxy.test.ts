import { describeMcpContract } from './mcp-contract.js';
import { proxyTarget } from './mcp-targets.js';

describeMcpContract('proxy, mcp on legacy', () => proxyTarget('legacy'));
describeMcpContract('proxy, mcp on new (the bridge carries cookies and WebSocket upgrades)', () => proxyTarget('new'));
