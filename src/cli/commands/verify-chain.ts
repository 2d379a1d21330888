import { writeFile } from 'node:fs/promises';
import { Option, type Command } from 'commander';
import type { ScratchDatabase } from '../../dialect.js';
import { renderChainJson, renderChainJunit, renderChainText } from '../../verify/render-chain-report.js';
import { verifyChain } from '../../verify/verify-chain.js';
import { cliHint } from '../hints.js';
import { configOf } from '../resolve.js';

interface VerifyFlags {
  url?: string;
  migrations?: string;
  config?: string;
  from?: string;
  seed?: boolean;
  junit?: string;
  format: 'text' | 'json';
}

/** Exit code when the process is stopped by a signal, after its scratch databases are dropped. */
const INTERRUPTED_EXIT = 130;

export function registerVerifyChain(program: Command): void {
  program
    .command('verify-chain')
    .description('prove a release chain: upgrade scratch databases release by release and check compatibility, rollback, idempotence, schema equality with a fresh install, phase policy and data; exit 0 only when every check passed')
    .option('--url <url>', 'server to create the scratch databases on (they are dropped afterwards); default: a throwaway embedded database')
    .option('--migrations <dir>', 'folder of release files (else the config, else migrations/)')
    .option('--config <file>', 'config file (default: dbtide.config.ts in this folder or the nearest parent)')
    .option('--from <release>', 'install this release fresh and upgrade from it (default: the first)')
    .option('--seed', "seed the first release with the chain's seed file (its verifyChainSeed(url) export) instead of generated rows")
    .option('--junit <file>', 'also write the results as JUnit XML')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: VerifyFlags) => {
      const { config } = await configOf(flags);
      const scratches: ScratchDatabase[] = [];
      // Ctrl-C or a CI timeout must not leave scratch databases behind.
      const stop = (signal: NodeJS.Signals) => {
        process.stderr.write(`verify-chain: ${signal}, dropping ${scratches.length} scratch database(s)\n`);
        void Promise.allSettled(scratches.map((s) => s.drop())).then(() => process.exit(INTERRUPTED_EXIT));
      };
      process.once('SIGINT', stop).once('SIGTERM', stop);
      try {
        const report = await verifyChain({
          migrations: flags.migrations ?? config.migrations ?? 'migrations',
          ...(flags.url ? { url: flags.url } : {}),
          ...(flags.from ? { from: flags.from } : {}),
          ...(flags.seed ? { seed: true } : {}),
          onScratch: (s) => scratches.push(s),
          hintFor: cliHint,
          onCheck: (release, c) => process.stderr.write(`${c.ok ? 'PASS' : 'FAIL'} ${release} ${c.name} (${c.ms} ms)\n`),
        });
        if (flags.junit) await writeFile(flags.junit, renderChainJunit(report));
        process.stdout.write(flags.format === 'json' ? renderChainJson(report) : renderChainText(report));
        process.exitCode = report.ok ? 0 : 1;
      } finally {
        process.off('SIGINT', stop).off('SIGTERM', stop);
      }
    });
}
