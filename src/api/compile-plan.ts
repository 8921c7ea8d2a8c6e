import { keyBySites } from './key-by-sites.ts';
import { userError } from '../errors/eddy-error.ts';
import type { JobGraph, NodeBinding, Plan, PlanEdge, PlanNode } from '../plan/plan.ts';
import { validatePlan } from '../plan/validate-plan.ts';
import type { Transformation } from './transformation.ts';

/** Job-wide settings that compiling needs. */
export interface CompileOptions {
  readonly jobName: string;
  readonly parallelism: number;
  readonly maxParallelism: number;
}

/**
 * Freezes the transformations of a job into a validated {@link JobGraph}. Operators that lead to
 * no sink are left out (as Flink does); a job with no sink at all is an error.
 */
export function compilePlan(
  transformations: readonly Transformation[],
  options: CompileOptions,
): JobGraph {
  const byId = new Map(transformations.map((t) => [t.id, t]));
  const sinks = transformations.filter((t) => t.kind === 'sink');
  if (sinks.length === 0) {
    throw userError(
      'NO_SINK',
      `job "${options.jobName}" has no sink, so it would compute nothing`,
      {
        hint: 'end each stream with .sinkTo(sink), .print() or .addSink(fn), or use executeAndCollect()',
      },
    );
  }
  // Keep what feeds a sink.
  const reachable = new Set<number>();
  const stack = sinks.map((s) => s.id);
  while (stack.length > 0) {
    const id = stack.pop() as number;
    if (reachable.has(id)) continue;
    reachable.add(id);
    for (const input of byId.get(id)?.inputs ?? []) for (const p of input.ports) stack.push(p.node);
  }
  const kept = transformations.filter((t) => reachable.has(t.id));

  const parallelismOf = new Map<number, number>();
  const nodes: PlanNode[] = [];
  const bindings = new Map<number, NodeBinding>();
  for (const t of kept) {
    const limit = Math.min(t.maxParallelism ?? Number.POSITIVE_INFINITY, options.maxParallelism);
    const p = t.parallelism ?? Math.min(options.parallelism, limit);
    if (!Number.isInteger(p) || p < 1 || p > limit) {
      throw userError('INVALID_JOB', `parallelism ${p} is not allowed here (1 to ${limit})`, {
        operator: { name: t.name, uid: t.uid, definedAt: t.definedAt },
        hint:
          t.maxParallelism === 1
            ? 'this operator is not parallel; remove setParallelism() or use a parallel source'
            : `use a parallelism between 1 and ${limit} (maxParallelism)`,
      });
    }
    parallelismOf.set(t.id, p);
    // kind and config (and kind and settings below) come from one transformation, whose type pairs
    // them; spread apart, TypeScript no longer sees which member of the union they form.
    nodes.push(
      Object.freeze({
        id: t.id,
        kind: t.kind,
        name: t.name,
        uid: t.uid,
        parallelism: p,
        keyed: t.keyed,
        inputs: t.inputs.length,
        sideOutputs: Object.freeze([...t.sideOutputs]),
        definedAt: t.definedAt,
        config: Object.freeze({ ...t.config }),
        chaining: t.chaining ?? 'always',
      }) as PlanNode,
    );
    const binding = {
      kind: t.kind,
      settings: t.settings,
      ...(t.inputs.some((i) => i.keySelector !== undefined)
        ? {
            keySelectors: Object.freeze(t.inputs.map((i) => i.keySelector)),
            keyBySites: Object.freeze(
              t.inputs.map((i) =>
                i.keySelector === undefined ? undefined : keyBySites.get(i.keySelector),
              ),
            ),
          }
        : {}),
      ...(t.inputs.some((i) => i.custom !== undefined)
        ? { customPartitioners: Object.freeze(t.inputs.map((i) => i.custom)) }
        : {}),
    } as NodeBinding;
    bindings.set(t.id, Object.freeze(binding));
  }

  const edges: PlanEdge[] = [];
  for (const t of kept) {
    t.inputs.forEach((input, index) => {
      for (const port of input.ports) {
        const sp = parallelismOf.get(port.node) ?? 1;
        const tp = parallelismOf.get(t.id) ?? 1;
        const partitioning = input.partitioning ?? (sp === tp ? 'forward' : 'rebalance');
        if (partitioning === 'forward' && sp !== tp) {
          const src = byId.get(port.node);
          throw userError(
            'INVALID_JOB',
            `forward() needs equal parallelism, but ${src?.name ?? '?'} has ${sp} and this operator ${tp}`,
            {
              operator: { name: t.name, uid: t.uid, definedAt: t.definedAt },
              hint: 'use rebalance() or rescale(), or give both operators the same parallelism',
            },
          );
        }
        edges.push(
          Object.freeze({
            source: port.node,
            target: t.id,
            input: index,
            partitioning,
            sideOutput: port.tag,
          }),
        );
      }
    });
  }

  const plan: Plan = Object.freeze({
    jobName: options.jobName,
    parallelism: options.parallelism,
    maxParallelism: options.maxParallelism,
    nodes: Object.freeze(nodes),
    edges: Object.freeze(edges),
  });
  validatePlan(plan);
  return Object.freeze({ plan, bindings });
}
