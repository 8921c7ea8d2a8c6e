/**
 * Job wiring: turns a job graph into subtasks (an operator or a source task per parallel instance
 * of each plan node, with its emitters, input gate, metrics and task times) and connects them
 * with channels along the plan's edges — every subtask in this thread, or (with a
 * {@link SlotPlacement}) only one slot's, with cross-thread channels to the others. Both runtimes
 * use it: {@link JobRun} in this thread and each worker of the threaded runtime.
 *
 * @module
 */
import { toBytes } from '../util/memory-size.ts';
import type { EnvironmentOptions } from '../core/environment-options.ts';
import { createRuntimeProperties } from '../core/create-runtime-properties.ts';
import type { MetricsRegistry } from '../metrics/metrics-registry.ts';
import { bindingOf } from '../plan/binding-of.ts';
import type { JobGraph, NodeBinding, PlanEdge, PlanNode } from '../plan/plan.ts';
import { toMillis } from '../util/duration.ts';
import {
  registerBuiltInMetrics,
  registerTimeMetrics,
  registerVertexBackPressureLevel,
} from './built-in-metrics.ts';
import type { ChannelTarget } from './channel.ts';
import { Emitter } from './emitter.ts';
import { fuseChains } from './fusion/chain-fusion.ts';
import { InputGate } from './input-gate.ts';
import { isSetupOf, type OperatorSetup } from './operator-setup.ts';
import type { AbstractStreamOperator } from './operators/abstract-stream-operator.ts';
import { createOperator } from './operators/operator-registry.ts';
import type { SlotPlacement } from './parallel/slot-placement.ts';
import { connectedTargets, createWriter } from './partitioners.ts';
import { SourceTask } from './source-task.ts';
import type { TaskTimes } from './task-times.ts';
import { wallClock } from './wall-clock.ts';

/** One parallel instance of a plan node. */
export interface Subtask {
  readonly node: PlanNode;
  readonly index: number;
  readonly output: Emitter;
  readonly sideOutputs: Map<string, Emitter>;
  readonly operator: AbstractStreamOperator | undefined;
  readonly source: SourceTask | undefined;
  readonly gate: InputGate | undefined;
  /** Busy / idle / backpressured time of the subtask. */
  readonly times: TaskTimes;
}

/** What the subtasks need from the attempt that runs them. */
export interface WiringHost {
  readonly registry: MetricsRegistry;
  /** Restart attempt (0 for the first run). */
  readonly attempt: number;
  /** Aborted when the attempt fails. */
  readonly signal: AbortSignal;
  /** Runs work triggered outside a batch (timers, async results); a throw fails the job. */
  runAction(action: () => void): void;
  /** Registers async work the sources wait for before their next batch (backpressure). */
  addBlocker(p: Promise<void>): void;
  /** Resolves once no blocker is pending; rejects with the job's failure. */
  waitForBlockers(): Promise<void>;
}

/** The settings every subtask of a job shares, read once from the options. */
type SharedSetup = Pick<
  OperatorSetup,
  | 'jobName'
  | 'maxParallelism'
  | 'attempt'
  | 'properties'
  | 'clock'
  | 'batchSize'
  | 'autoWatermarkInterval'
  | 'failOnMalformedInput'
  | 'checkpointing'
  | 'stateBackend'
  | 'stateDir'
  | 'stateMemoryBytes'
  | 'runAction'
  | 'addBlocker'
  | 'signal'
>;

/**
 * Builds the subtasks of `graph` (only `placement`'s slot when given), connects them along the
 * plan's edges and fuses operator chains (unless `operatorChaining` is false). Returns the
 * subtasks by node id.
 */
export function wireJob(
  graph: JobGraph,
  options: EnvironmentOptions,
  host: WiringHost,
  placement?: SlotPlacement,
): Map<number, Subtask[]> {
  const { plan } = graph;
  const shared: SharedSetup = {
    jobName: plan.jobName,
    maxParallelism: plan.maxParallelism,
    attempt: host.attempt,
    properties: createRuntimeProperties(options.properties),
    clock: options.processingTimeService ?? wallClock,
    batchSize: options.batchSize ?? 1024,
    autoWatermarkInterval: toMillis(options.autoWatermarkInterval ?? 200, 'autoWatermarkInterval'),
    failOnMalformedInput: options.failOnMalformedInput ?? false,
    checkpointing: options.checkpointInterval !== undefined,
    stateBackend: options.stateBackend ?? 'heap',
    stateDir: options.stateDir,
    stateMemoryBytes: stateMemoryPerSubtask(plan, options, placement),
    runAction: (action) => host.runAction(action),
    addBlocker: (p) => host.addBlocker(p),
    signal: host.signal,
  };
  const consumedTags = new Map<number, Set<string>>();
  for (const e of plan.edges) {
    if (e.sideOutput === undefined) continue;
    const set = consumedTags.get(e.source) ?? new Set<string>();
    set.add(e.sideOutput);
    consumedTags.set(e.source, set);
  }
  const subtasks = new Map<number, Subtask[]>();
  for (const node of plan.nodes) {
    const binding = bindingOf(graph, node);
    const tags = consumedTags.get(node.id) ?? new Set<string>();
    const list: Subtask[] = [];
    for (let i = 0; i < node.parallelism; i++) {
      if (placement !== undefined && i !== placement.slot) continue;
      list.push(createSubtask(node, binding, i, tags, shared, host));
    }
    subtasks.set(node.id, list);
    // The vertex level; in the parallel runtime the coordinator derives it over all slots.
    if (placement === undefined && list.length > 0) {
      const labels = { job: plan.jobName, operator: node.name, operator_id: String(node.id) };
      registerVertexBackPressureLevel(host.registry, labels, () => {
        let max = 0;
        for (const s of list) max = Math.max(max, s.times.backPressuredPerSecond);
        return max;
      });
    }
  }
  const mainConsumers = wireEdges(graph, subtasks, placement);
  for (const list of subtasks.values()) for (const s of list) s.gate?.seal();
  if (options.operatorChaining !== false) fuseChains(mainConsumers);
  return subtasks;
}

/** Subtask `index` of `node`: an operator behind an input gate, or a source task. */
function createSubtask(
  node: PlanNode,
  binding: NodeBinding,
  index: number,
  consumedTags: ReadonlySet<string>,
  shared: SharedSetup,
  host: WiringHost,
): Subtask {
  const output = new Emitter(shared.batchSize);
  const sideOutputs = new Map<string, Emitter>();
  for (const tag of consumedTags) sideOutputs.set(tag, new Emitter(shared.batchSize));
  const labels = {
    job: shared.jobName,
    operator: node.name,
    operator_id: String(node.id),
    subtask: String(index),
  };
  const setup: OperatorSetup = {
    ...shared,
    node,
    binding,
    subtaskIndex: index,
    parallelism: node.parallelism,
    output,
    sideOutputs,
    metrics: host.registry.group(labels),
  };
  let operator: AbstractStreamOperator | undefined;
  let source: SourceTask | undefined;
  let gate: InputGate | undefined;
  if (isSetupOf(setup, 'source')) {
    const task = new SourceTask(setup, () => host.waitForBlockers());
    source = task;
    host.registry.derivedCounter(
      'dead_letters',
      'malformed records sent to the dead-letter output',
      labels,
      () => task.deadLetters,
    );
  } else {
    operator = createOperator(setup);
    gate = new InputGate(operator);
  }
  registerBuiltInMetrics(host.registry, labels, { output, gate, operator });
  const times = source?.times ?? (gate as InputGate).times;
  times.operatorId = node.id;
  times.subtask = index;
  times.parallelism = node.parallelism;
  times.chain.push(node.name);
  registerTimeMetrics(host.registry, labels, times);
  return { node, index, output, sideOutputs, operator, source, gate, times };
}

/**
 * Connects producers to consumers edge by edge. Channels are numbered the same way in every
 * slot (edge by edge, producer by producer), so cross-thread channels match up. Returns, per
 * producer subtask, the consumer of each channel of its main output (for operator fusion).
 */
function wireEdges(
  graph: JobGraph,
  subtasks: ReadonlyMap<number, readonly Subtask[]>,
  placement: SlotPlacement | undefined,
): Map<Subtask, (Subtask | undefined)[]> {
  const { plan, bindings } = graph;
  const mainConsumers = new Map<Subtask, (Subtask | undefined)[]>();
  const nodeById = new Map(plan.nodes.map((n) => [n.id, n]));
  let channel = 0;
  for (const edge of plan.edges) {
    const producerNode = nodeById.get(edge.source) as PlanNode;
    const consumerNode = nodeById.get(edge.target) as PlanNode;
    const producers = subtasks.get(edge.source) ?? [];
    const consumers = subtasks.get(edge.target) ?? [];
    for (let pi = 0; pi < producerNode.parallelism; pi++) {
      const p = producers.find((s) => s.index === pi);
      const indexes = connectedTargets({
        partitioning: edge.partitioning,
        producerIndex: pi,
        producerParallelism: producerNode.parallelism,
        consumerParallelism: consumerNode.parallelism,
      });
      const targets: ChannelTarget[] = [];
      if (p !== undefined && edge.sideOutput === undefined) {
        const local =
          indexes.length === 1 ? consumers.find((s) => s.index === indexes[0]) : undefined;
        const list = mainConsumers.get(p) ?? [];
        list.push(local);
        mainConsumers.set(p, list);
      }
      for (const j of indexes) {
        const ch = channel++;
        const gate = consumers.find((s) => s.index === j)?.gate;
        if (p !== undefined && gate !== undefined) targets.push(gate.addChannel(edge.input));
        else if (p !== undefined) {
          targets.push((placement as SlotPlacement).outbound(ch, j, producerNode));
        } else if (gate !== undefined) {
          (placement as SlotPlacement).inbound(ch, pi, gate.addChannel(edge.input), gate.times);
        }
      }
      if (p === undefined) continue;
      const emitter = edge.sideOutput === undefined ? p.output : p.sideOutputs.get(edge.sideOutput);
      emitter?.addWriter(
        edgeWriter(
          edge,
          producerNode,
          pi,
          targets,
          consumerNode,
          bindings.get(edge.target),
          plan.maxParallelism,
        ),
      );
    }
  }
  return mainConsumers;
}

/** The channel writer of producer subtask `pi` on `edge` (partitioning over `targets`). */
function edgeWriter(
  edge: PlanEdge,
  producerNode: PlanNode,
  pi: number,
  targets: ChannelTarget[],
  consumerNode: PlanNode,
  consumerBinding: NodeBinding | undefined,
  maxParallelism: number,
): ReturnType<typeof createWriter> {
  return createWriter({
    partitioning: edge.partitioning,
    targets,
    producerIndex: pi,
    producerParallelism: producerNode.parallelism,
    keySelector: consumerBinding?.keySelectors?.[edge.input] as
      ((v: unknown) => unknown) | undefined,
    maxParallelism,
    custom: consumerBinding?.customPartitioners?.[edge.input],
    producer: {
      name: producerNode.name,
      uid: producerNode.uid,
      definedAt: producerNode.definedAt,
      subtask: pi,
    },
    consumer: {
      name: consumerNode.name,
      uid: consumerNode.uid,
      definedAt: consumerNode.definedAt,
    },
    keyBySite: consumerBinding?.keyBySites?.[edge.input],
  });
}

/**
 * The `stateMemory` budget of one keyed subtask: the budget of the process (or slot) shared
 * evenly by the keyed subtasks it runs.
 */
function stateMemoryPerSubtask(
  plan: JobGraph['plan'],
  options: EnvironmentOptions,
  placement: SlotPlacement | undefined,
): number | undefined {
  if (options.stateMemory === undefined) return undefined;
  const total = toBytes(options.stateMemory, 'stateMemory');
  let keyed = 0;
  for (const node of plan.nodes) {
    if (node.keyed) keyed += placement === undefined ? node.parallelism : 1;
  }
  return Math.max(1, Math.floor(total / Math.max(1, keyed)));
}
