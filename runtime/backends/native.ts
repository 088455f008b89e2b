// Loading tfjs-node / tfjs-node-gpu (optional packages, not dependencies): both
// register the 'tensorflow' backend of the shared tfjs-core.
import * as tf from '@tensorflow/tfjs';
import { BackendError, activate, firstLine, importOptional } from './profile.ts';

export async function loadNative(gpu: boolean): Promise<void> {
  const pkg = gpu ? '@tensorflow/tfjs-node-gpu' : '@tensorflow/tfjs-node';
  try {
    await importOptional(pkg);
  } catch (error) {
    const missing = (error as { code?: string }).code === 'ERR_MODULE_NOT_FOUND';
    throw new BackendError(missing ? `${pkg} is not installed` : `${pkg} failed to load: ${firstLine(error)}`);
  }
  if (!tf.findBackendFactory('tensorflow')) {
    throw new BackendError(`${pkg} loaded but registered no 'tensorflow' backend (is its @tensorflow/tfjs version 4.22.0 like moec's?)`);
  }
  await activate('tensorflow');
}
