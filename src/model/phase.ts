/** The phases of a release, in the order they run; the model's own word, so declarations can name one. */
export const PHASES = ['expand', 'migrate', 'contract'] as const;
export type Phase = (typeof PHASES)[number];
