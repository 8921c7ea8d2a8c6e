/**
 * Finds the chains of operators that can be fused ({@link FusedChain}) and installs them.
 *
 * An operator joins the chain of its producer when the producer's main output has exactly one
 * channel, that channel leads to this operator in the same thread, it is this operator's only
 * input channel, and both operators can be fused (they offer a {@link FusionStage}) and have no
 * side outputs that something reads, and the user did not cut the chain there
 * (`startNewChain()`, `disableChaining()`). Across threads nothing is fused: records cross as
 * serialized batches anyway.
 *
 * @module
 */
import type { ChainingStrategy } from '../../plan/plan.ts';
import type { Emitter } from '../emitter.ts';
import type { InputGate } from '../input-gate.ts';
import type { AbstractStreamOperator } from '../operators/abstract-stream-operator.ts';
import type { TaskTimes } from '../task-times.ts';
import { FusedChain, type ChainMember } from './fused-chain.ts';

/** The parts of a subtask fusion looks at. */
export interface FusionCandidate {
  /** The operator's chaining strategy (`startNewChain()`, `disableChaining()`). */
  readonly node: { readonly chaining: ChainingStrategy; readonly name: string };
  /** Where the subtask's time is charged; a fused chain's time goes to its producer or head. */
  readonly times: TaskTimes;
  readonly output: Emitter;
  readonly operator: AbstractStreamOperator | undefined;
  readonly gate: InputGate | undefined;
  readonly sideOutputs: ReadonlyMap<string, Emitter>;
}

/**
 * Fuses every chain found.
 *
 * @param mainConsumers - per producer subtask, the consumer of each channel of its main output
 *   (`undefined` for a channel to another thread or a multi-target edge)
 */
export function fuseChains<S extends FusionCandidate>(
  mainConsumers: ReadonlyMap<S, readonly (S | undefined)[]>,
): void {
  const members = new Map<S, ChainMember | undefined>();
  const member = (s: S): ChainMember | undefined => {
    if (members.has(s)) return members.get(s);
    let m: ChainMember | undefined;
    const fusable = s.node.chaining !== 'never' && s.sideOutputs.size === 0;
    if (fusable && s.gate !== undefined && s.operator !== undefined) {
      const stage = s.operator.fusionStage?.();
      if (stage !== undefined) m = { stage, gate: s.gate };
    }
    members.set(s, m);
    return m;
  };
  // The one-to-one links between fusable operators.
  const next = new Map<S, S>();
  const linked = new Set<S>();
  // The producer of each subtask that is the only consumer of a producer's main output.
  const producers = new Map<S, S>();
  for (const [producer, consumers] of mainConsumers) {
    const c = consumers.length === 1 ? consumers[0] : undefined;
    if (c === undefined || c.gate?.channelCount !== 1) continue;
    producers.set(c, producer);
    // A chain head (startNewChain) is never fused with the operator before it.
    if (c.node.chaining !== 'always') continue;
    if (member(producer) === undefined || member(c) === undefined) continue;
    next.set(producer, c);
    linked.add(c);
  }
  const heads = new Set<S>();
  for (const s of mainConsumers.keys()) if (!linked.has(s)) heads.add(s);
  for (const head of heads) {
    const first = member(head);
    if (first === undefined) continue;
    const chain: ChainMember[] = [first];
    const fusedNames: string[] = [];
    for (let s = next.get(head); s !== undefined; s = next.get(s)) {
      chain.push(member(s) as ChainMember);
      fusedNames.push(s.node.name);
    }
    const fused = new FusedChain(chain);
    first.gate.useOperator(fused);
    // A producer in this thread whose main output has this chain as its only consumer pushes
    // its records straight in (the gate then only sees watermarks, barriers and the end).
    // Not across a chain boundary the user asked for, on either side.
    if (first.gate.channelCount === 1 && head.node.chaining === 'always') {
      const producer = producers.get(head);
      if (producer !== undefined && producer.node.chaining !== 'never') {
        fused.attachProducer(producer.output);
        // The chain now runs inside the producer's calls: name it with the producer's task.
        producer.times.chain.push(head.node.name, ...fusedNames);
        continue;
      }
    }
    head.times.chain.push(...fusedNames);
  }
}
