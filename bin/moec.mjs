#!/usr/bin/env node
// Entry point of the `moec` command: loads the TypeScript sources through tsx,
// so the package works straight after `npm install` with no build step.
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../cli/main.ts');
const code = await main(process.argv.slice(2));
process.exit(code);
