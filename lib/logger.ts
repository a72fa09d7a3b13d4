import { pino, type Logger, type LevelWithSilent } from 'pino';

export type { Logger };

/**
 * One pino logger per process. Pretty, prefixed lines in a terminal; JSON lines otherwise,
 * so log shippers get structure and a person at a terminal gets something readable.
 */
export function createLogger(name: string, level: string = process.env.LOG_LEVEL ?? 'info'): Logger {
  const pretty = process.stdout.isTTY && process.env.LOG_FORMAT !== 'json';
  return pino({
    name,
    level: level as LevelWithSilent,
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'headers.authorization', 'headers.cookie', '*.password', 'password'], remove: true },
    ...(pretty
      ? { transport: { target: 'pino-pretty', options: { colorize: true, translateTime: 'HH:MM:ss.l', ignore: 'pid,hostname', messageFormat: '[{name}] {msg}' } } }
      : {}),
  });
}
