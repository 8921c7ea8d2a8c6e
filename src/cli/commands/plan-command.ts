import { formatPlan } from '../../plan/format-plan.ts';
import { loadJob } from '../load-job.ts';
import { usageError } from '../cli-error.ts';
import { formatFlags, parseFlags, type FlagSpec } from '../parse-flags.ts';
import { environmentDefaults } from './run-command.ts';

const planFlags: readonly FlagSpec[] = [
  { name: 'json', type: 'boolean', description: 'print only the JSON plan' },
  {
    name: 'parallelism',
    short: 'p',
    type: 'number',
    placeholder: '<n>',
    description: 'default parallelism to plan with',
  },
  {
    name: 'prop',
    type: 'list',
    placeholder: '<group.key=value>',
    description: 'a runtime property the job reads while building; repeatable',
  },
  { name: 'help', short: 'h', type: 'boolean', description: 'show this help' },
];

export const planHelp = `Usage: eddy plan <job.ts|job.js> [flags]

Builds the job without running it and prints its plan: a readable graph of operators, their
parallelism and partitioning, then the plan as JSON. Invalid jobs fail here, naming the operator.

Flags:
${formatFlags(planFlags)}`;

/** `eddy plan`. */
export async function planCommand(argv: readonly string[]): Promise<number> {
  const { flags, positionals } = parseFlags(argv, planFlags, 'plan');
  if (flags['help'] === true) {
    console.log(planHelp);
    return 0;
  }
  const file = positionals[0];
  if (file === undefined)
    throw usageError('eddy plan needs a job file', 'eddy plan examples/bot-tagging.ts');
  const { plans } = await loadJob(file, 'plan', environmentDefaults(flags));
  for (const plan of plans) {
    if (flags['json'] === true) console.log(JSON.stringify(plan, null, 2));
    else console.log(`${formatPlan(plan)}\n\n${JSON.stringify(plan, null, 2)}`);
  }
  return 0;
}
