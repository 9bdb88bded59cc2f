// Gitea, a real forge: one process (pure-Go SQLite) on 127.0.0.1, an admin user and its API token made by Gitea's own
// CLI, repos and users through its API. Built once per user by scripts/build-gitea.sh (linked as .tools/bin/gitea).
import { randomBytes } from 'node:crypto';
import { realpathSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import path from 'node:path';
import os from 'node:os';
import { execa } from 'execa';
import { findBinary } from './binaries.ts';
import type { Daemon } from './daemon.ts';
import { assertPortFree, freePort } from './free-port.ts';
import { basicAuth, httpRequest, type HttpResponse } from './http.ts';
import { randomPassword } from './htpasswd.ts';
import { createServerHome, type ServerHome } from './server-home.ts';
import { waitFor } from './wait.ts';

export interface GiteaUser {
  readonly username: string;
  readonly password: string;
  /** An API token with every scope of this user. */
  readonly token: string;
}

export interface GiteaRepo {
  readonly owner: string;
  readonly name: string;
  /** http clone URL, without credentials. */
  readonly url: string;
}

export interface Gitea {
  /** http://127.0.0.1:PORT */
  readonly url: string;
  readonly apiUrl: string;
  readonly dir: string;
  readonly admin: GiteaUser;
  /** A user (not admin) with a password and an all-scopes token. */
  createUser(username: string): Promise<GiteaUser>;
  /** A repo owned by `owner` (default the admin), with `main` as its default branch; empty unless seeded. */
  createRepo(name: string, options?: { readonly owner?: GiteaUser; readonly private?: boolean }): Promise<GiteaRepo>;
  /** One commit with these files on `main` (pushed as the admin); returns when Gitea no longer calls the repo empty. */
  seedRepo(repo: GiteaRepo, files: Record<string, string>, message?: string): Promise<void>;
  /**
   * Merges the pull request (as the admin) the way `how` says, waiting (bounded) while Gitea still checks whether it
   * can be merged ("Please try again later", HTTP 405).
   */
  mergePullRequest(repo: GiteaRepo, number: number, how?: 'merge' | 'rebase' | 'squash' | 'fast-forward-only'): Promise<void>;
  /** Gives `user` write access to `repo`. */
  addCollaborator(repo: GiteaRepo, user: GiteaUser, permission?: 'read' | 'write' | 'admin'): Promise<void>;
  /** An API call as `user` (default the admin); throws on a status outside `ok`. */
  api(method: string, path: string, body?: unknown, options?: { readonly as?: GiteaUser; readonly ok?: readonly number[] }): Promise<HttpResponse & { json: () => unknown }>;
  /** Stops the process; data stays. */
  pause(): Promise<void>;
  resume(): Promise<void>;
  stop(): Promise<void>;
}

export interface GiteaOptions {
  readonly maxSeconds?: number;
  /** Listen on this local address instead of 127.0.0.1. */
  readonly address?: string;
}

/** Hosts Gitea may deliver webhooks to: this machine only. */
const WEBHOOK_HOSTS = 'loopback,private';

export async function startGitea(options: GiteaOptions = {}): Promise<Gitea> {
  const binary = findBinary('gitea');
  const home = createServerHome('hat-gitea-', options.maxSeconds);
  try {
    const address = options.address ?? '127.0.0.1';
    const port = await freePort();
    const url = `http://${address}:${port}`;
    const config = home.path('app.ini');
    await mkdir(home.path('data'));
    // Locales and templates sit beside the real binary (scripts/build-gitea.sh).
    await writeFile(config, appIni(home.dir, address, port, path.join(path.dirname(realpathSync(binary)), 'static')));
    // Gitea refuses to run as root unless told: the test stack runs as whoever runs the tests (root on CI).
    const env = { HOME: home.dir, USER: os.userInfo().username, GITEA_WORK_DIR: home.dir, GITEA_I_AM_BEING_UNSAFE_RUNNING_AS_ROOT: 'true', PATH: process.env['PATH'] ?? '/usr/bin:/bin' };
    const cli = (args: string[]) => execa(binary, ['--config', config, '--work-path', home.dir, ...args], { env, extendEnv: false, cwd: home.dir });
    await cli(['migrate']);
    const admin = { username: 'hat-admin', password: randomPassword() };
    const created = await cli(['admin', 'user', 'create', '--username', admin.username, '--password', admin.password, '--email', 'hat-admin@hat.invalid', '--admin', '--must-change-password=false', '--access-token', '--access-token-name', 'hat', '--access-token-scopes', 'all']);
    const token = /Access token was successfully created\.\.\. (\S+)/.exec(created.stdout)?.[1];
    if (!token) throw new Error(`gitea admin user create printed no token: ${created.stdout.slice(0, 200)}`);
    const adminUser: GiteaUser = { ...admin, token };

    let current: Daemon | undefined;
    let stopped = false;
    const start = async (): Promise<void> => {
      await assertPortFree(port);
      const daemon = home.start({ name: 'gitea', command: binary, args: ['--config', config, '--work-path', home.dir, 'web', '--port', String(port)], env });
      try {
        await waitFor(async () => (await httpRequest(`${url}/api/v1/version`, { timeoutMs: 2_000 }).catch(() => undefined))?.status === 200, {
          what: `gitea on ${address}:${port}`,
          timeoutMs: 60_000,
          failIf: () => daemon.exitReason(),
        });
      } catch (err) {
        await daemon.stop();
        throw err;
      }
      current = daemon;
    };
    await start();

    const api: Gitea['api'] = async (method, path, body, opts = {}) => {
      const as = opts.as ?? adminUser;
      const res = await httpRequest(`${url}/api/v1${path}`, {
        method,
        headers: { authorization: `token ${as.token}`, accept: 'application/json', ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        timeoutMs: 30_000,
      });
      if (!(opts.ok ?? [200, 201, 204]).includes(res.status)) throw new Error(`gitea ${method} ${path}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
      return { ...res, json: () => JSON.parse(res.body.toString('utf8')) as unknown };
    };

    return {
      url,
      apiUrl: `${url}/api/v1`,
      dir: home.dir,
      admin: adminUser,
      async createUser(username) {
        const password = randomPassword();
        await api('POST', '/admin/users', { username, password, email: `${username}@hat.invalid`, must_change_password: false });
        const res = await httpRequest(`${url}/api/v1/users/${username}/tokens`, {
          method: 'POST',
          headers: { authorization: basicAuth(username, password), 'content-type': 'application/json' },
          body: JSON.stringify({ name: `hat-${randomBytes(4).toString('hex')}`, scopes: ['all'] }),
        });
        if (res.status !== 201) throw new Error(`gitea token for ${username}: HTTP ${res.status} ${res.body.toString('utf8').slice(0, 200)}`);
        return { username, password, token: (JSON.parse(res.body.toString('utf8')) as { sha1: string }).sha1 };
      },
      async createRepo(name, opts = {}) {
        const owner = opts.owner ?? adminUser;
        await api('POST', '/user/repos', { name, private: opts.private ?? false, default_branch: 'main', auto_init: false }, { as: owner });
        return { owner: owner.username, name, url: `${url}/${owner.username}/${name}.git` };
      },
      async seedRepo(repo, files, message = 'scaffold') {
        const work = await mkdtemp(path.join(os.tmpdir(), 'hat-gitea-seed-'));
        try {
          const who = { GIT_AUTHOR_NAME: 'hat seed', GIT_AUTHOR_EMAIL: 'seed@hat.invalid', GIT_COMMITTER_NAME: 'hat seed', GIT_COMMITTER_EMAIL: 'seed@hat.invalid' };
          const g = (...args: string[]) => execa('git', args, { cwd: work, env: who });
          await g('init', '-q', '-b', 'main');
          for (const [file, text] of Object.entries(files)) {
            await mkdir(path.dirname(path.join(work, file)), { recursive: true });
            await writeFile(path.join(work, file), text);
          }
          await g('add', '-A');
          await g('commit', '-qm', message);
          await g('-c', `http.extraHeader=Authorization: ${basicAuth(adminUser.username, adminUser.password)}`, 'push', '-q', repo.url, 'HEAD:main');
        } finally {
          await rm(work, { recursive: true, force: true });
        }
        // Gitea marks the repo non-empty after the push, asynchronously; until then it lists no pull requests (404).
        await waitFor(async () => !((await api('GET', `/repos/${repo.owner}/${repo.name}`)).json() as { empty: boolean }).empty, { what: `gitea repo ${repo.name} after its first push`, timeoutMs: 15_000 });
      },
      async mergePullRequest(repo, number, how = 'merge') {
        const started = Date.now();
        for (;;) {
          const res = await api('POST', `/repos/${repo.owner}/${repo.name}/pulls/${number}/merge`, { Do: how }, { ok: [200, 204, 405] });
          if (res.status !== 405) return;
          if (Date.now() - started > 30_000) throw new Error(`gitea merge of ${repo.name}#${number}: still "${res.body.toString('utf8').slice(0, 120)}" after 30 s`);
          await new Promise((r) => setTimeout(r, 200));
        }
      },
      async addCollaborator(repo, user, permission = 'write') {
        await api('PUT', `/repos/${repo.owner}/${repo.name}/collaborators/${user.username}`, { permission });
      },
      api,
      async pause() {
        const running = current;
        current = undefined;
        await running?.stop();
      },
      async resume() {
        if (stopped) throw new Error('gitea was stopped');
        if (current === undefined) await start();
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

function appIni(dir: string, address: string, port: number, staticRoot: string): string {
  const secret = () => randomBytes(32).toString('hex');
  return `APP_NAME = hat test forge
RUN_MODE = prod
RUN_USER = ${os.userInfo().username}
WORK_PATH = ${dir}

[server]
PROTOCOL = http
HTTP_ADDR = ${address}
HTTP_PORT = ${port}
ROOT_URL = http://${address}:${port}/
DISABLE_SSH = true
START_SSH_SERVER = false
OFFLINE_MODE = true
LFS_START_SERVER = false
APP_DATA_PATH = ${dir}/data
STATIC_ROOT_PATH = ${staticRoot}

[database]
DB_TYPE = sqlite3
PATH = ${dir}/data/gitea.db
SQLITE_JOURNAL_MODE = WAL

[repository]
ROOT = ${dir}/repos
DEFAULT_BRANCH = main

[security]
INSTALL_LOCK = true
SECRET_KEY = ${secret()}
INTERNAL_TOKEN = ${secret()}
ALLOWED_HOST_LIST = ${WEBHOOK_HOSTS}

[oauth2]
ENABLED = false

[service]
DISABLE_REGISTRATION = true
NO_REPLY_ADDRESS = hat.invalid

[webhook]
DELIVER_TIMEOUT = 10

[mailer]
ENABLED = false

[session]
PROVIDER = memory

[cache]
ADAPTER = memory

[indexer]
REPO_INDEXER_ENABLED = false
ISSUE_INDEXER_TYPE = db

[actions]
ENABLED = false

[packages]
ENABLED = false

[cron]
ENABLED = false

[log]
MODE = console
LEVEL = Warn
ROOT_PATH = ${dir}/logs
`;
}
