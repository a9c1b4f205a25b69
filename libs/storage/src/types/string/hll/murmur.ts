/**
 * Redis's MurmurHash64A (seed 0xadc83b19) as hllPatLen uses it, on uint32 halves so hashing an
 * element allocates nothing (no BigInt): every 64-bit product is by the constant m, done on
 * 16-bit limbs whose partial sums stay exact in doubles.
 */

const HLL_SEED = 0xadc83b19;

/** The high half of the last mulM product (module state: hashing is synchronous). */
let mulHi = 0;

/** (hi:lo) * 0xc6a4a7935bd1e995 mod 2^64: returns the low half, leaves the high one in mulHi. */
function mulM(hi: number, lo: number): number {
  const a48 = hi >>> 16;
  const a32 = hi & 0xffff;
  const a16 = lo >>> 16;
  const a00 = lo & 0xffff;
  let c00 = a00 * 0xe995;
  let c16 = c00 >>> 16;
  c00 &= 0xffff;
  c16 += a16 * 0xe995;
  let c32 = c16 >>> 16;
  c16 &= 0xffff;
  c16 += a00 * 0x5bd1;
  c32 += c16 >>> 16;
  c16 &= 0xffff;
  c32 += a32 * 0xe995;
  let c48 = c32 >>> 16;
  c32 &= 0xffff;
  c32 += a16 * 0x5bd1;
  c48 += c32 >>> 16;
  c32 &= 0xffff;
  c32 += a00 * 0xa793;
  c48 += c32 >>> 16;
  c32 &= 0xffff;
  c48 += a48 * 0xe995 + a32 * 0x5bd1 + a16 * 0xa793 + a00 * 0xc6a4;
  mulHi = ((c48 << 16) | c32) >>> 0;
  return ((c16 << 16) | c00) >>> 0;
}

let hashHi = 0;
let hashLo = 0;

/** MurmurHash64A of the bytes of latin1 string `s` (little-endian words) into hashHi:hashLo. */
function murmur64(s: string, seed: number): void {
  const len = s.length; // below 2^29: the length's high half is 0
  let lo = (mulM(0, len) ^ seed) >>> 0;
  let hi = mulHi;
  const whole = len - (len & 7);
  let i = 0;
  for (; i < whole; i += 8) {
    let kLo = (s.charCodeAt(i) | (s.charCodeAt(i + 1) << 8) | (s.charCodeAt(i + 2) << 16) | (s.charCodeAt(i + 3) << 24)) >>> 0;
    let kHi = (s.charCodeAt(i + 4) | (s.charCodeAt(i + 5) << 8) | (s.charCodeAt(i + 6) << 16) | (s.charCodeAt(i + 7) << 24)) >>> 0;
    kLo = mulM(kHi, kLo);
    kHi = mulHi;
    kLo = mulM(kHi, (kLo ^ (kHi >>> 15)) >>> 0); // k ^= k >> 47; k *= m
    kHi = mulHi;
    lo = mulM((hi ^ kHi) >>> 0, (lo ^ kLo) >>> 0);
    hi = mulHi;
  }
  const tail = len & 7;
  if (tail !== 0) {
    let tHi = 0;
    let tLo = 0;
    for (let j = tail - 1; j >= 0; j--) {
      const b = s.charCodeAt(i + j);
      if (j >= 4) tHi |= b << ((j - 4) * 8);
      else tLo |= b << (j * 8);
    }
    lo = mulM((hi ^ tHi) >>> 0, (lo ^ tLo) >>> 0);
    hi = mulHi;
  }
  lo = mulM(hi, (lo ^ (hi >>> 15)) >>> 0);
  hi = mulHi;
  hashHi = hi;
  hashLo = (lo ^ (hi >>> 15)) >>> 0;
}

/** The full 64-bit MurmurHash64A of `s` as a bigint (tests; the hot path uses patLen). */
export function murmurHash64A(s: string, seed = HLL_SEED): bigint {
  murmur64(s, seed >>> 0);
  return (BigInt(hashHi) << 32n) | BigInt(hashLo);
}

/** The register hllPatLen picked for the last element hashed (0..16383). */
export let patIndex = 0;

/**
 * Redis's hllPatLen: hashes `ele`, sets patIndex to the register its low 14 bits address and
 * returns the length of the 0...01 run in the remaining 50 bits, the final 1 included (1..51).
 */
export function patLen(ele: string): number {
  murmur64(ele, HLL_SEED);
  patIndex = hashLo & 0x3fff;
  const rest = hashLo >>> 14; // 18 bits
  if (rest !== 0) return 32 - Math.clz32(rest & -rest);
  if (hashHi === 0) return 51;
  return 18 + 32 - Math.clz32(hashHi & -hashHi);
}
