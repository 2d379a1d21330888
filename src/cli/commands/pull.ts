import { existsSync, writeFileSync } from 'node:fs';
import type { Command } from 'commander';
import { pull } from '../../api.js';
import { DbtideError } from '../../errors.js';
import { connectionOptions, targetOf } from '../common.js';
import { resolveUrl, type CommonFlags } from '../resolve.js';

interface PullFlags extends CommonFlags {
  out?: string;
  release?: string;
  force?: boolean;
}

export function registerPull(program: Command): void {
  connectionOptions(program.command('pull').description('write a release file that declares the live database as it is'), ['text'])
    .option('--out <file>', 'write to this file instead of stdout')
    .option('--release <name>', 'release name in the file', 'pulled')
    .option('--force', 'overwrite --out if it exists')
    .action(async (flags: PullFlags) => {
      if (flags.out && existsSync(flags.out) && !flags.force) {
        throw new DbtideError(`${flags.out} exists`, 1, 'pass --force to overwrite it, or choose another --out');
      }
      const resolved = await resolveUrl(flags);
      const { source, model } = await pull(targetOf(resolved, flags), { release: flags.release ?? 'pulled' });
      if (flags.out) {
        writeFileSync(flags.out, source);
        process.stderr.write(`wrote ${flags.out}: ${Object.keys(model.tables).length} table(s)\n`);
      } else process.stdout.write(source);
      const unsupported = model.unsupported?.length ?? 0;
      if (unsupported > 0) {
        process.stderr.write(`pull: ${unsupported} object(s) dbtide does not model are listed at the top of ${flags.out ?? 'the output'} and kept as is\n`);
      }
    });
}
