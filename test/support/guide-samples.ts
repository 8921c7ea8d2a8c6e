/**
 * Keeps a guide's code samples honest: each ```ts block of the guide must appear in a test file
 * that runs it (imports aside, compared modulo indentation and blank lines).
 */
import { readFileSync } from 'node:fs';

/** How many samples the guide has, and those the test file does not contain. */
export function guideSamplesMissingFrom(
  guide: URL,
  testFile: URL,
): { readonly samples: number; readonly missing: readonly string[] } {
  const text = readFileSync(guide, 'utf8');
  const self = normalize(readFileSync(testFile, 'utf8'));
  const blocks = [...text.matchAll(/```ts\n([\s\S]*?)```/g)].map((m) => m[1] ?? '');
  const missing = blocks.filter(
    (block) => !self.includes(normalize(block.replace(/^import[\s\S]*?from '[^']+';$/gm, ''))),
  );
  return { samples: blocks.length, missing };
}

/** Code modulo indentation and blank lines. */
function normalize(code: string): string {
  return code
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '')
    .join('\n');
}
