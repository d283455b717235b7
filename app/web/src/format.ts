// Numbers as a trader reads them. Display only: the money math is in preview.ts (BigInt).

import type { Fixed } from './preview';

const dollars = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/** Quote native units (1e-6 dollars) as "$1,234.56", toward zero. */
export function usd(native: bigint): string {
  const cents = native / 10_000n;
  return `${cents < 0n ? '-' : ''}$${dollars.format(Number(cents < 0n ? -cents : cents) / 100)}`;
}

/** I80F48 bits of quote native units as dollars. */
export const usdFixed = (bits: Fixed): string => usd(bits >> 48n);

/** I80F48 bits of dollars per whole unit (a price) as "$45,226.13", toward zero. */
export function price(bits: Fixed | null): string {
  if (bits === null) return 'none';
  return usd((bits * 1_000_000n) >> 48n);
}

/** I80F48 bits of a ratio as a percentage with two decimals, to the nearest hundredth. */
export function percent(bits: Fixed | null): string {
  if (bits === null) return '-';
  const hundredths = (bits * 10_000n + (1n << 47n)) >> 48n;
  return `${(Number(hundredths) / 100).toFixed(2)}%`;
}

/** Base atoms (9 decimals) as a size, e.g. "0.2". */
export function size(atoms: bigint): string {
  const sign = atoms < 0n ? '-' : '';
  const magnitude = atoms < 0n ? -atoms : atoms;
  const whole = magnitude / 1_000_000_000n;
  const fraction = (magnitude % 1_000_000_000n).toString().padStart(9, '0').replace(/0+$/, '');
  return `${sign}${whole}${fraction ? `.${fraction}` : ''}`;
}

/** A typed decimal to integer units of 10^-decimals, exactly; null when malformed. */
export function parseDecimal(text: string, decimals: number): bigint | null {
  const cleaned = text.replace(/[,_\s$]/g, '');
  const match = /^(\d*)(?:\.(\d*))?$/.exec(cleaned);
  if (!match || (match[1] === '' && !match[2])) return null;
  const fraction = match[2] ?? '';
  if (fraction.length > decimals) return null;
  return BigInt(match[1] || '0') * 10n ** BigInt(decimals) + BigInt(fraction.padEnd(decimals, '0') || '0');
}
