/** Where the local database services of a development machine listen (README: Tests). */
export const LOCAL_POSTGRES_URL = 'postgres://postgres@127.0.0.1:5432/postgres';
export const LOCAL_MARIADB_URL = 'mysql://root@127.0.0.1:3306/';
