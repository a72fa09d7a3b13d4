import type { RequestHandler, Response } from 'express';
import { checkExecuteRequest, checkListQuery, DEFAULT_LIST_LIMIT, MAX_EXECUTE_BYTES, MAX_LIST_LIMIT, parseCommandId } from '../../../lib/mcp-commands/command-input.js';
import { MCP_MESSAGES } from '../../../lib/mcp-commands/command-messages.js';
import type { Actor, CommandWorkflow, Reply } from '../../../lib/mcp-commands/command-workflow.js';
import { ErrorBody } from '../auth/auth-schemas.js';
import { bodyObject } from '../../../lib/http/body-parser.js';
import { MESSAGES } from '../http/messages.js';
import type { RouteSpec } from '../http/route-spec.js';
import { sendError } from '../../../lib/http/send-error.js';
import type { NewBackendContext } from '../new-backend-context.js';
import { Command, CommandIdParam, CommandList, ExecuteRequest, ToolList } from './mcp-schemas.js';

const err = (text: string) => ({ description: text, schema: ErrorBody });
const r401 = err(`\`${MESSAGES.notAuthenticated}\`.`);
const r403 = err(`\`${MESSAGES.forbidden}\` (not an admin).`);
const r404 = err(`\`${MCP_MESSAGES.notFound}\`: no such command, or not yours (the same answer, so existence does not leak).`);
const r409 = err(`\`${MCP_MESSAGES.notPending}\`: already decided, or its approval expired (MCP_APPROVAL_TTL).`);
const r503 = err(`\`${MCP_MESSAGES.unavailable}\`: the MCP server cannot be reached.`);
const idParam = { id: { schema: CommandIdParam, description: 'The command id.' } };

/**
 * `/mcp` on the new backend, as RouteSpecs (mounted and documented in OpenAPI). Checks
 * run in the contract's order: 401, 403, the id, the body, then the command's state.
 */
export function mcpRoutes(ctx: NewBackendContext, workflow: CommandWorkflow): RouteSpec[] {
  const actor = (res: Response): Actor => {
    const { user } = ctx.currentAuth(res);
    return { id: user.id, role: user.role };
  };

  const tools: RequestHandler = async (_req, res) => respond(res, await workflow.tools(actor(res)));
  const execute: RequestHandler = async (req, res) => {
    const input = checkExecuteRequest(bodyObject(req));
    if (!input.ok) return sendError(res, input.status, input.message);
    respond(res, await workflow.execute(actor(res), input.value));
  };
  const list: RequestHandler = async (req, res) => {
    const query = checkListQuery(req.query as Record<string, unknown>);
    if (!query.ok) return sendError(res, 400, query.message);
    respond(res, await workflow.list(actor(res), query.value));
  };
  const read: RequestHandler = async (req, res) => respond(res, await workflow.get(actor(res), parseCommandId(req.params.id)));
  const decide = (how: 'approve' | 'reject'): RequestHandler => async (req, res) => {
    const id = parseCommandId(req.params.id);
    if (id === undefined) return sendError(res, 404, MCP_MESSAGES.notFound);
    respond(res, await workflow[how](actor(res), id));
  };

  return [
    {
      method: 'get', path: '/mcp/tools', tag: 'mcp', auth: 'bearer', summary: "The MCP server's tools",
      description: 'From tools/list of the MCP server, cached for 30 s.',
      responses: { 200: { description: 'Every tool.', schema: ToolList }, 401: r401, 503: r503 },
      handlers: [ctx.requireUser, tools],
    },
    {
      method: 'post', path: '/mcp/execute', tag: 'mcp', auth: 'bearer', summary: 'Run a command',
      description: 'Recorded (status `executing`) before it runs. The MCP server decides: allowed commands run at once; others wait for an admin; denied ones are refused.',
      body: { schema: ExecuteRequest, required: true },
      responses: {
        200: { description: 'It ran: `executed` (exit 0) or `failed`, with its result.', schema: Command },
        202: { description: 'It waits for an admin: `pending_approval`.', schema: Command },
        400: err('`tool_name is required`, `Unknown tool: <name>`, `params.command is required`, `Unknown parameter: params.<key> (known: command, cwd, timeout_ms)`, or another params rule; or the MCP server found the command malformed (e.g. an unterminated quote). Nothing is recorded for a request refused here.'),
        401: r401,
        403: err('`Command not allowed: <reason> (rule <id>)`: the command policy refused it (the record says `rejected`); or too many commands (`limits:rate`, nothing recorded) or too many waiting for approval (`limits:pending`).'),
        413: err(`\`${MCP_MESSAGES.tooLarge}\`: the request is over ${MAX_EXECUTE_BYTES / 1024} KiB as JSON.`),
        503: err(`\`${MCP_MESSAGES.unavailable}\`: the record says \`failed\`.`),
      },
      handlers: [ctx.requireUser, execute],
    },
    {
      method: 'get', path: '/mcp/commands', tag: 'mcp', auth: 'bearer', summary: 'Commands, newest first',
      description: `Your own; an admin sees everyone's. Query: \`status\` (one of the five), \`limit\` (1-${MAX_LIST_LIMIT}, default ${DEFAULT_LIST_LIMIT}).`,
      responses: { 200: { description: 'Newest first.', schema: CommandList }, 400: err(`\`${MCP_MESSAGES.limit}\` or \`${MCP_MESSAGES.status}\`.`), 401: r401 },
      handlers: [ctx.requireUser, list],
    },
    {
      method: 'get', path: '/mcp/commands/:id', tag: 'mcp', auth: 'bearer', summary: 'One command (its owner, or an admin)',
      params: idParam,
      responses: { 200: { description: 'The command.', schema: Command }, 401: r401, 404: r404 },
      handlers: [ctx.requireUser, read],
    },
    {
      method: 'post', path: '/mcp/commands/:id/approve', tag: 'mcp', auth: 'bearer', summary: 'Approve and run a pending command (admin)',
      description: 'Claimed atomically (only one approval of a command ever runs, whichever backend receives it), then run with a single-use grant bound to the recorded argv and cwd.',
      params: idParam,
      responses: { 200: { description: 'It ran: `executed` or `failed`.', schema: Command }, 401: r401, 403: r403, 404: r404, 409: r409, 503: r503 },
      handlers: [ctx.requireUser, ctx.requireAdmin, decide('approve')],
    },
    {
      method: 'post', path: '/mcp/commands/:id/reject', tag: 'mcp', auth: 'bearer', summary: 'Reject a pending command (admin)',
      params: idParam,
      responses: { 200: { description: 'Now `rejected`.', schema: Command }, 401: r401, 403: r403, 404: r404, 409: r409 },
      handlers: [ctx.requireUser, ctx.requireAdmin, decide('reject')],
    },
  ];
}

function respond<T>(res: Response, reply: Reply<T>): void {
  if (reply.ok) res.status(reply.status).json(reply.body);
  else sendError(res, reply.status, reply.message);
}
