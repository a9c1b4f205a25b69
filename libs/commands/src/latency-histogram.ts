/**
 * A command's latency histogram, laid out as the HdrHistogram Redis 7.0 keeps per command
 * (nanoseconds from 1 to 1 s, 2 significant digits: 128 sub-buckets per power of two), so LATENCY
 * HISTOGRAM's buckets and INFO latencystats' percentiles come out as Redis computes them.
 * Recording is one index computation and one increment.
 */
const SUB_BUCKET_HALF_MAGNITUDE = 7;
const SUB_BUCKET_HALF = 1 << SUB_BUCKET_HALF_MAGNITUDE;
const MAX_NS = 1_000_000_000;
/** Buckets up to 2^30 ns (covers 1 s) plus the first one: (23 + 1) * 128 counters. */
const COUNTS = 24 * SUB_BUCKET_HALF;

export class LatencyHistogram {
  private readonly counts = new Float64Array(COUNTS);
  total = 0;

  /** Records a duration measured in microseconds; Redis records whole microseconds as ns, clamped to [1 ns, 1 s]. */
  record(usec: number): void {
    let ns = Math.floor(usec) * 1000;
    if (ns < 1) ns = 1;
    else if (ns > MAX_NS) ns = MAX_NS;
    this.counts[countsIndex(ns)]++;
    this.total++;
  }

  /** The value (ns) below which `percentile` % of the samples fall, as hdr_value_at_percentile. */
  valueAtPercentile(percentile: number): number {
    const p = Math.min(percentile, 100);
    const wanted = Math.max(1, Math.floor((p / 100) * this.total + 0.5));
    let seen = 0;
    for (let i = 0; i < COUNTS; i++) {
      seen += this.counts[i];
      if (seen >= wanted) return highestEquivalent(valueFromIndex(i));
    }
    return 0;
  }

  /**
   * LATENCY HISTOGRAM's histogram_usec: Redis walks the histogram in powers of two from 1024 ns and
   * reports, where the cumulative count grew, the step's highest equivalent value in µs and that count.
   */
  cumulative(): [number, number][] {
    const out: [number, number][] = [];
    let seen = 0;
    let previous = 0;
    let i = 0;
    for (let step = 1024; seen < this.total; step *= 2) {
      const last = countsIndex(step);
      for (; i <= last && i < COUNTS; i++) seen += this.counts[i];
      if (seen > previous) out.push([Math.floor(highestEquivalent(step) / 1000), seen]);
      previous = seen;
    }
    return out;
  }
}

function bucketIndex(ns: number): number {
  // Bit length of (ns | 255), minus the 8 bits of a sub-bucket: 0 for values below 256.
  return 32 - Math.clz32(ns | (2 * SUB_BUCKET_HALF - 1)) - (SUB_BUCKET_HALF_MAGNITUDE + 1);
}

/** `ns` is at most 1e9 < 2^31, so integer shifts serve. */
function countsIndex(ns: number): number {
  const b = bucketIndex(ns);
  return ((b + 1) << SUB_BUCKET_HALF_MAGNITUDE) + (ns >>> b) - SUB_BUCKET_HALF;
}

function valueFromIndex(i: number): number {
  let b = (i >> SUB_BUCKET_HALF_MAGNITUDE) - 1;
  let sub = (i & (SUB_BUCKET_HALF - 1)) + SUB_BUCKET_HALF;
  if (b < 0) {
    sub -= SUB_BUCKET_HALF;
    b = 0;
  }
  return sub * 2 ** b;
}

function highestEquivalent(ns: number): number {
  const b = bucketIndex(ns);
  return (((ns >>> b) << b) >>> 0) + (1 << b) - 1;
}
