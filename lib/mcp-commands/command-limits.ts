/**
 * What one user may leave in mcp_commands. Calls past the rate are refused before they are
 * stored; the default (10 in 20 s) never passes a call the MCP server's default limit (30 a
 * minute, bursts of 10) would refuse, so its refusals are not stored either.
 */
export interface CommandLimits {
  /** Commands a user may start within `windowMs`, counted across both backends. */
  readonly calls: number;
  readonly windowMs: number;
  /** Commands of one user waiting for an admin at once; past it a new one is rejected. */
  readonly pendingPerUser: number;
}

export const DEFAULT_COMMAND_LIMITS: CommandLimits = Object.freeze({ calls: 10, windowMs: 20_000, pendingPerUser: 20 });
