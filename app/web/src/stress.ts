// The stress test in TypeScript: what a price shock would do to the wallet's sub-accounts. It
// follows `ringfence_sdk::stress` (the program's own `liquidate_position`) step by step, in
// I80F48 bits held in BigInt, and is checked against vectors the Rust SDK writes
// (tests/stress-vectors.json). At each step every market's mark is set, then each sub-account
// is liquidated as a keeper would, largest maintenance first, until the program would refuse.
// Like the SDK it assumes the pool and the insurance fund can pay what they owe (a trader's
// profit is paid, a bankrupt account's deficit is covered); docs/STRESS.md.

import {
  type Fixed,
  type Health,
  type PreviewMarket,
  type PreviewPosition,
  ceilToInt,
  fixedDiv,
  floorDiv,
  floorToInt,
  fromInt,
  health,
  indexAt,
  mulDiv,
  notional,
  positionFunding,
  positionRisk,
  quoteFill,
} from './preview';

const BPS = 10_000n;
/** Liquidations per sub-account and step at most (the SDK's limit). */
const MAX_LIQUIDATIONS = 64;
/** Quote native units of slack in the liquidation size (the program's `TARGET_SLACK`). */
const TARGET_SLACK = 2n;
/** A position left under this notional is closed whole ($10). */
const DUST_NOTIONAL = 10_000_000n;
/** Position slots of a cross sub-account. */
const CROSS_SLOTS = 8;

/** A market as the stress test reads it: the preview's market plus its liquidation terms. */
export interface StressMarket extends PreviewMarket {
  liquidationFeeBps: number;
  maxLeverage: number;
}

/** One sub-account to stress. */
export interface StressHolding {
  isolated: boolean;
  collateral: bigint;
  beingLiquidated: boolean;
  /** Open positions only. */
  positions: PreviewPosition[];
}

/** Moves of some markets from their starting marks, in basis points (−1,200 = −12%). */
export type StressStep = [marketIndex: number, bps: number][];

/** A liquidation the scenario causes. */
export interface Closure {
  marketIndex: number;
  /** Base atoms closed, signed like the position. */
  closed: bigint;
  fillPrice: Fixed;
  realizedPnl: bigint;
  penalty: bigint;
  bankrupt: boolean;
}

/** One sub-account after one step. */
export interface AccountStep {
  equityBefore: Fixed;
  maintenanceBefore: Fixed;
  closures: Closure[];
  equityAfter: Fixed;
  collateralAfter: bigint;
  positionsLeft: number;
  /** False when the pass stopped at the liquidation limit. */
  complete: boolean;
}

/** One step's marks and sub-accounts. */
export interface StepOutcome {
  marks: [number, Fixed][];
  accounts: AccountStep[];
}

/** What the scenario does; `totalLoss` is Σ start equity − Σ final equity (positive = loss). */
export interface StressOutcome {
  startEquity: Fixed[];
  steps: StepOutcome[];
  totalLoss: Fixed;
}

const open = (h: StressHolding) => h.positions.filter((p) => p.base !== 0n);
const abs = (v: bigint) => (v < 0n ? -v : v);
const sign = (v: bigint) => (v < 0n ? -1n : 1n);
const bigMin = (a: bigint, b: bigint) => (a < b ? a : b);

function marketOf(markets: StressMarket[], index: number): StressMarket {
  const found = markets.find((m) => m.index === index);
  if (!found) throw new Error(`market ${index} is not priced`);
  return found;
}

/** Positions as the margin engine reads them: leverage capped at the market's maximum. */
function asRead(positions: PreviewPosition[], markets: StressMarket[]): PreviewPosition[] {
  return positions.map((p) => {
    const cap = marketOf(markets, p.marketIndex).maxLeverage;
    return { ...p, leverage: Math.max(Math.min(p.leverage, cap), 1) };
  });
}

function healthOf(h: StressHolding, markets: StressMarket[], now: bigint): Health {
  return health(h.collateral, asRead(open(h), markets), markets, now);
}

/** Half-way from maintenance to initial, rounded up (`liquidation_target`). */
const target = (h: Health) => mulDiv(h.initial + h.maintenance, 1n, 2n, 'up');

/** The program's `may_liquidate`. */
const mayLiquidate = (beingLiquidated: boolean, h: Health) =>
  h.equity < h.maintenance || (beingLiquidated && h.equity < target(h));

const belowDust = (remaining: bigint, mark: Fixed) =>
  remaining > 0n && notional(remaining, mark) < fromInt(DUST_NOTIONAL);

/** The program's `fee_on_notional`. */
const feeOnNotional = (base: bigint, price: Fixed, bps: number) =>
  abs(ceilToInt(mulDiv(notional(base, price), BigInt(bps), BPS, 'up')));

/** The program's `liquidation_size`: just enough to reach the target, or all of it. */
function liquidationSize(before: Health, position: PreviewPosition, market: StressMarket): bigint {
  const held = abs(position.base);
  const gap = target(before) - before.equity + fromInt(TARGET_SLACK);
  if (gap <= 0n) return 0n;
  const risk = positionRisk(position, market, 0n);
  const penalty = mulDiv(risk.notional, BigInt(market.liquidationFeeBps), BPS, 'up');
  const relief = mulDiv(risk.initial + risk.maintenance, 1n, 2n, 'down') - penalty;
  if (relief <= 0n || gap >= relief) return held;
  const fraction = fixedDiv(gap, relief);
  const closing = bigMin(ceilToInt(mulDiv(fraction, held, 1n, 'up')), held);
  return belowDust(held - closing, market.mark) ? held : closing;
}

/** Open interest after a position goes from `before` to `after` base atoms. */
function recordTrade(market: StressMarket, before: bigint, after: bigint) {
  const sides = (b: bigint) => (b >= 0n ? [b, 0n] : [0n, -b]);
  const [longBefore, shortBefore] = sides(before);
  const [longAfter, shortAfter] = sides(after);
  market.openInterestLong += longAfter - longBefore;
  market.openInterestShort += shortAfter - shortBefore;
}

/** One `liquidate` of `account`'s position in `marketIndex`, as the program runs it. */
function liquidateOne(markets: StressMarket[], account: StressHolding, marketIndex: number, now: bigint): Closure {
  const at = markets.findIndex((m) => m.index === marketIndex);
  const market = { ...markets[at] };
  // Funding accrued to now, then the position's share settled into collateral.
  market.cumulativeFunding = indexAt(market, now);
  if (now > market.lastFundingTs) market.lastFundingTs = now;
  markets[at] = market;
  const position = account.positions.find((p) => p.marketIndex === marketIndex && p.base !== 0n)!;
  account.collateral -= positionFunding(position.base, market.cumulativeFunding - position.fundingSnapshot);
  position.fundingSnapshot = market.cumulativeFunding;
  const before = healthOf(account, markets, now);
  const [read] = asRead([position], markets);
  const held = position.base;
  let size = liquidationSize(before, read, market);
  if (size < 1n) size = 1n;
  if (belowDust(abs(held) - size, market.mark)) size = abs(held);
  const closing = size * sign(held);
  // The one fill path: a forced close at the mark with the skew premium, no taker fee.
  const { price, quote } = quoteFill(market, -closing);
  const released = floorDiv(position.quoteEntry * abs(closing), abs(held));
  const realizedPnl = quote + released;
  position.base = held - closing;
  position.quoteEntry -= released;
  recordTrade(market, held, position.base);
  account.positions = open(account);
  account.collateral += realizedPnl;
  const after = healthOf(account, markets, now);
  const bankrupt = before.equity < 0n;
  const nominal = feeOnNotional(closing, market.mark, market.liquidationFeeBps);
  const payable = bankrupt || after.equity <= 0n ? 0n : bigMin(nominal, floorToInt(after.equity));
  const penalty = bigMin(payable, account.collateral > 0n ? account.collateral : 0n);
  account.collateral -= penalty;
  // Bankruptcy resolved: insurance, then the pool, cover the deficit of an emptied account.
  if (account.collateral < 0n && account.positions.length === 0) account.collateral = 0n;
  const left = after.equity - fromInt(penalty);
  account.beingLiquidated = account.positions.length > 0 && left < target(after);
  return { marketIndex, closed: closing, fillPrice: price, realizedPnl, penalty, bankrupt };
}


/** Liquidates `account` at the current marks until the program would refuse. */
function liquidateAll(markets: StressMarket[], account: StressHolding, now: bigint): AccountStep {
  const start = healthOf(account, markets, now);
  const closures: Closure[] = [];
  let complete = false;
  for (let i = 0; i <= MAX_LIQUIDATIONS; i++) {
    const h = healthOf(account, markets, now);
    if (account.positions.length === 0 || !mayLiquidate(account.beingLiquidated, h)) {
      complete = true;
      break;
    }
    if (closures.length === MAX_LIQUIDATIONS) break;
    closures.push(liquidateOne(markets, account, largestMaintenance(account, markets), now));
  }
  const after = healthOf(account, markets, now);
  return {
    equityBefore: start.equity,
    maintenanceBefore: start.maintenance,
    closures,
    equityAfter: after.equity,
    collateralAfter: account.collateral,
    positionsLeft: account.positions.length,
    complete,
  };
}

/** The market of the position with the largest maintenance; a tie goes to the lowest index. */
function largestMaintenance(account: StressHolding, markets: StressMarket[]): number {
  let best: { maintenance: Fixed; index: number } | null = null;
  for (const p of asRead(account.positions, markets)) {
    const maintenance = positionRisk(p, marketOf(markets, p.marketIndex), 0n).maintenance;
    const better = !best || maintenance > best.maintenance || (maintenance === best.maintenance && p.marketIndex < best.index);
    if (better) best = { maintenance, index: p.marketIndex };
  }
  return best!.index;
}

const copy = (h: StressHolding): StressHolding => ({ ...h, positions: h.positions.map((p) => ({ ...p })) });

/** Runs the steps on `holdings` from the starting `markets` at unix time `now`. */
export function runStress(markets: StressMarket[], holdings: StressHolding[], steps: StressStep[], now: bigint): StressOutcome {
  const book = markets.map((m) => ({ ...m }));
  const startMarks = new Map(markets.map((m) => [m.index, m.mark]));
  const accounts = holdings.map(copy);
  const startEquity = accounts.map((a) => healthOf(a, book, now).equity);
  const outcomes: StepOutcome[] = [];
  for (const moves of steps) {
    for (const [index, bps] of moves) {
      const at = book.findIndex((m) => m.index === index);
      if (at < 0) throw new Error(`market ${index} is not priced`);
      book[at] = { ...book[at], mark: mulDiv(startMarks.get(index)!, 10_000n + BigInt(bps), BPS, 'down') };
    }
    const marks = book.map((m): [number, Fixed] => [m.index, m.mark]);
    outcomes.push({ marks, accounts: accounts.map((a) => liquidateAll(book, a, now)) });
  }
  let totalLoss = 0n;
  accounts.forEach((a, i) => (totalLoss += startEquity[i] - healthOf(a, book, now).equity));
  return { startEquity, steps: outcomes, totalLoss };
}

/**
 * The counterfactual in cross margin: every position in one cross sub-account with all the
 * collateral. Funding is settled at the stored index first; two positions in one market merge.
 * Throws for opposite sides of one market or more than eight markets (as the SDK refuses).
 */
export function asOneCross(markets: StressMarket[], holdings: StressHolding[]): StressHolding {
  const merged: StressHolding = { isolated: false, collateral: 0n, beingLiquidated: false, positions: [] };
  for (const holding of holdings) {
    let collateral = holding.collateral;
    for (const p of open(holding)) {
      const index = marketOf(markets, p.marketIndex).cumulativeFunding;
      collateral -= positionFunding(p.base, index - p.fundingSnapshot);
      const held = merged.positions.find((q) => q.marketIndex === p.marketIndex);
      if (held) {
        if (sign(held.base) !== sign(p.base)) throw new Error('opposite sides of one market');
        held.base += p.base;
        held.quoteEntry += p.quoteEntry;
      } else {
        if (merged.positions.length === CROSS_SLOTS) throw new Error('too many positions for one cross sub-account');
        merged.positions.push({ ...p, fundingSnapshot: index });
      }
    }
    merged.collateral += collateral;
  }
  return merged;
}

/**
 * The counterfactual in isolated margin: each position in its own isolated sub-account whose
 * margin is its initial requirement at the marks (capped by what its sub-account holds), and the
 * rest of the collateral in one empty cross sub-account. Returns the isolated ones, then that one.
 */
export function asIsolated(markets: StressMarket[], holdings: StressHolding[]): StressHolding[] {
  const split: StressHolding[] = [];
  let free = 0n;
  for (const holding of holdings) {
    let left = holding.collateral;
    for (const p of asRead(open(holding), markets)) {
      const initial = ceilToInt(positionRisk(p, marketOf(markets, p.marketIndex), 0n).initial);
      const margin = bigMin(initial, left > 0n ? left : 0n);
      left -= margin;
      const original = holding.positions.find((q) => q.marketIndex === p.marketIndex)!;
      split.push({ isolated: true, collateral: margin, beingLiquidated: false, positions: [{ ...original }] });
    }
    free += left;
  }
  split.push({ isolated: false, collateral: free, beingLiquidated: false, positions: [] });
  return split;
}
