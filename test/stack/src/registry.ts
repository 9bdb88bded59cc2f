// OCI registry: Debian's docker-registry with one htpasswd user, plain HTTP on 127.0.0.1.
import { mkdir, writeFile } from 'node:fs/promises';
import { findBinary } from './binaries.ts';
import type { Daemon } from './daemon.ts';
import { assertPortFree, freePort } from './free-port.ts';
import { bcryptLine, randomPassword } from './htpasswd.ts';
import { httpRequest } from './http.ts';
import { registryConfig } from './registry-config.ts';
import { createServerHome } from './server-home.ts';
import type { ServerHome } from './server-home.ts';
import { waitFor } from './wait.ts';

/** Serialisable: what a process needs to use a running registry. */
export interface RegistryInfo {
  /** 127.0.0.1:PORT — the registry host for image refs and oci:// URLs. */
  host: string;
  /** http://127.0.0.1:PORT */
  url: string;
  username: string;
  password: string;
}

export interface RegistryOptions {
  username?: string;
  /** Random by default. */
  password?: string;
  port?: number;
  maxSeconds?: number;
  /** Listen on this local address instead of 127.0.0.1 (e.g. the node address of `hat cluster up`, for pods). */
  address?: string;
}

export interface Registry extends RegistryInfo {
  readonly port: number;
  readonly dir: string;
  readonly running: boolean;
  info(): RegistryInfo;
  /** Stops the registry process; stored content stays. */
  pause(): Promise<void>;
  /** Starts it again on the same port. */
  resume(): Promise<void>;
  restart(): Promise<void>;
  /** Stops it and removes the dir. Idempotent. */
  stop(): Promise<void>;
}

const START_ATTEMPTS = 3;

export async function startRegistry(options: RegistryOptions = {}): Promise<Registry> {
  const home = createServerHome('hat-registry-', options.maxSeconds);
  const credential = { username: options.username ?? 'hat', password: options.password ?? randomPassword() };
  try {
    await mkdir(home.path('data'));
    await writeFile(home.path('htpasswd'), await bcryptLine(credential));
    let port = options.port ?? (await freePort());
    const address = options.address ?? '127.0.0.1';
    let daemon = await startRegistryProcess(home, address, port);
    for (let attempt = 1; daemon instanceof Error; attempt++) {
      if (options.port !== undefined || attempt >= START_ATTEMPTS) throw daemon;
      port = await freePort();
      daemon = await startRegistryProcess(home, address, port);
    }
    let current: Daemon | undefined = daemon;
    let stopped = false;
    const info: RegistryInfo = { host: `${address}:${port}`, url: `http://${address}:${port}`, ...credential };
    const pause = async (): Promise<void> => {
      const running = current;
      current = undefined;
      await running?.stop();
    };
    const resume = async (): Promise<void> => {
      if (stopped) throw new Error('registry was stopped');
      if (current !== undefined) return;
      const started = await startRegistryProcess(home, address, port);
      if (started instanceof Error) throw started;
      current = started;
    };
    return {
      ...info,
      port,
      dir: home.dir,
      get running() {
        return current !== undefined;
      },
      info: () => ({ ...info }),
      pause,
      resume,
      async restart() {
        await pause();
        await resume();
      },
      async stop() {
        stopped = true;
        current = undefined;
        await home.dispose();
      },
    };
  } catch (error) {
    await home.dispose();
    throw error;
  }
}

async function startRegistryProcess(home: ServerHome, address: string, port: number): Promise<Daemon | Error> {
  try {
    await assertPortFree(port);
  } catch (error) {
    return error as Error;
  }
  await writeFile(home.path('config.yml'), registryConfig(home.dir, address, port));
  const daemon = home.start({ name: 'registry', command: findBinary('docker-registry'), args: ['serve', home.path('config.yml')] });
  try {
    await waitFor(() => servesHome(address, port, home.dir), { what: `registry on ${address}:${port}`, failIf: () => daemon.exitReason() });
    return daemon;
  } catch (error) {
    await daemon.stop();
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** True when our registry answers /v2/ (401 without credentials counts as up). */
async function servesHome(address: string, port: number, dir: string): Promise<boolean> {
  try {
    const response = await httpRequest(`http://${address}:${port}/v2/`, { timeoutMs: 2_000 });
    return response.headers['x-hat-stack'] === dir;
  } catch {
    return false;
  }
}
