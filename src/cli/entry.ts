import { runCommandLine } from './main.js';

process.exitCode = await runCommandLine(process.argv);
