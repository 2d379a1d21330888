/** The phases of a release, in the order they run; the model's own word, so declarations can name one. */
export const PHASES = ['expand', 'migrate', 'contract'] as const;
export type Phase = (typeof PHASES)[number];

/** What a run does: one phase of a release, or the rollback of a release's expand (src/rollback/). */
export type RunKind = Phase | 'rollback';

/** The statements a run may issue: a rollback removes what an expand made, as contract removes what a release drops. */
export const policyOf = (kind: RunKind): Phase => (kind === 'rollback' ? 'contract' : kind);
