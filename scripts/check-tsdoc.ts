/**
 * Fails when a public export (of src/index.ts and the subpath entry points) has no TSDoc summary.
 * Run: node --import tsx scripts/check-tsdoc.ts
 */
import ts from 'typescript';
import { fileURLToPath } from 'node:url';
import { readFileSync } from 'node:fs';

const root = fileURLToPath(new URL('..', import.meta.url));
const pkg = JSON.parse(readFileSync(`${root}package.json`, 'utf8')) as {
  exports: Record<string, string | Record<string, string>>;
};
// Each entry point's source: the target of its `eddy-source` condition (ADR 0011).
const entries = Object.values(pkg.exports)
  .map((target) => (typeof target === 'string' ? target : target['eddy-source']))
  .filter((p): p is string => p?.endsWith('.ts') === true)
  .map((p) => `${root}${p.replace(/^\.\//, '')}`);
const program = ts.createProgram(entries, {
  allowImportingTsExtensions: true,
  noEmit: true,
  module: ts.ModuleKind.NodeNext,
  moduleResolution: ts.ModuleResolutionKind.NodeNext,
  target: ts.ScriptTarget.ES2022,
});
const checker = program.getTypeChecker();
const missing: string[] = [];
for (const entry of entries) {
  const file = program.getSourceFile(entry);
  if (file === undefined) continue;
  const moduleSymbol = checker.getSymbolAtLocation(file);
  if (moduleSymbol === undefined) continue;
  for (const exp of checker.getExportsOfModule(moduleSymbol)) {
    const symbol = exp.flags & ts.SymbolFlags.Alias ? checker.getAliasedSymbol(exp) : exp;
    const docs = ts.displayPartsToString(symbol.getDocumentationComment(checker)).trim();
    if (docs === '') {
      const decl = symbol.declarations?.[0];
      const where = decl
        ? `${decl.getSourceFile().fileName.replace(root, '')}:${decl.getSourceFile().getLineAndCharacterOfPosition(decl.getStart()).line + 1}`
        : '?';
      missing.push(`${exp.getName()} (${where})`);
    }
  }
}
if (missing.length > 0) {
  console.error(
    `${missing.length} public exports have no TSDoc summary:\n  ${missing.join('\n  ')}`,
  );
  process.exit(1);
}
console.log(`tsdoc: every public export of ${entries.length} entry points is documented`);
