import type { Command } from 'commander';
import { planChanges, scriptsOf, type PlanReport } from '../../api.js';
import { loadSchemaFile } from '../../declaration/load-schema.js';
import { DbtideError } from '../../errors.js';
import { offlineTarget } from '../../offline/dialect-spec.js';
import { planOffline } from '../../offline/plan-offline.js';
import { planJson, planMarkdown, planText } from '../format-plan.js';
import { configOf, integerFlag, resolveSchemaFile, resolveUrl, type CommonFlags } from '../resolve.js';
import { commonOptions, targetOf } from '../common.js';

interface PlanFlags extends CommonFlags {
  dialect?: string;
  from?: string;
}

export function registerPlan(program: Command): void {
  commonOptions(
    program
      .command('plan')
      .description('show what expand, migrate and contract would do, with SQL, locks and row estimates (changes nothing)'),
  )
    .option('--dialect <name[@version]>', 'plan without a server, for postgres, mysql or db2 (e.g. db2@11.1, mysql@10.11 for MariaDB): a fresh install, or the upgrade from --from')
    .option('--from <release file>', 'with --dialect: plan the upgrade from the database this release left, instead of a fresh install')
    .option('--lock-timeout <ms>', 'the cap on each lock wait the printed statements set, as a run with it would (default: the dialect\'s, 50 on PostgreSQL, 1000 on MySQL, MariaDB and Db2)', integerFlag('--lock-timeout', 1))
    .action(async (flags: PlanFlags) => {
      const report = flags.dialect === undefined ? await planLive(flags) : await planWithoutServer(flags, flags.dialect);
      if (flags.format === 'json') process.stdout.write(`${JSON.stringify(planJson(report), null, 2)}\n`);
      else if (flags.format === 'markdown') process.stdout.write(`${planMarkdown(report)}\n`);
      else process.stdout.write(`${planText(report)}\n`);
    });
}

async function planLive(flags: PlanFlags): Promise<PlanReport> {
  if (flags.from !== undefined) throw new DbtideError('--from plans without a server, so it needs --dialect', 1, 'add --dialect postgres|mysql|db2, or leave --from out to plan against the database');
  const resolved = await resolveUrl(flags);
  const lockTimeoutMs = flags.lockTimeout ?? resolved.config.lockTimeoutMs;
  return planChanges(targetOf(resolved, flags), await resolveSchemaFile(flags, resolved.config), lockTimeoutMs === undefined ? {} : { lockTimeoutMs });
}

async function planWithoutServer(flags: PlanFlags, dialect: string): Promise<PlanReport> {
  if (flags.url !== undefined) throw new DbtideError('--dialect plans without a server, and --url names one', 1, 'leave out --url to plan offline, or --dialect to plan against the database');
  const target = await offlineTarget(dialect);
  const { config } = await configOf(flags);
  const declared = await loadSchemaFile(await resolveSchemaFile(flags, config));
  const from = flags.from === undefined ? undefined : await loadSchemaFile(flags.from);
  const plan = planOffline(target, declared, from, flags.databaseSchema);
  return {
    release: declared.release,
    server: target.caps.server,
    url: from ? `no server: the upgrade from release ${from.release}` : 'no server: a fresh install',
    plan,
    scripts: scriptsOf(target, plan.steps, flags.lockTimeout ?? config.lockTimeoutMs),
  };
}
