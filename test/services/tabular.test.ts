import { describe, expect, it } from 'vitest';
import { DomainError, ValidationError } from '../../src/domain/errors.ts';
import { depthOf, isMissingValue, parseCsv, parseNdjson } from '../../src/services/tabular.ts';

describe('parseCsv', () => {
  it('reads a comma-separated file with a header into records of numbers and strings', () => {
    expect(parseCsv('id,age,city\n1,34,Lyon\n2,41.5,"Paris, 11e"\n')).toEqual({
      columns: ['id', 'age', 'city'],
      rows: [
        { id: 1, age: 34, city: 'Lyon' },
        { id: 2, age: 41.5, city: 'Paris, 11e' },
      ],
    });
  });

  it('detects semicolons and tabs as delimiters from the header', () => {
    expect(parseCsv('a;b\n1;2\n').rows).toEqual([{ a: 1, b: 2 }]);
    expect(parseCsv('a\tb\n1\t2\n').rows).toEqual([{ a: 1, b: 2 }]);
  });

  it('reads decimal commas only in semicolon-separated files', () => {
    expect(parseCsv('a;b\n1,5;x\n').rows).toEqual([{ a: 1.5, b: 'x' }]);
    expect(parseCsv('a,b\n"1,5",x\n').rows).toEqual([{ a: '1,5', b: 'x' }]);
  });

  it('keeps a column of zero-padded codes as text, every value of it', () => {
    expect(parseCsv('zip,n\n02139,1\n90210,2\n').rows).toEqual([
      { zip: '02139', n: 1 },
      { zip: '90210', n: 2 },
    ]);
  });

  it('turns empty cells and missing markers into null, and strips a byte-order mark', () => {
    expect(parseCsv('\uFEFFa,b,c,d\n,NA,n/a,?\n').rows).toEqual([{ a: null, b: null, c: null, d: null }]);
  });

  it('rejects a header with an empty or repeated name', () => {
    expect(() => parseCsv('a,,a\n1,2,3\n')).toThrow(ValidationError);
  });

  it('rejects an empty body as malformed', () => {
    expect(() => parseCsv('  \n')).toThrow(DomainError);
  });
});

describe('parseNdjson', () => {
  it('reads one object per line, skipping blank lines, and collects the columns in order', () => {
    expect(parseNdjson('{"a":1}\n\n{"b":"x","a":null}\r\n', 8)).toEqual({ columns: ['a', 'b'], rows: [{ a: 1 }, { b: 'x', a: null }] });
  });

  it('reports every bad line with its number and keeps going', () => {
    let error: unknown;
    try {
      parseNdjson('{"a":1}\nnot json\n[1,2]\n{"a":{"b":1}}\n', 8);
    } catch (caught) {
      error = caught;
    }
    expect((error as ValidationError).errors).toEqual([
      { location: 'body', pointer: '/1', code: 'invalid_json', message: 'line 2 is not valid JSON' },
      { location: 'body', pointer: '/1', code: 'not_an_object', message: 'each record must be a JSON object' },
      { location: 'body', pointer: '/1/a', code: 'not_a_scalar', message: 'must be a number, string, boolean or null' },
    ]);
  });
});

describe('isMissingValue', () => {
  it('counts null, undefined, blank strings and the usual markers as missing, and nothing else', () => {
    for (const value of [null, undefined, '', '  ', 'NA', 'n/a', 'NULL', 'NaN', 'none', '?', '#N/A']) expect(isMissingValue(value), String(value)).toBe(true);
    for (const value of [0, false, 'no', 'nan-o', -1, 'N']) expect(isMissingValue(value), String(value)).toBe(false);
  });
});

describe('depthOf', () => {
  it('measures nesting without recursion and stops past the limit', () => {
    expect(depthOf(1, 5)).toBe(0);
    expect(depthOf({ a: [1, { b: 2 }] }, 5)).toBe(3);
    let deep: unknown = 1;
    for (let i = 0; i < 100_000; i++) deep = [deep];
    expect(depthOf(deep, 10)).toBe(11);
  });
});
