import { Router, type Response } from 'express';
import { checkExecuteRequest, checkListQuery, parseCommandId } from '../../../lib/mcp-commands/command-input.js';
import type { Actor, CommandWorkflow, Reply } from '../../../lib/mcp-commands/command-workflow.js';
import { sendError } from '../../../lib/http/send-error.js';
import type { LegacyContext } from '../legacy-context.js';

/**
 * `/mcp` on the legacy app (DESIGN §2). Checks run in the contract's order: 401, 403,
 * the id, the body, then the command's state. The behaviour itself is the shared workflow's.
 */
export function mcpRoutes(ctx: LegacyContext, workflow: CommandWorkflow): Router {
  const router = Router();
  // Per route, not router.use: an unknown path or method stays a 404 even when logged out.
  const user = ctx.requireUser;
  const actor = (res: Response): Actor => {
    const row = ctx.currentUser(res);
    return { id: row.id, role: row.role };
  };

  router.get('/tools', user, async (_req, res) => {
    respond(res, await workflow.tools(actor(res)));
  });

  router.post('/execute', user, async (req, res) => {
    const input = checkExecuteRequest(req.body as Record<string, unknown>);
    if (!input.ok) return sendError(res, input.status, input.message);
    respond(res, await workflow.execute(actor(res), input.value));
  });

  router.get('/commands', user, async (req, res) => {
    const query = checkListQuery(req.query as Record<string, unknown>);
    if (!query.ok) return sendError(res, 400, query.message);
    respond(res, await workflow.list(actor(res), query.value));
  });

  router.get('/commands/:id', user, async (req, res) => {
    respond(res, await workflow.get(actor(res), parseCommandId(req.params.id)));
  });

  router.post('/commands/:id/approve', user, ctx.requireAdmin, async (req, res) => {
    const id = parseCommandId(req.params.id);
    respond(res, id === undefined ? { ok: false, status: 404, message: 'Command not found' } : await workflow.approve(actor(res), id));
  });

  router.post('/commands/:id/reject', user, ctx.requireAdmin, async (req, res) => {
    const id = parseCommandId(req.params.id);
    respond(res, id === undefined ? { ok: false, status: 404, message: 'Command not found' } : await workflow.reject(actor(res), id));
  });

  return router;
}

function respond<T>(res: Response, reply: Reply<T>): void {
  if (reply.ok) res.status(reply.status).json(reply.body);
  else sendError(res, reply.status, reply.message);
}
