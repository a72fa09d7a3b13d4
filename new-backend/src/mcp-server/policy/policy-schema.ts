import { z } from 'zod';

const ValueKind = z.enum(['count', 'text', 'path']);
const PositionalKind = z.enum(['count', 'text', 'path']);

const FlagSpec = z.union([
  z.string().min(1),
  z.strictObject({ flag: z.string().min(1), value: ValueKind }),
]);

const Positionals = z.strictObject({
  kind: z.union([PositionalKind, z.array(PositionalKind).min(1)]),
  min: z.number().int().min(0).default(0),
  max: z.number().int().min(0).max(64),
  pattern: z.string().optional(),
});

const Program = z.strictObject({
  decision: z.enum(['allow', 'approve', 'deny']),
  path: z.string().optional(),
  description: z.string().optional(),
  flags: z.array(FlagSpec).default([]),
  deny_flags: z.array(z.string().min(1)).default([]),
  positionals: Positionals.optional(),
  end_of_options: z.boolean().default(true),
});

/** mcp-policy.yaml, version 1. Unknown keys are errors, so a typo never weakens a rule. */
export const PolicySchema = z.strictObject({
  version: z.literal(1),
  defaults: z.strictObject({
    timeout_ms: z.number().int().min(100).default(30_000),
    max_timeout_ms: z.number().int().min(100).max(3_600_000).default(120_000),
    unknown_program: z.enum(['approve', 'deny']).default('approve'),
    search_path: z.array(z.string().min(1)).min(1).default(['/usr/bin', '/bin']),
  }).prefault({}),
  limits: z.strictObject({
    max_output_bytes: z.number().int().min(1024).max(16 * 1024 * 1024).default(256 * 1024),
    cpu_seconds: z.number().int().min(1).default(10),
    file_size_bytes: z.number().int().min(0).default(16 * 1024 * 1024),
    open_files: z.number().int().min(16).default(128),
    processes: z.number().int().min(1).optional(),
    calls_per_minute: z.number().int().min(1).default(30),
    burst: z.number().int().min(1).default(10),
    concurrent_per_identity: z.number().int().min(1).default(2),
    concurrent_total: z.number().int().min(1).default(8),
  }).prefault({}),
  programs: z.record(z.string(), Program),
});

export type PolicyFile = z.infer<typeof PolicySchema>;
export type ProgramEntry = z.infer<typeof Program>;

/** Keys known at each level, for "did you mean" hints on typos. */
export function knownKeysAt(path: readonly (string | number)[]): string[] {
  if (path.length === 0) return Object.keys(PolicySchema.shape);
  if (path[0] === 'defaults' && path.length === 1) return Object.keys(PolicySchema.shape.defaults.unwrap().shape);
  if (path[0] === 'limits' && path.length === 1) return Object.keys(PolicySchema.shape.limits.unwrap().shape);
  if (path[0] === 'programs' && path.length === 2) return Object.keys(Program.shape);
  if (path[0] === 'programs' && path[2] === 'positionals') return Object.keys(Positionals.shape);
  if (path[0] === 'programs' && path[2] === 'flags') return ['flag', 'value'];
  return [];
}
