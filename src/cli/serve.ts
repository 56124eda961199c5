/** `rampart serve`: runs the chat server until SIGTERM/SIGINT, then drains gracefully. */
import { startServer } from '../app/rampart-server.js';
import type { Config } from '../config/schema.js';
import { createLogger } from '../log/logger.js';

export async function serve(config: Config): Promise<void> {
  const log = createLogger(config.logLevel);
  const server = await startServer(config, { log });
  let stopping = false;
  const stop = (signal: string): void => {
    if (stopping) {
      log.warn({ event: 'server.forced_exit', signal });
      process.exit(1);
    }
    stopping = true;
    log.info({ event: 'server.signal', signal });
    server.close().then(
      () => process.exit(0),
      (err: unknown) => {
        log.error({ event: 'server.close_failed', err });
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
}
