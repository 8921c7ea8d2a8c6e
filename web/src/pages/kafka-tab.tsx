/** Kafka sources: consumer lag per partition and offset commits to the consumer group. */
import { num } from '../format.ts';
import type { JobView } from '../types.ts';

/** The Kafka tab. */
export function KafkaTab({ job }: { name: string; job: JobView | undefined }) {
  if (job === undefined) return <p class="loading">Loading…</p>;
  const k = job.kafka;
  const names = new Map(job.vertices.map((v) => [v.id, v.name]));
  if (k.partitions.length === 0) return <p class="muted">The job reads no Kafka partition.</p>;
  return (
    <section aria-label="kafka">
      <p>
        Total lag <strong data-testid="kafka-total-lag">{num(k.totalLag)}</strong> records · offset
        commits: <strong>{num(k.commitsSucceeded)}</strong> succeeded,{' '}
        <strong class={k.commitsFailed > 0 ? 'error-text' : undefined}>
          {num(k.commitsFailed)}
        </strong>{' '}
        failed
      </p>
      <table class="grid" aria-label="kafka partitions">
        <thead>
          <tr>
            <th>Topic</th>
            <th class="n">Partition</th>
            <th>Source</th>
            <th class="n">Subtask</th>
            <th class="n">Lag</th>
          </tr>
        </thead>
        <tbody>
          {k.partitions.map((p) => (
            <tr key={`${p.topic}-${p.partition}-${p.vertex}`}>
              <td>{p.topic}</td>
              <td class="n">{p.partition}</td>
              <td>{names.get(p.vertex) ?? p.vertex}</td>
              <td class="n">{p.subtask}</td>
              <td class="n">{num(p.lag)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
