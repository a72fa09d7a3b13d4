import type { Response } from 'express';

/**
 * A transport-level refusal in JSON-RPC shape, as MCP clients expect. The id is null:
 * the request was refused before its body was read, so its id is unknown.
 */
export function sendJsonRpcError(res: Response, status: number, message: string, headers: Record<string, string> = {}, code = -32000): void {
  for (const [name, value] of Object.entries(headers)) res.setHeader(name, value);
  res.status(status).json({ jsonrpc: '2.0', error: { code, message }, id: null });
}
