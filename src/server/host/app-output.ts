/**
 * Which application a line of a session process's output belongs to. A session host runs the
 * jobs of several applications in one process, so their output shares one pipe: the host marks
 * each line written while one application's job runs (its async context, kept by
 * AsyncLocalStorage from the job module's import on: sources, operators, timers, the engine's
 * own log lines) with `[eddy:app=<name>] `, and the server files the line, unmarked, in that
 * application's own log — what `GET /v1/applications/{name}/logs` serves.
 *
 * @module
 */
import { AsyncLocalStorage } from 'node:async_hooks';

const MARK = /^\[eddy:app=([^\]\s]+)\] /;

/** The application whose job the current code runs for (undefined: the host itself). */
export const appContext = new AsyncLocalStorage<string>();

/** Marks every line `stream` gets while an application's job runs with that application. */
export function markAppOutput(stream: NodeJS.WriteStream): void {
  const write = stream.write;
  stream.write = function (this: NodeJS.WriteStream, chunk: unknown, ...rest: unknown[]) {
    const app = appContext.getStore();
    const text =
      app === undefined
        ? chunk
        : (typeof chunk === 'string' ? chunk : Buffer.from(chunk as Uint8Array).toString('utf8'))
            .split('\n')
            .map((line, i, all) =>
              i === all.length - 1 && line === '' ? '' : `[eddy:app=${app}] ${line}`,
            )
            .join('\n');
    return (write as (this: NodeJS.WriteStream, ...a: unknown[]) => boolean).call(
      this,
      text,
      ...rest,
    );
  } as typeof stream.write;
}

/** The application a marked line belongs to and the line without its mark; undefined if unmarked. */
export function parseAppLine(line: string): { app: string; text: string } | undefined {
  const m = MARK.exec(line);
  return m === null ? undefined : { app: m[1]!, text: line.slice(m[0].length) };
}
