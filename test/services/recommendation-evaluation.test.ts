import { describe, expect, it } from 'vitest';
import { hitRateAtK, PersonaProductRankings, splitLastPurchase } from '../../src/services/recommendation-evaluation.ts';
import type { PurchaseLine } from '../../src/services/recommendation-evaluation.ts';

const line = (customerId: string, invoiceId: string, occurredAtMs: number, productId: string): PurchaseLine => ({ customerId, invoiceId, productId, occurredAtMs });

describe('splitLastPurchase', () => {
  const lines = [
    line('A', '1', 1, 'p1'),
    line('A', '1', 1, 'p2'),
    line('A', '2', 2, 'p2'),
    line('A', '2', 2, 'p3'),
    line('B', '3', 1, 'p1'),
    line('C', '4', 5, 'p1'),
    line('C', '5', 3, 'p2'),
    line('D', '6', 1, 'p1'),
    line('D', '7', 2, 'p1'),
    line('E', '10', 4, 'p4'),
    line('E', '9', 4, 'p5'),
  ];
  const split = splitLastPurchase(lines);

  it("holds out every line of each customer's latest invoice, whatever the order of the lines", () => {
    expect([...split.isHeldOut]).toEqual([0, 0, 1, 1, 0, 1, 0, 0, 1, 1, 0]);
  });

  it('breaks a tie of times by the greater invoice number, read as a number', () => {
    expect(split.targets.get('E')).toEqual(new Set(['p4']));
  });

  it('targets only the held-out products new to the customer', () => {
    expect(split.targets).toEqual(
      new Map([
        ['A', new Set(['p3'])],
        ['C', new Set(['p1'])],
        ['E', new Set(['p4'])],
      ]),
    );
  });

  it('keeps single-invoice customers in training and counts who is not evaluated', () => {
    expect(split.counts).toEqual({ customers: 5, singleInvoice: 1, onlyRepeats: 1, evaluated: 3 });
  });
});

describe('hitRateAtK', () => {
  const targets = new Map([
    ['A', new Set(['p3'])],
    ['C', new Set(['p1'])],
    ['E', new Set(['p4'])],
  ]);
  const recommended = new Map([
    ['A', ['p9', 'p3']],
    ['C', ['p1']],
  ]);

  it('counts a customer as a hit when a target is among the first k, and a customer without recommendations as a miss', () => {
    expect(hitRateAtK(recommended, targets, 2)).toEqual({ hits: 2, customers: 3, rate: 2 / 3 });
    expect(hitRateAtK(recommended, targets, 1)).toEqual({ hits: 1, customers: 3, rate: 1 / 3 });
  });
});

describe('PersonaProductRankings', () => {
  // Personas {a, b} and {c, d}. x: a, b (a twice); y: a, c, d; z: c.
  // Persona 0: x rate 1, lift 2; y rate 1/2, lift 2/3.  Persona 1: y rate 1, lift 4/3; z rate 1/2, lift 2.
  const personaOf = new Map([
    ['a', 0],
    ['b', 0],
    ['c', 1],
    ['d', 1],
  ]);
  const purchases = [
    { customerId: 'a', productId: 'x' },
    { customerId: 'b', productId: 'x' },
    { customerId: 'a', productId: 'x' },
    { customerId: 'a', productId: 'y' },
    { customerId: 'c', productId: 'y' },
    { customerId: 'd', productId: 'y' },
    { customerId: 'c', productId: 'z' },
  ];
  const rankings = new PersonaProductRankings(personaOf, purchases, 2);
  const none = new Set<string>();

  it('ranks by lift, by confidence and by their product within the persona', () => {
    expect(rankings.recommend('lift', 1, none, 5, 1)).toEqual(['z', 'y']);
    expect(rankings.recommend('confidence', 1, none, 5, 1)).toEqual(['y', 'z']);
    expect(rankings.recommend('confidenceTimesLift', 1, none, 5, 1)).toEqual(['y', 'z']);
    expect(rankings.recommend('lift', 0, none, 5, 1)).toEqual(['x', 'y']);
  });

  it('ranks by buyers overall for popularity, the same for every persona', () => {
    expect(rankings.recommend('popularity', 0, none, 5, 1)).toEqual(['y', 'x', 'z']);
    expect(rankings.recommend('popularity', 1, none, 5, 1)).toEqual(['y', 'x', 'z']);
  });

  it('skips owned products, stops at the limit and drops products below the minimum support', () => {
    expect(rankings.recommend('popularity', 1, new Set(['y']), 2, 1)).toEqual(['x', 'z']);
    expect(rankings.recommend('lift', 1, none, 1, 1)).toEqual(['z']);
    expect(rankings.recommend('lift', 1, none, 5, 2)).toEqual(['y']);
  });
});
