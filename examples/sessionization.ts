/**
 * Sessionize user interactions: out-of-order events → keyBy user → 30-minute event-time session
 * windows → one summary per session; late interactions printed separately.
 *
 * Run it: `node bin/eddy.js run examples/sessionization.ts`
 */
import { StreamEnvironment } from 'eddy';
import { sampleInteractions, sessionize } from './lib/sessionize.ts';

const env = StreamEnvironment.create({ jobName: 'sessionization' });
const { sessions, late } = sessionize(env, sampleInteractions());
sessions
  .map((s) => ({
    ...s,
    start: new Date(s.start).toISOString(),
    end: new Date(s.end).toISOString(),
  }))
  .print('session');
late.print('late');
await env.execute('sessionization');
