export const isAliasView = (text: string): boolean => /'dbtide:alias' IS NOT NULL\)?\s*$/i.test(text.trim());
