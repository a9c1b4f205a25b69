/**
 * `count` distinct elements of `all`, uniformly (a partial Fisher-Yates shuffle that stops after
 * `count` steps); shuffles and truncates `all` in place. HRANDFIELD, SRANDMEMBER and SPOP use it
 * when many of the collection's elements are wanted.
 */
export function sampleInPlace<T>(all: T[], count: number): T[] {
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(Math.random() * (all.length - i));
    const t = all[i];
    all[i] = all[j];
    all[j] = t;
  }
  all.length = count;
  return all;
}
