import { rmSync } from 'node:fs';
import { basename } from 'node:path';
import type { Command } from 'commander';
import { applyPhase, check, planChanges } from '../../api.js';
import { releaseChain } from '../../declaration/load-schema.js';
import { DbtideError } from '../../errors.js';
import { PHASES } from '../../plan/step.js';
import { planText } from '../format-plan.js';
import { progressPrinter } from '../progress.js';

const DEMO_DIR = '.dbtide/demo';

/** `npm start`: walks the example chain on a fresh embedded database, release by release, phase by phase. */
export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('walk the release chain in migrations/ on a fresh embedded database, showing each plan')
    .option('--migrations <dir>', 'folder of release files', 'migrations')
    .option('--sql', 'show the SQL of each step')
    .action(async (flags: { migrations: string; sql?: boolean }) => {
      const files = (await releaseChain(flags.migrations)).map((r) => r.file);
      if (files.length === 0) {
        throw new DbtideError(`no release files in ${flags.migrations}`, 1, "the demo walks a chain of release files: run it in a clone of dbtide (its example chain), or pass --migrations <your releases' folder>");
      }
      rmSync(DEMO_DIR, { recursive: true, force: true });
      rmSync(`${DEMO_DIR}.lock`, { force: true });
      const target = { url: `pglite:${DEMO_DIR}` };
      const out = (s: string) => process.stdout.write(`${s}\n`);
      out(`Walking ${files.length} release(s) on a fresh embedded database (${DEMO_DIR}).`);
      for (const file of files) {
        out(`\n=== ${basename(file)} ===`);
        out(planText(await planChanges(target, file), flags.sql ?? false));
        out('');
        for (const phase of PHASES) {
          await applyPhase(phase, target, file, { onEvent: progressPrinter('text', { write: (s) => process.stdout.write(s) }) });
        }
        const report = await check(target, file);
        out(`check: ${report.next ? `${report.next} pending` : 'up to date'}`);
      }
      out('\nDone. Try: npx dbtide plan --url pglite:.dbtide/demo, or npx dbtide status --url pglite:.dbtide/demo');
    });
}
