import { startLocalMariadb } from './test/support/local-mariadb.ts';
const t = performance.now();
const s = await startLocalMariadb();
console.log(s.url, Math.round(performance.now() - t), 'ms');
process.on('SIGTERM', async () => { await s.stop(); process.exit(0); });
setInterval(() => {}, 1000);
