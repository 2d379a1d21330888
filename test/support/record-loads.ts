/**
 * Module hooks for `register()` from node:module: each URL the process loads is appended to the
 * file named by `data.log` before the module runs, so the file is complete once an import resolves.
 */
import { appendFileSync } from 'node:fs';
import type { InitializeHook, LoadHook } from 'node:module';

let log = '';

export const initialize: InitializeHook<{ log: string }> = (data) => {
  log = data.log;
};

export const load: LoadHook = (url, context, nextLoad) => {
  appendFileSync(log, `${url}\n`);
  return nextLoad(url, context);
};
