import type { Phase } from '../plan/step.js';

export type StatementClass =
  | 'additive'
  | 'relaxing'
  | 'tightening'
  | 'validation'
  | 'destructive'
  | 'rewrite'
  | 'data'
  | 'maintenance'
  | 'session'
  | 'read'
  | 'unknown';

/** Strips comments and collapses white space, so classification sees only the statement. */
const clean = (sql: string) =>
  sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\/\*[\s\S]*?\*\//g, ' ')
    .replace(/\s+/g, ' ')
    .trim()
    .toLowerCase();

/** Splits an ALTER TABLE action list on commas outside parentheses and quotes. */
function actions(text: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quote: string | null = null;
  let start = 0;
  for (let i = 0; i < text.length; i++) {
    const ch = text[i]!;
    if (quote) {
      if (ch === quote) quote = null;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      parts.push(text.slice(start, i).trim());
      start = i + 1;
    }
  }
  parts.push(text.slice(start).trim());
  return parts;
}

const STRENGTH: StatementClass[] = ['read', 'session', 'additive', 'relaxing', 'maintenance', 'validation', 'data', 'tightening', 'rewrite', 'destructive', 'unknown'];

function classifyAlterAction(action: string): StatementClass {
  if (/^add constraint\b/.test(action)) return /\bnot valid$/.test(action) ? 'additive' : 'tightening';
  if (/^add (primary key|unique|foreign key|check)\b/.test(action)) return 'tightening';
  if (/^add\b/.test(action)) return 'additive';
  if (/^drop (column|constraint|primary key|index|key|foreign key|check)\b/.test(action) || /^drop [`"\w]+$/.test(action)) return 'destructive';
  if (/^rename\b/.test(action)) return 'destructive';
  if (/^validate constraint\b/.test(action)) return 'validation';
  if (/^alter (column )?\S+ (set data )?type\b/.test(action)) {
    return /\btype (character varying|varchar|text)\b/.test(action) ? 'relaxing' : 'rewrite';
  }
  if (/^alter (column )?\S+ drop not null\b/.test(action)) return 'relaxing';
  if (/^alter (column )?\S+ set not null\b/.test(action)) return 'tightening';
  if (/^alter (column )?\S+ set default\b/.test(action)) return 'additive';
  if (/^alter (column )?\S+ drop default\b/.test(action)) return 'tightening';
  if (/^(algorithm|lock)\s*=/.test(action)) return 'session';
  return 'unknown';
}

/**
 * Classifies one SQL statement by what it does to the schema and data, from the text alone. It is
 * deliberately independent of the planner: the phase policy holds even when the planner is wrong.
 */
export function classifyStatement(sql: string): StatementClass {
  const s = clean(sql);
  if (/^(select|with|show|explain)\b/.test(s)) return 'read';
  if (/^(set|begin|commit|rollback|start transaction|savepoint|release savepoint)\b/.test(s)) return 'session';
  if (/^(drop|truncate|delete)\b/.test(s)) return 'destructive';
  if (/^alter table (if exists )?(only )?("[^"]+"|`[^`]+`|\S+) (.*)$/.test(s)) {
    const rest = /^alter table (?:if exists )?(?:only )?(?:"[^"]+"|`[^`]+`|\S+) (.*)$/.exec(s)![1]!;
    return actions(rest)
      .map(classifyAlterAction)
      .reduce((worst, c) => (STRENGTH.indexOf(c) > STRENGTH.indexOf(worst) ? c : worst), 'read' as StatementClass);
  }
  if (/^alter (index|sequence|type|view|function|trigger)\b.*\brename\b/.test(s)) return 'destructive';
  if (/^create (or replace )?(unique )?(table|index|view|sequence|type|schema|function|trigger|extension)\b/.test(s)) return 'additive';
  if (/^create (unique )?index\b/.test(s)) return 'additive';
  if (/^reindex\b/.test(s)) return 'maintenance';
  if (/^(insert|update|merge|call)\b/.test(s)) return 'data';
  return 'unknown';
}

const ALLOWED: Record<Phase, StatementClass[]> = {
  expand: ['read', 'session', 'additive', 'relaxing', 'maintenance', 'tightening'],
  migrate: ['read', 'session', 'additive', 'relaxing', 'maintenance', 'validation', 'data'],
  contract: ['read', 'session', 'additive', 'relaxing', 'maintenance', 'validation', 'data', 'tightening', 'rewrite', 'destructive', 'unknown'],
};

export class PolicyViolation extends Error {
  constructor(
    readonly phase: Phase,
    readonly statement: string,
    readonly statementClass: StatementClass,
  ) {
    super(
      `refused: a ${statementClass} statement may not run in ${phase} while old application code is live:\n  ${statement}\n` +
        `Destructive, rewriting and unrecognized statements run only in contract.`,
    );
    this.name = 'PolicyViolation';
  }
}

/** Throws when the statement's class is not allowed in the phase. */
export function guardStatement(phase: Phase, sql: string): void {
  const c = classifyStatement(sql);
  if (!ALLOWED[phase].includes(c)) throw new PolicyViolation(phase, sql, c);
}
