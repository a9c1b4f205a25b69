/**
 * What data costs on the V8 heap, for MEMORY USAGE: the sizes of the objects a value is built
 * from, in a 64-bit Node without pointer compression (as Node ships), so a value's footprint is
 * added up from its layout rather than measured object by object. Like Redis's
 * objectComputeSize, big collections are sampled: the first `samples` elements stand for all.
 */

const WORD = 8;
/** map, properties and elements pointers. */
const OBJECT_HEADER = 3 * WORD;
/** map, hash field and length of a sequential one-byte string. */
const STRING_HEADER = 16;
/** A JSArray plus the header of its FixedArray backing. */
const ARRAY_HEADER = 4 * WORD + 2 * WORD;
/** A JSTypedArray with its JSArrayBuffer and the backing store's bookkeeping (data off the V8 heap). */
const TYPED_ARRAY_HEADER = 120;
/** A boxed double (a number that is not a small integer). */
const HEAP_NUMBER = 16;
/** A Map's table per entry (key, value, chain link) plus its share of the buckets. */
const MAP_ENTRY = 3 * WORD + WORD / 2;

const align = (n: number): number => (n + WORD - 1) & ~(WORD - 1);

/** An object with `fields` in-object properties. */
export function heapObject(fields: number): number {
  return OBJECT_HEADER + WORD * fields;
}

/** A one-byte string of `length` chars (Brook keeps every string latin1). */
export function heapString(length: number): number {
  return STRING_HEADER + align(length);
}

/** An array of `slots` elements. */
export function heapArray(slots: number): number {
  return ARRAY_HEADER + WORD * slots;
}

/**
 * An array grown one insert at a time to `length` elements: V8 grows a full backing store to
 * old + old / 2 + 16 slots, so up to a third of it is spare.
 */
export function heapGrownArray(length: number): number {
  let capacity = 0;
  while (capacity < length) capacity += (capacity >> 1) + 16;
  return heapArray(capacity);
}

/** A Buffer or typed array of `byteLength` bytes. */
export function heapTypedArray(byteLength: number): number {
  return TYPED_ARRAY_HEADER + align(byteLength);
}

/** A Map of `entries` entries, without what its keys and values hold. */
export function heapMap(entries: number): number {
  return heapObject(1) + heapArray(0) + MAP_ENTRY * entries;
}

/** A number held in an array slot or field: small integers live in the slot, others are boxed. */
export function heapNumber(n: number): number {
  return (n | 0) === n ? 0 : HEAP_NUMBER;
}

/** A primitive value: a string, a number, or a bigint (int64 outside the double range). */
export function heapPrimitive(v: string | number | bigint): number {
  if (typeof v === 'string') return heapString(v.length);
  if (typeof v === 'number') return heapNumber(v);
  return STRING_HEADER + WORD;
}

/**
 * The total of `count` elements from the first min(count, samples) of them, as Redis's
 * objectComputeSize does: their mean times the count. `at(i)` is element i's footprint.
 */
export function sampledTotal(count: number, samples: number, at: (i: number) => number): number {
  const n = Math.min(count, samples);
  if (n === 0) return 0;
  let sum = 0;
  for (let i = 0; i < n; i++) sum += at(i);
  return n === count ? sum : Math.round((sum / n) * count);
}
