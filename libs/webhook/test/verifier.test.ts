// The webhook verifier: each provider's check with the messages a user reads, its settings, and the service over
// real HTTP (the generated bundle under node for the process-level behaviour).
import { createHmac } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { execa } from 'execa';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { repoRoot } from '@hat/task-runner';
import { createLogger } from '@hat/task-runtime';
import { startVerifier, verifierSettings, verifyDelivery, type InterceptorRequest, type RunningVerifier, type VerifierConfig } from '../src/index.ts';

const SECRET = 'wh-s3cret-value';
const BODY = '{"ref":"refs/heads/main","after":"abc"}';
const sign = (secret: string, body = BODY): string => `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
const config = (over: Partial<VerifierConfig> = {}): VerifierConfig => ({ provider: 'github', eventTypes: ['push'], tokenHeader: 'Authorization', tokenPrefix: 'Bearer ', secretRef: 'apps/web-webhook key secret', ...over });
const request = (header: Record<string, string>, body = BODY): InterceptorRequest => ({
  body,
  header: Object.fromEntries(Object.entries(header).map(([k, v]) => [k, [v]])),
  context: { event_id: 'ev1', trigger_id: 'namespaces/apps/triggers/push' },
});
const FIX = "set the webhook's secret at the provider to the value of Secret apps/web-webhook key secret";

describe('verifyDelivery', () => {
  it('github: the HMAC-SHA256 of the exact body; header names in any case; other events are ignored, not refused', () => {
    expect(verifyDelivery(request({ 'X-Github-Event': 'push', 'X-Hub-Signature-256': sign(SECRET) }), SECRET, config())).toEqual({ outcome: 'accepted', event: 'push' });
    expect(verifyDelivery(request({ 'x-github-event': 'push', 'x-hub-signature-256': sign(SECRET) }), SECRET, config()).outcome).toBe('accepted');
    expect(verifyDelivery(request({ 'X-Github-Event': 'push', 'X-Hub-Signature-256': sign('other') }), SECRET, config())).toEqual({
      outcome: 'refused',
      message: `refused: X-Hub-Signature-256 is not the HMAC-SHA256 of the body with the webhook secret: the webhook at the provider signs with another secret; ${FIX}`,
    });
    // Signed right, but the body changed on the way.
    expect(verifyDelivery(request({ 'X-Github-Event': 'push', 'X-Hub-Signature-256': sign(SECRET) }, `${BODY} `), SECRET, config()).outcome).toBe('refused');
    expect(verifyDelivery(request({ 'X-Github-Event': 'push' }), SECRET, config())).toEqual({ outcome: 'refused', message: `refused: no X-Hub-Signature-256 header: the webhook at the provider has no secret; ${FIX}` });
    expect(verifyDelivery(request({ 'X-Github-Event': 'ping', 'X-Hub-Signature-256': sign(SECRET) }), SECRET, config())).toEqual({ outcome: 'ignored', message: 'X-GitHub-Event "ping" is not one of "push": nothing to run' });
    // A wrong secret is reported even on an event that would be ignored (GitHub's first delivery is a ping).
    expect(verifyDelivery(request({ 'X-Github-Event': 'ping', 'X-Hub-Signature-256': sign('other') }), SECRET, config()).outcome).toBe('refused');
  });

  it('gitlab: X-Gitlab-Token equals the secret', () => {
    const gl = config({ provider: 'gitlab', eventTypes: ['Push Hook', 'Tag Push Hook'] });
    expect(verifyDelivery(request({ 'X-Gitlab-Event': 'Tag Push Hook', 'X-Gitlab-Token': SECRET }), SECRET, gl)).toEqual({ outcome: 'accepted', event: 'Tag Push Hook' });
    expect(verifyDelivery(request({ 'X-Gitlab-Event': 'Push Hook', 'X-Gitlab-Token': `${SECRET}x` }), SECRET, gl)).toEqual({ outcome: 'refused', message: `refused: X-Gitlab-Token is not the webhook secret: the webhook at the provider sends another token; ${FIX}` });
    expect(verifyDelivery(request({ 'X-Gitlab-Event': 'Push Hook' }), SECRET, gl).outcome).toBe('refused');
    expect(verifyDelivery(request({ 'X-Gitlab-Event': 'Note Hook', 'X-Gitlab-Token': SECRET }), SECRET, gl).outcome).toBe('ignored');
  });

  it('gitea: the token header carries the prefix and the secret (or just the secret without a prefix)', () => {
    const gt = config({ provider: 'gitea' });
    expect(verifyDelivery(request({ 'X-Gitea-Event': 'push', Authorization: `Bearer ${SECRET}` }), SECRET, gt).outcome).toBe('accepted');
    expect(verifyDelivery(request({ 'X-Gitea-Event': 'push', Authorization: SECRET }), SECRET, gt)).toEqual({
      outcome: 'refused',
      message: `refused: Authorization does not carry "Bearer " and the webhook secret: the webhook at the provider sends another token; ${FIX}`,
    });
    const plain = config({ provider: 'gitea', tokenHeader: 'X-Hook-Token', tokenPrefix: '' });
    expect(verifyDelivery(request({ 'X-Gitea-Event': 'push', 'X-Hook-Token': SECRET }), SECRET, plain).outcome).toBe('accepted');
    expect(verifyDelivery(request({ 'X-Gitea-Event': 'push' }), SECRET, plain)).toEqual({ outcome: 'refused', message: `refused: no X-Hook-Token header: the webhook at the provider sends no token (it must carry the webhook secret); ${FIX}` });
  });
});

describe('verifierSettings', () => {
  const good = { HAT_WEBHOOK_PROVIDER: 'github', HAT_WEBHOOK_EVENT_TYPES: '["push"]', HAT_WEBHOOK_SECRET_FILE: '/etc/hat/webhook-secret/secret', HAT_WEBHOOK_SECRET_REF: 'apps/web-webhook key secret' };
  it('reads the environment the chart sets, with defaults', () => {
    expect(verifierSettings(good)).toEqual({ config: config({ tokenPrefix: '' }), secretFile: '/etc/hat/webhook-secret/secret', port: 8080, host: '0.0.0.0' });
  });
  it.each([
    [{ HAT_WEBHOOK_PROVIDER: 'bitbucket' }, 'HAT_WEBHOOK_PROVIDER: expected one of github, gitlab, gitea, got "bitbucket"'],
    [{ HAT_WEBHOOK_EVENT_TYPES: 'push' }, 'HAT_WEBHOOK_EVENT_TYPES: expected a JSON array of event type names, e.g. ["push"], got "push"'],
    [{ HAT_WEBHOOK_EVENT_TYPES: '[]' }, 'HAT_WEBHOOK_EVENT_TYPES: expected a JSON array of event type names, e.g. ["push"], got "[]"'],
    [{ HAT_WEBHOOK_TOKEN_HEADER: 'Bad Header' }, 'HAT_WEBHOOK_TOKEN_HEADER: expected an HTTP header name, got "Bad Header"'],
    [{ HAT_WEBHOOK_SECRET_FILE: 'secret' }, 'HAT_WEBHOOK_SECRET_FILE: expected the absolute path of the mounted webhook secret, got "secret"'],
    [{ HAT_WEBHOOK_PORT: '80a' }, 'HAT_WEBHOOK_PORT: expected a TCP port (0-65535; 0: any free one), got "80a"'],
  ])('bad setting %j: one line naming the variable', (over, message) => {
    expect(() => verifierSettings({ ...good, ...over })).toThrow(message);
  });
});

describe('the verifier service over HTTP', () => {
  let dir = '';
  let verifier: RunningVerifier;
  const lines: string[] = [];
  beforeAll(async () => {
    dir = await mkdtemp(path.join(os.tmpdir(), 'hat-webhook-'));
    await writeFile(path.join(dir, 'secret'), SECRET);
    verifier = await startVerifier({ config: config(), readSecret: () => import('node:fs/promises').then((fs) => fs.readFile(path.join(dir, 'secret'), 'utf8')), port: 0, host: '127.0.0.1', log: createLogger({ write: (l) => lines.push(l) }) });
  });
  afterAll(async () => {
    await verifier?.close();
    await rm(dir, { recursive: true, force: true });
  });
  const post = async (body: string): Promise<{ status: number; text: string }> => {
    const res = await fetch(verifier.url, { method: 'POST', body, headers: { 'Content-Type': 'application/json' } });
    return { status: res.status, text: await res.text() };
  };

  it('answers as Triggers expects: 200 continue, 200 continue false with a status, 403 with the reason; the secret is read per delivery', async () => {
    const push = (secret: string) => JSON.stringify(request({ 'X-Github-Event': 'push', 'X-Hub-Signature-256': sign(secret) }));
    expect(await post(push(SECRET))).toEqual({ status: 200, text: '{"continue":true}' });
    expect(await post(JSON.stringify(request({ 'X-Github-Event': 'ping', 'X-Hub-Signature-256': sign(SECRET) })))).toEqual({ status: 200, text: '{"continue":false,"status":{"code":9,"message":"X-GitHub-Event \\"ping\\" is not one of \\"push\\": nothing to run"}}' });
    const refused = await post(push('rotated-secret'));
    expect(refused.status).toBe(403);
    expect(refused.text).toMatch(/^refused: X-Hub-Signature-256 is not the HMAC-SHA256/);
    // The Secret rotated (the kubelet updates the mounted file): the next delivery is checked against the new value.
    await writeFile(path.join(dir, 'secret'), 'rotated-secret');
    expect((await post(push('rotated-secret'))).status).toBe(200);
    expect(lines.join('\n')).toMatch(/warning: refused: X-Hub-Signature-256 .* \(event ev1, namespaces\/apps\/triggers\/push\)/);
    expect(lines.join('\n')).not.toMatch(new RegExp(`${SECRET}|rotated-secret|sha256=`));
  });

  it('bad requests: 400 for what is not an InterceptorRequest, 405 for other methods, 200 on /readyz', async () => {
    expect(await post('not json')).toEqual({ status: 400, text: 'expected a Tekton Triggers InterceptorRequest (JSON) of at most 32 MB' });
    expect(await post('{"body": 7}')).toMatchObject({ status: 400 });
    expect((await fetch(verifier.url)).status).toBe(405);
    expect(await (await fetch(new URL('/readyz', verifier.url))).text()).toBe('ok');
  });
});

describe("the chart's copy (charts/pipeline/files/webhook-verifier.mjs) as a process", () => {
  it('bad settings: one line on stderr naming the variable, exit 2, nothing listening', async () => {
    const res = await execa('node', [path.join(repoRoot, 'charts', 'pipeline', 'files', 'webhook-verifier.mjs')], { env: { HAT_WEBHOOK_PROVIDER: 'bitbucket' }, extendEnv: false, reject: false });
    expect(res.exitCode).toBe(2);
    expect(res.stderr).toBe('error: HAT_WEBHOOK_PROVIDER: expected one of github, gitlab, gitea, got "bitbucket"');
  });
});
