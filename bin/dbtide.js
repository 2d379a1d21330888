#!/usr/bin/env node
// The installed package runs its compiled dist/. A checkout (its TypeScript sources beside this
// file) runs them through tsx, so that a change needs no build before it can be tried.
import { existsSync } from 'node:fs';

const source = new URL('../src/cli/entry.ts', import.meta.url);
if (existsSync(source)) {
  const { register } = await import('tsx/esm/api');
  register();
  await import(source.href);
} else {
  await import('../dist/src/cli/entry.js');
}
