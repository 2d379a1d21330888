import { spawn, type ChildProcess } from 'node:child_process';
import { resolve } from 'node:path';

export const BIN = resolve(import.meta.dirname, '../../bin/dbtide.js');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

export interface RunningCli {
  child: ChildProcess;
  /** Resolves when stderr (where progress goes) first matches. */
  stderrMatches(pattern: RegExp): Promise<void>;
  done: Promise<CliResult>;
}

type CliOptions = { cwd?: string; env?: Record<string, string> };

/** Starts the real CLI in a child process, non-interactive, as CI would. */
export const startCli = (args: string[], options: CliOptions = {}): RunningCli =>
  startCommand(process.execPath, [BIN, ...args], { cwd: options.cwd ?? process.cwd(), env: { ...process.env, CI: 'true', DATABASE_URL: '', ...options.env } });

/** Runs any command with exactly this environment (e.g. the CLI under `script`, on a terminal). */
export const runCommand = (file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): Promise<CliResult> => startCommand(file, args, options).done;

function startCommand(file: string, args: string[], options: { cwd: string; env: NodeJS.ProcessEnv }): RunningCli {
  const child = spawn(file, args, { ...options, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiting: { pattern: RegExp; resolve: () => void }[] = [];
  child.stdout!.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr!.on('data', (d: Buffer) => {
    stderr += d.toString();
    for (const w of waiting.filter((x) => x.pattern.test(stderr))) {
      waiting.splice(waiting.indexOf(w), 1);
      w.resolve();
    }
  });
  const done = new Promise<CliResult>((resolvePromise, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => resolvePromise({ code, signal, stdout, stderr }));
  });
  return {
    child,
    done,
    stderrMatches: (pattern) =>
      pattern.test(stderr)
        ? Promise.resolve()
        : Promise.race([
            new Promise<void>((resolveWait) => waiting.push({ pattern, resolve: resolveWait })),
            done.then((r) => {
              throw new Error(`the CLI exited (${r.code ?? r.signal}) before stderr matched ${pattern}:\n${r.stderr}`);
            }),
          ]),
  };
}

export const runCli = (args: string[], options: CliOptions = {}): Promise<CliResult> => startCli(args, options).done;
