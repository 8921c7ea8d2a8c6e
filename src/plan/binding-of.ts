/**
 * Looks up the binding of a plan node and checks that it belongs to it.
 *
 * @module
 */
import { EddyError } from '../errors/eddy-error.ts';
import type { JobGraph, NodeBinding, PlanNode } from './plan.ts';

/**
 * The binding of `node` in `graph`. Fails (an internal error: the graph was put together wrongly)
 * when there is none or it is of another kind, so every operator can trust its settings' type.
 */
export function bindingOf(graph: JobGraph, node: PlanNode): NodeBinding {
  const binding = graph.bindings.get(node.id);
  if (binding === undefined || binding.kind !== node.kind) {
    throw new EddyError(
      `the ${node.kind} node ${node.id} has ${binding === undefined ? 'no binding' : `a ${binding.kind} binding`}`,
      { code: 'INTERNAL', domain: 'internal', operator: node },
    );
  }
  return binding;
}
