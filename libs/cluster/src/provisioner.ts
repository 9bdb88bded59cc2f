// The cluster's default StorageClass `hat-local` and its dynamic provisioner: for each Pending claim of that class a
// `local` PersistentVolume in a folder of its own under <state>/volumes, owned by root with mode 0755, as volumes of
// real storage classes are: a pod's fsGroup makes it writable by the pod's non-root user (the kubelet applies fsGroup
// to local volumes; it ignores it for hostPath), and without fsGroup a non-root step cannot write, as on a real
// cluster. A Released volume's folder is removed with it. It runs on the host, started by `hat cluster up` as one
// of its processes (`hat cluster provisioner`).
import { chmod, chown, mkdir, rm } from 'node:fs/promises';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CoreV1Api, type KubeConfig, type KubernetesObject, type V1PersistentVolume } from '@kubernetes/client-node';

export const STORAGE_CLASS = 'hat-local';
export const PROVISIONER = 'hat.dev/local';

export const storageClassObject = (): KubernetesObject =>
  ({
    apiVersion: 'storage.k8s.io/v1',
    kind: 'StorageClass',
    metadata: { name: STORAGE_CLASS, annotations: { 'storageclass.kubernetes.io/is-default-class': 'true' } },
    provisioner: PROVISIONER,
    reclaimPolicy: 'Delete',
    volumeBindingMode: 'Immediate',
  }) as KubernetesObject;

/** One pass: a volume for each Pending claim of the class, and Released volumes removed. Returns what it did. */
export async function provisionOnce(config: KubeConfig, volumesDir: string): Promise<{ created: string[]; deleted: string[] }> {
  const core = config.makeApiClient(CoreV1Api);
  const created: string[] = [];
  const deleted: string[] = [];
  const pvs = (await core.listPersistentVolume()).items;
  const nodes = (await core.listNode()).items.map((n) => n.metadata!.name!);
  for (const claim of (await core.listPersistentVolumeClaimForAllNamespaces()).items) {
    if (claim.status?.phase !== 'Pending' || claim.spec?.storageClassName !== STORAGE_CLASS || claim.spec.volumeName) continue;
    const uid = claim.metadata!.uid!;
    const name = `pvc-${uid}`;
    if (pvs.some((pv) => pv.metadata?.name === name)) continue;
    const dir = path.join(volumesDir, `${claim.metadata!.namespace}-${claim.metadata!.name}-${uid.slice(0, 8)}`);
    await mkdir(dir, { recursive: true });
    await chown(dir, 0, 0);
    await chmod(dir, 0o755);
    const pv: V1PersistentVolume = {
      metadata: { name, annotations: { 'pv.kubernetes.io/provisioned-by': PROVISIONER } },
      spec: {
        capacity: { storage: claim.spec.resources?.requests?.['storage'] ?? '1Gi' },
        accessModes: claim.spec.accessModes ?? ['ReadWriteOnce'],
        persistentVolumeReclaimPolicy: 'Delete',
        storageClassName: STORAGE_CLASS,
        local: { path: dir },
        nodeAffinity: { required: { nodeSelectorTerms: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: nodes }] }] } },
        claimRef: { namespace: claim.metadata!.namespace!, name: claim.metadata!.name!, uid },
      },
    };
    await core.createPersistentVolume({ body: pv });
    created.push(name);
  }
  for (const pv of pvs) {
    if (pv.status?.phase !== 'Released' || pv.metadata?.annotations?.['pv.kubernetes.io/provisioned-by'] !== PROVISIONER) continue;
    const dir = pv.spec?.local?.path;
    if (dir && dir.startsWith(`${volumesDir}${path.sep}`)) await rm(dir, { recursive: true, force: true });
    await core.deletePersistentVolume({ name: pv.metadata.name! }).catch(() => undefined);
    deleted.push(pv.metadata.name!);
  }
  return { created, deleted };
}

/** The provisioner's loop (a pass every second); errors are logged, the loop goes on. */
export async function runProvisioner(config: KubeConfig, volumesDir: string, log: (line: string) => void): Promise<never> {
  for (;;) {
    try {
      const { created, deleted } = await provisionOnce(config, volumesDir);
      for (const c of created) log(`provisioned ${c}`);
      for (const d of deleted) log(`deleted ${d}`);
    } catch (err) {
      log(`warning: ${err instanceof Error ? err.message.split('\n')[0] : String(err)}`);
    }
    await sleep(1000);
  }
}
