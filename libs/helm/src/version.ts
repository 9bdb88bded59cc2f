import { execHelm, type HelmOptions } from './exec.ts';

export interface HelmVersion {
  /** e.g. `v3.19.5` */
  readonly version: string;
  readonly gitCommit: string;
  readonly goVersion: string;
}

/** The helm client's version (`helm version`). */
export async function helmVersion(opts: HelmOptions = {}): Promise<HelmVersion> {
  const out = await execHelm(['version', '--template', '{{.Version}}|{{.GitCommit}}|{{.GoVersion}}'], opts);
  const [version = '', gitCommit = '', goVersion = ''] = out.stdout.trim().split('|');
  return { version, gitCommit, goVersion };
}
