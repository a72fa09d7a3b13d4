/** What a policy says about one program, compiled from mcp-policy.yaml. */
export type Decision = 'allow' | 'approve' | 'deny';
export type ArgKind = 'count' | 'text' | 'path';

export interface ProgramRule {
  readonly name: string;
  /** `program:<name>`: the rule id reported in results and the audit log. */
  readonly id: string;
  readonly decision: Decision;
  /** Absolute path in a root-owned directory; absent only for `deny`. */
  readonly path: string | undefined;
  /** Exact option tokens accepted (T5); the value is the kind of the option's argument, or null. */
  readonly flags: ReadonlyMap<string, ArgKind | null>;
  readonly denyFlags: readonly string[];
  readonly positionals: { readonly kinds: readonly ArgKind[]; readonly min: number; readonly max: number; readonly pattern: RegExp | undefined };
  /** Whether the program understands `--`, which is then put before positionals. */
  readonly endOfOptions: boolean;
}

export interface Limits {
  readonly maxOutputBytes: number;
  readonly cpuSeconds: number;
  readonly fileSizeBytes: number;
  readonly openFiles: number;
  readonly processes: number | undefined;
  readonly callsPerMinute: number;
  readonly burst: number;
  readonly concurrentPerIdentity: number;
  readonly concurrentTotal: number;
}

export interface Policy {
  readonly programs: ReadonlyMap<string, ProgramRule>;
  readonly timeoutMs: number;
  readonly maxTimeoutMs: number;
  readonly unknownProgram: 'approve' | 'deny';
  readonly searchPath: readonly string[];
  readonly limits: Limits;
}

/** Holds the live policy; a reload swaps it whole, so a call sees one version throughout. */
export interface PolicySource {
  current(): Policy;
}

export const SEVERITY: Record<Decision, number> = { allow: 0, approve: 1, deny: 2 };
