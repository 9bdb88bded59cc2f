// Git over ssh: OpenSSH's sshd on 127.0.0.1 serving a git server's repos. Each key is granted some repos
// (a forced command, as a git host's deploy key), so ssh credentials are per repo like the HTTP ones.
import { existsSync } from 'node:fs';
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { execa } from 'execa';
import { findBinary } from './binaries.ts';
import { assertPortFree, freePort } from './free-port.ts';
import { repoName } from './git-repos.ts';
import { createServerHome } from './server-home.ts';
import { waitFor } from './wait.ts';

export interface SshServerOptions {
  /** The repos to serve: a git server's `repos/` dir (startGitServer's `dir` + '/repos'). */
  reposDir: string;
  maxSeconds?: number;
}

export interface SshKey {
  /** The private key file's content (OpenSSH format), as a Secret's ssh-privatekey holds it. */
  privateKey: string;
  publicKey: string;
}

export interface SshServer {
  readonly port: number;
  /** The user to log in as (sshd can only log in the user it runs as, unless root). */
  readonly user: string;
  /** `ssh://user@127.0.0.1:PORT/<repo>.git` */
  repoUrl(repo: string): string;
  /** A known_hosts line for this server's host key. */
  readonly knownHosts: string;
  /** A known_hosts line that claims another host key for this server (an impostor's, as ssh would see it). */
  knownHostsFor(publicKey: string): string;
  /** A new key pair that may fetch and push the given repos (names as in createRepo) and nothing else. */
  grantKey(repos: readonly string[]): Promise<SshKey>;
  stop(): Promise<void>;
}

const GUARD = path.join(path.dirname(fileURLToPath(import.meta.url)), 'ssh-guard.sh');

/** The lines of a private key that must never appear in a log, result or commit (all but BEGIN/END). */
export const privateKeyLines = (key: SshKey): string[] => key.privateKey.split('\n').filter((l) => l && !l.startsWith('-----'));

async function keyPair(file: string, comment: string): Promise<SshKey> {
  await execa(findBinary('ssh-keygen'), ['-q', '-t', 'ed25519', '-N', '', '-C', comment, '-f', file]);
  return { privateKey: await readFile(file, 'utf8'), publicKey: (await readFile(`${file}.pub`, 'utf8')).trim() };
}

export async function startSshServer(options: SshServerOptions): Promise<SshServer> {
  const sshd = findBinary('sshd');
  const home = createServerHome('hat-ssh-', options.maxSeconds);
  try {
    // As root, sshd wants its privilege separation dir (made by the service unit, which never runs here).
    if (process.getuid?.() === 0 && !existsSync('/run/sshd')) await mkdir('/run/sshd', { mode: 0o755 });
    const host = await keyPair(home.path('host_ed25519'), 'hat test sshd');
    const user = os.userInfo().username;
    const authorized = home.path('authorized_keys');
    await writeFile(authorized, '', { mode: 0o600 });
    const port = await freePort();
    await assertPortFree(port);
    await writeFile(
      home.path('sshd_config'),
      [
        `Port ${port}`,
        'ListenAddress 127.0.0.1',
        `HostKey ${home.path('host_ed25519')}`,
        `PidFile ${home.path('sshd.pid')}`,
        `AuthorizedKeysFile ${authorized}`,
        'PubkeyAuthentication yes',
        'PasswordAuthentication no',
        'KbdInteractiveAuthentication no',
        'UsePAM no',
        'StrictModes no',
        'PermitRootLogin prohibit-password',
        `AllowUsers ${user}`,
        'AcceptEnv GIT_PROTOCOL',
        'LogLevel ERROR',
        '',
      ].join('\n'),
    );
    const daemon = home.start({ name: 'sshd', command: sshd, args: ['-D', '-e', '-f', home.path('sshd_config')] });
    await waitFor(() => answers(port), { what: `sshd on 127.0.0.1:${port}`, failIf: () => daemon.exitReason() });
    let keys = 0;
    const knownHostsFor = (publicKey: string) => `[127.0.0.1]:${port} ${publicKey.split(' ').slice(0, 2).join(' ')}\n`;
    return {
      port,
      user,
      repoUrl: (repo) => `ssh://${user}@127.0.0.1:${port}/${repoName(repo)}.git`,
      knownHosts: knownHostsFor(host.publicKey),
      knownHostsFor,
      async grantKey(repos) {
        const key = await keyPair(home.path(`key-${++keys}`), `hat test key ${keys}`);
        const command = [GUARD, options.reposDir, ...repos.map((r) => `${repoName(r)}.git`)].join(' ');
        await appendFile(authorized, `command="${command}",restrict ${key.publicKey}\n`);
        return key;
      },
      stop: () => home.dispose(),
    };
  } catch (error) {
    await home.dispose();
    throw error;
  }
}

/** True when something on the port speaks ssh (sends its version banner). */
function answers(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.setTimeout(2_000);
    socket.once('data', (data) => {
      socket.destroy();
      resolve(data.toString().startsWith('SSH-2.0-'));
    });
    for (const event of ['error', 'timeout', 'close']) socket.once(event, () => resolve(false));
  });
}
