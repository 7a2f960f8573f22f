import { pino, type Logger, type LoggerOptions } from 'pino';

export type { Logger };

/**
 * One logger setup for every Vigil process: JSON lines for log shippers, pretty on a terminal.
 * VIGIL_LOG_LEVEL sets the level (default info; tests default to warn to keep output readable).
 */
export function createLogger(name: string, options: LoggerOptions = {}): Logger {
  const level = process.env.VIGIL_LOG_LEVEL ?? (process.env.NODE_TEST_CONTEXT ? 'warn' : 'info');
  const pretty = process.stdout.isTTY && process.env.VIGIL_LOG_FORMAT !== 'json';
  return pino({
    name,
    level,
    base: { pid: process.pid, process: name },
    timestamp: pino.stdTimeFunctions.isoTime,
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,process' } } } : {}),
    ...options,
  });
}
