// The ticket's strict field parsing, against hand-written cases from issue 21's review.
import { describe, expect, it } from 'vitest';
import { FieldError, checkTriggers, optionalPrice, parseAmount, parseLeverage, parseSize } from '../src/ticket';

const fieldOf = (f: () => unknown) => {
  try {
    f();
  } catch (error) {
    return error instanceof FieldError ? error.field : 'not a field error';
  }
  return 'accepted';
};

describe('ticket fields', () => {
  it('reads leverage as a whole number within the market maximum only', () => {
    expect(parseLeverage('10', 40)).toBe(10);
    expect(parseLeverage(' 40x', 40)).toBe(40);
    for (const bad of ['0x10', '1e1', '50', '0', '-5', '2.5', '', 'ten']) expect(fieldOf(() => parseLeverage(bad, 40))).toBe('t-leverage');
  });

  it('reads sizes and optional prices strictly', () => {
    expect(parseSize('0.2')).toBe(200_000_000n);
    expect(fieldOf(() => parseSize('1e-9'))).toBe('t-size');
    expect(optionalPrice('', 't-stop', 'Stop-loss')).toBe(0n);
    expect(optionalPrice('45,000.5', 't-stop', 'Stop-loss')).toBe(45_000_500_000n);
    for (const bad of ['abc', '-5', '2,8OO', '0']) expect(fieldOf(() => optionalPrice(bad, 't-stop', 'Stop-loss'))).toBe('t-stop');
  });

  it('refuses amounts above the wallet', () => {
    expect(parseAmount('1,500', 't-margin', 'Isolated margin', 1_500_000_000n)).toBe(1_500_000_000n);
    expect(() => parseAmount('999,999,999', 't-margin', 'Isolated margin', 649_000_000n)).toThrow('your wallet holds $649.00');
    expect(fieldOf(() => parseAmount('', 'amount-0', 'Deposit', 10n))).toBe('amount-0');
  });

  it('keeps a stop-loss and take-profit on the side that does not fire at once', () => {
    const mark = 50_000_000_000n;
    expect(() => checkTriggers('long', mark, 45_000_000_000n, 55_000_000_000n)).not.toThrow();
    expect(() => checkTriggers('short', mark, 55_000_000_000n, 45_000_000_000n)).not.toThrow();
    expect(fieldOf(() => checkTriggers('long', mark, 51_000_000_000n, 0n))).toBe('t-stop');
    expect(fieldOf(() => checkTriggers('long', mark, 0n, 49_000_000_000n))).toBe('t-take');
    expect(fieldOf(() => checkTriggers('short', mark, 50_000_000_000n, 0n))).toBe('t-stop');
    expect(fieldOf(() => checkTriggers('short', mark, 0n, 51_000_000_000n))).toBe('t-take');
  });
});
