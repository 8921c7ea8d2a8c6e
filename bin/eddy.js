#!/usr/bin/env node
// The `eddy` command. Eddy runs from its TypeScript sources through tsx (ADR 0002), so job files
// may be TypeScript too and need no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../src/cli/main.ts');
process.exitCode = await main(process.argv.slice(2));
