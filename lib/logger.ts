import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

export interface LoggerOptions {
  /**
   * JSON lines go to stdout in batches of about 4 KiB, written asynchronously, and at least
   * every quarter second: a busy process (the proxy logs every request) makes one write call
   * per batch instead of one per line. Pending lines are flushed when the process exits.
   */
  readonly asyncStdout?: boolean;
}

/**
 * One pino logger per process. Pretty, prefixed lines in a terminal; JSON lines otherwise,
 * so log shippers get structure and a person at a terminal gets something readable.
 */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info', options: LoggerOptions = {}): Logger {
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  const destination = !pretty && options.asyncStdout ? pino.destination({ dest: 1, sync: false, minLength: 4096 }) : undefined;
  if (destination) {
    const timer = setInterval(() => {
      try {
        destination.flush();
      } catch {
        clearInterval(timer); // the stream was closed (process ending)
      }
    }, 250);
    timer.unref();
  }
  return pino({
    name,
    level: level as LevelWithSilent,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', '*.password', 'password'], remove: true },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', messageFormat: '[{name}] {msg}' } } }
      : {}),
  }, destination);
}
