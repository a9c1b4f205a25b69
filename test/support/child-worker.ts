/**
 * Worker processes of the crash suites: a script run with node, its output collected (the tests
 * wait for lines it prints), killed with SIGKILL mid-work.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { ROOT } from './servers.js';

export interface ChildWorker {
  proc: ChildProcess;
  /** Everything it printed so far, stdout and stderr. */
  output(): string;
}

export function spawnChildWorker(script: string, args: string[]): ChildWorker {
  let output = '';
  const proc = spawn(process.execPath, [script, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  return { proc, output: () => output };
}

/** SIGKILLs the worker if it still runs, and resolves once it exited. */
export async function killWorker(proc: ChildProcess | undefined): Promise<void> {
  if (!proc || proc.exitCode !== null || proc.signalCode !== null) return;
  const exited = new Promise((resolve) => proc.once('exit', resolve));
  proc.kill('SIGKILL');
  await exited;
}
