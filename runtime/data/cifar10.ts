// CIFAR-10 binary batches (https://www.cs.toronto.edu/~kriz/cifar.html, "binary
// version"): data_batch_1..5.bin and test_batch.bin, each a sequence of 3073-byte
// records: 1 label byte, then 1024 red, 1024 green and 1024 blue bytes (CHW, 32×32).
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { makeSplit, normaliseByte, type Dataset, type Split } from './dataset.ts';
import { checkChannels, conformImage, type Shape3 } from './conform.ts';
import { RuntimeFault } from '../train/fault.ts';

export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'];
const RECORD = 3073;

function readBatches(files: string[], shape: Shape3): Split {
  const buffers = files.map((f) => {
    if (!existsSync(f)) throw new RuntimeFault('MOE0501', `${f}: missing CIFAR-10 batch file`);
    const b = readFileSync(f);
    if (b.length === 0 || b.length % RECORD !== 0)
      throw new RuntimeFault('MOE0505', `${f}: ${b.length} bytes is not a whole number of 3073-byte CIFAR-10 records (truncated or not a CIFAR-10 binary batch)`);
    return b;
  });
  const n = buffers.reduce((a, b) => a + b.length / RECORD, 0);
  const size = shape[0] * shape[1] * shape[2];
  const images = new Float32Array(n * size);
  const labels = new Int32Array(n);
  const hwc = new Uint8Array(3072);
  let i = 0;
  buffers.forEach((b, fi) => {
    for (let r = 0; r < b.length; r += RECORD, i++) {
      const label = b[r]!;
      if (label > 9) throw new RuntimeFault('MOE0505', `${files[fi]}: record ${r / RECORD} has label ${label} (CIFAR-10 labels are 0–9)`);
      labels[i] = label;
      for (let p = 0; p < 1024; p++) for (let c = 0; c < 3; c++) hwc[p * 3 + c] = b[r + 1 + c * 1024 + p]!;
      conformImage(hwc, 0, [32, 32, 3], shape, images, i * size, normaliseByte);
    }
  });
  return makeSplit(images, labels);
}

export function loadCifar10(dir: string, shape: Shape3): Dataset {
  if (!existsSync(dir) || !statSync(dir).isDirectory()) throw new RuntimeFault('MOE0501', `${dir}: the cifar10 data folder does not exist`);
  checkChannels(`cifar10 (${dir})`, 3, shape[2]);
  const sub = existsSync(join(dir, 'cifar-10-batches-bin')) ? join(dir, 'cifar-10-batches-bin') : dir;
  const trainFiles = [1, 2, 3, 4, 5].map((k) => join(sub, `data_batch_${k}.bin`));
  return {
    name: `cifar10(dir: "${dir}")`,
    shape,
    classes: CIFAR10_CLASSES,
    train: readBatches(trainFiles, shape),
    test: readBatches([join(sub, 'test_batch.bin')], shape),
  };
}
