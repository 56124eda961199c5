/** Test harness: a real Rampart on 127.0.0.1 and a free port, with its own temp data dir. */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { configSchema, type Config, type ConfigInput } from '../../src/config/schema.js';
import { startServer, type RunningServer, type StartOptions } from '../../src/app/rampart-server.js';

export interface TestServer {
  server: RunningServer;
  config: Config;
  url: string;
  wsUrl: string;
  dataDir: string;
  /** Stops the server (graceful) and keeps the data dir. */
  stop(): Promise<void>;
  /** Stops the server and removes the data dir. */
  close(): Promise<void>;
}

export async function startTestServer(overrides: ConfigInput = {}, options: StartOptions & { dataDir?: string } = {}): Promise<TestServer> {
  const dataDir = options.dataDir ?? (await mkdtemp(join(tmpdir(), 'rampart-test-')));
  // Tests register many users from one IP: lift the per-IP registration limit unless a test sets it.
  const config = configSchema.parse({ port: 0, dataDir, logLevel: 'silent', shutdownTimeoutMs: 2000, registrationsPerIpPerHour: 10_000, ...overrides });
  const server = await startServer(config, options);
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await server.close();
  };
  return {
    server,
    config,
    url: server.url,
    wsUrl: `${server.url.replace(/^http/, 'ws')}/ws`,
    dataDir,
    stop,
    close: async () => {
      await stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
