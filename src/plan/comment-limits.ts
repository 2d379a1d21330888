import type { Capabilities } from '../dialect.js';
import { DbtideError } from '../errors.js';
import type { DeclaredSchema } from '../model/schema-model.js';

type Rules = Pick<Capabilities, 'server' | 'commentLimits'>;

/** Every table and column comment of the release longer than the server keeps. */
export function overlongComments(declared: DeclaredSchema, rules: Rules): string[] {
  const limits = rules.commentLimits;
  if (limits === null) return [];
  // The server counts characters, as spread does (a UTF-16 surrogate pair is one).
  const over = (comment: string | undefined, limit: number) => comment !== undefined && [...comment].length > limit;
  const says = (path: string, comment: string, limit: number) => `${path}: the comment has ${[...comment].length} characters; ${rules.server} keeps at most ${limit}`;
  return Object.values(declared.model.tables).flatMap((table) => [
    ...(over(table.comment, limits.table) ? [says(`tables.${table.name}.comment`, table.comment!, limits.table)] : []),
    ...table.columns.flatMap((c) => (over(c.comment, limits.column) ? [says(`tables.${table.name}.columns.${c.name}.comment`, c.comment!, limits.column)] : [])),
  ]);
}

/** A comment the server refuses would stop a phase midway: the release is refused before anything runs. */
export function refuseOverlongComments(declared: DeclaredSchema, rules: Rules): void {
  const found = overlongComments(declared, rules);
  if (found.length === 0) return;
  throw new DbtideError(
    `release ${declared.release} declares comments longer than ${rules.server} keeps; nothing was changed:\n` + found.map((f) => `  ${f}`).join('\n'),
    1,
    'shorten each comment listed',
  );
}
