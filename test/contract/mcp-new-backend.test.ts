import { describeMcpContract } from './mcp-contract.js';
import { newBackendTarget } from './mcp-targets.js';

describeMcpContract('new backend (bearer tokens)', newBackendTarget);
