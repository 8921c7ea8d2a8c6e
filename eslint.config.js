// @ts-check
import { dirname, relative, resolve } from 'node:path';
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/**
 * What each top-level folder of src/ may import (besides itself). Bottom to top: errors and util;
 * core (the contracts every layer shares); storage (blob stores: local directory, S3); state,
 * time, metrics; plan; runtime and connectors;
 * api (the DSL); testing, cli and server; index.ts (the package entry) may import anything.
 * @type {Record<string, readonly string[]>}
 */
const LAYERS = {
  errors: [],
  util: ['errors'],
  protocol: [],
  core: ['errors', 'util'],
  storage: ['core', 'errors', 'util'],
  state: ['core', 'errors', 'util'],
  time: ['core', 'errors', 'util'],
  metrics: ['core', 'errors', 'util'],
  plan: ['core', 'errors', 'util', 'state', 'time', 'metrics'],
  runtime: ['core', 'errors', 'util', 'storage', 'state', 'time', 'metrics', 'plan'],
  connectors: ['core', 'errors', 'util', 'storage', 'state', 'time', 'metrics', 'plan'],
  artifact: ['core', 'errors', 'util', 'storage', 'plan'],
  api: ['core', 'errors', 'util', 'state', 'time', 'metrics', 'plan', 'connectors'],
  testing: [
    'core',
    'errors',
    'util',
    'state',
    'time',
    'metrics',
    'plan',
    'runtime',
    'connectors',
    'api',
  ],
  cli: ['*'],
  server: ['*'],
};

const SRC = resolve(dirname(new URL(import.meta.url).pathname), 'src');

/** @param {string} file */
function layerOf(file) {
  const rel = relative(SRC, file);
  if (rel.startsWith('..')) return undefined;
  const parts = rel.split(/[\\/]/);
  return parts.length > 1 ? parts[0] : '(index)';
}

/** @type {import('eslint').Rule.RuleModule} */
const layersRule = {
  meta: {
    type: 'problem',
    docs: { description: 'src/ folders import only the layers below them (LAYERS)' },
    schema: [],
  },
  create(context) {
    const from = layerOf(context.filename);
    if (from === undefined || from === '(index)') return {};
    const allowed = LAYERS[from];
    /** @param {import('estree').Node & { source?: unknown }} node */
    function check(node) {
      const source = /** @type {{ value?: unknown } | null | undefined} */ (node.source);
      const spec = source?.value;
      if (typeof spec !== 'string' || !spec.startsWith('.')) return;
      const to = layerOf(resolve(dirname(context.filename), spec));
      if (to === undefined || to === from) return;
      if (allowed === undefined) {
        context.report({
          node,
          message: `src/${from}/ is not a known layer: add it to LAYERS in eslint.config.js and to docs/architecture.md`,
        });
        return;
      }
      if (allowed.includes('*') || allowed.includes(to)) return;
      context.report({
        node,
        message:
          `src/${from}/ must not import ${to === '(index)' ? 'src/index.ts' : `src/${to}/`}: ` +
          `${from} sits below it (it may import ${allowed.join(', ') || 'nothing'}). Move what ` +
          'both need down into src/core/, or pass it in from above (docs/architecture.md, "Layers").',
      });
    }
    return {
      ImportDeclaration: check,
      ExportNamedDeclaration: check,
      ExportAllDeclaration: check,
      ImportExpression: check,
    };
  },
};

export default tseslint.config(
  {
    ignores: [
      'node_modules/**',
      'dist/**',
      // Local state of `npm start` (the demo's deployed artifacts), as in .gitignore.
      '.eddy/**',
      'bench/baselines/flink/target/**',
      'bench/results/**',
      // AssemblyScript (i32, load<u8>, @inline): compiled by asc, not TypeScript (ADR 0025).
      'bench/nexmark/generator/assembly/**',
      'web/**',
    ],
  },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  {
    languageOptions: {
      globals: {
        process: 'readonly',
        console: 'readonly',
        setTimeout: 'readonly',
        clearTimeout: 'readonly',
        setImmediate: 'readonly',
        setInterval: 'readonly',
        clearInterval: 'readonly',
        URL: 'readonly',
        Buffer: 'readonly',
      },
    },
    rules: {
      '@typescript-eslint/no-explicit-any': 'error',
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': [
        'error',
        { argsIgnorePattern: '^_', varsIgnorePattern: '^_' },
      ],
      'no-restricted-imports': 'off',
    },
  },
  {
    // The layers (docs/architecture.md, "Layers"): each folder of src/ imports only the folders
    // listed for it. Tests and job fixtures are user code and may import anything.
    files: ['src/**/*.ts', 'src/**/*.mjs'],
    ignores: ['src/**/*.test.ts', 'src/**/fixtures/**'],
    plugins: { eddy: { rules: { layers: layersRule } } },
    rules: { 'eddy/layers': 'error' },
  },
);
