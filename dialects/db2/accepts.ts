/** The URLs the Db2 dialect serves, told apart without loading ibm_db. */
export const isDb2Url = (url: string) => /^db2:\/\//i.test(url);
