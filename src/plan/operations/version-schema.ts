import { fact, type Operation } from '../operation.js';

/**
 * The new version's views: in the window they read the shadow columns, which needs the dual-write
 * trigger in place (new code's writes reach the old columns through it); the final views, once the
 * swaps are done, read the columns under their own names.
 */
export const createVersionSchema: Operation<'create-version-schema'> = ({ schema, syncs, afterSwap }, ctx) => {
  const window = schema.stage === 'window';
  const shadows = schema.views.flatMap((v) => v.columns.filter((c) => c.reads !== c.name).map((c) => fact.column(v.table, c.reads)));
  return [{
    operation: 'create-version-schema',
    name: `${schema.name}.${schema.stage}`,
    subject: schema.name,
    // Final views follow the swaps in contract; a fresh install writes them in expand.
    earliest: afterSwap ? 'contract' : 'expand',
    table: '',
    description: window
      ? `create the version schema ${schema.name}: ${schema.views.map((v) => v.table).join(', ')} with the release's column types, for the new version to select`
      : `point the views of the version schema ${schema.name} at the swapped columns`,
    render: () => ctx.transitions.writeVersionSchema(schema),
    transactional: true,
    prechecks: () => [],
    provides: [],
    needs: window ? [...shadows, ...syncs.map(fact.synced)] : syncs.map(fact.unsynced),
  }];
};

/** Contract: the release's own tables have the declared types now, or a later release took over. */
export const dropVersionSchema: Operation<'drop-version-schema'> = ({ name, views, after }, ctx) => [{
  operation: 'drop-version-schema',
  name,
  // Not destructive: it holds only views dbtide made, and no data.
  subject: name,
  earliest: 'contract',
  table: '',
  description: `drop the version schema ${name}`,
  render: () => ctx.transitions.dropVersionSchema(name, views),
  transactional: true,
  prechecks: () => [],
  provides: views.map(fact.unviewed),
  needs: after.map(fact.unsynced),
}];
