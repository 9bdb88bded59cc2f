// The pod sandbox ("pause") image: FROM scratch, Debian's static busybox sleeping forever.
import { PAUSE_IMAGE } from './components-config.ts';
import { importForPods, scratchImageArchive } from './scratch-image.ts';

export const importPauseImage = async (containerdSocket: string): Promise<void> => {
  await importForPods(containerdSocket, await scratchImageArchive({ image: PAUSE_IMAGE, binary: '/bin/busybox', at: '/busybox', entrypoint: ['/busybox', 'sleep', '2147483647'] }));
};
