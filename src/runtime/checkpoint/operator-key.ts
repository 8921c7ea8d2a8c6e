/**
 * How state in a checkpoint is matched to operators of the job being restored: by the operator's
 * `uid` when the user set one, else by a key generated from the node's position, kind and name.
 * The generated key survives restarts of the same job but not edits that add, remove or reorder
 * operators, which is why savepoints warn about operators without a uid.
 *
 * @module
 */
import type { Plan, PlanNode } from '../../plan/plan.ts';
import { sha256 } from './checkpoint-metadata.ts';

/** The key of a node's state in checkpoints. */
export function operatorKey(node: PlanNode, plan: Plan): string {
  if (node.uid !== undefined) return `uid:${node.uid}`;
  const position = plan.nodes.indexOf(node);
  return `auto:${position}:${node.kind}:${node.name}`;
}

/** A fingerprint of the plan's topology (operators and edges, not settings). */
export function planFingerprint(plan: Plan): string {
  return sha256(
    JSON.stringify({
      nodes: plan.nodes.map((n) => [n.id, n.kind, n.name, n.uid ?? null, n.keyed, n.inputs]),
      edges: plan.edges.map((e) => [e.source, e.target, e.input, e.sideOutput ?? null]),
    }),
  );
}
