// How every go command of this library runs: the local toolchain only (GOTOOLCHAIN=local), the machine's module
// proxy only (its GOPROXY without `direct`, so nothing but the proxy is contacted), static binaries (CGO_ENABLED=0, constant across builds: flipping it forces a full rebuild), and at
// lower priority (nice -n 10) so a cold build leaves the machine usable.
import { execFileSync } from 'node:child_process';
import { HatError, run, type RunOptions, type RunOutput } from '@hat/task-runtime';

/** The go binary: $HAT_GO, else `go` from PATH. */
export const goBinary = (env: NodeJS.ProcessEnv = process.env): string => env['HAT_GO'] || 'go';

/** The module proxies this machine's go is set up with (`go env GOPROXY`), without `direct` or `off`. */
export function proxyOnly(goproxy: string): string {
  const proxies = goproxy.split(/[,|]/).map((p) => p.trim()).filter((p) => p && p !== 'direct' && p !== 'off');
  if (proxies.length === 0) throw new HatError(`GOPROXY=${JSON.stringify(goproxy)} names no module proxy (only direct/off): cluster components are built from the Go module proxy; set GOPROXY or HAT_GOPROXY`);
  return proxies.join(',');
}

let machineProxy: string | undefined;

export function goEnv(env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  machineProxy ??= proxyOnly(env['HAT_GOPROXY'] || execFileSync(goBinary(env), ['env', 'GOPROXY'], { encoding: 'utf8' }).trim());
  return {
    GOPROXY: machineProxy,
    GOTOOLCHAIN: 'local',
    GOWORK: 'off',
    GOFLAGS: '-buildvcs=false',
    CGO_ENABLED: '0',
  };
}

/** Runs `nice -n 10 go <args>` with goEnv(). */
export function go(args: readonly string[], opts: RunOptions = {}): Promise<RunOutput> {
  return run('nice', ['-n', '10', goBinary(), ...args], { ...opts, env: { ...goEnv(), ...opts.env } });
}

let cachedVersion: Promise<string> | undefined;

/** The toolchain's version (go1.26.8): part of every cache key, since binaries differ per toolchain. */
export function goVersion(): Promise<string> {
  cachedVersion ??= run(goBinary(), ['env', 'GOVERSION'], { env: goEnv() }).then(({ stdout }) => stdout.trim());
  return cachedVersion;
}
