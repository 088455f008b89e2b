// The batched-product variants bench/batched-matmul.ts compares (the kernel itself
// lives in runtime/kernels/batch-matmul.ts).
export { loopedBatchMatMul, loopingBatchMatMul, loopsFor } from '../kernels/batch-matmul.ts';
