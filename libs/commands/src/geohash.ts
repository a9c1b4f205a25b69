/**
 * Redis 7.0's geohash math (geohash.c, geohash_helper.c): a position is a 52-bit score, 26 bits of
 * latitude and 26 of longitude interleaved (latitude on the even bits), over Redis's latitude
 * range ±85.05112878 (Web Mercator's); searches look at the cell of the center and its 8
 * neighbours at a step chosen from the radius. Every double operation is done in the same order
 * as Redis's C code so scores, decoded coordinates and distances are the same bits.
 *
 * Scores of single members are handled as two 32-bit halves (the per-member hot path of a
 * search); the once-per-query cell arithmetic uses bigints.
 */

export const GEO_LAT_MIN = -85.05112878;
export const GEO_LAT_MAX = 85.05112878;
export const GEO_LONG_MIN = -180;
export const GEO_LONG_MAX = 180;
/** 26 * 2 = 52 bits. */
const GEO_STEP_MAX = 26;

const D_R = Math.PI / 180.0;
/** Earth's quadratic mean radius for WGS-84, as Redis. */
const EARTH_RADIUS_IN_METERS = 6372797.560856;
const MERCATOR_MAX = 20037726.37;
const TWO_32 = 2 ** 32;
const TWO_63 = 2 ** 63;
const TWO_64 = 2 ** 64;

export interface Range {
  min: number;
  max: number;
}

/** Redis's coordinate ranges: the one scores use, and the standard one GEOHASH strings use. */
const LONG_RANGE: Range = { min: GEO_LONG_MIN, max: GEO_LONG_MAX };
const LAT_RANGE: Range = { min: GEO_LAT_MIN, max: GEO_LAT_MAX };
const STANDARD_LAT_RANGE: Range = { min: -90, max: 90 };

/** A cell: `bits` holds step * 2 interleaved bits. */
export interface Cell {
  bits: bigint;
  step: number;
}

export interface Area {
  lon: Range;
  lat: Range;
}

/** Spreads the low 16 bits of `x` to the even bits of a 32-bit word. */
function spread16(x: number): number {
  x &= 0xffff;
  x = (x | (x << 8)) & 0x00ff00ff;
  x = (x | (x << 4)) & 0x0f0f0f0f;
  x = (x | (x << 2)) & 0x33333333;
  x = (x | (x << 1)) & 0x55555555;
  return x >>> 0;
}

/** Gathers the even bits of a 32-bit word into 16 bits (spread16's inverse). */
function squash16(x: number): number {
  x &= 0x55555555;
  x = (x | (x >>> 1)) & 0x33333333;
  x = (x | (x >>> 2)) & 0x0f0f0f0f;
  x = (x | (x >>> 4)) & 0x00ff00ff;
  x = (x | (x >>> 8)) & 0x0000ffff;
  return x;
}

/** The two 32-bit words [low, high] of the last interleave (no allocation on GEOADD's path). */
const words = new Uint32Array(2);

/** interleave64 into `words`: `lat` on the even bits, `lon` on the odd ones (each at most 2^26, so 27 bits). */
function interleaveInto(lat: number, lon: number): void {
  words[0] = spread16(lat) | (spread16(lon) << 1);
  words[1] = spread16(lat >>> 16) | (spread16(lon >>> 16) << 1);
}

function interleave(lat: number, lon: number): bigint {
  interleaveInto(lat, lon);
  return (BigInt(words[1]) << 32n) | BigInt(words[0]);
}

/** geohashEncode: the cell of `step` holding the position; null outside the ranges. */
export function encode(lonRange: Range, latRange: Range, longitude: number, latitude: number, step: number): Cell | null {
  if (longitude > GEO_LONG_MAX || longitude < GEO_LONG_MIN || latitude > GEO_LAT_MAX || latitude < GEO_LAT_MIN) return null;
  if (latitude < latRange.min || latitude > latRange.max || longitude < lonRange.min || longitude > lonRange.max) return null;
  let latOffset = (latitude - latRange.min) / (latRange.max - latRange.min);
  let lonOffset = (longitude - lonRange.min) / (lonRange.max - lonRange.min);
  latOffset *= 2 ** step;
  lonOffset *= 2 ** step;
  // C converts the doubles to uint32_t by truncation.
  return { bits: interleave(Math.trunc(latOffset), Math.trunc(lonOffset)), step };
}

/** geohashAlign52Bits: a cell's bits shifted up to the 52-bit score scale. */
function align52(cell: Cell): bigint {
  return cell.bits << BigInt(52 - cell.step * 2);
}

/** geohashEncode at step 26 (whose score needs no alignment) into `words`, for a position already checked. */
function positionWords(longitude: number, latitude: number): void {
  let latOffset = (latitude - GEO_LAT_MIN) / (GEO_LAT_MAX - GEO_LAT_MIN);
  let lonOffset = (longitude - GEO_LONG_MIN) / (GEO_LONG_MAX - GEO_LONG_MIN);
  latOffset *= 2 ** GEO_STEP_MAX;
  lonOffset *= 2 ** GEO_STEP_MAX;
  interleaveInto(Math.trunc(latOffset), Math.trunc(lonOffset));
}

/** The score GEOADD stores for a position, as ZADD reads the integer it is given (rounded past 2^53). */
export function positionScore(longitude: number, latitude: number): number {
  positionWords(longitude, latitude);
  return words[1] * TWO_32 + words[0];
}

/** That integer as GEOADD's ZADD carries it in the change feed (exact: longitude 180 sets bit 53). */
export function positionScoreText(longitude: number, latitude: number): string {
  positionWords(longitude, latitude);
  return words[1] < 2 ** 21 ? String(words[1] * TWO_32 + words[0]) : ((BigInt(words[1]) << 32n) | BigInt(words[0])).toString();
}

/** geohashDecode: the cell's bounds. */
export function decodeCell(lonRange: Range, latRange: Range, cell: Cell): Area {
  const bits = cell.bits;
  const lat = deinterleaveHalf(Number(bits & 0xffffffffn), Number(bits >> 32n));
  const lon = deinterleaveHalf(Number((bits >> 1n) & 0xffffffffn), Number(bits >> 33n));
  return cellArea(lonRange, latRange, lon, lat, cell.step);
}

/** The even bits of hi:lo (each a 32-bit word) as one 32-bit number. */
function deinterleaveHalf(lo: number, hi: number): number {
  return squash16(lo) + squash16(hi) * 65536;
}

function cellArea(lonRange: Range, latRange: Range, ilono: number, ilato: number, step: number): Area {
  const latScale = latRange.max - latRange.min;
  const lonScale = lonRange.max - lonRange.min;
  const size = 2 ** step;
  return {
    lat: { min: latRange.min + ((ilato * 1.0) / size) * latScale, max: latRange.min + (((ilato + 1) * 1.0) / size) * latScale },
    lon: { min: lonRange.min + ((ilono * 1.0) / size) * lonScale, max: lonRange.min + (((ilono + 1) * 1.0) / size) * lonScale },
  };
}

/**
 * decodeGeohash: the center of the step-26 cell a score names, clamped to the ranges, written to
 * `out` as [longitude, latitude] (no allocation: a search decodes every candidate). The score is
 * converted to an integer as C's (uint64_t) cast does on x86-64.
 */
export function decodeScoreInto(score: number, out: Float64Array): void {
  let hi: number;
  let lo: number;
  if (score >= 0 && score < TWO_64) {
    const bits = Math.trunc(score);
    hi = Math.floor(bits / TWO_32);
    lo = bits - hi * TWO_32;
  } else if (score < 0 && score > -TWO_63) {
    // A negative score (not a position, but a sorted set may hold one): two's complement, as x86.
    const bits = Math.trunc(score);
    hi = Math.floor(bits / TWO_32);
    lo = bits - hi * TWO_32;
    hi += TWO_32;
  } else {
    // Out of uint64's range: x86-64's conversion gives 2^63 below it, 0 above it (and for NaN).
    hi = score < 0 ? 0x80000000 : 0;
    lo = 0;
  }
  // Odd bits (longitude): the 64-bit value shifted right by one across the halves.
  const ilono = deinterleaveHalf(((lo >>> 1) | ((hi & 1) << 31)) >>> 0, Math.floor(hi / 2) >>> 0);
  const ilato = deinterleaveHalf(lo >>> 0, hi >>> 0);
  // geohashDecode's bounds, then their midpoint, in the same operations as Redis.
  const latScale = GEO_LAT_MAX - GEO_LAT_MIN;
  const lonScale = GEO_LONG_MAX - GEO_LONG_MIN;
  const size = 2 ** GEO_STEP_MAX;
  const latMin = GEO_LAT_MIN + ((ilato * 1.0) / size) * latScale;
  const latMax = GEO_LAT_MIN + (((ilato + 1) * 1.0) / size) * latScale;
  const lonMin = GEO_LONG_MIN + ((ilono * 1.0) / size) * lonScale;
  const lonMax = GEO_LONG_MIN + (((ilono + 1) * 1.0) / size) * lonScale;
  out[0] = Math.min(Math.max((lonMin + lonMax) / 2, GEO_LONG_MIN), GEO_LONG_MAX);
  out[1] = Math.min(Math.max((latMin + latMax) / 2, GEO_LAT_MIN), GEO_LAT_MAX);
}

const decoded = new Float64Array(2);

/** decodeScoreInto as a [longitude, latitude] pair. */
export function decodeScore(score: number): [number, number] {
  decodeScoreInto(score, decoded);
  return [decoded[0], decoded[1]];
}

const GEOALPHABET = '0123456789bcdefghjkmnpqrstuvwxyz';

/** GEOHASH's 11-character standard geohash of a position (re-encoded over latitude ±90; the last char is '0'). */
export function geohashString(longitude: number, latitude: number): string {
  const cell = encode(LONG_RANGE, STANDARD_LAT_RANGE, longitude, latitude, GEO_STEP_MAX);
  const bits = cell === null ? 0n : cell.bits;
  let out = '';
  for (let i = 0; i < 10; i++) out += GEOALPHABET[Number((bits >> BigInt(52 - (i + 1) * 5)) & 0x1fn)];
  return out + GEOALPHABET[0];
}

function degRad(ang: number): number {
  return ang * D_R;
}

function radDeg(ang: number): number {
  return ang / D_R;
}

function latDistance(lat1d: number, lat2d: number): number {
  return EARTH_RADIUS_IN_METERS * Math.abs(degRad(lat2d) - degRad(lat1d));
}

/** geohashGetDistance: haversine over Redis's earth radius, in meters. */
export function distance(lon1d: number, lat1d: number, lon2d: number, lat2d: number): number {
  const lon1r = degRad(lon1d);
  const lon2r = degRad(lon2d);
  const v = Math.sin((lon2r - lon1r) / 2);
  if (v === 0.0) return latDistance(lat1d, lat2d);
  const lat1r = degRad(lat1d);
  const lat2r = degRad(lat2d);
  const u = Math.sin((lat2r - lat1r) / 2);
  const a = u * u + Math.cos(lat1r) * Math.cos(lat2r) * v * v;
  return 2.0 * EARTH_RADIUS_IN_METERS * Math.asin(Math.sqrt(a));
}

/** A search area: a circle (radius) or a box (width, height), in the unit `conversion` turns into meters. */
export type Shape =
  | { kind: 'radius'; lon: number; lat: number; conversion: number; radius: number }
  | { kind: 'box'; lon: number; lat: number; conversion: number; width: number; height: number };

/** geoWithinShape's test for a decoded point: its distance from the center in meters, or -1 when outside. */
export function distanceInShape(shape: Shape, lon: number, lat: number): number {
  if (shape.kind === 'radius') {
    const d = distance(shape.lon, shape.lat, lon, lat);
    return d > shape.radius * shape.conversion ? -1 : d;
  }
  if (latDistance(lat, shape.lat) > (shape.height * shape.conversion) / 2) return -1;
  if (distance(lon, lat, shape.lon, lat) > (shape.width * shape.conversion) / 2) return -1;
  return distance(shape.lon, shape.lat, lon, lat);
}

/** geohashEstimateStepsByRadius. */
function estimateSteps(rangeMeters: number, lat: number): number {
  if (rangeMeters === 0) return 26;
  let step = 1;
  while (rangeMeters < MERCATOR_MAX) {
    rangeMeters *= 2;
    step++;
  }
  step -= 2;
  if (lat > 66 || lat < -66) {
    step--;
    if (lat > 80 || lat < -80) step--;
  }
  return Math.min(Math.max(step, 1), 26);
}

/** geohashBoundingBox: [minLon, minLat, maxLon, maxLat]. */
function boundingBox(shape: Shape): [number, number, number, number] {
  const { lon, lat } = shape;
  const height = shape.conversion * (shape.kind === 'radius' ? shape.radius : shape.height / 2);
  const width = shape.conversion * (shape.kind === 'radius' ? shape.radius : shape.width / 2);
  const latDelta = radDeg(height / EARTH_RADIUS_IN_METERS);
  const lonDeltaTop = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat + latDelta)));
  const lonDeltaBottom = radDeg(width / EARTH_RADIUS_IN_METERS / Math.cos(degRad(lat - latDelta)));
  const southern = lat < 0;
  return [
    southern ? lon - lonDeltaBottom : lon - lonDeltaTop,
    lat - latDelta,
    southern ? lon + lonDeltaBottom : lon + lonDeltaTop,
    lat + latDelta,
  ];
}

const EVEN_BITS = 0x5555555555555555n;
const ODD_BITS = 0xaaaaaaaaaaaaaaaan;
const U64 = (1n << 64n) - 1n;

/** geohash_move_x / geohash_move_y: the adjacent cell east/west (odd bits) or north/south (even bits). */
function move(cell: Cell, d: number, longitude: boolean): Cell {
  if (d === 0) return cell;
  const shift = BigInt(64 - cell.step * 2);
  const mine = longitude ? ODD_BITS : EVEN_BITS;
  const other = longitude ? EVEN_BITS : ODD_BITS;
  let x = cell.bits & mine;
  const y = cell.bits & other;
  const zz = other >> shift;
  if (d > 0) x = (x + (zz + 1n)) & U64;
  else x = ((x | zz) - (zz + 1n)) & U64;
  x &= mine >> shift;
  return { bits: x | y, step: cell.step };
}

function neighbour(cell: Cell, dx: number, dy: number): Cell {
  return move(move(cell, dx, true), dy, false);
}

/**
 * geohashCalculateAreasByShapeWGS84 + membersOfAllNeighbors' order: the score ranges [min, max)
 * to walk for a search, center cell first, then N, S, E, W, NE, NW, SE, SW; cells found useless
 * are left out and a cell equal to the previous one is skipped, as Redis does.
 */
export function searchRanges(shape: Shape): [number, number][] {
  const [minLon, minLat, maxLon, maxLat] = boundingBox(shape);
  const radiusMeters =
    shape.kind === 'radius'
      ? shape.radius * shape.conversion
      : Math.sqrt((shape.width / 2) * (shape.width / 2) + (shape.height / 2) * (shape.height / 2)) * shape.conversion;
  let steps = estimateSteps(radiusMeters, shape.lat);
  let hash = encode(LONG_RANGE, LAT_RANGE, shape.lon, shape.lat, steps) as Cell;
  const north = decodeCell(LONG_RANGE, LAT_RANGE, neighbour(hash, 0, 1));
  const south = decodeCell(LONG_RANGE, LAT_RANGE, neighbour(hash, 0, -1));
  const east = decodeCell(LONG_RANGE, LAT_RANGE, neighbour(hash, 1, 0));
  const west = decodeCell(LONG_RANGE, LAT_RANGE, neighbour(hash, -1, 0));
  const decrease = north.lat.max < maxLat || south.lat.min > minLat || east.lon.max < maxLon || west.lon.min > minLon;
  if (steps > 1 && decrease) {
    steps--;
    hash = encode(LONG_RANGE, LAT_RANGE, shape.lon, shape.lat, steps) as Cell;
  }
  const area = decodeCell(LONG_RANGE, LAT_RANGE, hash);
  // [dx, dy] of the neighbours in Redis's order, and whether each is kept.
  const cells: [number, number][] = [
    [0, 0],
    [0, 1],
    [0, -1],
    [1, 0],
    [-1, 0],
    [1, 1],
    [-1, 1],
    [1, -1],
    [-1, -1],
  ];
  const dropSouth = steps >= 2 && area.lat.min < minLat;
  const dropNorth = steps >= 2 && area.lat.max > maxLat;
  const dropWest = steps >= 2 && area.lon.min < minLon;
  const dropEast = steps >= 2 && area.lon.max > maxLon;
  const ranges: [number, number][] = [];
  // The last processed neighbour: a cell equal to it is skipped (huge radii make neighbours
  // coincide). Redis's index 0 doubles as "none", so a neighbour equal to the center is kept.
  let last: Cell | null = null;
  for (const [dx, dy] of cells) {
    if ((dy < 0 && dropSouth) || (dy > 0 && dropNorth) || (dx < 0 && dropWest) || (dx > 0 && dropEast)) continue;
    const center = dx === 0 && dy === 0;
    const cell = center ? hash : neighbour(hash, dx, dy);
    if (last !== null && cell.bits === last.bits && cell.step === last.step) continue;
    ranges.push([Number(align52(cell)), Number(align52({ bits: cell.bits + 1n, step: cell.step }))]);
    if (!center) last = cell;
  }
  return ranges;
}

/** printf's "%.<digits>f" of a double: its exact value rounded half to even (glibc), for error texts. */
export function printfFixed(d: number, digits: number): string {
  if (!Number.isFinite(d)) return Number.isNaN(d) ? 'nan' : d > 0 ? 'inf' : '-inf';
  const neg = d < 0 || Object.is(d, -0);
  const [m, e] = exactParts(Math.abs(d));
  const scale = 10n ** BigInt(digits);
  let q: bigint;
  if (e >= 0) q = (m << BigInt(e)) * scale;
  else {
    const shift = BigInt(-e);
    const num = m * scale;
    q = num >> shift;
    const twice = (num - (q << shift)) * 2n;
    const unit = 1n << shift;
    if (twice > unit || (twice === unit && (q & 1n) === 1n)) q++;
  }
  const text = q.toString().padStart(digits + 1, '0');
  const body = digits ? `${text.slice(0, text.length - digits)}.${text.slice(text.length - digits)}` : text;
  return neg ? `-${body}` : body;
}

/** A finite non-negative double as m * 2^e exactly. */
export function exactParts(d: number): [bigint, number] {
  if (d === 0) return [0n, 0];
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, d);
  const hi = view.getUint32(0);
  const lo = view.getUint32(4);
  const biased = (hi >>> 20) & 0x7ff;
  const frac = (BigInt(hi & 0xfffff) << 32n) | BigInt(lo);
  return biased === 0 ? [frac, -1074] : [frac | (1n << 52n), biased - 1075];
}

/**
 * addReplyDoubleDistance (fixedpoint_d2string with 4 digits): llrint(d * 10000), i.e. rounded
 * half to even after the multiplication, printed with 4 decimals.
 */
export function formatDistance(d: number): string {
  if (d === 0) return '0.0000';
  const scaled = d * 10000;
  let v = Math.round(scaled);
  if (v - scaled === 0.5 && v % 2 !== 0) v--;
  const neg = v < 0;
  const digits = String(Math.abs(v)).padStart(5, '0');
  const body = `${digits.slice(0, digits.length - 4)}.${digits.slice(digits.length - 4)}`;
  return neg ? `-${body}` : body;
}
