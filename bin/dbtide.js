#!/usr/bin/env node
// dbtide ships TypeScript sources: tsx compiles them on load, and also loads the release files
// and dbtide.config.ts that users write in TypeScript.
import { register } from 'tsx/esm/api';

register();
await import('../src/cli/entry.ts');
