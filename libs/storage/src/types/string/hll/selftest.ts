import {
  createHll,
  denseRegister,
  hllAdd,
  hllCount,
  hllEncoding,
  HLL_DENSE_SIZE,
  HLL_HDR_SIZE,
  HLL_REGISTERS,
  HLL_SPARSE,
  setDenseRegister,
  sparseToDense,
} from './hll.js';

const TEST_CYCLES = 1000;
const CHECKS_UP_TO = 10_000_000;

/** The 8 little-endian bytes of hi:lo as a latin1 string (Redis hashes a uint64 element). */
function uint64Bytes(hi: number, lo: number): string {
  return String.fromCharCode(
    lo & 255,
    (lo >>> 8) & 255,
    (lo >>> 16) & 255,
    lo >>> 24,
    hi & 255,
    (hi >>> 8) & 255,
    (hi >>> 16) & 255,
    hi >>> 24,
  );
}

/**
 * PFSELFTEST, as Redis's: register access on a dense HLL, then 10M distinct elements added to a
 * dense and a sparse HLL side by side, checking at 1, 10, 100... that the sparse one stays sparse
 * while small, both agree, and the error stays within 6 standard errors. The error text, or null.
 */
export function hllSelfTest(sparseMaxBytes: number): string | null {
  const dense = createHll();
  sparseToDense(dense);
  const regs = dense.buf;
  const expect = new Uint8Array(HLL_REGISTERS);
  for (let j = 0; j < TEST_CYCLES; j++) {
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const r = Math.floor(Math.random() * 64);
      expect[i] = r;
      setDenseRegister(regs, i, r);
    }
    for (let i = 0; i < HLL_REGISTERS; i++) {
      const v = denseRegister(regs, i);
      if (v !== expect[i]) return `TESTFAILED Register ${i} should be ${expect[i]} but is ${v}`;
    }
  }

  regs.fill(0, HLL_HDR_SIZE, HLL_DENSE_SIZE);
  const sparse = createHll();
  const relerr = 1.04 / Math.sqrt(HLL_REGISTERS);
  const seedHi = Math.floor(Math.random() * 0x100000000);
  const seedLo = Math.floor(Math.random() * 0x100000000);
  let checkpoint = 1;
  for (let j = 1; j <= CHECKS_UP_TO; j++) {
    const ele = uint64Bytes(seedHi, (j ^ seedLo) >>> 0);
    hllAdd(dense, ele, sparseMaxBytes);
    hllAdd(sparse, ele, sparseMaxBytes);
    if (j !== checkpoint) continue;
    if (j < sparseMaxBytes / 2 && hllEncoding(sparse.buf) !== HLL_SPARSE) return 'TESTFAILED sparse encoding not used';
    const card = hllCount(dense.view());
    if (card !== hllCount(sparse.view())) return 'TESTFAILED dense/sparse disagree';
    // Cardinality 10 may collide now and then: Redis allows an error of 1 there.
    const maxerr = j === 10 ? 1 : Math.ceil(relerr * 6 * checkpoint);
    const abserr = Math.abs(checkpoint - card);
    if (abserr > maxerr) return `TESTFAILED Too big error. card:${checkpoint} abserr:${abserr}`;
    checkpoint *= 10;
  }
  return null;
}
