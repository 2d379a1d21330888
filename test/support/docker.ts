import { existsSync } from 'node:fs';

/** Whether testcontainers can reach a Docker engine here. */
export const dockerReachable = () => Boolean(process.env.DOCKER_HOST) || existsSync('/var/run/docker.sock');
