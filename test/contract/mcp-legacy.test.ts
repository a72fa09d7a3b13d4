import { describeMcpContract } from './mcp-contract.js';
import { legacyTarget } from './mcp-targets.js';

describeMcpContract('legacy app', legacyTarget);
