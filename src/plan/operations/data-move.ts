import { DATA_MOVE_LOCK } from '../../model/locks.js';
import type { Operation } from '../operation.js';

/** Migrate: the executor calls the move batch by batch, each call committed with its checkpoint. */
export const dataMove: Operation<'data-move'> = ({ move }) => [{
  operation: 'data-move',
  name: move.id,
  earliest: 'migrate',
  table: '',
  description: `data move "${move.name}" (TypeScript, batch by batch)`,
  render: () => [],
  lock: DATA_MOVE_LOCK,
  transactional: false,
  prechecks: () => [],
  provides: [],
  needs: [],
  work: { kind: 'data-move', move },
}];
