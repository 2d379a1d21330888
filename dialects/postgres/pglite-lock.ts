import { closeSync, mkdirSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';

/**
 * PGlite has no lock of its own: two processes can open one data directory and silently diverge.
 * A lock file beside the directory keeps them apart; a lock left by a dead process is taken over.
 */
export interface DirectoryLock {
  release(): void;
}

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as { code?: string }).code === 'EPERM';
  }
};

function tryLock(file: string): boolean {
  try {
    const fd = openSync(file, 'wx');
    writeSync(fd, String(process.pid));
    closeSync(fd);
    return true;
  } catch (error) {
    if ((error as { code?: string }).code !== 'EEXIST') throw error;
    const holder = Number.parseInt(readFileSync(file, 'utf8'), 10);
    if (Number.isInteger(holder) && holder !== process.pid && alive(holder)) return false;
    rmSync(file, { force: true });
    return tryLock(file);
  }
}

export async function lockDirectory(dir: string, waitMs: number): Promise<DirectoryLock> {
  const file = `${dir}.lock`;
  mkdirSync(dirname(file), { recursive: true });
  const deadline = Date.now() + waitMs;
  while (!tryLock(file)) {
    if (Date.now() >= deadline) {
      const holder = readFileSync(file, 'utf8').trim();
      throw Object.assign(
        new Error(`the embedded database ${dir} is in use by process ${holder}; waited ${Math.round(waitMs / 1000)} s`),
        { code: 'DBTIDE_LOCKED' },
      );
    }
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  let released = false;
  return {
    release() {
      if (released) return;
      released = true;
      rmSync(file, { force: true });
    },
  };
}
