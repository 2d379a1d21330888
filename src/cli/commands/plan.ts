import type { Command } from 'commander';
import { planChanges } from '../../api.js';
import { planJson, planMarkdown, planText } from '../format-plan.js';
import { resolveSchemaFile, resolveUrl, type CommonFlags } from '../resolve.js';
import { commonOptions, targetOf } from '../common.js';

export function registerPlan(program: Command): void {
  commonOptions(
    program
      .command('plan')
      .description('show what expand, migrate and contract would do, with SQL, locks and row estimates (changes nothing)'),
  ).action(async (flags: CommonFlags) => {
    const resolved = await resolveUrl(flags);
    const report = await planChanges(targetOf(resolved, flags), await resolveSchemaFile(flags, resolved.config));
    if (flags.format === 'json') process.stdout.write(`${JSON.stringify(planJson(report), null, 2)}\n`);
    else if (flags.format === 'markdown') process.stdout.write(`${planMarkdown(report)}\n`);
    else process.stdout.write(`${planText(report)}\n`);
  });
}
