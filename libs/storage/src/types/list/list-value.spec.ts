import { describe, expect, it } from '@jest/globals';
import { rng } from '../../../../../test/support/rng.js';
import { ListValue } from './list-value.js';

describe('ListValue', () => {
  it('pushes and pops at both ends across chunk boundaries, in order', () => {
    const l = new ListValue();
    for (let i = 0; i < 1000; i++) l.push(`r${i}`, false);
    for (let i = 0; i < 1000; i++) l.push(`l${i}`, true);
    expect(l.length).toBe(2000);
    expect(l.at(0)).toBe('l999');
    expect(l.at(999)).toBe('l0');
    expect(l.at(1000)).toBe('r0');
    expect(l.at(1999)).toBe('r999');
    expect(l.pop(true)).toBe('l999');
    expect(l.pop(false)).toBe('r999');
    expect(l.encoding).toBe('quicklist');
  });

  it('keeps binary elements, empty ones and elements longer than a chunk intact', () => {
    const l = new ListValue();
    const items = ['', '\0\r\n\xff', 'x'.repeat(20000), 'y'.repeat(200), ''];
    l.pushAll(items, 0, false);
    expect(l.values()).toEqual(items);
    l.set(2, 'z'.repeat(9000));
    l.insert(1, 'w'.repeat(300));
    expect(l.values()).toEqual(['', 'w'.repeat(300), '\0\r\n\xff', 'z'.repeat(9000), 'y'.repeat(200), '']);
  });

  it('edits a list that grew past one chunk and shrank back to one, and grows it again', () => {
    const l = new ListValue();
    const model = Array.from({ length: 300 }, (_, i) => `e${i}`);
    l.pushAll(model, 0, false);
    for (let i = 0; i < 250; i++) expect(l.pop(true)).toBe(model.shift());
    l.set(3, 'set');
    model[3] = 'set';
    l.insert(10, 'inserted');
    model.splice(10, 0, 'inserted');
    expect(l.remove('e299', 0, false)).toBe(1);
    model.splice(model.indexOf('e299'), 1);
    l.deleteRange(0, 5);
    model.splice(0, 5);
    expect(l.values()).toEqual(model);
    l.pushAll(model, 0, true);
    expect(l.values()).toEqual([...model].reverse().concat(model));
    l.deleteRange(0, l.length);
    expect(l.length).toBe(0);
    expect(l.pop(false)).toBeUndefined();
    l.push('again', false);
    expect(l.values()).toEqual(['again']);
  });

  it('matches a plain array under random edits of every kind', () => {
    const r = rng(42);
    const l = new ListValue();
    let model: string[] = [];
    const pick = () => `v${Math.floor(r() * 8)}${'.'.repeat(Math.floor(r() * 3) * 40)}`;
    for (let step = 0; step < 5000; step++) {
      const op = Math.floor(r() * 9);
      const n = model.length;
      const i = Math.floor(r() * (n + 1));
      if (op === 0 || op === 1) {
        const values = Array.from({ length: 1 + Math.floor(r() * 60) }, pick);
        l.pushAll(values, 0, op === 0);
        if (op === 0) model = [...values.reverse(), ...model];
        else model.push(...values);
      } else if (op === 2 && n > 0) {
        const head = r() < 0.5;
        expect(l.pop(head)).toBe(head ? model.shift() : model.pop());
      } else if (op === 3 && i < n) {
        const v = pick();
        l.set(i, v);
        model[i] = v;
      } else if (op === 4) {
        const v = pick();
        l.insert(i, v);
        model.splice(i, 0, v);
      } else if (op === 5 && n > 0) {
        const count = Math.floor(r() * (n - Math.min(i, n - 1) + 1));
        const start = Math.min(i, n - 1);
        l.deleteRange(start, count);
        model.splice(start, count);
      } else if (op === 6) {
        const v = pick();
        const limit = Math.floor(r() * 3);
        const fromTail = r() < 0.5;
        const removed = l.remove(v, limit, fromTail);
        let left = limit === 0 ? Infinity : limit;
        const order = model.map((_, k) => k);
        if (fromTail) order.reverse();
        const drop = new Set<number>();
        for (const k of order) {
          if (left > 0 && model[k] === v) {
            drop.add(k);
            left--;
          }
        }
        model = model.filter((_, k) => !drop.has(k));
        expect(removed).toBe(drop.size);
      } else if (op === 7 && n > 0) {
        const a = Math.floor(r() * n);
        const b = a + Math.floor(r() * (n - a));
        const fwd: string[] = [];
        l.range(a, b, false, (v) => fwd.push(v));
        expect(fwd).toEqual(model.slice(a, b + 1));
        const back: string[] = [];
        l.range(a, b, true, (v) => back.push(v));
        expect(back).toEqual(model.slice(a, b + 1).reverse());
      } else if (op === 8 && n > 0) {
        const v = pick();
        const fromTail = r() < 0.5;
        const limit = Math.floor(r() * n);
        const want = Math.floor(r() * 4);
        const order = model.map((_, k) => k);
        if (fromTail) order.reverse();
        const expected = order.slice(0, limit === 0 ? n : limit).filter((k) => model[k] === v);
        const seen: number[] = [];
        l.matches(v, fromTail, limit, (index) => {
          seen.push(index);
          return seen.length !== want;
        });
        expect(seen).toEqual(want === 0 ? expected : expected.slice(0, want));
      }
      expect(l.length).toBe(model.length);
    }
    expect(l.values()).toEqual(model);
    const copy = l.clone();
    copy.push('only in the copy', false);
    expect(l.values()).toEqual(model);
  });
});
