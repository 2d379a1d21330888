/** Sequences: created and set in expand, given their owning column once it exists, dropped in contract. */
import { fact, type Operation } from '../operation.js';
import { draft, sequenceFact, sqlOf } from './schema-object-draft.js';

export const createSequence: Operation<'create-sequence'> = ({ sequence }, ctx) => [draft({
  operation: 'create-sequence',
  name: sequence.name,
  earliest: 'expand',
  description: `create sequence ${sequence.name}`,
  render: () => [sqlOf(ctx).createSequence(sequence)],
  provides: [sequenceFact(sequence.name)],
})];

/** New options take effect on the next value drawn; values already drawn stay. */
export const alterSequence: Operation<'alter-sequence'> = ({ sequence }, ctx) => [draft({
  operation: 'alter-sequence',
  name: sequence.name,
  earliest: 'expand',
  description: `change the options of sequence ${sequence.name}`,
  render: () => [sqlOf(ctx).alterSequence(sequence)],
})];

/** Set once the owning column exists, which a table created in this expand makes true. */
export const sequenceOwner: Operation<'sequence-owner'> = ({ sequence }, ctx) => {
  const owner = sequence.ownedBy;
  return [draft({
    operation: 'sequence-owner',
    name: sequence.name,
    earliest: 'expand',
    ...(owner ? { table: owner.table } : {}),
    description: owner ? `sequence ${sequence.name} is owned by ${owner.table}.${owner.column}` : `sequence ${sequence.name} is owned by no column`,
    render: () => [sqlOf(ctx).sequenceOwner(sequence)],
    needs: [sequenceFact(sequence.name), ...(owner ? [fact.table(owner.table), fact.column(owner.table, owner.column)] : [])],
  })];
};

export const dropSequence: Operation<'drop-sequence'> = ({ name }, ctx) => [draft({
  operation: 'drop-sequence',
  name,
  destructive: true,
  earliest: 'contract',
  description: `drop sequence ${name}`,
  render: () => [sqlOf(ctx).dropSequence(name)],
})];
