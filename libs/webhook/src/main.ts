// The verifier's entry (bundled into the pipeline chart's files/webhook-verifier.mjs by `hat generate`): settings
// from the environment, the secret from its mounted file, then serve until SIGTERM.
import { readFile } from 'node:fs/promises';
import { createLogger, exitCodeOf, oneLine } from '@hat/task-runtime';
import { verifierSettings } from './config.ts';
import { startVerifier } from './server.ts';

const log = createLogger({ prefix: 'webhook-verifier' });
try {
  const settings = verifierSettings(process.env);
  const running = await startVerifier({ config: settings.config, readSecret: () => readFile(settings.secretFile, 'utf8'), port: settings.port, host: settings.host, log });
  log.info(`checking ${settings.config.provider} deliveries (events ${settings.config.eventTypes.join(', ')}) against Secret ${settings.config.secretRef}, on ${running.url}`);
  const stop = (): void => void running.close().then(() => process.exit(0));
  process.once('SIGTERM', stop);
  process.once('SIGINT', stop);
} catch (err) {
  process.stderr.write(`error: ${oneLine(err instanceof Error ? err.message : String(err))}\n`);
  process.exit(exitCodeOf(err));
}
