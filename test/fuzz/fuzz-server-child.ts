/**
 * The `eddy server` of the REST fuzz target, in a process of its own so that its heap and RSS
 * are its own (sampled after a GC, to tell a leak from garbage) and it runs beside the fuzzer on
 * the other core. Started by `restApiTarget` with `fork`; options come as JSON in argv[2].
 * Messages: `'memory'` answers `{ memory }` (after a full GC), `'close'` stops the server and exits.
 *
 * @module
 */
import { startServer, type ServerOptions } from '../../src/server/start-server.ts';

const options = JSON.parse(process.argv[2] ?? '{}') as ServerOptions;
const server = await startServer(options);
const send = (m: unknown): void => {
  process.send?.(m);
};
process.on('message', (m: unknown) => {
  if (m === 'memory') {
    (globalThis as { gc?: () => void }).gc?.();
    send({ memory: process.memoryUsage() });
  } else if (m === 'close') {
    void server.close().finally(() => process.exit(0));
  }
});
// The fuzzer going away (killed, crashed) must not leave the server behind.
process.on('disconnect', () => {
  void server.close().finally(() => process.exit(0));
});
send({ url: server.url });
