/** The geohash math against values taken from Redis 7.0.15 (GEOADD/ZSCORE, GEOPOS, GEOHASH, GEODIST). */
import { describe, expect, it } from '@jest/globals';
import {
  decodeScore,
  distance,
  formatDistance,
  geohashString,
  positionScore,
  positionScoreText,
  printfFixed,
  searchRanges,
} from './geohash.js';

describe('geohash', () => {
  it('encodes a position to Redis 7.0 scores and decodes the cell center', () => {
    expect(positionScore(13.361389, 38.115556)).toBe(3479099956230698);
    expect(positionScore(15.087269, 37.502669)).toBe(3479447370796909);
    // Longitude 180 overflows into bit 53: the change feed carries the exact integer.
    expect(positionScoreText(180, 2.5)).toBe('10133464239064401');
    expect(positionScore(180, 2.5)).toBe(10133464239064400);
    expect(positionScoreText(13.361389, 38.115556)).toBe('3479099956230698');
    const [lon, lat] = decodeScore(3479099956230698);
    expect([lon, lat]).toEqual([13.361389338970184, 38.1155563954963]);
    expect(geohashString(lon, lat)).toBe('sqc8b49rny0');
  });

  it('measures with the haversine over 6372797.560856 m and prints 4 decimals rounded half to even', () => {
    const [a, b] = [decodeScore(3479099956230698), decodeScore(3479447370796909)];
    expect(formatDistance(distance(a[0], a[1], b[0], b[1]) / 1000)).toBe('166.2742');
    expect(formatDistance(0)).toBe('0.0000');
    expect(formatDistance(0.00005)).toBe('0.0000');
  });

  it('prints %f like glibc (exact value, half to even)', () => {
    expect(printfFixed(200, 6)).toBe('200.000000');
    expect(printfFixed(-0.0000005, 6)).toBe('-0.000000');
    expect(printfFixed(0.0000025, 6)).toBe('0.000003');
    expect(printfFixed(Infinity, 6)).toBe('inf');
    expect(printfFixed(1e22, 0)).toBe('10000000000000000000000');
  });

  it('searches the center cell first and never a cell twice in a row', () => {
    const ranges = searchRanges({ kind: 'radius', lon: 15, lat: 37, radius: 200, conversion: 1000 });
    expect(ranges.length).toBeGreaterThan(0);
    expect(ranges.length).toBeLessThanOrEqual(9);
    for (const [min, max] of ranges) expect(min).toBeLessThan(max);
    const center = positionScore(15, 37);
    expect(center >= ranges[0][0] && center < ranges[0][1]).toBe(true);
  });
});
