// The ticket's size field in its three units, against hand computations at BTC $50,000.
import { describe, expect, it } from 'vitest';
import { fromInt } from '../src/preview';
import { largestAccepted, sizeFromField } from '../src/ticket';

const mark = fromInt(50_000n);

describe('the size field', () => {
  it('reads units as typed', () => {
    expect(sizeFromField('0.2', 'units', mark)).toBe(200_000_000n);
  });

  it('reads dollars of notional at the mark: $1,000 is 0.02 BTC', () => {
    expect(sizeFromField('1,000', 'usd', mark)).toBe(20_000_000n);
  });

  it('reads dollars of margin net of the fee: $1,000 at 10x and 5 bps buys $9,950.25 of notional', () => {
    // notional = 1,000 × 10 / (1 + 10 × 0.0005) = 9,950.2487…; at $50,000: 0.199004975 BTC.
    expect(sizeFromField('1,000', 'margin', mark, 10, 5)).toBe(199_004_975n);
  });

  it('refuses what is not a positive amount', () => {
    expect(() => sizeFromField('abc', 'margin', mark, 10, 5)).toThrow('dollars of margin above zero');
    expect(() => sizeFromField('100', 'usd', null)).toThrow('no price');
  });

  it('finds the largest accepted size by bisection', () => {
    expect(largestAccepted((b) => b <= 123_456_789n, 1_000_000_000n)).toBe(123_456_789n);
    expect(largestAccepted(() => false, 1_000n)).toBe(0n);
  });
});
