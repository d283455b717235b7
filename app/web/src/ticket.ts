// Strict reading of the order ticket's fields: a bad number is refused at its field with the
// reason, never read as something else ("0x10" is not 16x, "abc" is not "no stop-loss").

import { parseDecimal, usd } from './format';

/** A refusal that belongs to one input: the page shows `message` beside the field `field`. */
export class FieldError extends Error {
  constructor(
    readonly field: string,
    message: string,
  ) {
    super(message);
  }
}

/** A whole leverage from 1 to the market's maximum, digits only. */
export function parseLeverage(text: string, max: number): number {
  const cleaned = text.trim().replace(/x$/i, '');
  const leverage = /^\d{1,4}$/.test(cleaned) ? Number(cleaned) : NaN;
  if (!Number.isInteger(leverage) || leverage < 1 || leverage > max) {
    throw new FieldError('t-leverage', `Leverage: a whole number from 1 to ${max} (this market's maximum).`);
  }
  return leverage;
}

/** A size in base atoms (9 decimals), more than zero; refused at `field` (the ticket's by default). */
export function parseSize(text: string, field = 't-size', label = 'Size'): bigint {
  const base = parseDecimal(text, 9);
  if (!base) throw new FieldError(field, `${label}: a number of units above zero, like 0.2.`);
  return base;
}

/** An optional dollar price (stop-loss, take-profit): empty is none; anything else must parse. */
export function optionalPrice(text: string, field: string, label: string): bigint {
  if (text.trim() === '') return 0n;
  const value = parseDecimal(text, 6);
  if (!value) throw new FieldError(field, `${label}: a price in dollars like 45,000, or leave it empty.`);
  return value;
}

/** A dollar amount that must be positive and at most `available` (native units). */
export function parseAmount(text: string, field: string, label: string, available: bigint): bigint {
  const value = parseDecimal(text, 6);
  if (!value) throw new FieldError(field, `${label}: an amount in dollars above zero, like 1,500.`);
  if (value > available) throw new FieldError(field, `${label}: your wallet holds ${usd(available)}.`);
  return value;
}

/**
 * Stop-loss and take-profit on the right side of the mark (`mark`, native units per unit): a
 * long's stop below it and its take-profit above, a short's the other way round. A trigger on
 * the wrong side would fire at once.
 */
export function checkTriggers(
  side: 'long' | 'short',
  mark: bigint,
  stopLoss: bigint,
  takeProfit: bigint,
  fields = { stop: 't-stop', take: 't-take' },
): void {
  const long = side === 'long';
  if (stopLoss && (long ? stopLoss >= mark : stopLoss <= mark)) {
    throw new FieldError(fields.stop, `Stop-loss: a ${side}'s stop must be ${long ? 'below' : 'above'} the mark (${usd(mark)}), or it fires at once.`);
  }
  if (takeProfit && (long ? takeProfit <= mark : takeProfit >= mark)) {
    throw new FieldError(fields.take, `Take-profit: a ${side}'s must be ${long ? 'above' : 'below'} the mark (${usd(mark)}).`);
  }
}

/**
 * The order's size in base atoms from the size field: units; dollars of notional (`unit`
 * "usd"); or dollars of margin (`unit` "margin"), which buy `leverage` times that much notional
 * once the taker fee (`feeBps` of the notional) is paid out of them: notional = margin ×
 * leverage / (1 + leverage × fee). Converted at the mark `markBits` (I80F48 dollars per unit),
 * rounded down.
 */
export function sizeFromField(text: string, unit: string, markBits: bigint | null, leverage = 1, feeBps = 0): bigint {
  if (unit !== 'usd' && unit !== 'margin') return parseSize(text);
  const dollars = parseDecimal(text, 6);
  if (!dollars) throw new FieldError('t-size', `Size: dollars of ${unit === 'usd' ? 'notional' : 'margin'} above zero, like 1,000.`);
  if (!markBits) throw new FieldError('t-size', 'Size: this market has no price to convert dollars at.');
  const lev = BigInt(leverage);
  const notional = unit === 'usd' ? dollars : (dollars * lev * 10_000n) / (10_000n + lev * BigInt(feeBps));
  const base = (notional * 1_000n << 48n) / markBits;
  if (base === 0n) throw new FieldError('t-size', 'Size: under one atom at this price.');
  return base;
}

/**
 * The largest size (base atoms) that `meets(base)` accepts, found by bisection between 0 and
 * `ceiling`: the "Max" button asks the preview whether initial margin is still met.
 */
export function largestAccepted(meets: (base: bigint) => boolean, ceiling: bigint): bigint {
  let [low, high] = [0n, ceiling];
  if (meets(high)) return high;
  while (high - low > 1n) {
    const mid = (low + high) / 2n;
    if (meets(mid)) low = mid;
    else high = mid;
  }
  return low;
}
