/**
 * The GEO family (Redis's geo.c): positions stored as sorted-set members whose scores are 52-bit
 * geohashes (geohash.ts). GEOADD is ZADD with computed scores (and reaches the change feed as that
 * ZADD); searches walk the score ranges of the center cell and its neighbours, keep the points
 * inside the shape, then sort by distance.
 */
import { specMaker, type CommandSpec } from './table.js';
import type { Session } from './context.js';
import type { CommandFamily } from './family.js';
import { Err } from './errors.js';
import { is, parseInt64 } from './args.js';
import { propagate } from './propagate.js';
import { packLimits, readZset, writeZset } from './zsets.js';
import { Ev, ZSetValue, formatLongDouble, parseScore, type KeyEvent } from '@brook/storage';
import {
  GEO_LAT_MAX,
  GEO_LAT_MIN,
  GEO_LONG_MAX,
  GEO_LONG_MIN,
  decodeScore,
  decodeScoreInto,
  distanceInShape,
  distance,
  exactParts,
  formatDistance,
  geohashString,
  positionScore,
  positionScoreText,
  printfFixed,
  searchRanges,
  type Shape,
} from './geohash.js';

/** Meters per unit (extractUnitOrReply). */
const UNITS: ReadonlyMap<string, number> = new Map([
  ['m', 1],
  ['km', 1000],
  ['ft', 0.3048],
  ['mi', 1609.34],
]);

/** A unit's meters, or -1 after replying the error. */
function parseUnit(c: Session, s: string): number {
  const meters = UNITS.get(s.toLowerCase());
  if (meters !== undefined) return meters;
  c.w.error(Err.geoUnit);
  return -1;
}

/** A longitude,latitude pair from two arguments (extractLongLatOrReply), or null after replying. */
function parseLonLat(c: Session, lonArg: string, latArg: string): [number, number] | null {
  const lon = parseScore(lonArg);
  const lat = lon === null ? null : parseScore(latArg);
  if (lon === null || lat === null) {
    c.w.error(Err.notFloat);
    return null;
  }
  if (lon < GEO_LONG_MIN || lon > GEO_LONG_MAX || lat < GEO_LAT_MIN || lat > GEO_LAT_MAX) {
    c.w.error(Err.geoInvalidPair(printfFixed(lon, 6), printfFixed(lat, 6)));
    return null;
  }
  return [lon, lat];
}

/** A distance argument (a float; `notNumeric` is the error otherwise), or null after replying. */
function parseLength(c: Session, s: string, notNumeric: string): number | null {
  const v = parseScore(s);
  if (v === null) {
    c.w.error(notNumeric);
    return null;
  }
  return v;
}

/** A coordinate or distance as Redis's addReplyHumanLongDouble prints it ("%.17Lf", zeros trimmed). */
function replyCoordinate(c: Session, d: number): void {
  const [m, e] = exactParts(Math.abs(d));
  c.w.double(formatLongDouble({ neg: d < 0, m, e, inf: false }));
}

// ---- GEOADD ----------------------------------------------------------------------------------------

function geoadd(c: Session, argv: string[]): void {
  let nx = false;
  let xx = false;
  let at = 2;
  for (; at < argv.length; at++) {
    const opt = argv[at];
    if (is(opt, 'NX')) nx = true;
    else if (is(opt, 'XX')) xx = true;
    else if (!is(opt, 'CH')) break;
  }
  const ch = argv.slice(2, at).some((o) => is(o, 'CH'));
  const triples = argv.length - at;
  if (triples % 3 !== 0 || (xx && nx) || triples === 0) return c.w.error(Err.syntax);
  // Longitude, latitude of each member in turn.
  const coords: number[] = [];
  for (let i = at; i < argv.length; i += 3) {
    const xy = parseLonLat(c, argv[i], argv[i + 1]);
    if (xy === null) return;
    coords.push(xy[0], xy[1]);
  }
  const key = argv[1];
  const found = writeZset(c, key);
  if (found === null) return;
  if (found === undefined && xx) return c.w.integer(0);
  const z = found ?? new ZSetValue();
  const limits = packLimits(c);
  let added = 0;
  let updated = 0;
  for (let j = 0; j < triples / 3; j++) {
    const member = argv[at + 3 * j + 2];
    const score = positionScore(coords[2 * j], coords[2 * j + 1]);
    const cur = z.score(member);
    if (cur === undefined) {
      if (xx) continue;
      z.add(member, score, limits.entries, limits.value);
      added++;
    } else if (!nx && cur !== score) {
      z.add(member, score, limits.entries, limits.value);
      updated++;
    }
  }
  if (added + updated > 0) {
    if (found === undefined) c.db.set(key, z, false, Ev.zadd);
    else c.db.modified(key, Ev.zadd);
    // Redis runs GEOADD as the ZADD it builds, so that ZADD is what replicas and the AOF see.
    const zadd = ['zadd', key, ...argv.slice(2, at)];
    for (let j = 0; j < triples / 3; j++) zadd.push(positionScoreText(coords[2 * j], coords[2 * j + 1]), argv[at + 3 * j + 2]);
    propagate(c, zadd);
  }
  c.w.integer(ch ? added + updated : added);
}

// ---- GEOPOS, GEOHASH, GEODIST ------------------------------------------------------------------------

function geopos(c: Session, argv: string[]): void {
  const z = readZset(c, argv[1]);
  if (z === null) return;
  c.w.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = z?.score(argv[j]);
    if (score === undefined) {
      c.w.nilArray();
      continue;
    }
    const [lon, lat] = decodeScore(score);
    c.w.array(2);
    replyCoordinate(c, lon);
    replyCoordinate(c, lat);
  }
}

function geohash(c: Session, argv: string[]): void {
  const z = readZset(c, argv[1]);
  if (z === null) return;
  c.w.array(argv.length - 2);
  for (let j = 2; j < argv.length; j++) {
    const score = z?.score(argv[j]);
    if (score === undefined) c.w.nil();
    else c.w.bulk(geohashString(...decodeScore(score)));
  }
}

function geodist(c: Session, argv: string[]): void {
  let toMeters = 1;
  if (argv.length === 5) {
    toMeters = parseUnit(c, argv[4]);
    if (toMeters < 0) return;
  } else if (argv.length > 5) {
    return c.w.error(Err.syntax);
  }
  const z = readZset(c, argv[1]);
  if (z === null) return;
  const s1 = z?.score(argv[2]);
  const s2 = z?.score(argv[3]);
  if (s1 === undefined || s2 === undefined) return c.w.nil();
  const [lon1, lat1] = decodeScore(s1);
  const [lon2, lat2] = decodeScore(s2);
  c.w.bulk(formatDistance(distance(lon1, lat1, lon2, lat2) / toMeters));
}

// ---- GEORADIUS, GEORADIUSBYMEMBER, GEOSEARCH, GEOSEARCHSTORE -------------------------------------------

/** Around coordinates (GEORADIUS). */
const FROM_COORDS = 1;
/** Around a member (GEORADIUSBYMEMBER). */
const FROM_MEMBER = 2;
/** The _RO variants: no STORE/STOREDIST. */
const NO_STORE = 4;
/** GEOSEARCH's argument syntax. */
const SEARCH = 8;
/** GEOSEARCHSTORE: the destination is argv[1], STOREDIST a flag. */
const SEARCH_STORE = 16;

interface GeoPoint {
  member: string;
  score: number;
  lon: number;
  lat: number;
  dist: number;
}

/** Ranks visited per step of a walk over a score range, so an ANY search stops soon after its count. */
const WALK_CHUNK = 64;

/**
 * membersOfAllNeighbors: the points of `z` inside `shape`, cell range by cell range in Redis's
 * order, stopping once `limit` points are found (0: no limit).
 */
function pointsInShape(z: ZSetValue, shape: Shape, limit: number): GeoPoint[] {
  const found: GeoPoint[] = [];
  const xy = new Float64Array(2);
  const visit = (member: string, score: number) => {
    if (limit && found.length >= limit) return;
    decodeScoreInto(score, xy);
    const dist = distanceInShape(shape, xy[0], xy[1]);
    if (dist >= 0) found.push({ member, score, lon: xy[0], lat: xy[1], dist });
  };
  for (const [min, max] of searchRanges(shape)) {
    if (limit && found.length >= limit) break;
    const [from, to] = z.rankRangeByScore({ min, minEx: false, max, maxEx: true });
    for (let at = from; at < to && !(limit && found.length >= limit); at += WALK_CHUNK) {
      z.range(at, Math.min(at + WALK_CHUNK, to), false, visit);
    }
  }
  return found;
}

/**
 * Sorts `points` by distance (`order` 1 ascending, -1 descending) so its first `n` are in place,
 * exactly as Redis orders them: glibc's qsort (a stable merge sort) when all are returned, else
 * Redis's pqsort (partialQuicksort) over ranks 0..n-1. pqsort is not stable, so points at equal
 * distances come out in the order its partitioning leaves them; the same steps give the same order.
 */
function sortPoints(points: GeoPoint[], n: number, order: number): void {
  const cmp = (a: GeoPoint, b: GeoPoint) => (a.dist > b.dist ? order : a.dist === b.dist ? 0 : -order);
  if (n === points.length) points.sort(cmp);
  else partialQuicksort(points, 0, points.length, cmp, 0, n - 1);
}

/**
 * Redis's pqsort.c (Bentley & McIlroy's quicksort, recursing only into partitions that overlap
 * ranks [lrange, rrange]) over `a[base, base + n)`, in element indexes instead of byte pointers.
 */
function partialQuicksort<T>(a: T[], base: number, n: number, cmp: (x: T, y: T) => number, lrange: number, rrange: number): void {
  const swap = (i: number, j: number) => {
    const t = a[i];
    a[i] = a[j];
    a[j] = t;
  };
  const vecswap = (i: number, j: number, k: number) => {
    for (let x = 0; x < k; x++) swap(i + x, j + x);
  };
  const med3 = (i: number, j: number, k: number) =>
    cmp(a[i], a[j]) < 0 ? (cmp(a[j], a[k]) < 0 ? j : cmp(a[i], a[k]) < 0 ? k : i) : cmp(a[j], a[k]) > 0 ? j : cmp(a[i], a[k]) < 0 ? i : k;
  /** Whether the elements [l, r] hold any wanted rank. */
  const wanted = (l: number, r: number) => !((lrange < l && rrange < l) || (lrange > r && rrange > r));
  for (;;) {
    if (n < 7) {
      for (let m = base + 1; m < base + n; m++) for (let l = m; l > base && cmp(a[l - 1], a[l]) > 0; l--) swap(l, l - 1);
      return;
    }
    let pm = base + Math.floor(n / 2);
    if (n > 7) {
      let pl = base;
      let pn = base + n - 1;
      if (n > 40) {
        const d = Math.floor(n / 8);
        pl = med3(pl, pl + d, pl + 2 * d);
        pm = med3(pm - d, pm, pm + d);
        pn = med3(pn - 2 * d, pn - d, pn);
      }
      pm = med3(pl, pm, pn);
    }
    swap(base, pm);
    let pa = base + 1;
    let pb = pa;
    let pc = base + n - 1;
    let pd = pc;
    for (;;) {
      let c: number;
      while (pb <= pc && (c = cmp(a[pb], a[base])) <= 0) {
        if (c === 0) swap(pa++, pb);
        pb++;
      }
      while (pb <= pc && (c = cmp(a[pc], a[base])) >= 0) {
        if (c === 0) swap(pc, pd--);
        pc--;
      }
      if (pb > pc) break;
      swap(pb++, pc--);
    }
    const pn = base + n;
    let r = Math.min(pa - base, pb - pa);
    vecswap(base, pb - r, r);
    r = Math.min(pd - pc, pn - pd - 1);
    vecswap(pb, pn - r, r);
    if ((r = pb - pa) > 1 && wanted(base, base + r - 1)) partialQuicksort(a, base, r, cmp, lrange, rrange);
    if ((r = pd - pc) > 1) {
      // Iterate rather than recurse, as pqsort.c.
      base = pn - r;
      n = r;
      if (wanted(base, base + r - 1)) continue;
    }
    return;
  }
}

/** georadiusGeneric: every search command; `src` is the source key's index. */
function georadiusGeneric(c: Session, argv: string[], src: number, flags: number): void {
  const z = readZset(c, argv[src]);
  if (z === null) return;
  let base: number;
  let center: [number, number] | null = null;
  let area: { kind: 'radius'; radius: number } | { kind: 'box'; width: number; height: number } | null = null;
  let conversion = 1;
  let storeKey: string | null = null;
  let storeDist = false;
  if (flags & FROM_COORDS) {
    base = 6;
    center = parseLonLat(c, argv[2], argv[3]);
    if (center === null) return;
    const radius = parseRadius(c, argv[4], argv[5]);
    if (radius === null) return;
    [area, conversion] = radius;
  } else if (flags & FROM_MEMBER) {
    base = 5;
    // Without the key Redis parses on only to pick the reply (STORE or not).
    if (z !== undefined) {
      center = memberPosition(c, z, argv[2]);
      if (center === null) return;
      const radius = parseRadius(c, argv[3], argv[4]);
      if (radius === null) return;
      [area, conversion] = radius;
    }
  } else {
    base = flags & SEARCH_STORE ? 3 : 2;
    if (flags & SEARCH_STORE) storeKey = argv[1];
  }

  let withDist = false;
  let withHash = false;
  let withCoord = false;
  let fromMember = false;
  let fromLonLat = false;
  let sort = 0; // 0 none, 1 ascending, -1 descending
  let any = false;
  let count = 0;
  const search = (flags & SEARCH) !== 0;
  const storable = (flags & NO_STORE) === 0 && !search;
  for (let i = base; i < argv.length; i++) {
    const arg = argv[i];
    const left = argv.length - 1 - i;
    if (is(arg, 'WITHDIST')) withDist = true;
    else if (is(arg, 'WITHHASH')) withHash = true;
    else if (is(arg, 'WITHCOORD')) withCoord = true;
    else if (is(arg, 'ANY')) any = true;
    else if (is(arg, 'ASC')) sort = 1;
    else if (is(arg, 'DESC')) sort = -1;
    else if (is(arg, 'COUNT') && left >= 1) {
      const n = parseInt64(argv[++i]);
      if (n === null) return c.w.error(Err.notInteger);
      if (n <= 0) return c.w.error(Err.geoCountNotPositive);
      count = Number(n);
    } else if ((is(arg, 'STORE') || is(arg, 'STOREDIST')) && left >= 1 && storable) {
      storeDist = is(arg, 'STOREDIST');
      storeKey = argv[++i];
    } else if (is(arg, 'STOREDIST') && (flags & SEARCH_STORE) !== 0) {
      storeDist = true;
    } else if (is(arg, 'FROMMEMBER') && left >= 1 && search && !fromLonLat) {
      const member = argv[++i];
      fromMember = true;
      if (z !== undefined) {
        center = memberPosition(c, z, member);
        if (center === null) return;
      }
    } else if (is(arg, 'FROMLONLAT') && left >= 2 && search && !fromMember) {
      center = parseLonLat(c, argv[i + 1], argv[i + 2]);
      if (center === null) return;
      fromLonLat = true;
      i += 2;
    } else if (is(arg, 'BYRADIUS') && left >= 2 && search && area?.kind !== 'box') {
      const radius = parseRadius(c, argv[i + 1], argv[i + 2]);
      if (radius === null) return;
      [area, conversion] = radius;
      i += 2;
    } else if (is(arg, 'BYBOX') && left >= 3 && search && area?.kind !== 'radius') {
      const width = parseLength(c, argv[i + 1], Err.geoWidth);
      if (width === null) return;
      const height = parseLength(c, argv[i + 2], Err.geoHeight);
      if (height === null) return;
      if (height < 0 || width < 0) return c.w.error(Err.geoBoxNegative);
      conversion = parseUnit(c, argv[i + 3]);
      if (conversion < 0) return;
      area = { kind: 'box', width, height };
      i += 3;
    } else {
      return c.w.error(Err.syntax);
    }
  }
  if (storeKey !== null && (withDist || withHash || withCoord)) {
    return c.w.error(Err.geoStoreWith(flags & SEARCH_STORE ? 'GEOSEARCHSTORE' : 'STORE option in GEORADIUS'));
  }
  if (search && !(fromMember || fromLonLat)) return c.w.error(Err.geoFrom(argv[0]));
  if (search && area === null) return c.w.error(Err.geoBy(argv[0]));
  if (any && !count) return c.w.error(Err.geoAnyWithoutCount);

  if (z === undefined || center === null || area === null) {
    if (storeKey === null) return c.w.array(0);
    c.db.delete(storeKey);
    return c.w.integer(0);
  }
  if (count !== 0 && sort === 0 && !any) sort = 1;
  const shape: Shape = { ...area, lon: center[0], lat: center[1], conversion };
  const found = pointsInShape(z, shape, any ? count : 0);
  if (found.length === 0 && storeKey === null) return c.w.array(0);
  const returned = count === 0 || found.length < count ? found.length : count;
  if (sort !== 0) sortPoints(found, returned, sort);
  if (storeKey === null) return replyPoints(c, found, returned, conversion, withDist, withHash, withCoord);
  storePoints(c, storeKey, found, returned, conversion, storeDist, search ? Ev.geosearchstore : Ev.georadiusstore);
}

/** A radius and its unit: the area and the unit's meters, or null after replying. */
function parseRadius(c: Session, radiusArg: string, unitArg: string): [{ kind: 'radius'; radius: number }, number] | null {
  const radius = parseLength(c, radiusArg, Err.geoRadius);
  if (radius === null) return null;
  if (radius < 0) {
    c.w.error(Err.geoRadiusNegative);
    return null;
  }
  const conversion = parseUnit(c, unitArg);
  return conversion < 0 ? null : [{ kind: 'radius', radius }, conversion];
}

/** A member's decoded position (longLatFromMember), or null after replying. */
function memberPosition(c: Session, z: ZSetValue, member: string): [number, number] | null {
  const score = z.score(member);
  if (score !== undefined) return decodeScore(score);
  c.w.error(Err.geoMemberUnknown);
  return null;
}

function replyPoints(
  c: Session,
  points: readonly GeoPoint[],
  n: number,
  conversion: number,
  withDist: boolean,
  withHash: boolean,
  withCoord: boolean,
): void {
  const options = Number(withDist) + Number(withHash) + Number(withCoord);
  c.w.array(n);
  for (let i = 0; i < n; i++) {
    const p = points[i];
    if (options) c.w.array(options + 1);
    c.w.bulk(p.member);
    if (withDist) c.w.bulk(formatDistance(p.dist / conversion));
    if (withHash) c.w.integer(p.score);
    if (withCoord) {
      c.w.array(2);
      replyCoordinate(c, p.lon);
      replyCoordinate(c, p.lat);
    }
  }
}

/** STORE/STOREDIST: the first `n` points as a new sorted set (scores: geohashes or distances). */
function storePoints(
  c: Session,
  key: string,
  points: readonly GeoPoint[],
  n: number,
  conversion: number,
  storeDist: boolean,
  ev: KeyEvent,
): void {
  if (n === 0) {
    c.db.delete(key);
    return c.w.integer(0);
  }
  const limits = packLimits(c);
  const z = new ZSetValue();
  for (let i = 0; i < n; i++) {
    const p = points[i];
    z.add(p.member, storeDist ? p.dist / conversion : p.score, limits.entries, limits.value);
  }
  c.db.set(key, z, false, ev);
  c.w.integer(n);
}

/** GEORADIUS/GEORADIUSBYMEMBER's keys (georadiusGetKeys): the source and the last STORE/STOREDIST destination. */
function georadiusKeys(argv: readonly string[]): number[] {
  const keys = [1];
  for (let i = 5; i < argv.length - 1; i++) {
    if (is(argv[i], 'STORE') || is(argv[i], 'STOREDIST')) {
      keys[1] = i + 1;
      i++;
    }
  }
  return keys;
}

// ---- the table -------------------------------------------------------------------------------------

const cmd = specMaker('geo');

const RADIUS_COST =
  'O(N+log(M)) where N is the number of elements inside the bounding box of the circular area delimited by center and radius and M is the number of items inside the index.';
const SEARCH_COST =
  'O(N+log(M)) where N is the number of elements in the grid-aligned bounding box area around the shape provided as the filter and M is the number of items inside the shape';

const geoCommands: CommandSpec[] = [
  cmd(
    'geoadd',
    -5,
    ['write', 'denyoom'],
    [1, 1, 1],
    'Add one or more geospatial items in the geospatial index represented using a sorted set',
    '3.2.0',
    'O(log(N)) for each item added, where N is the number of elements in the sorted set.',
    geoadd,
  ),
  cmd(
    'geodist',
    -4,
    ['readonly'],
    [1, 1, 1],
    'Returns the distance between two members of a geospatial index',
    '3.2.0',
    'O(log(N))',
    geodist,
  ),
  cmd(
    'geohash',
    -2,
    ['readonly'],
    [1, 1, 1],
    'Returns members of a geospatial index as standard geohash strings',
    '3.2.0',
    'O(log(N)) for each member requested, where N is the number of elements in the sorted set.',
    geohash,
  ),
  cmd(
    'geopos',
    -2,
    ['readonly'],
    [1, 1, 1],
    'Returns longitude and latitude of members of a geospatial index',
    '3.2.0',
    'O(N) where N is the number of members requested.',
    geopos,
  ),
  cmd(
    'georadius',
    -6,
    ['write', 'denyoom'],
    [1, 1, 1],
    'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a point',
    '3.2.0',
    RADIUS_COST,
    (c, argv) => georadiusGeneric(c, argv, 1, FROM_COORDS),
    georadiusKeys,
  ),
  cmd('georadius_ro', -6, ['readonly'], [1, 1, 1], 'A read-only variant for GEORADIUS', '3.2.10', RADIUS_COST, (c, argv) =>
    georadiusGeneric(c, argv, 1, FROM_COORDS | NO_STORE),
  ),
  cmd(
    'georadiusbymember',
    -5,
    ['write', 'denyoom'],
    [1, 1, 1],
    'Query a sorted set representing a geospatial index to fetch members matching a given maximum distance from a member',
    '3.2.0',
    RADIUS_COST,
    (c, argv) => georadiusGeneric(c, argv, 1, FROM_MEMBER),
    georadiusKeys,
  ),
  cmd('georadiusbymember_ro', -5, ['readonly'], [1, 1, 1], 'A read-only variant for GEORADIUSBYMEMBER', '3.2.10', RADIUS_COST, (c, argv) =>
    georadiusGeneric(c, argv, 1, FROM_MEMBER | NO_STORE),
  ),
  cmd(
    'geosearch',
    -7,
    ['readonly'],
    [1, 1, 1],
    'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle.',
    '6.2.0',
    SEARCH_COST,
    (c, argv) => georadiusGeneric(c, argv, 1, SEARCH),
  ),
  cmd(
    'geosearchstore',
    -8,
    ['write', 'denyoom'],
    [1, 2, 1],
    'Query a sorted set representing a geospatial index to fetch members inside an area of a box or a circle, and store the result in another key.',
    '6.2.0',
    SEARCH_COST,
    (c, argv) => georadiusGeneric(c, argv, 2, SEARCH | SEARCH_STORE),
  ),
];

export const geoFamily: CommandFamily = { name: 'geo', commands: geoCommands };
