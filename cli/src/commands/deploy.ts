import { readFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { describe } from '../command-table.ts';
import { createLogger, InputError, registerSecret } from '@hat/task-runtime';
import { authFromEnv, authorOf } from '../cli-util.ts';
import { artifactCheck, checkUpstream, definition, promote, promoteByPullRequest, waitForDeploy, waitForMerge, type PromoteOutcome } from '@hat/task-deploy';
import { createForge, forgeRepoOf, type PullRequest } from '@hat/forge';
import { isDns1123Label } from '@hat/gitops';
import type { RegistryCredential } from '@hat/oci';

/** Read access for the artifact checks, from HAT_REGISTRY_USERNAME/HAT_REGISTRY_PASSWORD; none: anonymous. */
function registryCredentialFromEnv(): RegistryCredential | undefined {
  const password = process.env['HAT_REGISTRY_PASSWORD'];
  if (!password) return undefined;
  registerSecret(password);
  return { kind: 'basic', username: process.env['HAT_REGISTRY_USERNAME'] ?? '', password };
}
import { durationMs } from '@hat/argocd';
import { kubeContext } from '@hat/cluster';
import { parseParams } from '@hat/task-runtime';

interface DeployOpts {
  env?: string;
  repo?: string;
  branch: string;
  dryRun?: boolean;
  rollback?: boolean;
  author?: string;
  source?: string;
  sourceCommit?: string;
  wait?: boolean;
  syncTimeout: string;
  argocdNamespace: string;
  kubeconfig?: string;
  context?: string;
  signKey?: string;
  require?: string;
  imageRepository?: string;
  imageDigest?: string;
  chartDigest?: string;
  insecureRegistry?: boolean;
  pullRequest?: boolean;
  forge: string;
  forgeApiUrl?: string;
  waitForMerge?: boolean;
  mergeTimeout: string;
}

export function registerDeployCommand(program: Command): void {
  program
    .command('deploy')
    .description(describe('deploy'))
    .argument('[app]', 'app name (apps/<app>/ in the env repo, apps/<shard>/<app>/ in a sharded one)')
    .argument('[version]', 'SemVer 2 version: image tag and chart version')
    .option('--env <env>', 'environment name, used in the commit and its trailers (required)')
    .option('--repo <url>', 'env repo URL (required; credentials: HAT_GIT_USERNAME/HAT_GIT_PASSWORD, or git credential helpers)')
    .option('--branch <branch>', 'env repo branch', 'main')
    .option('--dry-run', 'print the diff, push nothing')
    .option('--rollback', 'allow a lower version than the deployed one')
    .option('--author <identity>', 'commit author, "Name <email>"')
    .option('--source <url>', 'source repo URL for the trailer')
    .option('--source-commit <sha>', 'source commit for the trailer')
    .option('--image-repository <repo>', 'with --image-digest: the image repository (no tag), e.g. registry.example.com/shop/web')
    .option('--image-digest <digest>', '<image-repository>:VERSION must have this digest in the registry (recorded as Hat-Image-Digest)')
    .option('--chart-digest <digest>', 'the chart the env repo depends on must have this digest at VERSION (recorded as Hat-Chart-Digest)')
    .option('--insecure-registry', 'the registry serves plain HTTP or an unverified certificate (credentials: HAT_REGISTRY_USERNAME/HAT_REGISTRY_PASSWORD)')
    .option('--require <env=url>', 'deploy only what that env ran: its env repo must hold this version, or a deploy of --source-commit (a --rollback may go back to a version this env ran)')
    .option('--sign-key <file>', 'sign the deploy commit with this SSH private key (unencrypted OpenSSH; git gpg.format=ssh)')
    .option('--pull-request', 'propose the deploy commit as a pull request (branch hat/ENV/APP; one per app and env, a newer version updates it) instead of pushing; API token: HAT_FORGE_TOKEN')
    .option('--forge <provider>', 'with --pull-request: the forge\'s API (gitea or forgejo)', 'gitea')
    .option('--forge-api-url <url>', 'with --pull-request: the API base (default: the repo URL\'s origin + /api/v1)')
    .option('--wait-for-merge', 'with --pull-request: wait until the pull request is merged (fails when it is closed unmerged)')
    .option('--merge-timeout <duration>', 'with --wait-for-merge: how long (e.g. 30m, 2h)', '1h')
    .option('--wait', 'after the commit lands, wait until Argo CD runs it (the app\'s Applications Synced to it and Healthy)')
    .option('--sync-timeout <duration>', 'with --wait: how long (e.g. 90s, 5m)', '5m')
    .option('--argocd-namespace <ns>', "with --wait: Argo CD's namespace", 'argocd')
    .option('--kubeconfig <file>', 'with --wait: kubeconfig (default: $KUBECONFIG, ~/.kube/config, else the cluster of hat cluster up)')
    .option('--context <name>', 'with --wait: kube context (default: the current one)')
    .action(async (app: string | undefined, version: string | undefined, opts: DeployOpts) => {
      // Everything missing at once, with the whole usage, rather than the first missing option alone.
      const missing = [app === undefined ? 'APP' : '', version === undefined ? 'VERSION' : '', opts.env ? '' : '--env', opts.repo ? '' : '--repo'].filter(Boolean);
      if (app === undefined || version === undefined || !opts.env || !opts.repo) {
        throw new InputError(`deploy needs ${missing.join(', ')}: hat deploy APP VERSION --env ENV --repo URL (e.g. hat deploy web 1.4.2 --env test --repo https://git.example.com/gitops/test.git)`);
      }
      if (durationMs(opts.mergeTimeout) === undefined) throw new InputError(`--merge-timeout: expected a duration, a whole number of s, m or h such as 30m or 2h (got ${JSON.stringify(opts.mergeTimeout)})`);
      if (durationMs(opts.syncTimeout) === undefined) throw new InputError(`--sync-timeout: expected a duration, a whole number of s, m or h such as 90s or 5m (got ${JSON.stringify(opts.syncTimeout)})`);
      const params = parseParams(definition, {
        app,
        version,
        'sync-timeout': opts.syncTimeout,
        'argocd-namespace': opts.argocdNamespace,
        ...(opts.imageRepository !== undefined ? { 'image-repository': opts.imageRepository } : {}),
        ...(opts.imageDigest !== undefined ? { 'image-digest': opts.imageDigest } : {}),
        ...(opts.chartDigest !== undefined ? { 'chart-digest': opts.chartDigest } : {}),
      });
      // The cluster is found before anything is pushed: a missing context fails with nothing written.
      const cluster = opts.wait ? kubeContext({ ...(opts.kubeconfig ? { kubeconfig: opts.kubeconfig } : {}), ...(opts.context ? { context: opts.context } : {}) }).config : undefined;
      if (!isDns1123Label(opts.env)) throw new InputError(`--env: expected a DNS-1123 label such as test, stage or prod (got ${JSON.stringify(opts.env)})`);
      const repo = { url: opts.repo, branch: opts.branch, auth: authFromEnv() };
      const signingKey = opts.signKey ? { key: await readFile(opts.signKey, 'utf8').catch(() => { throw new InputError(`--sign-key: cannot read ${opts.signKey}`); }), what: `--sign-key ${opts.signKey}` } : undefined;
      const log = createLogger();
      const forge = opts.pullRequest
        ? createForge({ provider: opts.forge, repo: forgeRepoOf(opts.repo, opts.forgeApiUrl, { url: '--repo', apiUrl: '--forge-api-url' }), token: process.env['HAT_FORGE_TOKEN'] ?? '', log })
        : undefined;
      if (opts.require !== undefined) {
        const m = /^([^=]+)=(.+)$/.exec(opts.require);
        if (!m || !isDns1123Label(m[1]!)) throw new InputError(`--require: expected ENV=URL of the env whose runs this one takes, e.g. stage=https://git.example.com/gitops/stage.git (got ${JSON.stringify(opts.require)})`);
        const why = await checkUpstream({ env: opts.env, app: params.app, version: params.version, sourceCommit: opts.sourceCommit, rollback: Boolean(opts.rollback), upstream: { env: m[1]!, url: m[2]!, branch: 'main', auth: repo.auth }, own: repo, log });
        log.info(`--require ${m[1]}: ${why}`);
      }
      const request = {
        env: opts.env,
        app: params.app,
        version: params.version,
        rollback: Boolean(opts.rollback),
        dryRun: Boolean(opts.dryRun),
        repo,
        author: await authorOf(opts.author),
        trailers: { source: opts.source, sourceCommit: opts.sourceCommit, imageDigest: params['image-digest'], chartDigest: params['chart-digest'] },
        log,
        ...(signingKey ? { signingKey } : {}),
        ...artifactCheck(
          { version: params.version, imageRepository: params['image-repository'], imageDigest: params['image-digest'], chartDigest: params['chart-digest'] },
          { credential: registryCredentialFromEnv(), credentialSource: 'HAT_REGISTRY_USERNAME and HAT_REGISTRY_PASSWORD', tlsVerify: !opts.insecureRegistry, log },
        ),
      };
      let pullRequest: PullRequest | undefined;
      let outcome: PromoteOutcome = forge ? await promoteByPullRequest(request, forge).then((o) => ((pullRequest = o.pullRequest), o)) : await promote(request);
      if (outcome.status === 'dry-run') process.stdout.write(outcome.diff);
      process.stdout.write(`${outcome.status} ${app} ${outcome.previousVersion} → ${version} (${opts.env})${outcome.commit ? ` ${outcome.commit}` : ''}\n`);
      if (pullRequest) process.stdout.write(`pull request #${pullRequest.number} ${pullRequest.url}\n`);
      if (forge && pullRequest && (opts.waitForMerge || cluster) && outcome.status !== 'dry-run') {
        outcome = { ...outcome, head: await waitForMerge(forge, pullRequest, { timeoutMs: durationMs(opts.mergeTimeout)! }, log) };
      }
      if (cluster && outcome.status !== 'dry-run' && outcome.head) {
        const synced = await waitForDeploy({ config: cluster, argocdNamespace: params['argocd-namespace'], env: opts.env, app: params.app, head: outcome.head, repo, privateHome: false, timeoutMs: durationMs(params['sync-timeout'])!, log });
        process.stdout.write(`running in ${opts.env}: ${synced.map((a) => `${a.name} at ${a.revision.slice(0, 12)}`).join(', ')}\n`);
      }
    });
}
