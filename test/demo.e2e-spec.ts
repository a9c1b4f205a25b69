/**
 * The demo app (apps/demo), run as users run it: the built JS in a child process (npm run build
 * builds it), on embedded Brook (no BROOK_URL) or against brook-server / redis-server. Also the
 * shape of docker-compose.yml: docker compose is not installed on this machine, so the file is
 * parsed and its wiring checked here instead of by `docker compose config`.
 */
import { afterEach, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import { sample } from './support/prometheus.js';
import { describeSdkModes, waitUntil } from './support/sdk-modes.js';
import { ROOT } from './support/servers.js';

const DEMO_MAIN = 'dist/apps/demo/apps/demo/src/main.js';

interface RunningDemo {
  proc: ChildProcess;
  base: string;
  output(): string;
}

async function startDemo(env: Record<string, string>): Promise<RunningDemo> {
  const proc = spawn(process.execPath, [join(ROOT, DEMO_MAIN)], {
    cwd: ROOT,
    env: { ...process.env, NO_COLOR: '1', DEMO_PORT: '0', ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  proc.stdout?.on('data', (d: Buffer) => (output += d.toString()));
  proc.stderr?.on('data', (d: Buffer) => (output += d.toString()));
  await waitUntil(() => /listening on http:\/\/[\d.]+:\d+/.test(output) || proc.exitCode !== null, 'the demo to listen');
  const port = /listening on http:\/\/[\d.]+:(\d+)/.exec(output)?.[1];
  if (!port) throw new Error(`the demo did not start:\n${output}`);
  return { proc, base: `http://127.0.0.1:${port}`, output: () => output };
}

/** SIGTERM, then the exit code (null when a signal ended it); SIGKILL if it has not exited within 20 s. */
async function stopDemo({ proc }: RunningDemo): Promise<number | null> {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode;
  const exited = new Promise<number | null>((resolve) => proc.once('exit', (code) => resolve(code)));
  proc.kill('SIGTERM');
  const timer = setTimeout(() => proc.kill('SIGKILL'), 20_000);
  const code = await exited;
  clearTimeout(timer);
  return code;
}

describeSdkModes('demo app', (target) => {
  let demo: RunningDemo | undefined;

  afterEach(async () => {
    if (demo) await stopDemo(demo);
    demo = undefined;
  });

  it('enqueues on POST /jobs and on its timer, processes, audits the events and reports it all on /metrics', async () => {
    demo = await startDemo({ DEMO_EVERY_MS: '300', ...(target.mode === 'embedded' ? {} : { BROOK_URL: target.url }) });
    const { base } = demo;

    const created = await fetch(`${base}/jobs`, {
      method: 'POST',
      body: JSON.stringify({ url: 'https://example.com/cat.png', width: 64 }),
    });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: string };

    let job: { state?: string; returnvalue?: { thumbnail: string } } = {};
    await waitUntil(
      async () => {
        job = (await (await fetch(`${base}/jobs/${encodeURIComponent(id)}`)).json()) as typeof job;
        return job.state === 'completed';
      },
      `job ${id} to complete\n${demo?.output() ?? ''}`,
    );
    expect(job.returnvalue).toEqual({ thumbnail: 'https://example.com/cat.png#w=64' });

    // Data the processor's class refuses is turned away at add(), not queued.
    const invalid = await fetch(`${base}/jobs`, { method: 'POST', body: JSON.stringify({ url: 'not a url', width: 3 }) });
    expect(invalid.status).toBe(400);
    expect(((await invalid.json()) as { error: string }).error).toMatch(/width/);

    // The timer's jobs join the HTTP one; the audit group sees each processed job's event.
    let metrics = '';
    await waitUntil(async () => {
      metrics = await (await fetch(`${base}/metrics`)).text();
      return (
        (sample(metrics, 'brook_jobs_total', { queue: 'thumbnails', name: 'render', status: 'completed' }) ?? 0) >= 3 &&
        (sample(metrics, 'demo_thumbnails_audited_total') ?? 0) >= 3
      );
    }, `three completed and audited jobs on /metrics\n${metrics}`);
    expect(sample(metrics, 'brook_queue_jobs', { queue: 'thumbnails', state: 'completed' })).toBeGreaterThanOrEqual(1);
    expect(
      sample(metrics, 'brook_job_duration_seconds_count', { queue: 'thumbnails', name: 'render', status: 'completed' }),
    ).toBeGreaterThanOrEqual(3);

    // SIGTERM: a graceful shutdown, after which nothing holds the process: it exits with code 0.
    expect(await stopDemo(demo)).toBe(0);
    expect(demo.output()).toMatch(/SIGTERM: shutting down[\s\S]*closed/);
  });
});

describe('docker-compose.yml', () => {
  interface Service {
    build?: string;
    image?: string;
    entrypoint?: string[];
    environment?: Record<string, string>;
    ports?: string[];
    depends_on?: Record<string, { condition: string }>;
    healthcheck?: { test: string[] };
  }
  const compose = parse(readFileSync(join(ROOT, 'docker-compose.yml'), 'utf8')) as { services: Record<string, Service> };

  it('runs brook-server and the demo from the Dockerfile, the demo waiting for a healthy broker', () => {
    const { broker, demo } = compose.services;
    expect(broker.build).toBe('.');
    expect(demo.build).toBe('.');
    expect(demo.image).toBe(broker.image);
    expect(existsSync(join(ROOT, 'Dockerfile'))).toBe(true);
    expect(demo.depends_on?.broker.condition).toBe('service_healthy');
    expect(broker.healthcheck?.test[0]).toBe('CMD');
  });

  it("points the demo at the broker's published port and at the file the build produces", () => {
    const { broker, demo } = compose.services;
    const brokerPort = broker.ports?.[0].split(':').at(-1);
    expect(demo.environment?.BROOK_URL).toBe(`redis://broker:${brokerPort}`);
    expect(demo.environment?.DEMO_HOST).toBe('0.0.0.0');
    expect(demo.ports).toEqual([`${demo.environment?.DEMO_PORT}:${demo.environment?.DEMO_PORT}`]);
    // The image copies dist/ from `nest build demo`, which writes the entrypoint's file (npm run build does the same here).
    expect(demo.entrypoint?.slice(0, 1)).toEqual(['node']);
    expect(demo.entrypoint?.[1]).toBe(DEMO_MAIN);
    expect(existsSync(join(ROOT, DEMO_MAIN))).toBe(true);
    expect(readFileSync(join(ROOT, 'Dockerfile'), 'utf8')).toMatch(/nest build demo/);
  });
});
