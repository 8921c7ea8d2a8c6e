/**
 * docs/guides/your-own-project.md, run as written in a fresh directory outside the repository:
 * every file it says to save is saved, every `sh` command runs (in order, and must succeed), and a
 * `text` block after a command is that command's output. The one change: `npm install eddy`
 * installs the packed tarball of this checkout, not the registry's `eddy`.
 *
 * Run: node scripts/run-tests.mjs your-own-project
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, test } from 'node:test';
import {
  describeResult,
  discardPackedEddy,
  packEddy,
  repositoryRoot,
  ScratchProject,
  type CommandResult,
} from '../support/scratch-project.ts';

type Step =
  | { readonly kind: 'file'; readonly path: string; readonly text: string }
  | { readonly kind: 'command'; readonly line: string }
  | { readonly kind: 'output'; readonly text: string };

/** The guide's steps: saved files, shell commands, expected outputs. */
function steps(markdown: string): Step[] {
  const out: Step[] = [];
  const block = /^```(\w+)\n([\s\S]*?)^```$/gm;
  let last = 0;
  for (const m of markdown.matchAll(block)) {
    const before = markdown.slice(last, m.index);
    last = (m.index ?? 0) + m[0].length;
    const lang = m[1] as string;
    const body = m[2] as string;
    const save = /Save this as `([^`]+)`:\s*$/.exec(before);
    if (save !== null) out.push({ kind: 'file', path: save[1] as string, text: body });
    else if (lang === 'sh') {
      for (const line of body.split('\n')) {
        if (line.trim() !== '' && !line.trim().startsWith('#')) out.push({ kind: 'command', line });
      }
    } else if (lang === 'text') out.push({ kind: 'output', text: body });
  }
  return out;
}

const project = new ScratchProject();
after(() => {
  project.remove();
  discardPackedEddy();
});

test('docs/guides/your-own-project.md runs as written', { timeout: 15 * 60_000 }, async () => {
  const guide = readFileSync(join(repositoryRoot, 'docs/guides/your-own-project.md'), 'utf8');
  const all = steps(guide);
  assert.ok(all.filter((s) => s.kind === 'command').length >= 8, 'the guide has its commands');
  const tarball = await packEddy();
  let cwd = '.';
  let previous: { line: string; result: CommandResult } | undefined;
  for (const step of all) {
    if (step.kind === 'file') {
      project.write(join(cwd, step.path), step.text);
      continue;
    }
    if (step.kind === 'output') {
      assert.ok(previous !== undefined, 'an output block follows a command');
      assert.equal(
        previous.result.stdout.trim(),
        step.text.trim(),
        describeResult(previous.line, previous.result),
      );
      continue;
    }
    // `mkdir x && cd x` starts the project: run the rest of the guide inside x.
    const line = step.line.replace(/^npm install eddy$/, `npm install ${tarball}`);
    // An install may build better-sqlite3 from source (no prebuilt binary is reachable here),
    // which takes minutes on a loaded 2-core machine.
    const result = await project.run('sh', ['-c', `cd ${JSON.stringify(cwd)} && ${line}`], {
      timeoutMs: line.startsWith('npm install') ? 12 * 60_000 : 5 * 60_000,
    });
    assert.equal(result.code, 0, describeResult(line, result));
    assert.doesNotMatch(result.stderr, /EBADENGINE/, line);
    const cd = /&& cd (\S+)$/.exec(line);
    if (cd !== null) cwd = join(cwd, cd[1] as string);
    previous = { line, result };
  }
});
