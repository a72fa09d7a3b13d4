/** A route for `routesYaml`; `extra` is appended verbatim (e.g. a canary line). */
export interface TestRoute {
  name: string;
  paths: string[];
  target: string;
  methods?: string[];
  canary?: { to: string; percent: number };
}

/** routes.yaml text for tests, in the file's own layout (with a comment, to check it survives edits). */
export function routesYaml(spec: { backends: Record<string, { url: string; auth?: 'session' | 'jwt'; timeoutMs?: number }>; default: string; routes: TestRoute[] }): string {
  const lines = ['# test routes: this comment must survive edits', 'version: 1', 'backends:'];
  for (const [name, b] of Object.entries(spec.backends)) {
    lines.push(`  ${name}:`, `    url: ${b.url}`, `    auth: ${b.auth ?? 'session'}`);
    if (b.timeoutMs !== undefined) lines.push(`    timeout_ms: ${b.timeoutMs}`);
  }
  lines.push(`default: ${spec.default}`, 'routes:');
  for (const r of spec.routes) {
    lines.push(`  - name: ${r.name}`, `    paths: [${r.paths.join(', ')}]`);
    if (r.methods) lines.push(`    methods: [${r.methods.join(', ')}]`);
    lines.push(`    target: ${r.target}   # which backend answers`);
    if (r.canary) lines.push(`    canary: { to: ${r.canary.to}, percent: ${r.canary.percent} }`);
  }
  return `${lines.join('\n')}\n`;
}
