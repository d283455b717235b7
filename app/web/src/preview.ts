// The pre-trade preview in TypeScript: fill price, fee, margin moved, margin ratio after,
// liquidation price, maximum loss and funding per hour. It follows the program's margin
// engine formula by formula (docs/MARGIN.md, docs/TRADING.md, docs/FUNDING.md) in I80F48 bits
// (value × 2^48) held in BigInt, and is checked against vectors the Rust SDK writes
// (tests/preview-vectors.json): every field within one rounding unit.

/** I80F48 raw bits: value × 2^48. */
export type Fixed = bigint;

const FRAC = 48n;
export const ONE: Fixed = 1n << FRAC;
const BPS = 10_000n;
const PPM = 1_000_000n;
const SECONDS_PER_HOUR = 3_600n;
/** Base atoms per quote native unit at a price of 1 (9 − 6 decimals). */
const ATOMS_PER_NATIVE = 1_000n;

/** An integer as I80F48 bits. */
export const fromInt = (value: bigint): Fixed => value << FRAC;
const abs = (v: bigint) => (v < 0n ? -v : v);
const min = (a: bigint, b: bigint) => (a < b ? a : b);
const max = (a: bigint, b: bigint) => (a > b ? a : b);
const clamp = (v: bigint, lo: bigint, hi: bigint) => (v < lo ? lo : v > hi ? hi : v);

/** floor(a / b) for b > 0. */
export function floorDiv(a: bigint, b: bigint): bigint {
  return a >= 0n ? a / b : -((-a + b - 1n) / b);
}

/** A rounding direction. */
export type Round = 'down' | 'up';

/** value × numerator / denominator with one directed rounding (the program's `mul_div`). */
export function mulDiv(value: Fixed, numerator: bigint, denominator: bigint, round: Round): Fixed {
  const product = value * numerator;
  const quotient = floorDiv(product, denominator);
  return round === 'up' && quotient * denominator !== product ? quotient + 1n : quotient;
}

/** a × b, rounded down (I80F48 multiplication). */
export const fixedMul = (a: Fixed, b: Fixed): Fixed => (a * b) >> FRAC;
/** a / b, truncated (I80F48 division). */
export const fixedDiv = (a: Fixed, b: Fixed): Fixed => (a << FRAC) / b;
/** floor(v) as an integer. */
export const floorToInt = (v: Fixed): bigint => v >> FRAC;
/** ceil(v) as an integer. */
export const ceilToInt = (v: Fixed): bigint => -((-v) >> FRAC);

/** Market parameters the preview reads. */
export interface PreviewParams {
  tierUpToNotional: bigint[];
  tierMmBps: number[];
  tierCount: number;
  skewScale: bigint;
  maxFundingRatePpm: number;
  takerFeeBps: number;
  upnlInitialWeightBps: number;
  maxPremiumBps: number;
  /** Notional (quote native) at which the initial ratio's size term reaches 100%; 0 = none. */
  imSizeScale: bigint;
}

/** A market with its checked mark. */
export interface PreviewMarket {
  index: number;
  params: PreviewParams;
  openInterestLong: bigint;
  openInterestShort: bigint;
  cumulativeFunding: Fixed;
  lastFundingTs: bigint;
  mark: Fixed;
}

/** An open position. */
export interface PreviewPosition {
  marketIndex: number;
  base: bigint;
  quoteEntry: bigint;
  leverage: number;
  fundingSnapshot: Fixed;
}

/** The order to preview. */
export interface PreviewOrder {
  marketIndex: number;
  side: 'long' | 'short';
  base: bigint;
  leverage: number;
}

/** What the order would do. Amounts are quote native units (1e-6 dollars). */
export interface Preview {
  fillPrice: Fixed;
  fee: bigint;
  marginMoved: Fixed;
  marginRatioAfter: Fixed | null;
  meetsInitial: boolean;
  liquidationPrice: Fixed | null;
  maxLoss: bigint;
  fundingPerHour: bigint;
}

/** base × price in quote native units (the program's `base_value`). */
export const baseValue = (base: bigint, price: Fixed, round: Round) =>
  mulDiv(price, base, ATOMS_PER_NATIVE, round);
/** |base × price|, rounded up (the program's `notional`). */
export const notional = (base: bigint, price: Fixed) =>
  mulDiv(abs(price), abs(base), ATOMS_PER_NATIVE, 'up');

function maintenance(params: PreviewParams, positionNotional: Fixed): Fixed {
  let requirement = 0n;
  let lower = 0n;
  for (let i = 0; i < params.tierCount; i++) {
    const last = i + 1 === params.tierCount;
    const upper = last ? positionNotional : min(positionNotional, fromInt(params.tierUpToNotional[i]));
    if (upper <= lower) break;
    requirement += mulDiv(upper - lower, BigInt(params.tierMmBps[i]), BPS, 'up');
    lower = upper;
  }
  return requirement;
}

const netBase = (m: PreviewMarket) => m.openInterestLong - m.openInterestShort;

function skewPressure(m: PreviewMarket, base: bigint): Fixed {
  const skew = baseValue(base, m.mark, 'down');
  return clamp(fixedDiv(skew, fromInt(m.params.skewScale)), -ONE, ONE);
}

function indexDelta(m: PreviewMarket, pressure: Fixed, seconds: bigint): Fixed {
  const numerator = BigInt(m.params.maxFundingRatePpm) * seconds;
  return mulDiv(fixedMul(pressure, m.mark), numerator, PPM * SECONDS_PER_HOUR, 'down');
}

/** The market's funding index at `now`, with the accrual not yet written (`index_at`). */
export function indexAt(m: PreviewMarket, now: bigint): Fixed {
  const seconds = max(now - m.lastFundingTs, 0n);
  return m.cumulativeFunding + indexDelta(m, skewPressure(m, netBase(m)), seconds);
}

/** Funding a position owes for an index move, rounded against it (`position_funding`). */
export const positionFunding = (base: bigint, move: Fixed) => ceilToInt(baseValue(base, move, 'up'));

/** One position's notional, PnL and requirements at the market's mark. */
export interface Risk {
  notional: Fixed;
  pnl: Fixed;
  initial: Fixed;
  maintenance: Fixed;
}

/** The program's `MarketRisk::initial_requirement`: the larger of notional / leverage and
 * notional × min(notional / size scale, 1), each rounded up (the size term in integers). */
function initialRequirement(params: PreviewParams, n: Fixed, leverage: number): Fixed {
  const byLeverage = mulDiv(n, 1n, BigInt(Math.max(leverage, 1)), 'up');
  if (params.imSizeScale === 0n) return byLeverage;
  const whole = ceilToInt(n);
  const bySize = whole >= params.imSizeScale ? n : fromInt((whole * whole + params.imSizeScale - 1n) / params.imSizeScale);
  return max(byLeverage, bySize);
}

/** The program's `PositionRisk::new`. */
export function positionRisk(p: PreviewPosition, m: PreviewMarket, fundingOwed: bigint): Risk {
  const n = notional(p.base, m.mark);
  return {
    notional: n,
    pnl: baseValue(p.base, m.mark, 'down') + fromInt(p.quoteEntry) - fromInt(fundingOwed),
    initial: initialRequirement(m.params, n, p.leverage),
    maintenance: maintenance(m.params, n),
  };
}

/** A sub-account's equity and requirements (the program's `Health`). */
export interface Health {
  equity: Fixed;
  equityForOpening: Fixed;
  initial: Fixed;
  maintenance: Fixed;
  notional: Fixed;
}

/** The program's `health_with`: every position at its market's mark and funding at `now`. */
export function health(collateral: bigint, positions: PreviewPosition[], markets: PreviewMarket[], now: bigint): Health {
  const h = { equity: fromInt(collateral), equityForOpening: fromInt(collateral), initial: 0n, maintenance: 0n, notional: 0n };
  for (const p of positions) {
    const m = markets.find((x) => x.index === p.marketIndex);
    if (!m) throw new Error(`market ${p.marketIndex} is not priced`);
    const owed = positionFunding(p.base, indexAt(m, now) - p.fundingSnapshot);
    const r = positionRisk(p, m, owed);
    const weighted = r.pnl > 0n ? mulDiv(r.pnl, BigInt(m.params.upnlInitialWeightBps), BPS, 'down') : r.pnl;
    h.equity += r.pnl;
    h.equityForOpening += weighted;
    h.initial += r.initial;
    h.maintenance += r.maintenance;
    h.notional += r.notional;
  }
  return h;
}

/** The mark at which equity = maintenance, solved bracket by bracket. */
function liquidationPrice(p: PreviewPosition, m: PreviewMarket, equityWithout: Fixed, otherMaintenance: Fixed): Fixed | null {
  if (p.base === 0n) return null;
  const a = equityWithout + fromInt(p.quoteEntry);
  const b = mulDiv(fromInt(p.base), 1n, 1_000n, 'down');
  const bAbs = abs(b);
  let lower = 0n;
  for (let i = 0; i < m.params.tierCount; i++) {
    const last = i + 1 === m.params.tierCount;
    const r = BigInt(m.params.tierMmBps[i]);
    const numerator = otherMaintenance + maintenance(m.params, lower) - mulDiv(lower, r, BPS, 'down') - a;
    const denominator = b - mulDiv(bAbs, r, BPS, 'down');
    const price = fixedDiv(numerator, denominator);
    const n = fixedMul(bAbs, price);
    const upper = fromInt(m.params.tierUpToNotional[i]);
    if (price > 0n && n >= lower && (last || n < upper)) return price;
    lower = upper;
  }
  return null;
}

/**
 * The program's `skew_premium`: the exact average of clamp(skew / scale, ±cap) over the skew path
 * from `before` to `after`, one unit in the last place against the trader.
 */
function skewPremium(before: Fixed, after: Fixed, scale: bigint, capBps: bigint): Fixed {
  const cap = mulDiv(ONE, capBps, BPS, 'down');
  const s = fromInt(scale);
  const buying = after > before;
  const [low, high] = buying ? [before, after] : [after, before];
  let average: Fixed;
  if (low === high) {
    average = clamp(fixedDiv(low, s), -cap, cap);
  } else {
    const knee = mulDiv(s, capBps, BPS, 'down');
    const below = max(min(high, -knee) - low, 0n);
    const above = max(high - max(low, knee), 0n);
    let integral = fixedMul(cap, above - below);
    const a = max(low, -knee);
    const b = min(high, knee);
    if (b > a) integral += fixedMul(b - a, fixedDiv(mulDiv(a + b, 1n, 2n, 'down'), s));
    average = fixedDiv(integral, high - low);
  }
  return clamp(buying ? average + 1n : average - 1n, -cap, cap);
}

/** The program's `quote_fill`: price with the skew premium and the quote a fill of `delta` moves. */
export function quoteFill(market: PreviewMarket, delta: bigint): { price: Fixed; quote: bigint } {
  const netBefore = netBase(market);
  const skewBefore = baseValue(netBefore, market.mark, 'down');
  const skewAfter = baseValue(netBefore + delta, market.mark, 'down');
  const premium = skewPremium(skewBefore, skewAfter, market.params.skewScale, BigInt(market.params.maxPremiumBps));
  const price = premium === 0n ? market.mark : fixedMul(market.mark, ONE + premium) + (delta > 0n ? 1n : -1n);
  return { price, quote: floorToInt(-baseValue(delta, price, 'up')) };
}

/** Previews `order` on a sub-account holding `collateral` and `positions` at unix time `now`. */
export function preview(
  collateral: bigint,
  positions: PreviewPosition[],
  slots: number,
  markets: PreviewMarket[],
  order: PreviewOrder,
  now: bigint,
): Preview {
  const found = markets.find((m) => m.index === order.marketIndex);
  if (!found) throw new Error(`market ${order.marketIndex} is not priced`);
  const market = { ...found };
  const delta = order.side === 'long' ? order.base : -order.base;

  const { price: fillPrice, quote: fillQuote } = quoteFill(market, delta);
  const fee = abs(ceilToInt(mulDiv(notional(delta, fillPrice), BigInt(market.params.takerFeeBps), BPS, 'up')));

  const after = positions.map((p) => ({ ...p }));
  let position = after.find((p) => p.marketIndex === order.marketIndex && p.base !== 0n);
  // The program's `slot_for`: a position grows only on its own side and at its own leverage.
  if (position && (position.base > 0n) !== (delta > 0n)) throw new Error('opposite side: close the position instead');
  if (position && position.leverage !== order.leverage) throw new Error('a position keeps its leverage');
  if (!position) {
    if (after.length >= slots) throw new Error('no free position slot');
    position = { marketIndex: order.marketIndex, base: 0n, quoteEntry: 0n, leverage: order.leverage, fundingSnapshot: indexAt(market, now) };
    after.push(position);
  }
  const baseBefore = position.base;
  position.base += delta;
  position.quoteEntry += fillQuote;
  const sides = (b: bigint) => (b >= 0n ? [b, 0n] : [0n, -b]);
  const [longBefore, shortBefore] = sides(baseBefore);
  const [longAfter, shortAfter] = sides(position.base);
  market.openInterestLong += longAfter - longBefore;
  market.openInterestShort += shortAfter - shortBefore;
  const remaining = after.filter((p) => p.base !== 0n);
  const priced = markets.map((m) => (m.index === market.index ? market : m));
  const collateralAfter = collateral - fee;
  const h = health(collateralAfter, remaining, priced, now);

  let liquidation: Fixed | null = null;
  if (position.base !== 0n) {
    const risk = positionRisk(position, market, 0n);
    liquidation = liquidationPrice(position, market, h.equity - risk.pnl, h.maintenance - risk.maintenance);
  }
  const orderMargin = initialRequirement(market.params, notional(delta, fillPrice), order.leverage);
  const hourly = indexDelta(market, skewPressure(market, netBase(market)), SECONDS_PER_HOUR);
  return {
    fillPrice,
    fee,
    marginMoved: orderMargin + fromInt(fee),
    marginRatioAfter: h.notional === 0n ? null : fixedDiv(h.equity, h.notional),
    meetsInitial: h.equityForOpening >= h.initial,
    liquidationPrice: liquidation,
    maxLoss: collateralAfter > 0n ? collateralAfter : 0n,
    fundingPerHour: positionFunding(position.base, hourly),
  };
}

/** I80F48 bits to a decimal number (display only). */
export const toNumber = (bits: Fixed): number => Number(bits) / 2 ** 48;

/** One open position as a trader reads it. */
export interface PositionSummary {
  marketIndex: number;
  /** Entry price, I80F48 bits of dollars per whole unit: −quote_entry × 1000 / base. */
  entryPrice: Fixed;
  /** Unrealized PnL net of unsettled funding, I80F48 bits of quote native units. */
  pnl: Fixed;
  liquidationPrice: Fixed | null;
}

/** A sub-account's equity, requirements, margin ratio and per-position view at `now`. */
export interface AccountSummary {
  equity: Fixed;
  maintenance: Fixed;
  marginRatio: Fixed | null;
  liquidatable: boolean;
  positions: PositionSummary[];
}

/** Summarises a sub-account with the same engine as the preview. */
export function summarize(collateral: bigint, positions: PreviewPosition[], markets: PreviewMarket[], now: bigint): AccountSummary {
  const h = health(collateral, positions, markets, now);
  return {
    equity: h.equity,
    maintenance: h.maintenance,
    marginRatio: h.notional === 0n ? null : fixedDiv(h.equity, h.notional),
    liquidatable: h.equity < h.maintenance,
    positions: positions.map((p) => {
      const m = markets.find((x) => x.index === p.marketIndex)!;
      const owed = positionFunding(p.base, indexAt(m, now) - p.fundingSnapshot);
      const risk = positionRisk(p, m, owed);
      return {
        marketIndex: p.marketIndex,
        entryPrice: fixedDiv(fromInt(-p.quoteEntry * ATOMS_PER_NATIVE), fromInt(p.base)),
        pnl: risk.pnl,
        liquidationPrice: liquidationPrice(p, m, h.equity - risk.pnl - fromInt(owed), h.maintenance - risk.maintenance),
      };
    }),
  };
}
