import { prettyFactory } from 'pino-pretty';
import pc from 'picocolors';

/**
 * Turns a child's output into readable lines: pino's JSON becomes `12:00:01 INFO  message`
 * (extra fields indented below), anything else passes through; every line gets the
 * process's name as a coloured prefix, padded so the columns line up.
 */
export function createLineFormatter(options: { colors: boolean; nameWidth: number }) {
  const pretty = prettyFactory({
    colorize: options.colors,
    translateTime: 'HH:MM:ss',
    ignore: 'pid,hostname,name,req,res,responseTime,reqId',
    singleLine: true,
  });
  const colors = pc.createColors(options.colors);

  return function format(name: string, color: string, line: string, stream: 'stdout' | 'stderr'): string[] {
    const paint = (colors as unknown as Record<string, (s: string) => string>)[color] ?? ((s: string) => s);
    const prefix = paint(`${name.padEnd(options.nameWidth)} │`);
    const body = line.startsWith('{') ? tryPretty(pretty, line) : line;
    return body
      .replace(/\n$/, '')
      .split('\n')
      .map((l) => `${prefix} ${stream === 'stderr' && !line.startsWith('{') ? colors.red(l) : l}`);
  };
}

function tryPretty(pretty: (input: string) => string, line: string): string {
  try {
    return pretty(line);
  } catch {
    return line;
  }
}
