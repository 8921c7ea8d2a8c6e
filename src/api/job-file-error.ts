/**
 * The errors a new user meets first when a job file fails to load, said plainly: a job file that
 * Node.js loads as CommonJS but that uses `import` or top-level `await` (npm ≥ 10 writes
 * `"type": "commonjs"` into a new package.json), and syntax errors — reported as the location and
 * the line, without the stack of the loader (tsx, esbuild, Node's) that found them.
 *
 * @module
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { basename, dirname, extname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { EddyError } from '../errors/eddy-error.ts';

/** Node.js's errors for ES module syntax in a file it loads as CommonJS. */
const COMMONJS_CODES = new Set([
  'ERR_REQUIRE_CYCLE_MODULE',
  'ERR_REQUIRE_ASYNC_MODULE',
  'ERR_REQUIRE_ESM',
]);
const COMMONJS_MESSAGES = [
  /Top-level await is currently not supported with the "?cjs"? output format/,
  /Cannot use import statement outside a module/,
  /await is only valid in async functions and the top level bodies of modules/,
  /Unexpected token 'export'/,
];

/** How Node.js starts a syntax error's report: `<file>:<line>`, the line, a caret under the column. */
const NODE_SYNTAX_HEAD = /^(.+):(\d+)\n(.*)\n( *)\^/;

/** A syntax error's place, with a 1-based line and column. */
interface SyntaxLocation {
  readonly file: string;
  readonly line: number;
  readonly column: number;
  readonly lineText: string | undefined;
  /** The parser's message, when it gave one. */
  readonly text: string | undefined;
}

/**
 * The error to report when importing the job file at `jobUrl` threw `error` (before or while its
 * top-level code built the job): an {@link EddyError} as it is; the CommonJS and syntax-error
 * cases above as `JOB_BUILD_FAILED` errors that name the fix; anything else as
 * `JOB_BUILD_FAILED` with the original as its cause.
 */
export function jobFileError(error: unknown, jobUrl: string): EddyError {
  if (error instanceof EddyError) return error;
  const jobFile = jobUrl.startsWith('file:') ? fileURLToPath(jobUrl) : undefined;
  if (jobFile !== undefined) {
    const commonJs = commonJsError(error, jobFile);
    if (commonJs !== undefined) return commonJs;
  }
  const syntax =
    syntaxLocation(error) ?? (jobFile !== undefined ? checkedSyntax(error, jobFile) : undefined);
  if (syntax !== undefined) {
    // No cause: its stack would show the loader's internals, not the user's code.
    return new EddyError(`syntax error at ${formatLocation(syntax)}`, {
      code: 'JOB_BUILD_FAILED',
      domain: 'user',
    });
  }
  return new EddyError(
    `the job file threw while building the job: ${error instanceof Error ? error.message : String(error)}`,
    {
      code: 'JOB_BUILD_FAILED',
      domain: 'user',
      cause: error,
      hint: 'fix the error above (its stack points into the job file)',
    },
  );
}

function commonJsError(error: unknown, jobFile: string): EddyError | undefined {
  if (!(error instanceof Error)) return undefined;
  const code = (error as { code?: unknown }).code;
  const matches =
    (typeof code === 'string' && COMMONJS_CODES.has(code)) ||
    COMMONJS_MESSAGES.some((m) => m.test(error.message));
  if (!matches) return undefined;
  const format = moduleFormat(jobFile);
  if (format.esm) return undefined;
  const name = basename(jobFile);
  const ext = extname(jobFile);
  const moduleExt = ext === '.ts' || ext === '.tsx' || ext === '.cts' ? '.mts' : '.mjs';
  const renamed = `${basename(jobFile, ext)}${moduleExt}`;
  const fix =
    format.packageJson !== undefined && !ext.startsWith('.c')
      ? `add "type": "module" to ${shortPath(format.packageJson)} (npm pkg set type=module), or rename ${name} to ${renamed}`
      : `rename ${name} to ${renamed}`;
  return new EddyError(
    `${name} uses import or top-level await, but Node.js loads it as CommonJS (${format.why})`,
    { code: 'JOB_BUILD_FAILED', domain: 'user', hint: `${fix}; Eddy job files are ES modules` },
  );
}

/** Whether Node.js loads `file` as an ES module, and why (the rules of `"type"` and extensions). */
function moduleFormat(file: string): {
  readonly esm: boolean;
  readonly why: string;
  readonly packageJson?: string;
} {
  const ext = extname(file);
  if (ext === '.mjs' || ext === '.mts') return { esm: true, why: `a ${ext} file` };
  if (ext === '.cjs' || ext === '.cts') return { esm: false, why: `a ${ext} file` };
  for (let dir = dirname(file); ; dir = dirname(dir)) {
    const packageJson = join(dir, 'package.json');
    if (existsSync(packageJson)) {
      let type: unknown;
      try {
        type = (JSON.parse(readFileSync(packageJson, 'utf8')) as { type?: unknown }).type;
      } catch {
        type = undefined;
      }
      if (type === 'module') return { esm: true, why: `"type": "module"`, packageJson };
      const why =
        type === undefined
          ? `${shortPath(packageJson)} has no "type" field`
          : `${shortPath(packageJson)} has "type": ${JSON.stringify(type)}`;
      return { esm: false, why, packageJson };
    }
    if (dirname(dir) === dir) return { esm: false, why: 'no package.json says "type": "module"' };
  }
}

/** Where a syntax error is, from esbuild's, tsx's or Node's error; undefined for other errors. */
function syntaxLocation(error: unknown): SyntaxLocation | undefined {
  if (!(error instanceof Error)) return undefined;
  // esbuild (tsx's TypeScript transform): structured messages, 0-based columns.
  const messages = (error as { errors?: unknown }).errors;
  if (Array.isArray(messages) && messages.length > 0) {
    const first = messages[0] as {
      text?: unknown;
      location?: { file?: unknown; line?: unknown; column?: unknown; lineText?: unknown } | null;
    };
    const at = first.location;
    if (
      typeof first.text === 'string' &&
      at != null &&
      typeof at.file === 'string' &&
      typeof at.line === 'number' &&
      typeof at.column === 'number'
    ) {
      return {
        file: at.file,
        line: at.line,
        column: at.column + 1,
        lineText: typeof at.lineText === 'string' ? at.lineText : undefined,
        text: first.text,
      };
    }
  }
  // esbuild's error after crossing the module-hooks thread: only its message survives, with the
  // first error as "<file>:<line>:<column>: ERROR: <text>" (0-based column).
  const transform = /^Transform failed with \d+ errors?:\n(.+):(\d+):(\d+): ERROR: (.*)$/m.exec(
    error.message,
  );
  if (transform !== null) {
    const file = transform[1] as string;
    const line = Number(transform[2]);
    return {
      file,
      line,
      column: Number(transform[3]) + 1,
      lineText: sourceLine(file, line),
      text: transform[4],
    };
  }
  // tsx's import lexer: "Parse error <file>:<line>:<column>", 1-based.
  const parse = /^Parse error (.+):(\d+):(\d+)$/.exec(error.message);
  if (parse !== null) {
    const file = parse[1] as string;
    const line = Number(parse[2]);
    return {
      file,
      line,
      column: Number(parse[3]),
      lineText: sourceLine(file, line),
      text: undefined,
    };
  }
  // Node.js: a SyntaxError whose stack starts "<file>:<line>\n<source line>\n<caret>".
  if (error instanceof SyntaxError) {
    const head = NODE_SYNTAX_HEAD.exec(error.stack ?? '');
    if (head !== null) {
      const raw = head[1] as string;
      const file = raw.startsWith('file:') ? fileURLToPath(raw) : raw;
      return {
        file,
        line: Number(head[2]),
        column: (head[4] as string).length + 1,
        lineText: head[3],
        text: error.message,
      };
    }
  }
  return undefined;
}

/**
 * Node.js keeps the place of a syntax error in an ES module it imports to itself (it prints it
 * only for an uncaught error): for a JavaScript job file, `node --check` finds it again. Only on
 * this error path, so the extra process costs nothing when jobs load.
 */
function checkedSyntax(error: unknown, jobFile: string): SyntaxLocation | undefined {
  if (!(error instanceof SyntaxError) || !/\.[cm]?js$/.test(jobFile)) return undefined;
  const check = spawnSync(process.execPath, ['--check', jobFile], {
    encoding: 'utf8',
    timeout: 30_000,
  });
  if (check.status === 0 || typeof check.stderr !== 'string') return undefined;
  const head = NODE_SYNTAX_HEAD.exec(check.stderr);
  const message = /^SyntaxError: (.*)$/m.exec(check.stderr);
  if (head === null) return undefined;
  return {
    file: jobFile,
    line: Number(head[2]),
    column: (head[4] as string).length + 1,
    lineText: head[3],
    text: message?.[1] ?? error.message,
  };
}

function sourceLine(file: string, line: number): string | undefined {
  try {
    return readFileSync(file, 'utf8').split(/\r?\n/)[line - 1];
  } catch {
    return undefined;
  }
}

/** `file:line:column: text`, then the line with a caret under the column. */
function formatLocation(at: SyntaxLocation): string {
  const where = `${shortPath(at.file)}:${at.line}:${at.column}`;
  const head = at.text === undefined ? where : `${where}: ${at.text}`;
  if (at.lineText === undefined) return head;
  const gutter = `  ${at.line} | `;
  const caret = `${' '.repeat(gutter.length - 2)}| ${' '.repeat(Math.max(0, at.column - 1))}^`;
  return `${head}\n${gutter}${at.lineText}\n${caret}`;
}

function shortPath(file: string): string {
  const rel = relative(process.cwd(), file);
  return rel.startsWith('..') ? file : rel;
}
