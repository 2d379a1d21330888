/** The URLs the MySQL dialect serves, told apart without loading mysql2. */
export const isMysqlUrl = (url: string) => /^(mysql|mariadb):\/\//i.test(url);
