/** What the runner is asked to run, and how it is set up: shared by the runner and its containment wrapper. */

export interface ResourceLimits {
  readonly cpuSeconds: number;
  readonly fileSizeBytes: number;
  readonly openFiles: number;
  readonly processes?: number | undefined;
}

export interface RunRequest {
  /** Absolute path of the program (never looked up in PATH). */
  readonly file: string;
  readonly args: readonly string[];
  /** Real path of the working directory, already confined to the workspace. */
  readonly cwd: string;
  /** HOME for the program: the workspace, so dotfiles it writes stay there. */
  readonly home: string;
  readonly timeoutMs: number;
  /** stdout and stderr together; each stream keeps half. */
  readonly maxOutputBytes: number;
  readonly limits: ResourceLimits;
  /** Aborting (a cancelled request, a closed session) kills the process group. */
  readonly signal?: AbortSignal | undefined;
}

export interface RunnerOptions {
  /** Between SIGTERM and SIGKILL on timeout (P3). */
  readonly killGraceMs?: number;
  /** Override the wrapper binaries; null runs programs unwrapped. */
  readonly wrappers?: { readonly setpriv: string; readonly prlimit: string } | null;
}
