import type { Operation } from '../operation.js';

/** Migrate: the executor calls the move batch by batch, each call committed with its checkpoint. */
export const dataMove: Operation<'data-move'> = ({ move }) => [{
  operation: 'data-move',
  name: move.id,
  earliest: 'migrate',
  table: '',
  description: `data move "${move.name}" (TypeScript, batch by batch)`,
  render: () => [],
  transactional: false,
  lock: () => ({ level: 'as the move\'s own statements take', blocksWrites: false, rewritesTable: false }),
  prechecks: () => [],
  provides: [],
  needs: [],
  work: { kind: 'data-move', move },
}];
