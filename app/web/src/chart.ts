// The price chart: one market's mark over time (TradingView's lightweight-charts), seeded from
// the marks the indexer stored with every fill and extended by each price the page reads, with
// the wallet's entry, liquidation, stop-loss and take-profit prices drawn as lines.

import { type AutoscaleInfo, type IChartApi, type IPriceLine, type ISeriesApi, type UTCTimestamp, LineSeries, LineStyle, createChart } from 'lightweight-charts';
import type { MarketView, SubAccountView } from './chain';
import { type Fixed, summarize, toNumber } from './preview';

/** A horizontal line on the chart. */
interface Level {
  title: string;
  price: number;
  colour: string;
}

/** The price chart of one market at a time. */
export class PriceChart {
  private readonly chart: IChartApi;
  private readonly series: ISeriesApi<'Line'>;
  private lines: IPriceLine[] = [];
  private market = -1;
  private last = 0;
  private levelsKey = '';
  private prices: number[] = [];

  constructor(private readonly root: HTMLElement) {
    // autoSize follows the container, whose size the stylesheet fixes (never the content's).
    this.chart = createChart(root, { autoSize: true, timeScale: { timeVisible: true, secondsVisible: true } });
    this.series = this.chart.addSeries(LineSeries, {
      color: '#2563eb',
      lineWidth: 2,
      // The price scale spans the wallet's levels too, so a liquidation line is never off-chart.
      autoscaleInfoProvider: (original: () => AutoscaleInfo | null) => {
        const info = original();
        if (!info?.priceRange || this.prices.length === 0) return info;
        const { minValue, maxValue } = info.priceRange;
        return { ...info, priceRange: { minValue: Math.min(minValue, ...this.prices), maxValue: Math.max(maxValue, ...this.prices) } };
      },
    });
  }

  /** Shows `market`: a new market starts from the indexer's marks (`history`, oldest first). */
  show(market: MarketView, history: { time: number; price: number }[]) {
    if (market.account.index === this.market) return;
    this.market = market.account.index;
    this.last = 0;
    this.levelsKey = '';
    this.series.setData([]);
    for (const point of history) this.add(point.time, point.price);
    this.root.dataset.market = market.name;
  }

  /** Adds the mark read at unix time `time` (seconds); the same second keeps the later one. */
  add(time: number, price: number) {
    if (time < this.last) return;
    this.series.update({ time: time as UTCTimestamp, value: price });
    this.last = time;
    this.root.dataset.points = String(Number(this.root.dataset.points ?? 0) + 1);
  }

  /** Draws the wallet's levels in the shown market: entry, liquidation, stop-loss, take-profit. */
  levels(levels: Level[]) {
    const key = JSON.stringify(levels);
    if (key === this.levelsKey) return;
    this.levelsKey = key;
    this.prices = levels.map((l) => l.price);
    this.lines.forEach((l) => this.series.removePriceLine(l));
    this.lines = levels.map((l) => this.series.createPriceLine({ price: l.price, color: l.colour, lineWidth: 1, lineStyle: LineStyle.Dashed, axisLabelVisible: true, title: l.title }));
    this.root.dataset.levels = levels.map((l) => l.title).join(',');
  }
}

const dollars = (bits: Fixed) => toNumber(bits);
const micros = (native: bigint) => Number(native) / 1e6;

/** The wallet's levels in `market`: each position's entry and liquidation, its SL and TP. */
export function levelsIn(market: MarketView, subs: SubAccountView[], markets: MarketView[], now: bigint): Level[] {
  const levels: Level[] = [];
  for (const sub of subs) {
    const summary = summarize(sub.collateral, sub.positions, markets.map((m) => m.preview), now);
    sub.positions.forEach((p, i) => {
      if (p.marketIndex !== market.account.index) return;
      const view = summary.positions[i];
      levels.push({ title: `#${sub.id} entry`, price: dollars(view.entryPrice), colour: '#6b7280' });
      if (view.liquidationPrice !== null) levels.push({ title: `#${sub.id} liquidation`, price: dollars(view.liquidationPrice), colour: '#b42318' });
      if (p.stopLoss) levels.push({ title: `#${sub.id} stop-loss`, price: micros(p.stopLoss), colour: '#d97706' });
      if (p.takeProfit) levels.push({ title: `#${sub.id} take-profit`, price: micros(p.takeProfit), colour: '#059669' });
    });
  }
  return levels;
}

/** The marks the indexer stored with the market's latest fills, oldest first. */
export async function markHistory(indexer: string | null, market: number): Promise<{ time: number; price: number }[]> {
  if (!indexer) return [];
  try {
    const response = await fetch(`${indexer.replace(/\/$/, '')}/v1/fills?market=${market}&limit=200`);
    if (!response.ok) return [];
    const { items } = (await response.json()) as { items: { block_time: number | null; mark: string }[] };
    return items
      .filter((f) => f.block_time !== null)
      .map((f) => ({ time: f.block_time!, price: Number(f.mark) }))
      .reverse();
  } catch {
    return [];
  }
}

/**
 * Mounts the chart section in `root` (a market selector and the chart); returns the function
 * each refresh calls with the markets, the wallet's sub-accounts, the cluster's time and the
 * indexer's URL.
 */
export function mountChart(root: HTMLElement) {
  root.innerHTML = '<label>Chart <select id="chart-market" aria-label="market to chart"></select></label><div id="chart" data-testid="chart"></div>';
  const select = root.querySelector<HTMLSelectElement>('#chart-market')!;
  const chart = new PriceChart(root.querySelector<HTMLElement>('#chart')!);
  let loading = false;
  return async (markets: MarketView[], subs: SubAccountView[], now: bigint, indexer: string | null) => {
    const options = markets.map((m) => `<option value="${m.account.index}">${m.name}</option>`).join('');
    if (select.innerHTML !== options) select.innerHTML = options;
    const market = markets.find((m) => String(m.account.index) === select.value);
    if (!market || market.mark === null || loading) return;
    if (root.querySelector<HTMLElement>('#chart')!.dataset.market !== market.name) {
      loading = true;
      chart.show(market, await markHistory(indexer, market.account.index));
      loading = false;
    }
    chart.add(Number(now), dollars(market.mark));
    chart.levels(levelsIn(market, subs, markets, now));
  };
}
