/**
 * Extracts a checked application artifact into a directory, from which its entry module can be
 * imported like a job file. Everything is checked before the first write, and every write lands
 * under the target directory.
 *
 * @module
 */
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { dirname, join, resolve, sep } from 'node:path';
import { EddyError } from '../errors/eddy-error.ts';
import type { ArtifactManifest } from './artifact-manifest.ts';
import type { ArtifactLimits } from './artifact-limits.ts';
import { readArtifactContents } from './read-artifact.ts';
import { RUNTIME_ENTRY_POINTS, runtimeModuleUrl } from './runtime-entry-points.ts';

/** Written last: its presence says the directory holds this artifact, completely extracted. */
const MARKER = '.eddy-artifact.json';

/** What {@link extractArtifact} returns. */
export interface ExtractedArtifact {
  /** The artifact's manifest. */
  readonly manifest: ArtifactManifest;
  /** SHA-256 of the artifact file. */
  readonly sha256: string;
  /** Absolute path of the entry module; `import()` it (or `eddy run` it) to run the job. */
  readonly entryPath: string;
}

/**
 * Checks the artifact `bytes` (as `readArtifact` does), then writes its members under `dir` and
 * links the running Eddy as the `eddy` package the job imports. `dir` must be absent or empty;
 * a directory already holding the same artifact is reused as it is.
 *
 * @throws EddyError `INVALID_ARTIFACT` when the artifact fails a check (nothing is written), or
 *   `INVALID_ARGUMENT` when `dir` holds other files.
 */
export async function extractArtifact(
  bytes: Uint8Array,
  dir: string,
  limits?: Partial<ArtifactLimits>,
): Promise<ExtractedArtifact> {
  const { manifest, sha256, members } = readArtifactContents(bytes, limits);
  const root = resolve(dir);
  const result = { manifest, sha256, entryPath: join(root, manifest.entry) };
  const existing: string[] = await readdir(root).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return [];
    throw e;
  });
  if (existing.length > 0) {
    if (existing.includes(MARKER) && (await extractedSha256(root)) === sha256) return result;
    throw new EddyError(`cannot extract an artifact into ${root}: the directory is not empty`, {
      code: 'INVALID_ARGUMENT',
      domain: 'user',
      hint: 'extract into a new or empty directory',
    });
  }
  await mkdir(root, { recursive: true });
  // The directory was empty, so it holds no links a member could be written through; the
  // resolved path is checked anyway, as the last line against a path check missing a case.
  for (const [path, data] of members) {
    const target = resolve(root, path);
    if (!target.startsWith(root + sep)) {
      throw new EddyError(`artifact member "${path}" resolves outside ${root}`, {
        code: 'INVALID_ARTIFACT',
        domain: 'user',
      });
    }
    await mkdir(dirname(target), { recursive: true });
    await writeFile(target, data, { flag: 'wx' });
  }
  await linkRuntime(root);
  await writeFile(join(root, MARKER), `${JSON.stringify({ sha256, name: manifest.name })}\n`, {
    flag: 'wx',
  });
  return result;
}

/** Writes `node_modules/eddy`: one re-exporting module per export of the running Eddy. */
async function linkRuntime(root: string): Promise<void> {
  const pkg = join(root, 'node_modules', 'eddy');
  await mkdir(pkg, { recursive: true });
  const exports: Record<string, string> = {};
  for (const subpath of Object.keys(RUNTIME_ENTRY_POINTS)) {
    const file = subpath === '.' ? 'index.js' : `${subpath.slice(2)}.js`;
    exports[subpath] = `./${file}`;
    await writeFile(
      join(pkg, file),
      `export * from ${JSON.stringify(runtimeModuleUrl(subpath))};\n`,
    );
  }
  await writeFile(
    join(pkg, 'package.json'),
    `${JSON.stringify({ name: 'eddy', private: true, type: 'module', exports }, null, 2)}\n`,
  );
}

async function extractedSha256(root: string): Promise<string | undefined> {
  try {
    const marker = JSON.parse(await readFile(join(root, MARKER), 'utf8')) as { sha256?: unknown };
    return typeof marker.sha256 === 'string' ? marker.sha256 : undefined;
  } catch {
    return undefined;
  }
}
