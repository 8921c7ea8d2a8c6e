/**
 * The Nexmark job file that `eddy bench nexmark` runs (and that worker threads re-import):
 *
 *   eddy run bench/nexmark/eddy/nexmark-job.ts -p 2 --prop nexmark.query=q5 --prop nexmark.events=1000000
 *
 * Properties: `nexmark.query` (q0…), `nexmark.events`, `nexmark.rate`, `nexmark.seed`, and
 * `nexmark.output` (a directory: canonical lines per subtask; otherwise a blackhole sink).
 *
 * It default-exports the builder (rather than building at top level) so that one process can run
 * it twice: `eddy bench nexmark --warmup N` runs N events first, then the measured run.
 */
import type { StreamEnvironment } from '../../../src/index.ts';
import { BlackholeSink } from '../../../src/connectors/blackhole/blackhole-sink.ts';
import type { CanonicalRecord } from '../canonical.ts';
import { createConfig } from '../generator/generator-config.ts';
import { CanonicalFileSink } from './canonical-file-sink.ts';
import { eddyQueries } from './index.ts';
import { NexmarkSource, nexmarkWatermarks } from './nexmark-source.ts';

/** Builds the query named by the properties on `env` and starts it. */
export default function nexmarkJob(env: StreamEnvironment): void {
  const props = env.properties;
  const query = props.get('nexmark.query', 'q0');
  const build = eddyQueries[query];
  if (build === undefined) {
    throw new Error(`nexmark.query must be one of ${Object.keys(eddyQueries).join(', ')}`);
  }
  const config = createConfig({
    events: Number(props.get('nexmark.events', '1000000')),
    eventsPerSecond: Number(props.get('nexmark.rate', '10000')),
    seed: Number(props.get('nexmark.seed', '0')),
  });
  const events = env.fromSource(new NexmarkSource(config), nexmarkWatermarks(), 'Nexmark');
  const output = props.get('nexmark.output');
  build(events)
    .sinkTo(
      output === undefined ? new BlackholeSink<CanonicalRecord>() : new CanonicalFileSink(output),
    )
    .name('sink');
  env.executeAsync(`nexmark-${query}`);
}
