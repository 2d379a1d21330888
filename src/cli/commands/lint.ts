import { Option, type Command } from 'commander';
import { lintChain } from '../../offline/lint-chain.js';
import { offlineTargets } from '../../offline/dialect-spec.js';
import { configOf } from '../resolve.js';

interface LintFlags {
  dialect: string;
  migrations?: string;
  config?: string;
  format: 'text' | 'json';
}

export function registerLint(program: Command): void {
  program
    .command('lint')
    .description("check a release chain against each dialect's rules without connecting (foreign-key targets, types, referential actions, name case, REORG budget); exit 1 with one line per finding")
    .option('--dialect <names>', 'all, or dialects with optional versions, comma-separated (db2, db2@11.1, postgres, mysql@10.11)', 'all')
    .option('--migrations <dir>', 'folder of release files (else the config, else migrations/)')
    .option('--config <file>', 'config file (default: dbtide.config.ts in this folder or the nearest parent)')
    .addOption(new Option('--format <format>', 'output format').choices(['text', 'json']).default('text'))
    .action(async (flags: LintFlags) => {
      const { config } = await configOf(flags);
      const report = await lintChain(flags.migrations ?? config.migrations ?? 'migrations', await offlineTargets(flags.dialect));
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
      else for (const f of report.findings) process.stdout.write(`${f.file}: ${f.problem} (${f.server})\n`);
      process.stderr.write(`lint: ${report.releases.length} release(s) on ${report.servers.join(', ')}: ${report.findings.length === 0 ? 'no findings' : `${report.findings.length} finding(s)`}\n`);
      process.exitCode = report.findings.length === 0 ? 0 : 1;
    });
}
