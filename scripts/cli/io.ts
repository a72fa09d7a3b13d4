import pc from 'picocolors';

/** What a command touches of the outside world, so tests can run it in-process. */
export interface CliIo {
  readonly env: NodeJS.ProcessEnv;
  readonly cwd: string;
  readonly out: (text: string) => void;
  readonly err: (text: string) => void;
  /** Colours on: a terminal, and neither NO_COLOR nor a pipe. */
  readonly color: boolean;
}

export function processIo(): CliIo {
  return {
    env: process.env,
    cwd: process.cwd(),
    out: (text) => process.stdout.write(`${text}\n`),
    err: (text) => process.stderr.write(`${text}\n`),
    color: pc.isColorSupported && process.stdout.isTTY === true,
  };
}

export type Colors = ReturnType<typeof pc.createColors>;

export function colors(io: CliIo): Colors {
  return pc.createColors(io.color);
}

/** Usage problems exit 2, as most command-line tools do; failures exit 1. */
export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
