// The "What if" panel: what a price shock would do to the wallet's sub-accounts, before it
// happens, with the stress port of the program's liquidation (stress.ts). Sliders move each
// market and all of them together; the plot draws each sub-account's equity after the shock
// against the correlated move, marks where each is liquidated, and draws the wallet's total in
// the other margin modes beside it; the table says what would be closed at the sliders' setting.

import type { MarketView, SubAccountView } from './chain';
import { usd, usdFixed, price, size } from './format';
import { type StressHolding, type StressMarket, type StressOutcome, type StressStep, asIsolated, asOneCross, runStress } from './stress';

/** The plot's correlated moves run from −RANGE% to +RANGE% in 1% steps. */
const RANGE = 50;
const WIDTH = 560;
const HEIGHT = 240;
const PAD = { left: 64, right: 24, top: 12, bottom: 28 };
const COLOURS = ['#2563eb', '#d97706', '#059669', '#9333ea', '#dc2626', '#0891b2'];

/** What the panel stresses: named markets and the wallet's sub-accounts, at unix time `now`. */
export interface WhatIfData {
  markets: { name: string; market: StressMarket }[];
  accounts: { id: number; label: string; holding: StressHolding }[];
  now: bigint;
}

/** The page's state as the stress test reads it; null while a market has no price. */
export function whatIfData(markets: MarketView[], subs: SubAccountView[], now: bigint): WhatIfData | null {
  if (markets.some((m) => m.mark === null)) return null;
  return {
    markets: markets.map((m) => ({
      name: m.name,
      market: { ...m.preview, liquidationFeeBps: m.account.params.liquidationFeeBps, maxLeverage: m.account.params.maxLeverage },
    })),
    accounts: subs
      .filter((s) => s.positions.length > 0 || s.collateral !== 0n)
      .map((s) => ({
        id: s.id,
        label: `#${s.id} ${s.isolatedMarket === null ? 'cross' : `isolated ${markets.find((m) => m.account.index === s.isolatedMarket)?.name ?? ''}`}`,
        holding: { isolated: s.isolatedMarket !== null, collateral: s.collateral, beingLiquidated: s.beingLiquidated, positions: s.positions },
      })),
    now,
  };
}

/** A built-in scenario: slider settings, and for a path its steps in percent. */
interface Preset {
  label: string;
  own: Record<string, number>;
  correlated: number;
  path?: [string, number][][];
}

const PRESETS: Preset[] = [
  { label: 'BTC falls 12%', own: { 'BTC-PERP': -12 }, correlated: 0 },
  { label: 'ETH wick: down 25%, back to down 5%', own: { 'ETH-PERP': -5 }, correlated: 0, path: [[['ETH-PERP', -25]], [['ETH-PERP', -5]]] },
  { label: 'Everything falls 20%', own: {}, correlated: -20 },
];

/** The sliders' setting: each market's own move and the correlated move, in percent. */
interface Setting {
  own: Map<number, number>;
  correlated: number;
}

/** One step: each market moved by its own move plus the correlated one (every beta 1). */
function oneStep(data: WhatIfData, own: Map<number, number>, correlated: number): StressStep[] {
  return [data.markets.map(({ market }) => [market.index, Math.round(((own.get(market.index) ?? 0) + correlated) * 100)])];
}

/** The three ways to hold the same positions: as held, all in one cross, each isolated. */
interface Modes {
  held: StressHolding[];
  oneCross: StressHolding[] | null;
  isolated: StressHolding[];
}

function modes(data: WhatIfData): Modes {
  const markets = data.markets.map((m) => m.market);
  const held = data.accounts.map((a) => a.holding);
  let oneCross: StressHolding[] | null = null;
  try {
    oneCross = [asOneCross(markets, held)];
  } catch {
    oneCross = null; // opposite sides of one market, or more than eight markets
  }
  return { held, oneCross, isolated: asIsolated(markets, held) };
}

const finalEquity = (o: StressOutcome, i: number) => o.steps[o.steps.length - 1].accounts[i].equityAfter;
const total = (o: StressOutcome) => o.startEquity.reduce((a, b) => a + b, 0n) - o.totalLoss;
const liquidated = (o: StressOutcome, i: number) => o.steps.some((s) => s.accounts[i].closures.length > 0);

/** Per correlated move: each sub-account's equity and whether it was liquidated; mode totals. */
export interface Curves {
  xs: number[];
  accounts: { equity: bigint[]; liquidated: boolean[] }[];
  held: bigint[];
  oneCross: bigint[] | null;
  isolated: bigint[];
}

function curves(data: WhatIfData, m: Modes, own: Map<number, number>): Curves {
  const markets = data.markets.map((x) => x.market);
  const xs = Array.from({ length: 2 * RANGE + 1 }, (_, i) => i - RANGE);
  const result: Curves = { xs, accounts: m.held.map(() => ({ equity: [], liquidated: [] })), held: [], oneCross: m.oneCross ? [] : null, isolated: [] };
  for (const x of xs) {
    const steps = oneStep(data, own, x);
    const held = runStress(markets, m.held, steps, data.now);
    m.held.forEach((_, i) => {
      result.accounts[i].equity.push(finalEquity(held, i) >> 48n);
      result.accounts[i].liquidated.push(liquidated(held, i));
    });
    result.held.push(total(held) >> 48n);
    if (m.oneCross) result.oneCross!.push(total(runStress(markets, m.oneCross, steps, data.now)) >> 48n);
    result.isolated.push(total(runStress(markets, m.isolated, steps, data.now)) >> 48n);
  }
  return result;
}

/** A liquidation point: the correlated move (percent, to 0.01%) and the equity just after. */
export interface Point {
  shock: number;
  equity: bigint;
}

/**
 * Where sub-account `i` starts or stops being liquidated along the correlated move: every grid
 * step whose two ends disagree, refined to a basis point by bisection (the grid's 1% steps are
 * gaps). Each point is the liquidated end, with the equity just after liquidation there.
 */
function liquidationPoints(data: WhatIfData, m: Modes, own: Map<number, number>, c: Curves, i: number): Point[] {
  const markets = data.markets.map((x) => x.market);
  const at = (x: number) => c.accounts[i].liquidated[x + RANGE];
  const run = (bps: number) => runStress(markets, m.held, oneStep(data, own, bps / 100), data.now);
  const points: Point[] = [];
  for (let x = -RANGE; x < RANGE; x++) {
    if (at(x) === at(x + 1)) continue;
    let [hit, miss] = at(x) ? [x * 100, (x + 1) * 100] : [(x + 1) * 100, x * 100];
    while (Math.abs(hit - miss) > 1) {
      const mid = Math.trunc((hit + miss) / 2);
      if (liquidated(run(mid), i)) hit = mid;
      else miss = mid;
    }
    points.push({ shock: hit / 100, equity: finalEquity(run(hit), i) >> 48n });
  }
  return points;
}

function plotSvg(data: WhatIfData, m: Modes, own: Map<number, number>, c: Curves, correlated: number): string {
  const series = [...c.accounts.map((a) => a.equity), c.held, c.isolated, ...(c.oneCross ? [c.oneCross] : [])];
  const values = series.flat().map((v) => Number(v) / 1e6);
  const [low, high] = [Math.min(0, ...values), Math.max(...values, 1)];
  const sx = (x: number) => PAD.left + ((x + RANGE) / (2 * RANGE)) * (WIDTH - PAD.left - PAD.right);
  const sy = (v: bigint) => PAD.top + (1 - (Number(v) / 1e6 - low) / (high - low)) * (HEIGHT - PAD.top - PAD.bottom);
  const line = (ys: bigint[], colour: string, dash: string, name: string) =>
    `<polyline data-curve="${name}" fill="none" stroke="${colour}" stroke-width="2" ${dash} points="${ys.map((y, i) => `${sx(c.xs[i]).toFixed(1)},${sy(y).toFixed(1)}`).join(' ')}"/>`;
  const parts: string[] = [];
  for (const v of [low, (low + high) / 2, high]) {
    const y = sy(BigInt(Math.round(v * 1e6)));
    parts.push(`<line x1="${PAD.left}" x2="${WIDTH - PAD.right}" y1="${y}" y2="${y}" stroke="#ddd"/><text x="${PAD.left - 4}" y="${y + 4}" text-anchor="end" font-size="10">${usd(BigInt(Math.round(v * 1e6)))}</text>`);
  }
  for (const x of [-RANGE, -RANGE / 2, 0, RANGE / 2, RANGE]) {
    parts.push(`<text x="${sx(x)}" y="${HEIGHT - 8}" text-anchor="middle" font-size="10">${x > 0 ? '+' : ''}${x}%</text>`);
  }
  parts.push(`<line data-testid="whatif-now" x1="${sx(correlated)}" x2="${sx(correlated)}" y1="${PAD.top}" y2="${HEIGHT - PAD.bottom}" stroke="#888" stroke-dasharray="2 2"/>`);
  c.accounts.forEach((a, i) => parts.push(line(a.equity, COLOURS[i % COLOURS.length], '', `sub-${data.accounts[i].id}`)));
  parts.push(line(c.held, '#111', '', 'wallet'));
  parts.push(line(c.isolated, '#111', 'stroke-dasharray="6 3"', 'each-isolated'));
  if (c.oneCross) parts.push(line(c.oneCross, '#111', 'stroke-dasharray="1 3"', 'one-cross'));
  c.accounts.forEach((_, i) => {
    for (const { shock, equity } of liquidationPoints(data, m, own, c, i)) {
      const id = data.accounts[i].id;
      parts.push(
        `<circle data-testid="liquidation-point-${id}" data-shock="${shock}" cx="${sx(shock)}" cy="${sy(equity)}" r="5" fill="none" stroke="${COLOURS[i % COLOURS.length]}" stroke-width="2"><title>${data.accounts[i].label} liquidated at a ${shock}% move</title></circle>`,
      );
    }
  });
  return `<svg data-testid="whatif-plot" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="100%" role="img" aria-label="Equity after the shock against the correlated move">${parts.join('')}</svg>`;
}

function legendHtml(data: WhatIfData, c: Curves): string {
  const items = data.accounts.map((a, i) => `<span style="color:${COLOURS[i % COLOURS.length]}">━ ${a.label}</span>`);
  items.push('<span>━ wallet, as held</span>', '<span>╌ wallet, each position isolated</span>');
  if (c.oneCross) items.push('<span>┈ wallet, all in one cross</span>');
  return `<p class="muted legend">${items.join(' ')} · ○ where liquidation starts</p>`;
}

function tableHtml(data: WhatIfData, m: Modes, steps: StressStep[]): string {
  const markets = data.markets.map((x) => x.market);
  const name = (index: number) => data.markets.find((x) => x.market.index === index)?.name ?? `#${index}`;
  const held = runStress(markets, m.held, steps, data.now);
  const rows = data.accounts.map((a, i) => {
    const closures = held.steps.flatMap((s) => s.accounts[i].closures);
    const what = closures.length
      ? closures
          .map((x) => `${name(x.marketIndex)} ${size(x.closed < 0n ? -x.closed : x.closed)} at ${price(x.fillPrice)}${x.penalty > 0n ? `, penalty ${usd(x.penalty)}` : ''}${x.bankrupt ? ', bankrupt' : ''}`)
          .join('; ')
      : 'nothing';
    return `<tr data-testid="whatif-row-${a.id}"><td>${a.label}</td><td>${usdFixed(held.startEquity[i])}</td><td data-testid="whatif-after-${a.id}">${usdFixed(finalEquity(held, i))}</td><td data-testid="whatif-closed-${a.id}">${what}</td></tr>`;
  });
  // The wallet's change in equity (a bankrupt account's deficit, covered by insurance, shows as a gain).
  const loss = (o: StressOutcome) => (o.totalLoss < 0n ? '+' : '') + usdFixed(-o.totalLoss);
  const oneCross = m.oneCross ? loss(runStress(markets, m.oneCross, steps, data.now)) : 'not possible (opposite sides of one market)';
  const isolated = loss(runStress(markets, m.isolated, steps, data.now));
  return `<table><thead><tr><th>Sub-account</th><th>Equity now</th><th>After</th><th>Closed by liquidation</th></tr></thead><tbody>${rows.join('')}</tbody></table>
    <p>Wallet equity change: <b data-testid="whatif-loss">${loss(held)}</b> as held · <span data-testid="whatif-loss-cross">${oneCross}</span> all in one cross · <span data-testid="whatif-loss-isolated">${isolated}</span> each position isolated with its initial margin.</p>`;
}

function controlsHtml(data: WhatIfData): string {
  const slider = (id: string, label: string) =>
    `<label class="slider">${label} <input type="range" id="${id}" min="-${RANGE}" max="${RANGE}" step="1" value="0" /> <output data-testid="${id}-value">0%</output></label>`;
  const presets = PRESETS.map((p, i) => `<button data-preset="${i}">${p.label}</button>`).join(' ');
  const sliders = data.markets.map((m) => slider(`whatif-${m.name}`, m.name)).join('');
  return `<p>${presets}</p>${sliders}${slider('whatif-correlated', 'All markets')}<p id="whatif-path" class="muted"></p>`;
}

/**
 * Mounts the panel in `root`; returns the function that refreshes it with new data (null: no
 * wallet connected or a market without a price).
 */
export function mountWhatIf(root: HTMLElement): (data: WhatIfData | null) => void {
  let data: WhatIfData | null = null;
  let controlsFor = '';
  let key = '';
  let path: StressStep[] | null = null;
  const input = (id: string) => root.querySelector<HTMLInputElement>(`#${id}`);
  const setting = (): Setting => ({
    own: new Map(data!.markets.map((m) => [m.market.index, Number(input(`whatif-${m.name}`)?.value ?? 0)])),
    correlated: Number(input('whatif-correlated')?.value ?? 0),
  });
  const draw = (force: boolean) => {
    if (!data) return;
    const s = setting();
    const next = JSON.stringify([data, [...s.own], s.correlated, path], (_, v) => (typeof v === 'bigint' ? v.toString() : v));
    if (!force && next === key) return;
    key = next;
    root.querySelectorAll<HTMLInputElement>('input[type="range"]').forEach((r) => (root.querySelector(`[data-testid="${r.id}-value"]`)!.textContent = `${r.value}%`));
    const m = modes(data);
    const c = curves(data, m, s.own);
    const steps = path ?? oneStep(data, s.own, s.correlated);
    root.querySelector('#whatif-result')!.innerHTML = `${plotSvg(data, m, s.own, c, s.correlated)}${legendHtml(data, c)}${tableHtml(data, m, steps)}`;
  };
  root.addEventListener('input', () => {
    path = null;
    root.querySelector('#whatif-path')!.textContent = '';
    draw(false);
  });
  root.addEventListener('click', (event) => {
    const preset = (event.target as HTMLElement).dataset.preset;
    if (preset === undefined || !data) return;
    applyPreset(PRESETS[Number(preset)]);
    draw(false);
  });
  const applyPreset = (p: Preset) => {
    for (const m of data!.markets) input(`whatif-${m.name}`)!.value = String(p.own[m.name] ?? 0);
    input('whatif-correlated')!.value = String(p.correlated);
    const index = (n: string) => data!.markets.find((m) => m.name === n)?.market.index ?? -1;
    path = p.path ? p.path.map((step) => step.map(([n, pct]): [number, number] => [index(n), pct * 100]).filter(([i]) => i >= 0)) : null;
    root.querySelector('#whatif-path')!.textContent = p.path ? `The table follows the path: ${p.path.map((s) => s.map(([n, pct]) => `${n} ${pct}%`).join(', ')).join(', then ')}; the plot shows single moves.` : '';
  };
  return (next) => {
    data = next && next.accounts.length ? next : null;
    if (!data) {
      root.innerHTML = `<p class="muted">${next ? 'Deposit or open a position to see what a price shock would do.' : 'Connect a wallet (and wait for every market to be priced) to see what a price shock would do.'}</p>`;
      controlsFor = '';
      return;
    }
    const names = data.markets.map((m) => m.name).join(',');
    if (names !== controlsFor) {
      root.innerHTML = `${controlsHtml(data)}<div id="whatif-result"></div>`;
      controlsFor = names;
      draw(true);
      return;
    }
    draw(false);
  };
}

/** The plot's curves for `data` with each market's own move in `own` (percent). */
export const curvesFor = (data: WhatIfData, own: Map<number, number>) => curves(data, modes(data), own);

/** Sub-account `i`'s liquidation points on curves `c` drawn by `curvesFor(data, own)`. */
export const liquidationPointsFor = (data: WhatIfData, own: Map<number, number>, c: Curves, i: number) =>
  liquidationPoints(data, modes(data), own, c, i);
