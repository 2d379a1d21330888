import { describe, expect, it } from 'vitest';
import { aliasTarget, isAliasView } from '../../dialects/db2/alias-view.js';
import { db2Transitions, updateTriggerName } from '../../dialects/db2/transitions.js';
import { rowExpression } from '../../dialects/db2/row-expression.js';
import { db2Statements } from '../../dialects/db2/statement-classes.js';
import { guardStep } from '../../src/execute/statement-guard.js';
import type { SyncSpec } from '../../src/model/sync-spec.js';
import type { VersionSchema } from '../../src/model/version-schema.js';
import { statementText } from '../support/statement-text.js';

/** The transitions' SQL text; their locks are tested where the plan states them. */
const transitions = statementText(db2Transitions);

const ENSURE_QUIET = [
  'BEGIN',
  "  IF NOT EXISTS (SELECT 1 FROM SYSCAT.VARIABLES WHERE VARSCHEMA = 'DBTIDE' AND VARNAME = 'QUIET') THEN",
  `    EXECUTE IMMEDIATE 'CREATE VARIABLE "DBTIDE"."QUIET" SMALLINT DEFAULT 0';`,
  '  END IF;',
  'END',
].join('\n');

const rename: SyncSpec = {
  table: 'people', trigger: '_dbtide_sync_people_nickname', forward: { nickname: 'nick' }, backward: { nick: 'nickname' }, fillOnly: false, sources: ['nick'],
};

const trigger = (head: string, referencing: string, ...body: string[]) =>
  [head, `REFERENCING ${referencing} FOR EACH ROW WHEN ("DBTIDE"."QUIET" = 0)`, 'BEGIN ATOMIC', ...body.map((l) => `  ${l}`), '  END IF;', 'END'].join('\n');

describe('db2 transitions: dual-write triggers', () => {
  it('makes the quiet variable unless it exists, then an UPDATE trigger and the INSERT trigger named by the sync', () => {
    expect(transitions.createSyncTrigger(rename)).toEqual([
      ENSURE_QUIET,
      trigger(
        'CREATE TRIGGER "_DBTIDE_SYNC_PEOPLE_NICKNAME_UPDATE" NO CASCADE BEFORE UPDATE ON "PEOPLE"',
        'OLD AS O NEW AS N',
        'IF (N."NICKNAME" IS DISTINCT FROM O."NICKNAME") THEN SET N."NICK" = N.nickname;',
        'ELSEIF (N."NICK" IS DISTINCT FROM O."NICK") THEN SET N."NICKNAME" = N.nick;',
      ),
      trigger(
        'CREATE TRIGGER "_DBTIDE_SYNC_PEOPLE_NICKNAME" NO CASCADE BEFORE INSERT ON "PEOPLE"',
        'NEW AS N',
        'IF N."NICKNAME" IS NULL THEN SET N."NICKNAME" = N.nick;',
        'ELSE SET N."NICK" = N.nickname;',
      ),
    ]);
  });

  it('assigns several fields as one row, the expressions reading the new row as written', () => {
    const derive: SyncSpec = {
      table: 'people',
      trigger: 'tg',
      forward: { full_name: "first_name || ' ' || \"LAST_NAME\"" },
      backward: { first_name: "SUBSTR(full_name, 1, LOCATE(' ', full_name) - 1)", last_name: "SUBSTR(full_name, LOCATE(' ', full_name) + 1)" },
      fillOnly: false,
      sources: ['first_name', 'last_name'],
    };
    const [, update, insert] = transitions.createSyncTrigger(derive);
    expect(update).toContain(
      `IF (N."FULL_NAME" IS DISTINCT FROM O."FULL_NAME") THEN SET (N."FIRST_NAME", N."LAST_NAME") = (SUBSTR(N.full_name, 1, LOCATE(' ', N.full_name) - 1), SUBSTR(N.full_name, LOCATE(' ', N.full_name) + 1));`,
    );
    expect(update).toContain(`ELSEIF (N."FIRST_NAME" IS DISTINCT FROM O."FIRST_NAME" OR N."LAST_NAME" IS DISTINCT FROM O."LAST_NAME") THEN SET N."FULL_NAME" = N.first_name || ' ' || N."LAST_NAME";`);
    expect(insert).toContain(`IF N."FULL_NAME" IS NULL THEN SET N."FULL_NAME" = N.first_name || ' ' || N."LAST_NAME";\n  ELSE SET (N."FIRST_NAME", N."LAST_NAME") =`);
  });

  it('without a way back, fires only on an UPDATE of the sources; without sources, goes forward when the new columns stay', () => {
    const oneWay: SyncSpec = { table: 'p', trigger: 'tg', forward: { total: 'a + b' }, backward: {}, fillOnly: false, sources: ['a', 'b'] };
    const [, update, insert] = transitions.createSyncTrigger(oneWay);
    expect(update).toBe(
      trigger('CREATE TRIGGER "TG_UPDATE" NO CASCADE BEFORE UPDATE OF "A", "B" ON "P"', 'OLD AS O NEW AS N', 'IF (N."A" IS DISTINCT FROM O."A" OR N."B" IS DISTINCT FROM O."B") THEN SET N."TOTAL" = N.a + N.b;'),
    );
    expect(insert).toBe(trigger('CREATE TRIGGER "TG" NO CASCADE BEFORE INSERT ON "P"', 'NEW AS N', 'IF N."TOTAL" IS NULL THEN SET N."TOTAL" = N.a + N.b;'));
    const [, anyUpdate] = transitions.createSyncTrigger({ ...oneWay, sources: [] });
    expect(anyUpdate).toContain('BEFORE UPDATE ON "P"');
    expect(anyUpdate).toContain('IF (N."TOTAL" IS NOT DISTINCT FROM O."TOTAL") THEN SET N."TOTAL" = N.a + N.b;');
  });

  it('a fill fills only what is still empty, on either event', () => {
    const fill: SyncSpec = { table: 'people', trigger: 'tg', forward: { city_code: "UPPER(LEFT(COALESCE(city, 'zzz'), 3))" }, backward: {}, fillOnly: true, sources: [] };
    const decide = `IF N."CITY_CODE" IS NULL THEN SET N."CITY_CODE" = UPPER(LEFT(COALESCE(N.city, 'zzz'), 3));`;
    const [, update, insert] = transitions.createSyncTrigger(fill);
    expect(update).toBe(trigger('CREATE TRIGGER "TG_UPDATE" NO CASCADE BEFORE UPDATE ON "PEOPLE"', 'OLD AS O NEW AS N', decide));
    expect(insert).toBe(trigger('CREATE TRIGGER "TG" NO CASCADE BEFORE INSERT ON "PEOPLE"', 'NEW AS N', decide));
  });

  it('never writes back: the bodies only assign to the new row', () => {
    for (const sql of transitions.createSyncTrigger(rename).slice(1)) {
      expect(sql).not.toMatch(/\b(INSERT|UPDATE|DELETE|MERGE)\b(?! ON| OF)/);
      expect(sql.match(/SET (\w+)\./g)).toEqual(['SET N.', 'SET N.']);
      expect(sql).not.toMatch(/SET O\./);
    }
  });

  it('names the UPDATE trigger within 128 bytes, and drops it first', () => {
    const long = `_dbtide_sync_${'x'.repeat(120)}`;
    expect(Buffer.byteLength(updateTriggerName(long))).toBe(128);
    expect(transitions.dropSyncTrigger('people', 'tg')).toEqual(['DROP TRIGGER "TG_UPDATE"', 'DROP TRIGGER "TG"']);
  });

  it('swaps the shadow column in one unit of work: triggers, the old column (counted toward the REORG), the rename', () => {
    expect(transitions.swapColumn('people', 'score', 'score_new', 'tg', { tableLock: true })).toEqual([
      'DROP TRIGGER "TG_UPDATE"',
      'DROP TRIGGER "TG"',
      'ALTER TABLE "PEOPLE" DROP COLUMN "SCORE"',
      'ALTER TABLE "PEOPLE" RENAME COLUMN "SCORE_NEW" TO "SCORE"',
    ]);
    expect(db2Transitions.swapColumn('people', 'score', 'score_new', 'tg', { tableLock: true }).map((s) => s.reorg)).toEqual([undefined, undefined, true, undefined]);
  });
});

describe('db2 transitions: expressions read the new row', () => {
  it.each([
    ["first_name || ' ' || last_name", "N.first_name || ' ' || N.last_name"],
    ['CAST("AMOUNT" AS DECIMAL(12,2))', 'CAST(N."AMOUNT" AS DECIMAL(12,2))'],
    ['CAST(x AS DOUBLE PRECISION) + CAST(y AS VARCHAR(10) FOR BIT DATA)', 'CAST(N.x AS DOUBLE PRECISION) + CAST(N.y AS VARCHAR(10) FOR BIT DATA)'],
    ['t.a + N.b + SYSFUN.f(c)', 't.a + N.b + SYSFUN.f(N.c)'],
    ["d + 1 DAY + CURRENT TIMESTAMP - CURRENT_DATE + DATE '2024-01-01' + X'0F' + 1e5 + .5", "N.d + 1 DAY + CURRENT TIMESTAMP - CURRENT_DATE + DATE '2024-01-01' + X'0F' + 1e5 + .5"],
    ["CASE WHEN a > 0 THEN b WHEN c IS NOT NULL THEN 'x' ELSE NULL END", "CASE WHEN N.a > 0 THEN N.b WHEN N.c IS NOT NULL THEN 'x' ELSE NULL END"],
    ['a IS DISTINCT FROM b AND c BETWEEN d AND e', 'N.a IS DISTINCT FROM N.b AND N.c BETWEEN N.d AND N.e'],
    ['(SELECT c.code FROM cities c JOIN regions r ON r.id = c.region_id WHERE c.id = city_id FETCH FIRST 1 ROW ONLY)', '(SELECT c.code FROM cities c JOIN regions r ON r.id = c.region_id WHERE c.id = N.city_id FETCH FIRST 1 ROW ONLY)'],
    // comments go: a line comment would swallow the rest of the trigger
    ["a -- a comment\n + b /* another */", 'N.a  \n + N.b'],
  ])('%s', (expression, expected) => {
    expect(rowExpression(expression, 'N')).toBe(expected);
  });
});

describe('db2 transitions: table renames', () => {
  it('renames and leaves a marked view under the old name, in one step the guard lets run in expand', () => {
    const sql = transitions.renameTableWithAlias('hosts', 'machines');
    expect(sql).toEqual(['RENAME TABLE "HOSTS" TO "MACHINES"', `CREATE VIEW "HOSTS" AS SELECT * FROM "MACHINES" WHERE 'dbtide:alias' IS NOT NULL`]);
    expect(() => guardStep('expand', sql, db2Statements)).not.toThrow();
    expect(() => guardStep('expand', [sql[0]!], db2Statements)).toThrow(/destructive/);
    expect(() => guardStep('expand', [sql[0]!, `CREATE VIEW "HOSTS" AS SELECT * FROM "OTHER" WHERE 'dbtide:alias' IS NOT NULL`], db2Statements)).toThrow(/destructive/);
    expect(transitions.dropAlias('hosts')).toEqual(['DROP VIEW "HOSTS"']);
  });

  it('recognises its alias views by their text as SYSCAT.VIEWS keeps it, and reads the table they stand for', () => {
    const [, view] = transitions.renameTableWithAlias('hosts', 'Machines');
    expect(isAliasView(view!)).toBe(true);
    expect(aliasTarget(view!)).toBe('Machines');
    expect(aliasTarget(transitions.renameTableWithAlias('hosts', 'machines')[1]!)).toBe('machines');
    expect(aliasTarget(`create view "A" as select * from "Big""Co" where 'dbtide:alias' is not null;`)).toBe('Big"Co');
    expect(isAliasView('CREATE VIEW "HOSTS" AS SELECT * FROM "MACHINES"')).toBe(false);
    expect(isAliasView(`CREATE VIEW "HOSTS" AS SELECT ID FROM "MACHINES" WHERE 'dbtide:alias' IS NOT NULL`)).toBe(false);
    expect(isAliasView(`CREATE VIEW "HOSTS" AS SELECT * FROM "MACHINES" WHERE 'dbtide:alias' IS NOT NULL AND ID > 3`)).toBe(false);
  });
});

describe('db2 transitions: version schemas', () => {
  const schema: VersionSchema = {
    name: 'app_v2', base: 'app', release: 'v2', signature: 'abc', stage: 'window',
    views: [{ table: 'people', columns: [{ name: 'id', reads: 'id' }, { name: 'score', reads: 'score_new' }] }],
  };

  it('creates the schema unless it exists, the unfinished marker, the views, then the marker, each SELECT reading a table', () => {
    const marker = (signature: string) =>
      `CREATE OR REPLACE VIEW "APP_V2"."_DBTIDE_VERSION" AS SELECT 'app' AS base_schema, 'v2' AS release_name, '${signature}' AS signature, 'window' AS stage FROM SYSIBM.SYSDUMMY1`;
    expect(transitions.writeVersionSchema(schema)).toEqual([
      [
        'BEGIN',
        "  IF NOT EXISTS (SELECT 1 FROM SYSCAT.SCHEMATA WHERE SCHEMANAME = 'APP_V2') THEN",
        `    EXECUTE IMMEDIATE 'CREATE SCHEMA "APP_V2"';`,
        '  END IF;',
        'END',
      ].join('\n'),
      marker('unfinished'),
      'CREATE OR REPLACE VIEW "APP_V2"."PEOPLE" AS SELECT "ID", "SCORE_NEW" AS "SCORE" FROM "APP"."PEOPLE"',
      marker('abc'),
    ]);
  });

  it('drops the views, then the schema (RESTRICT: only if nothing else is left)', () => {
    expect(transitions.dropVersionSchema('app_v2', ['_dbtide_version', 'people'])).toEqual([
      'DROP VIEW "APP_V2"."_DBTIDE_VERSION"',
      'DROP VIEW "APP_V2"."PEOPLE"',
      'DROP SCHEMA "APP_V2" RESTRICT',
    ]);
  });

  it('finds schemas and relations by declared names, and answers declared names', () => {
    const declared = (c: string) => `CASE WHEN ${c} = UPPER(${c}) THEN LOWER(${c}) ELSE ${c} END`;
    expect(db2Transitions.markedSchemas).toBe(`SELECT ${declared('VIEWSCHEMA')} AS "name" FROM SYSCAT.VIEWS WHERE ${declared('VIEWNAME')} = ? ORDER BY 1`);
    expect(db2Transitions.relationsOf).toBe(
      `SELECT ${declared('TABNAME')} AS "name", CASE WHEN TYPE = 'V' THEN 1 ELSE 0 END AS "is_view" FROM SYSCAT.TABLES WHERE ${declared('TABSCHEMA')} = ? ORDER BY 1`,
    );
  });
});
