import type { Plan } from './plan.ts';

/**
 * Renders a plan as a readable graph, one operator per line with its inputs.
 *
 * @example
 * ```text
 * job "bot-tagging" (parallelism 1, maxParallelism 128)
 *   [1] source "events" p=1
 *   [2] keyed-process "tag-bots" p=1 keyed  <- [1] hash
 *   [3] sink "print" p=1                     <- [2] forward
 * ```
 */
export function formatPlan(plan: Plan): string {
  const lines = [
    `job "${plan.jobName}" (parallelism ${plan.parallelism}, maxParallelism ${plan.maxParallelism})`,
  ];
  for (const n of plan.nodes) {
    const inputs = plan.edges
      .filter((e) => e.target === n.id)
      .map(
        (e) =>
          `[${e.source}]${e.sideOutput !== undefined ? `#${e.sideOutput}` : ''} ${e.partitioning}${n.inputs > 1 ? ` (input ${e.input + 1})` : ''}`,
      );
    const uid = n.uid !== undefined ? ` uid=${n.uid}` : '';
    const chain =
      n.chaining === 'head' ? ' new-chain' : n.chaining === 'never' ? ' no-chaining' : '';
    const head = `  [${n.id}] ${n.kind} "${n.name}" p=${n.parallelism}${n.keyed ? ' keyed' : ''}${uid}${chain}`;
    lines.push(inputs.length > 0 ? `${head.padEnd(56)} <- ${inputs.join(', ')}` : head);
  }
  return lines.join('\n');
}
