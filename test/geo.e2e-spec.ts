/**
 * The GEO family against real Redis 7.0, byte for byte in RESP2 and RESP3: GEOADD's scores (read
 * back with ZSCORE/ZRANGE), GEOPOS's decoded cell centers, GEODIST in every unit, GEOHASH, the
 * searches (radius and box, from coordinates and from members, sorting, COUNT and ANY, WITH*,
 * STORE/STOREDIST), the edges of the coordinate ranges, and every error. Points spread over the
 * globe by a seeded generator check that searches return the same members in the same order.
 */
import { describe, expect, it } from '@jest/globals';
import { differentialSuite, script, type Step } from './support/differential.js';
import { changeFeedSuite } from './support/change-feed.js';
import { rng } from './support/rng.js';

/** Sicily, the classic example, plus points around the edges of Redis's ranges. */
const SETUP = `
  GEOADD Sicily 13.361389 38.115556 Palermo 15.087269 37.502669 Catania 13.583333 37.316667 Agrigento
  GEOADD Sicily 12.758489 38.788135 edge1 17.241510 38.788135 edge2
  GEOADD edges -180 -85.05112878 sw 180 85.05112878 ne -180 85.05112878 nw 180 -85.05112878 se 0 0 origin
  GEOADD edges 179.9999 0.0001 e -179.9999 -0.0001 w 0 85 n 0 -85 s 90 45 q
`;

describe('geo: differential against real Redis', () => {
  const suite = differentialSuite();

  /** Runs `steps` (after SETUP) in RESP2 and again in RESP3: no reply may differ. */
  const same = async (steps: Step[]) => expect(await suite.diff.runInBothProtocols([...script(SETUP), ...steps])).toEqual([]);

  it('GEOADD: scores, NX/XX/CH, updates, and its errors', async () => {
    await same(
      script(`
      ZRANGE Sicily 0 -1 WITHSCORES
      ZRANGE edges 0 -1 WITHSCORES
      GEOADD Sicily 13.361389 38.115556 Palermo
      GEOADD Sicily CH 13.4 38.1 Palermo 1 1 new
      GEOADD Sicily NX CH 1 2 Palermo 3 4 other
      GEOADD Sicily XX CH 5 6 Palermo 7 8 nothere
      GEOADD Sicily XX 5 6 Palermo
      GEOADD Sicily ch xx nx 1 1 a
      GEOADD Sicily NX XX 1 1 a
      GEOADD Sicily CH CH 1 1 twice
      GEOADD Sicily 1 1
      GEOADD Sicily 1 1 a 2
      GEOADD Sicily CH NX XX
      GEOADD Sicily CH CH CH
      GEOADD Sicily 181 0 bad
      GEOADD Sicily -180.0000001 0 bad
      GEOADD Sicily 0 85.06 bad
      GEOADD Sicily 0 -85.05112879 bad
      GEOADD Sicily 1e300 1 bad
      GEOADD Sicily inf 1 bad
      GEOADD Sicily -inf -inf bad
      GEOADD Sicily nan 1 bad
      GEOADD Sicily x 1 bad
      GEOADD Sicily 1 y bad
      GEOADD Sicily 1 1 ok 200 1 bad
      GEOADD Sicily 0x10 1 hex
      GEOADD Sicily 1e1 1e-1 exp
      ZRANGE Sicily 0 -1 WITHSCORES
      GEOADD xxnew XX 1 1 a
      EXISTS xxnew
      SET str v
      GEOADD str 1 1 a
      GEOADD str 200 1 a
      OBJECT ENCODING Sicily
      `),
    );
  });

  it('GEOPOS, GEOHASH, GEODIST in every unit', async () => {
    await same(
      script(`
      GEOPOS Sicily Palermo Catania nothere Agrigento
      GEOPOS edges sw ne nw se origin e w n s q
      GEOPOS nokey a b
      GEOHASH Sicily Palermo Catania nothere Agrigento edge1 edge2
      GEOHASH edges sw ne nw se origin e w n s q
      GEOHASH nokey a
      GEODIST Sicily Palermo Catania
      GEODIST Sicily Palermo Catania m
      GEODIST Sicily Palermo Catania KM
      GEODIST Sicily Palermo Catania mi
      GEODIST Sicily Palermo Catania Ft
      GEODIST Sicily Palermo Palermo
      GEODIST Sicily Palermo nothere
      GEODIST Sicily Palermo Catania yards
      GEODIST Sicily Palermo Catania km extra
      GEODIST nokey a b
      GEODIST nokey a b furlongs
      GEODIST edges sw ne km
      GEODIST edges nw ne
      GEODIST edges e w
      GEODIST edges n s mi
      SET str v
      GEOPOS str a
      GEOHASH str a
      GEODIST str a b
      `),
    );
  });

  it('GEOSEARCH by radius and box, from coordinates and members, with every option', async () => {
    await same(
      script(`
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km DESC WITHCOORD WITHDIST WITHHASH
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200000 m WITHDIST
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 124.3 mi WITHDIST ASC
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 656168 ft WITHHASH
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 0 km
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1 m
      GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 200 km WITHDIST
      GEOSEARCH Sicily FROMMEMBER Palermo BYRADIUS 0 km WITHDIST
      GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km ASC WITHCOORD WITHDIST
      GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 400 400 km DESC
      GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 200 50 km ASC WITHDIST
      GEOSEARCH Sicily FROMMEMBER Palermo BYBOX 0 0 km WITHDIST
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 1
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 2 DESC
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 200 km COUNT 100 WITHDIST
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 20000 km COUNT 1 ANY
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 20000 km COUNT 3 ANY WITHDIST
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 20000 km COUNT 3 ANY ASC WITHDIST
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 20000 km COUNT 9223372036854775807 WITHDIST
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 1000000000 km WITHDIST
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS inf km
      GEOSEARCH Sicily frommember Palermo byradius 100 KM withdist withcoord withhash count 2
      GEOSEARCH edges FROMLONLAT 180 85.05112878 BYRADIUS 500 km WITHDIST WITHCOORD
      GEOSEARCH edges FROMLONLAT -180 -85.05112878 BYBOX 3000 3000 km WITHDIST
      GEOSEARCH edges FROMLONLAT 0 0 BYRADIUS 10000 km ASC WITHDIST
      GEOSEARCH edges FROMLONLAT 0 0 BYRADIUS 20038 km ASC WITHDIST
      GEOSEARCH edges FROMLONLAT 179.99 0 BYBOX 100 100 km WITHDIST
      GEOSEARCH edges FROMMEMBER n BYRADIUS 600 km WITHDIST
      GEOSEARCH nokey FROMLONLAT 15 37 BYRADIUS 200 km
      GEOSEARCH nokey FROMMEMBER x BYRADIUS 200 km
      `),
    );
  });

  it('GEOSEARCH errors', async () => {
    await same(
      script(`
      GEOSEARCH Sicily FROMLONLAT 15 37
      GEOSEARCH Sicily BYRADIUS 10 km ASC
      GEOSEARCH Sicily FROMLONLAT 15 37 FROMMEMBER Palermo BYRADIUS 10 km
      GEOSEARCH Sicily FROMMEMBER Palermo FROMLONLAT 15 37 BYRADIUS 10 km
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km BYBOX 1 1 km
      GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 km BYRADIUS 10 km
      GEOSEARCH Sicily FROMMEMBER nothere BYRADIUS 10 km
      GEOSEARCH Sicily FROMLONLAT 200 37 BYRADIUS 10 km
      GEOSEARCH Sicily FROMLONLAT x 37 BYRADIUS 10 km
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS x km
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS -1 km
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 parsecs
      GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX x 1 km
      GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 x km
      GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX -1 1 km
      GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 -1 km
      GEOSEARCH Sicily FROMLONLAT 15 37 BYBOX 1 1 parsecs
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km COUNT 0
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km COUNT -1
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km COUNT x
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km COUNT
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km ANY
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km STORE dst
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km STOREDIST
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10 km bogus
      GEOSEARCH Sicily FROMLONLAT 15 37 BYRADIUS 10
      GEOSEARCH Sicily FROMMEMBER
      geosearch nokey FROMLONLAT 15 37
      geosearch nokey BYRADIUS 1 km
      GeoSearch nokey frommember x BYRADIUS 1 km ANY
      SET str v
      GEOSEARCH str FROMLONLAT 15 37 BYRADIUS 10 km
      GEOSEARCH str FROMLONLAT 200 37 BYRADIUS 10 km
      `),
    );
  });

  it('GEOSEARCHSTORE and GEORADIUS STORE/STOREDIST write sorted sets (or delete the destination)', async () => {
    await same(
      script(`
      GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC
      ZRANGE dst 0 -1 WITHSCORES
      OBJECT ENCODING dst
      GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km ASC COUNT 1 STOREDIST
      ZRANGE dst 0 -1 WITHSCORES
      GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYBOX 400 400 mi STOREDIST
      ZRANGE dst 0 -1 WITHSCORES
      GEOSEARCHSTORE dst Sicily FROMLONLAT 0 0 BYRADIUS 1 km
      EXISTS dst
      GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km
      GEOSEARCHSTORE dst nokey FROMLONLAT 15 37 BYRADIUS 200 km
      EXISTS dst
      GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km WITHDIST
      GEOSEARCHSTORE dst Sicily FROMLONLAT 15 37 BYRADIUS 200 km STORE x
      GEOSEARCHSTORE Sicily Sicily FROMMEMBER Palermo BYRADIUS 100 km
      ZRANGE Sicily 0 -1 WITHSCORES
      GEORADIUS edges 0 0 10000 km STORE d2
      ZRANGE d2 0 -1 WITHSCORES
      GEORADIUS edges 0 0 10000 km STOREDIST d2 ASC COUNT 2
      ZRANGE d2 0 -1 WITHSCORES
      GEORADIUS edges 0 0 10000 km STORE d2 WITHDIST
      GEORADIUS edges 0 0 10000 km STORE
      GEORADIUS edges 0 0 1 m STORE d2
      EXISTS d2
      GEORADIUSBYMEMBER edges origin 10000 km STOREDIST d3 DESC
      ZRANGE d3 0 -1 WITHSCORES
      GEORADIUSBYMEMBER nokey origin 10000 km STORE d3
      EXISTS d3
      GEORADIUSBYMEMBER nokey x y z STORE d3
      GEORADIUSBYMEMBER nokey x y z
      GEORADIUS_RO edges 0 0 10000 km STORE d4
      GEORADIUSBYMEMBER_RO edges origin 10000 km STOREDIST d4
      `),
    );
  });

  it('GEORADIUS, GEORADIUSBYMEMBER and their _RO variants', async () => {
    await same(
      script(`
      GEORADIUS Sicily 15 37 200 km
      GEORADIUS Sicily 15 37 200 km WITHDIST WITHCOORD WITHHASH ASC
      GEORADIUS Sicily 15 37 200 km COUNT 2 DESC WITHDIST
      GEORADIUS Sicily 15 37 20000 km COUNT 1 ANY
      GEORADIUS_RO Sicily 15 37 200 km WITHDIST ASC
      GEORADIUSBYMEMBER Sicily Palermo 200 km WITHDIST ASC
      GEORADIUSBYMEMBER_RO Sicily Agrigento 100 km WITHCOORD ASC
      GEORADIUSBYMEMBER Sicily nothere 200 km
      GEORADIUS Sicily 200 37 200 km
      GEORADIUS Sicily 15 37 -1 km
      GEORADIUS Sicily 15 37 x km
      GEORADIUS Sicily 15 37 1 lightyears
      GEORADIUS Sicily 15 37 200 km FROMMEMBER Palermo
      GEORADIUS Sicily 15 37 200 km BYBOX 1 1 km
      GEORADIUS Sicily 15 37 200 km ANY
      GEORADIUS Sicily 15 37 200 km COUNT 0
      GEORADIUS nokey 15 37 200 km
      GEORADIUS nokey 15 37 200 km STORE x
      SET str v
      GEORADIUS str 15 37 200 km
      GEORADIUSBYMEMBER str a 200 km
      `),
    );
  });

  it('declares the metadata Redis 7.0 does (COMMAND INFO, DOCS, GETKEYS)', async () => {
    const names = [
      'geoadd',
      'geodist',
      'geohash',
      'geopos',
      'georadius',
      'georadius_ro',
      'georadiusbymember',
      'georadiusbymember_ro',
      'geosearch',
      'geosearchstore',
    ];
    await same(names.map((name) => ['COMMAND', 'INFO', name]));
    await same(names.map((name) => ['COMMAND', 'DOCS', name]));
    await same(
      script(`
      COMMAND GETKEYS GEORADIUS src 0 0 1 km STORE dst
      COMMAND GETKEYS GEORADIUS src 0 0 1 km STORE dst STOREDIST dst2
      COMMAND GETKEYS GEORADIUSBYMEMBER src m 1 km STOREDIST dst
      COMMAND GETKEYS GEORADIUS src 0 0 1 km
      COMMAND GETKEYS GEOSEARCHSTORE dst src FROMMEMBER m BYRADIUS 1 km
      COMMAND GETKEYSANDFLAGS GEORADIUS src 0 0 1 km STORE dst
      `),
    );
  });

  it('searches over random points return the same members in the same order', async () => {
    const rand = rng(7);
    const steps: Step[] = [];
    for (let i = 0; i < 300; i++) {
      const lon = (rand() * 360 - 180).toFixed(6);
      const lat = (rand() * 170 - 85).toFixed(6);
      steps.push(['GEOADD', 'world', lon, lat, `p${i}`]);
    }
    for (let i = 0; i < 40; i++) {
      const lon = (rand() * 360 - 180).toFixed(4);
      const lat = (rand() * 170 - 85).toFixed(4);
      const km = String(Math.round(10 ** (1 + rand() * 3.3)));
      steps.push(['GEOSEARCH', 'world', 'FROMLONLAT', lon, lat, 'BYRADIUS', km, 'km', 'WITHDIST', 'WITHHASH']);
      steps.push(['GEOSEARCH', 'world', 'FROMLONLAT', lon, lat, 'BYBOX', km, String(Math.round(Number(km) / 2)), 'km', 'ASC', 'WITHCOORD']);
      steps.push(['GEOSEARCH', 'world', 'FROMMEMBER', `p${i}`, 'BYRADIUS', km, 'km', 'DESC', 'COUNT', '5', 'WITHDIST']);
      steps.push(['GEOSEARCH', 'world', 'FROMMEMBER', `p${i}`, 'BYRADIUS', km, 'km', 'COUNT', '3', 'ANY']);
      steps.push(['GEOPOS', 'world', `p${i}`]);
      steps.push(['GEODIST', 'world', `p${i}`, `p${i + 1}`, 'km']);
    }
    steps.push(['OBJECT', 'ENCODING', 'world']);
    await same(steps);
  });

  it('points at equal distances come out in the order Redis gives: stable when all are returned, as its pqsort leaves them under COUNT', async () => {
    const rand = rng(9);
    const steps: Step[] = [];
    for (let i = 0; i < 400; i++) {
      // Every tenth point on one spot: many ties.
      const [lon, lat] = i % 10 === 0 ? ['13.5', '37.5'] : [(13 + rand()).toFixed(6), (37 + rand()).toFixed(6)];
      steps.push(['GEOADD', 'cluster', lon, lat, `p${i}`]);
    }
    for (const km of ['1', '5', '20', '100']) {
      for (const order of ['ASC', 'DESC']) {
        steps.push(['GEOSEARCH', 'cluster', 'FROMLONLAT', '13.5', '37.5', 'BYRADIUS', km, 'km', order, 'WITHDIST']);
        steps.push(['GEOSEARCH', 'cluster', 'FROMLONLAT', '13.5', '37.5', 'BYRADIUS', km, 'km', order, 'COUNT', '5']);
        steps.push(['GEOSEARCH', 'cluster', 'FROMMEMBER', 'p0', 'BYBOX', km, km, 'km', order, 'COUNT', '17']);
        steps.push(['GEOSEARCHSTORE', 'near', 'cluster', 'FROMMEMBER', 'p10', 'BYRADIUS', km, 'km', order, 'COUNT', '7']);
        steps.push(['ZRANGE', 'near', '0', '-1']);
      }
    }
    await same(steps);
  });
});

describe('geo: the change feed', () => {
  const suite = changeFeedSuite();
  const fed = suite.fedArgv;

  it('GEOADD reaches it as the ZADD it runs (scores as integers); a GEOADD that changes nothing not at all', async () => {
    expect(await fed('GEOADD', 'g', 'CH', '13.361389', '38.115556', 'Palermo')).toEqual([
      ['zadd', 'g', 'CH', '3479099956230698', 'Palermo'],
    ]);
    expect(await fed('GEOADD', 'g', 'NX', '1', '1', 'Palermo')).toEqual([]);
    // Longitude 180 sets bit 53: the ZADD carries the exact integer, as Redis's sdsfromlonglong.
    expect(await fed('GEOADD', 'g', '180', '2.5', 'east')).toEqual([['zadd', 'g', '10133464239064401', 'east']]);
    expect(await fed('GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km')).toEqual([
      ['GEOSEARCHSTORE', 'd', 'g', 'FROMMEMBER', 'Palermo', 'BYRADIUS', '1', 'km'],
    ]);
  });
});
