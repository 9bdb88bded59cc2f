// Git smart-HTTP server: nginx (basic auth per repo) -> fcgiwrap -> git-http-backend, on 127.0.0.1 (and on other
// local addresses when asked: a cluster's node address, for pods).
import { existsSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { execa } from 'execa';
import { findBinary } from './binaries.ts';
import type { Daemon } from './daemon.ts';
import { assertPortFree, freePort } from './free-port.ts';
import { gitNginxConf } from './git-nginx-conf.ts';
import { connectGitServer } from './git-repos.ts';
import type { GitRepos } from './git-repos.ts';
import { httpRequest } from './http.ts';
import { createServerHome } from './server-home.ts';
import type { ServerHome } from './server-home.ts';
import { waitFor } from './wait.ts';

export interface GitServerOptions {
  /** Port on 127.0.0.1; a free one by default. */
  port?: number;
  /** Lifetime limit; default HAT_STACK_MAX_SECONDS or 2 hours. */
  maxSeconds?: number;
  /** Also listen on these local addresses (e.g. the node address of `hat cluster up`, so pods reach the repos). */
  alsoOn?: readonly string[];
}

export interface GitServer extends GitRepos {
  readonly port: number;
  /** The temp dir holding repos/, auth/, logs/. */
  readonly dir: string;
  readonly running: boolean;
  /** A repo URL (as GitRepo.url) on another address it listens on (alsoOn). */
  urlOn(address: string, url: string): string;
  /** Stops the HTTP side (nginx + fcgiwrap); repos stay. Requests fail to connect until resume(). */
  pause(): Promise<void>;
  /** Starts the HTTP side again on the same port. */
  resume(): Promise<void>;
  restart(): Promise<void>;
  /** Stops everything and removes the dir. Idempotent. */
  stop(): Promise<void>;
}

const START_ATTEMPTS = 3;

export async function startGitServer(options: GitServerOptions = {}): Promise<GitServer> {
  const home = createServerHome('hat-git-', options.maxSeconds);
  try {
    await Promise.all(['repos', 'auth', 'nginx'].map((sub) => mkdir(home.path(sub))));
    const backend = `${(await execa('git', ['--exec-path'])).stdout.trim()}/git-http-backend`;
    if (!existsSync(backend)) throw new Error(`git-http-backend not found at ${backend}`);
    let port = options.port ?? (await freePort());
    const alsoOn = options.alsoOn ?? [];
    let daemons = await startHttp(home, port, backend, alsoOn);
    for (let attempt = 1; daemons instanceof Error; attempt++) {
      // Another process may have taken the free port between probe and bind.
      if (options.port !== undefined || attempt >= START_ATTEMPTS) throw daemons;
      port = await freePort();
      daemons = await startHttp(home, port, backend, alsoOn);
    }
    return gitServer(home, port, backend, daemons, alsoOn);
  } catch (error) {
    await home.dispose();
    throw error;
  }
}

function gitServer(home: ServerHome, port: number, backend: string, started: Daemon[], alsoOn: readonly string[]): GitServer {
  const url = `http://127.0.0.1:${port}`;
  const repos = connectGitServer({ url, dir: home.dir });
  let daemons: Daemon[] = started;
  let stopped = false;

  const pause = async (): Promise<void> => {
    const current = daemons;
    daemons = [];
    for (const daemon of current.reverse()) await daemon.stop();
  };
  const resume = async (): Promise<void> => {
    if (stopped) throw new Error('git server was stopped');
    if (daemons.length > 0) return;
    const result = await startHttp(home, port, backend, alsoOn);
    if (result instanceof Error) throw result;
    daemons = result;
  };

  return {
    ...repos,
    port,
    dir: home.dir,
    get running() {
      return daemons.length > 0;
    },
    urlOn(address: string, repoUrl: string): string {
      if (!alsoOn.includes(address)) throw new Error(`the git server does not listen on ${address} (alsoOn: ${alsoOn.join(', ') || 'none'})`);
      return repoUrl.replace(`//127.0.0.1:${port}/`, `//${address}:${port}/`);
    },
    pause,
    resume,
    async restart() {
      await pause();
      await resume();
    },
    async stop() {
      stopped = true;
      daemons = [];
      await home.dispose();
    },
  };
}

/** Starts fcgiwrap then nginx; returns an Error (after cleaning up) if either fails to come up. */
async function startHttp(home: ServerHome, port: number, backend: string, alsoOn: readonly string[]): Promise<Daemon[] | Error> {
  const socket = home.path('fcgiwrap.sock');
  await rm(socket, { force: true });
  await writeFile(
    home.path('nginx', 'nginx.conf'),
    gitNginxConf({ dir: home.dir, port, socket, backend, runAsRoot: process.getuid?.() === 0, alsoOn }),
  );
  const started: Daemon[] = [];
  try {
    await assertPortFree(port);
    const fcgi = home.start({ name: 'fcgiwrap', command: findBinary('fcgiwrap'), args: ['-f', '-c', '8', '-s', `unix:${socket}`] });
    started.push(fcgi);
    await waitFor(() => existsSync(socket), { what: 'fcgiwrap socket', failIf: () => fcgi.exitReason() });
    const nginx = home.start({
      name: 'nginx',
      command: findBinary('nginx'),
      args: ['-p', home.path('nginx'), '-c', home.path('nginx', 'nginx.conf'), '-e', home.path('logs', 'nginx.log'), '-g', 'daemon off;'],
    });
    started.push(nginx);
    await waitFor(() => servesHome(port, home.dir), {
      what: `nginx on 127.0.0.1:${port}`,
      failIf: () => nginx.exitReason(),
    });
    return started;
  } catch (error) {
    for (const daemon of started.reverse()) await daemon.stop();
    return error instanceof Error ? error : new Error(String(error));
  }
}

/** True when our nginx (not some other process on the port) answers. */
async function servesHome(port: number, dir: string): Promise<boolean> {
  try {
    return (await httpRequest(`http://127.0.0.1:${port}/healthz`, { timeoutMs: 2_000 })).body.toString() === dir;
  } catch {
    return false;
  }
}
