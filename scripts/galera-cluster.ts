/**
 * `npm run galera`: starts a three-node MariaDB Galera cluster on this machine (Debian's
 * mariadb-server and galera-4) under a scratch directory on free local ports, prints each node's
 * URL once all three are Synced, and on Ctrl-C or SIGTERM stops the nodes and removes the
 * directory. `--nodes <n>` changes the count.
 */
import { galeraMissing, startGaleraCluster } from '../test/support/galera-cluster.js';

const at = process.argv.indexOf('--nodes');
const nodes = at < 0 ? 3 : Number(process.argv[at + 1]);
if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) {
  console.error('--nodes needs a whole number from 1 to 9');
  process.exit(1);
}
const missing = galeraMissing();
if (missing) {
  console.error(`cannot start a Galera cluster here: ${missing}`);
  process.exit(1);
}
console.error(`starting ${nodes} Galera node(s); the first bootstraps, the others join by rsync state transfer...`);
const cluster = await startGaleraCluster({ nodes });
for (const node of cluster.nodes) console.log(`${node.name}  ${node.url}`);
console.error(`all Synced, under ${cluster.dir}; Ctrl-C stops the nodes and removes it`);
let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  console.error('stopping...');
  await cluster.stop();
  process.exit(0);
};
process.on('SIGINT', () => void stop());
process.on('SIGTERM', () => void stop());
setInterval(() => {}, 1 << 30);
