import { resolve } from 'node:path';
import { readKeyFile, rotateKeyFile } from '../../proxy/src/bridge/index.js';
import { defineCommand } from './define-command.js';
import { colors, EXIT, processIo, type CliIo } from './io.js';

export const usage = `strangler keys rotate|list [--file FILE] [--alg EdDSA|ES256]

The keys the proxy signs bridged tokens with (routes.yaml tokens.alg EdDSA or ES256).

  rotate   a new key signs from now on; the previous one stays published at
           /__proxy/jwks.json until every token it signed has expired, so nobody is
           logged out. A running proxy picks the change up within a second.
  list     each key: id, algorithm, created, retired

  --file   default: STRANGLER_SIGNING_KEYS, else data/signing-keys.json
  --alg    for rotate (default EdDSA)`;

const command = defineCommand({ name: 'keys', usage, options: { file: { type: 'string', short: 'f' }, alg: { type: 'string' } } });

export async function run(args: string[], io: CliIo = processIo()): Promise<number> {
  const c = colors(io);
  const parsed = command.parse(args, io);
  if (parsed.exit !== undefined) return parsed.exit;
  const [action] = parsed.positionals;
  const file = resolve(io.cwd, parsed.values.file ?? (io.env.STRANGLER_SIGNING_KEYS || 'data/signing-keys.json'));
  const alg = parsed.values.alg ?? 'EdDSA';
  if (action === 'rotate') {
    if (alg !== 'EdDSA' && alg !== 'ES256') return parsed.fail(`--alg must be EdDSA or ES256, got "${alg}"`);
    try {
      const done = await rotateKeyFile(file, alg);
      io.out(c.green(`✔ ${file}: ${done.added.kid} (${alg}) signs from now on`));
      if (done.retired.length) io.out(`  retired, still published for 15 minutes: ${done.retired.join(', ')}`);
      if (done.dropped.length) io.out(`  dropped (retired over 15 minutes ago): ${done.dropped.join(', ')}`);
      return EXIT.ok;
    } catch (err) {
      io.err(c.red(`✖ strangler keys rotate: ${(err as Error).message}`));
      return EXIT.failed;
    }
  }
  if (action === 'list') {
    const read = await readKeyFile(file);
    if (!read.ok) {
      io.err(c.red(`✖ ${read.problem}`));
      return EXIT.failed;
    }
    io.out(`${'kid'.padEnd(38)} ${'alg'.padEnd(6)} state`);
    for (const k of read.keys) io.out(`${k.kid.padEnd(38)} ${k.alg.padEnd(6)} ${k.retiredAt === undefined ? c.green('signing') : `retired ${new Date(k.retiredAt).toISOString()}`}`);
    return EXIT.ok;
  }
  return parsed.fail('say rotate or list');
}
