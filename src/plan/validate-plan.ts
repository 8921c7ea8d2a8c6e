import { userError } from '../errors/eddy-error.ts';
import type { Plan, PlanNode } from './plan.ts';

const ref = (n: PlanNode) => ({ name: n.name, uid: n.uid, definedAt: n.definedAt });

/**
 * Checks what can be checked before running: unique uids, side outputs that can exist, edges
 * between known operators. Throws an EddyError naming the operator and what to change.
 */
export function validatePlan(plan: Plan): void {
  const byId = new Map(plan.nodes.map((n) => [n.id, n]));
  const uids = new Map<string, PlanNode>();
  for (const n of plan.nodes) {
    if (n.uid === undefined) continue;
    const other = uids.get(n.uid);
    if (other !== undefined) {
      throw userError(
        'DUPLICATE_UID',
        `uid "${n.uid}" is also used by operator "${other.name}"${other.definedAt ? ` (${other.definedAt})` : ''}`,
        {
          operator: ref(n),
          hint: 'uids identify state in savepoints and must be unique; give each operator its own',
        },
      );
    }
    uids.set(n.uid, n);
  }
  for (const e of plan.edges) {
    const source = byId.get(e.source);
    const target = byId.get(e.target);
    if (source === undefined || target === undefined) {
      throw userError('INVALID_JOB', `edge ${e.source} -> ${e.target} names an unknown operator`);
    }
    if (
      e.sideOutput !== undefined &&
      !source.sideOutputs.includes('*') &&
      !source.sideOutputs.includes(e.sideOutput)
    ) {
      const emits =
        source.sideOutputs.length > 0
          ? `it emits only ${source.sideOutputs.map((s) => `"${s}"`).join(', ')}`
          : 'it emits no side outputs';
      throw userError(
        'UNKNOWN_SIDE_OUTPUT',
        `side output "${e.sideOutput}" is read from this operator, but ${emits}`,
        {
          operator: ref(source),
          hint: 'read the side output from the operator whose function calls ctx.output(tag, value)',
        },
      );
    }
  }
}
