import { StreamableHTTPError } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { ErrorCode, McpError, type CallToolResult } from '@modelcontextprotocol/sdk/types.js';

/** The contract's command `result` object, exactly. */
export interface CommandResult {
  readonly stdout: string;
  readonly stderr: string;
  readonly exit_code: number | null;
  readonly duration_ms: number;
  readonly truncated: boolean;
}

export type RunOutcome =
  | {
    readonly ok: true;
    /** executed: exit 0; failed: non-zero exit, a signal, a timeout or an output flood. */
    readonly status: 'executed' | 'failed';
    readonly result: CommandResult;
    readonly timedOut: boolean;
    readonly signal: string | null;
    readonly rule?: string;
    /** Why it ended early (timeout, flood), when it did. */
    readonly message?: string;
    readonly argv?: readonly string[];
    readonly cwd?: string;
    readonly approvedBy?: number;
    readonly sessionId?: string;
  }
  | {
    readonly ok: false;
    /** denied → 403 `Command not allowed: <message>`; approval_required → 202 pending_approval;
     * invalid → 400; unavailable → 503 `Command service unavailable`; failed → the record says failed. */
    readonly kind: 'denied' | 'approval_required' | 'failed' | 'unavailable' | 'invalid';
    readonly message: string;
    readonly rule?: string;
    readonly argv?: readonly string[];
    readonly cwd?: string;
    /** For approval_required: pass to mintApprovalGrant with the same cwd. */
    readonly argvSha256?: string;
    readonly sessionId?: string;
  };

/** Why a call did not reach a result; `session-lost` means: open a new session and retry once. */
export type Failure = { kind: 'session-lost' | 'denied' | 'failed' | 'unavailable'; message: string };

interface Report {
  outcome?: string;
  ran?: boolean;
  stdout?: string;
  stderr?: string;
  exit_code?: number | null;
  signal?: string | null;
  duration_ms?: number;
  truncated?: boolean;
  timed_out?: boolean;
  rule?: string;
  reason?: string;
  argv?: string[];
  cwd?: string;
  argv_sha256?: string;
  approved_by?: number;
}

/** The tool result as a RunOutcome: `ran` results are ok, refusals become kinds. */
export function toOutcome(result: CallToolResult, sessionId: string | undefined): RunOutcome {
  const report = result.structuredContent as Report | undefined;
  const text = result.content.map((c) => (c.type === 'text' ? c.text : '')).join('\n');
  const session = sessionId ? { sessionId } : {};
  if (!report || typeof report.outcome !== 'string') {
    // The SDK answers arguments that fail the input schema with isError text and no report.
    return { ok: false, kind: result.isError ? 'invalid' : 'failed', message: text || 'the MCP server sent no result', ...session };
  }
  const where = { ...(report.rule ? { rule: report.rule } : {}), ...(report.argv ? { argv: report.argv } : {}), ...(report.cwd !== undefined ? { cwd: report.cwd } : {}) };
  if (report.ran) {
    const exit = report.exit_code ?? null;
    return {
      ok: true,
      status: report.outcome === 'ran' && exit === 0 ? 'executed' : 'failed',
      result: { stdout: report.stdout ?? '', stderr: report.stderr ?? '', exit_code: exit, duration_ms: report.duration_ms ?? 0, truncated: report.truncated === true },
      timedOut: report.timed_out === true,
      signal: report.signal ?? null,
      ...(report.reason ? { message: report.reason } : {}),
      ...(report.approved_by !== undefined ? { approvedBy: report.approved_by } : {}),
      ...where,
      ...session,
    };
  }
  const message = report.reason ?? text;
  switch (report.outcome) {
    case 'approval_required':
      return { ok: false, kind: 'approval_required', message, ...where, ...(report.argv_sha256 ? { argvSha256: report.argv_sha256 } : {}), ...session };
    case 'denied':
    case 'limited':
      return { ok: false, kind: 'denied', message, ...where, ...session };
    case 'invalid':
      return { ok: false, kind: 'invalid', message, ...where, ...session };
    default:
      return { ok: false, kind: 'failed', message, ...where, ...session };
  }
}

/** Transport and protocol errors as a Failure the caller can act on. */
export function classify(err: unknown): Failure {
  if (err instanceof StreamableHTTPError) {
    const detail = serverMessage(err.message);
    const code = err.code ?? -1;
    if (code === 404) return { kind: 'session-lost', message: 'the MCP session was not found' };
    if (code === 401) return { kind: 'unavailable', message: `the MCP server refused the service token (${detail}): check MCP_TOKEN` };
    if (code === 403) return { kind: 'denied', message: detail };
    if (code >= 500 || code === -1) return { kind: 'unavailable', message: `the MCP server failed (${code}): ${detail}` };
    return { kind: 'failed', message: detail };
  }
  if (err instanceof McpError) {
    if (err.code === ErrorCode.RequestTimeout) return { kind: 'unavailable', message: 'the MCP server did not answer in time' };
    if (err.code === ErrorCode.ConnectionClosed) return { kind: 'unavailable', message: 'the connection to the MCP server closed' };
    return { kind: 'failed', message: err.message };
  }
  const cause = (err as { cause?: { code?: string } } | undefined)?.cause?.code;
  if (err instanceof TypeError || cause) return { kind: 'unavailable', message: `cannot reach the MCP server${cause ? ` (${cause})` : ''}` };
  return { kind: 'unavailable', message: err instanceof Error ? err.message : String(err) };
}

/** The server's JSON-RPC error message inside the SDK's error text, when there is one. */
function serverMessage(text: string): string {
  const start = text.indexOf('{');
  if (start >= 0) {
    try {
      const parsed = JSON.parse(text.slice(start)) as { error?: { message?: string } };
      if (parsed.error?.message) return parsed.error.message;
    } catch {
      // not JSON: use the text itself
    }
  }
  return text.replace(/^Streamable HTTP error: /, '');
}
