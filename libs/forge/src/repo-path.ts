import { InputError } from '@hat/task-runtime';

/** A repository on a forge: its API base and owner/name, found from the clone URL. */
export interface ForgeRepo {
  /** e.g. http://127.0.0.1:3000/api/v1 */
  readonly api: string;
  readonly owner: string;
  readonly name: string;
  /** The web page of the repository (links in pull-request bodies). */
  readonly web: string;
}

/** Where the URLs come from, for errors: the env's ConfigMap keys (a Task), or the CLI's flags. */
const FROM_CONFIGMAP = { url: 'url', apiUrl: 'forge-api-url' };

/**
 * owner/name from an http(s) clone URL (`https://forge/owner/name.git`); the API is `<origin>/api/v1` unless
 * `apiUrl` names another one (a forge served under a sub-path). Credentials in the URL are dropped.
 */
export function forgeRepoOf(cloneUrl: string, apiUrl?: string, names: { readonly url: string; readonly apiUrl: string } = FROM_CONFIGMAP): ForgeRepo {
  let url: URL;
  try {
    url = new URL(cloneUrl);
  } catch {
    throw new InputError(`${names.url}: expected the env repo's http(s) clone URL for pull-request mode, got ${JSON.stringify(cloneUrl.replace(/\/\/[^@/]*@/, '//'))}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new InputError(`${names.url}: pull-request mode needs an http(s) clone URL (the forge API is found from it), got ${url.protocol}//…`);
  const parts = url.pathname.replace(/\.git$/, '').split('/').filter(Boolean);
  if (parts.length < 2) throw new InputError(`${names.url}: expected <forge>/<owner>/<repo>(.git), got the path ${JSON.stringify(url.pathname)}`);
  const [owner, name] = parts.slice(-2) as [string, string];
  const base = `${url.origin}${parts.length > 2 ? `/${parts.slice(0, -2).join('/')}` : ''}`;
  let api = `${base}/api/v1`;
  if (apiUrl) {
    try {
      api = new URL(apiUrl).toString().replace(/\/$/, '');
    } catch {
      throw new InputError(`${names.apiUrl}: expected an http(s) URL such as https://forge.example/api/v1, got ${JSON.stringify(apiUrl)}`);
    }
  }
  return { api, owner, name, web: `${base}/${owner}/${name}` };
}
