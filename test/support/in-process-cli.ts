/**
 * The CLI's command line run inside the test process: the same program and error printing as
 * `bin/dbtide.js`, without the process start, for suites of many short command lines. Commands
 * run one at a time (output and environment are the process's own).
 */
import { runCommandLine } from '../../src/cli/main.js';

/** Runs a command line in this process with its output captured, under the given environment. */
export async function runInProcess(
  argv: string[],
  env: Record<string, string | undefined> = {},
  onStderr: (text: string) => void = () => {},
): Promise<{ code: number; stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  const writes = { stdout: process.stdout.write, stderr: process.stderr.write };
  const saved = Object.fromEntries(Object.keys(env).map((k) => [k, process.env[k]]));
  const setEnv = (values: Record<string, string | undefined>) => {
    for (const [k, v] of Object.entries(values)) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  };
  process.stdout.write = ((chunk: string | Uint8Array) => ((out.stdout += String(chunk)), true)) as typeof process.stdout.write;
  process.stderr.write = ((chunk: string | Uint8Array) => {
    out.stderr += String(chunk);
    onStderr(out.stderr);
    return true;
  }) as typeof process.stderr.write;
  setEnv({ DATABASE_URL: undefined, CI: 'true', ...env });
  try {
    const code = await runCommandLine(['node', 'dbtide', ...argv]);
    return { code, ...out };
  } finally {
    process.stdout.write = writes.stdout;
    process.stderr.write = writes.stderr;
    setEnv({ DATABASE_URL: undefined, CI: undefined, ...saved });
  }
}

