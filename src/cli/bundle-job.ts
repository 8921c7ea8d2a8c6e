/**
 * Bundles a job file and its npm dependencies into one ESM module with esbuild, for an artifact.
 * Eddy itself stays an import (`eddy`, `eddy/*`): the runtime that runs the artifact provides it,
 * with its native modules (ADR 0010).
 *
 * @module
 */
import { basename, dirname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Message } from 'esbuild';
import { EddyError } from '../errors/eddy-error.ts';

/** The bundled job. */
export interface BundledJob {
  /** The ESM module. */
  readonly code: Uint8Array;
  /** Its source map (sources relative to the job file's directory). */
  readonly sourceMap: Uint8Array;
  /** esbuild's warnings, formatted. */
  readonly warnings: readonly string[];
}

/** Eddy's own installation root (this file is `<root>/{src,dist}/cli/bundle-job.*`). */
const EDDY_ROOT = fileURLToPath(new URL('../../', import.meta.url));

// ESM output has no `require`; CommonJS dependencies that require Node built-ins need one.
const BANNER =
  "import { createRequire as __eddyCreateRequire } from 'node:module';\n" +
  'const require = __eddyCreateRequire(import.meta.url);';

/** Bundles `jobFile` (absolute path) as `entryName` (e.g. `job.mjs`). */
export async function bundleJob(jobFile: string, entryName: string): Promise<BundledJob> {
  const { build } = await import('esbuild');
  const outfile = join(dirname(jobFile), entryName);
  let result;
  try {
    result = await build({
      entryPoints: [jobFile],
      outfile,
      bundle: true,
      write: false,
      format: 'esm',
      platform: 'node',
      target: 'node20.19',
      sourcemap: 'external',
      external: ['eddy', 'eddy/*'],
      banner: { js: BANNER },
      metafile: true,
      logLevel: 'silent',
    });
  } catch (e) {
    throw bundleError(jobFile, e);
  }
  const eddyDirs = [join(EDDY_ROOT, 'src') + sep, join(EDDY_ROOT, 'dist') + sep];
  const eddyFiles = Object.keys(result.metafile.inputs).filter((input) => {
    const abs = join(process.cwd(), input); // metafile paths are relative to the working directory
    return eddyDirs.some((d) => abs.startsWith(d));
  });
  if (eddyFiles.length > 0) {
    throw new EddyError(
      `${basename(jobFile)} imports Eddy's own files by path (${eddyFiles.slice(0, 3).join(', ')})`,
      {
        code: 'JOB_BUILD_FAILED',
        domain: 'user',
        hint: "import from 'eddy' (or 'eddy/testing', 'eddy/kafka'): an artifact runs on the Eddy that runs it",
      },
    );
  }
  const code = result.outputFiles.find((f) => f.path === outfile);
  const map = result.outputFiles.find((f) => f.path === `${outfile}.map`);
  if (code === undefined || map === undefined) {
    throw new EddyError(`esbuild produced no ${entryName} for ${jobFile}`, {
      code: 'INTERNAL',
      domain: 'internal',
    });
  }
  return {
    code: code.contents,
    sourceMap: map.contents,
    warnings: result.warnings.map((w) => formatMessage(w)),
  };
}

function bundleError(jobFile: string, e: unknown): EddyError {
  const errors = (e as { errors?: Message[] }).errors ?? [];
  const native = errors.find((m) => /\.node"? files|\.node$/.test(m.text));
  if (native !== undefined) {
    return new EddyError(`cannot bundle a native module: ${formatMessage(native)}`, {
      code: 'JOB_BUILD_FAILED',
      domain: 'user',
      hint: 'an artifact carries JavaScript only; native modules must come from the runtime (Eddy provides LMDB)',
    });
  }
  const shown = errors.slice(0, 5).map((m) => formatMessage(m));
  return new EddyError(
    `cannot bundle ${relative(process.cwd(), jobFile)}:\n${shown.join('\n') || String(e)}`,
    {
      code: 'JOB_BUILD_FAILED',
      domain: 'user',
      hint: 'fix the error above; eddy package bundles the job and its npm dependencies with esbuild',
    },
  );
}

/** `file:line:column: text` and the source line, without esbuild's stack. */
function formatMessage(m: Message): string {
  const at = m.location;
  if (at === null) return m.text;
  return `  ${at.file}:${at.line}:${at.column + 1}: ${m.text}\n    ${at.lineText}`;
}
