// The hat commands: name, one-line description, where they run, and the module that registers them. main.ts lists
// them all for `hat --help` but loads only the module of the command being run, so hat starts fast; each module
// takes its description from here (one source).
import type { Command } from 'commander';

export interface CommandEntry {
  readonly name: string;
  readonly description: string;
  /** Needs a clone of the HAT repository (its tasks, catalog, charts, test servers or tools). */
  readonly repoOnly: boolean;
  readonly load: () => Promise<(program: Command) => void>;
}

export const COMMANDS: readonly CommandEntry[] = [
  { name: 'validate', description: "validate Tekton YAML with Tekton's own webhook validation, plus HAT's extra checks", repoOnly: false, load: async () => (await import('./commands/validate.ts')).registerValidateCommand },
  { name: 'deploy', description: 'commit APP at VERSION into one env repo, as the deploy-<env> task does (hotfix, rollback)', repoOnly: false, load: async () => (await import('./commands/deploy.ts')).registerDeployCommand },
  { name: 'env', description: 'scaffold environment GitOps repos (one repo per env)', repoOnly: false, load: async () => (await import('./commands/env.ts')).registerEnvCommands },
  { name: 'status', description: 'which version of which app runs in which env: from the env repos (--repo), and with --cluster what Argo CD runs, its health and the last PipelineRun', repoOnly: false, load: async () => (await import('./commands/status.ts')).registerStatusCommands },
  { name: 'history', description: 'the promotion history of one app across envs, newest first, rollbacks marked', repoOnly: false, load: async () => (await import('./commands/status.ts')).registerStatusCommands },
  { name: 'install', description: "onto a cluster with Tekton, Triggers and Argo CD: the tasks namespace, the Argo CD Application syncing the catalog, the hat-gitops-<env> ConfigMaps and Secrets, Argo CD following the env repos, an app's pipeline chart", repoOnly: false, load: async () => (await import('./commands/install.ts')).registerInstallCommand },
  { name: 'generate', description: 'write the files derived from the task definitions (Task YAML, README tables)', repoOnly: true, load: async () => (await import('./commands/generate.ts')).registerGenerateCommand },
  { name: 'task', description: 'list and run HAT tasks locally', repoOnly: true, load: async () => (await import('./commands/task.ts')).registerTaskCommands },
  { name: 'catalog', description: 'the versioned Task catalog: publish new versions, verify the published ones', repoOnly: true, load: async () => (await import('./commands/catalog.ts')).registerCatalogCommand },
  { name: 'image', description: "HAT's base images: a reproducible Debian root file system with node and helm (cached per user)", repoOnly: true, load: async () => (await import('./commands/image.ts')).registerImageCommands },
  { name: 'cluster', description: 'a single-node Kubernetes with Tekton, Triggers and Argo CD on this machine: up, down, status, kubeconfig, allow-registry', repoOnly: true, load: async () => (await import('./commands/cluster.ts')).registerClusterCommands },
  { name: 'demo', description: 'the whole flow locally on embedded defaults: app repo → pipeline (catalog tasks) → test, stage, prod → env renders', repoOnly: true, load: async () => (await import('./commands/demo.ts')).registerDemoCommand },
  { name: 'run', description: "run your app's pipeline locally: the same runner as the demo, against a local git server, registry and env repos", repoOnly: true, load: async () => (await import('./commands/demo.ts')).registerDemoCommand },
];

/** The description of a command, for its module's `.description(...)`. */
export function describe(name: string): string {
  const entry = COMMANDS.find((c) => c.name === name);
  if (!entry) throw new Error(`no command ${name} in cli/src/command-table.ts`);
  return entry.description;
}
