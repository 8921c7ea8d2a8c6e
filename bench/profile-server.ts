/**
 * Runs the example's profile service in its own process for `bench/async-io.ts` (so the
 * server's CPU does not count against the engine under test). Prints its URL, then serves until
 * stdin closes or it gets SIGTERM.
 *
 *   node --import tsx bench/profile-server.ts [--latency 5]
 *
 * @module
 */
import { parseArgs } from 'node:util';
import { startProfileService } from '../examples/lib/profile-service.ts';

const { values } = parseArgs({ options: { latency: { type: 'string', default: '5' } } });
const service = await startProfileService({ latencyMs: Number(values.latency) });
process.stdout.write(`${service.url}\n`);
const stop = () => void service.close().then(() => process.exit(0));
process.stdin.on('end', stop);
process.stdin.resume();
process.on('SIGTERM', stop);
