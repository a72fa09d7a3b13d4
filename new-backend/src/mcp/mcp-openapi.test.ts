import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { Validator } from '@seriousme/openapi-schema-validator';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { bearer, startNewBackend, type RunningNewBackend } from '../../../test/kit/index.js';
import { mcpSettings, startMcpServer, type RunningMcpServer } from '../../../test/kit/mcp.js';
import { newBackendMcp } from './new-backend-mcp.js';

describe('OpenAPI document with /mcp mounted', () => {
  let mcp: RunningMcpServer;
  let nb: RunningNewBackend;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let doc: any;
  before(async () => {
    mcp = await startMcpServer();
    nb = await startNewBackend({ mcp: newBackendMcp({ settings: mcpSettings(mcp) }) });
    mcp.attach(nb.dbPath);
    doc = (await nb.client().get('/openapi.json')).body;
  });
  after(async () => {
    await nb.close();
    await mcp.close();
  });

  it('stays a valid OpenAPI 3.1 document and lists every /mcp route', async () => {
    const result = await new Validator().validate(structuredClone(doc));
    assert.ok(result.valid, JSON.stringify(result.errors, null, 2));
    const mcpOps = Object.entries(doc.paths as Record<string, object>).filter(([p]) => p.startsWith('/mcp')).flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m} ${p}`)).sort();
    assert.deepEqual(mcpOps, ['get /mcp/commands', 'get /mcp/commands/{id}', 'get /mcp/tools', 'post /mcp/commands/{id}/approve', 'post /mcp/commands/{id}/reject', 'post /mcp/execute']);
  });

  it('describes real answers: tools, commands in each state, lists', async () => {
    const ajv = new Ajv2020({ strict: false });
    for (const [name, schema] of Object.entries(doc.components.schemas as Record<string, object>)) ajv.addSchema(schema, `#/components/schemas/${name}`);
    const check = (name: string, value: unknown) => {
      const validate = ajv.getSchema(`#/components/schemas/${name}`);
      assert.ok(validate, `no schema ${name}`);
      assert.ok(validate(value), `${name}: ${JSON.stringify(validate.errors)} for ${JSON.stringify(value)}`);
    };
    const auth = bearer(await nb.login(nb.admin.username, nb.admin.password));
    const run = (command: string) => nb.client().post('/mcp/execute', { tool_name: 'terminal_command', params: { command } }, { headers: auth });
    check('ToolList', (await nb.client().get('/mcp/tools', { headers: auth })).body);
    check('Command', (await run('echo documented')).body);
    check('Command', (await run('ls no-such-file')).body);
    const pending = (await run('mkdir documented')).body;
    check('Command', pending);
    check('Command', (await nb.client().post(`/mcp/commands/${pending.id}/reject`, undefined, { headers: auth })).body);
    check('CommandList', (await nb.client().get('/mcp/commands', { headers: auth })).body);
    check('Error', (await run('bash')).body);
  });
});
