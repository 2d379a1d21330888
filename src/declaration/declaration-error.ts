export interface DeclarationIssue {
  /** Where the problem is, e.g. `tables.instances.columns.uuid`. */
  path: string;
  message: string;
}

/** Every problem normalization found in a declaration, so one run shows them all. */
export class DeclarationError extends Error {
  override readonly name = 'DeclarationError';

  constructor(
    readonly issues: DeclarationIssue[],
    /** `file:line` of the release that declared it, when known. */
    readonly location?: string,
  ) {
    super(issues.map((issue) => `${issue.path}: ${issue.message}`).join('\n'));
  }
}
