// The Ringfence page: connect a wallet, see markets, sub-accounts by mode and positions, and
// trade with the pre-trade preview shown before anything is signed. The margin mode is always
// chosen explicitly.

import { type Address, AccountRole, type Instruction, type KeyPairSigner, type TransactionPartialSigner, createSignerFromKeyPair } from '@solana/kit';
import type { Wallet } from '@wallet-standard/base';
import {
  Side as Side,
  getAddMarginInstruction,
  getClosePositionInstruction,
  getCreateSubAccountInstruction,
  getCreateUserInstruction,
  getDepositInstruction,
  getOpenPositionInstruction,
  getRemoveMarginInstruction,
  getSetTriggersInstruction,
  getWithdrawInstruction,
} from './generated';
import {
  Chain,
  type MarketView,
  type SubAccountView,
  exchangePda,
  poolPda,
  subAccountPda,
  tokenAccount,
  userPda,
  vaultPda,
} from './chain';
import { parseDecimal, percent, price, size, usd, usdFixed } from './format';
import { type Preview, type PreviewMarket, preview } from './preview';
import { type HistoryTab, historyHtml, loadHistory } from './history';
import { type LimitFields, limitBits, placeOrderInstruction, readLimit, reducePreviewHtml } from './orders';
import { enableSession, forgetSession, revokeSession, saveSession, sessionFor, storedPair } from './session';
import { getCancelOrderInstruction } from './generated';
import { describeError, send } from './send';
import { FieldError, checkTriggers, largestAccepted, optionalPrice, parseAmount, parseLeverage, sizeFromField } from './ticket';
import { clearFieldErrors, markField, replaceKeepingInput } from './dom';
import { mountWhatIf, whatIfData } from './whatif';
import { demoShift, marketsHtml } from './markets';
import { mountChart } from './chart';
import { NoticeBoard, noticesHtml } from './notices';
import { type PendingClose, closeField, closeQuote, readTriggers, requote } from './positions';
import { type MarginChoice, accountsHtml, marginCross } from './accounts';
import { connect, loadBurners, onWalletsChanged, solanaWallets, walletSigner } from './wallet';

interface Demo {
  rpc_url: string;
  /** The demo's control methods (price shifts), on their own port beside the validator. */
  control_url: string | null;
  /** The indexer's HTTP API (history), when the local exchange runs one. */
  indexer_url?: string | null;
  wallets: { name: string }[];
}

interface State {
  chain: Chain;
  demo: Demo | null;
  mint: Address | null;
  markets: MarketView[];
  owner: Address | null;
  signer: TransactionPartialSigner | null;
  subAccounts: SubAccountView[];
  walletUsd: bigint;
  /** Session keys this browser holds that sub-accounts (by address) delegate to. */
  sessions: Map<Address, KeyPairSigner>;
  lastPreview: { order: Order; result: Preview | null } | null;
  /** A close waiting for the trader's confirmation. */
  pendingClose: PendingClose | null;
  /** The cross sub-account chosen for each isolated sub-account's margin moves. */
  marginChoice: MarginChoice;
  /** The cluster's unix time at the last preview. */
  now: bigint;
}

interface Order {
  /** A market order fills now; a limit order rests until the oracle crosses its limit. */
  type: 'market' | 'limit';
  limit: LimitFields | null;
  market: MarketView;
  side: 'long' | 'short';
  base: bigint;
  leverage: number;
  mode: 'cross' | 'isolated';
  crossId: number | null;
  isolatedMargin: bigint;
  stopLoss: bigint;
  takeProfit: bigint;
}

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const state = {} as State;

function show(message: string, kind: 'info' | 'error' = 'info') {
  const box = $('message');
  box.textContent = message;
  box.className = kind;
}

async function loadDemo(): Promise<Demo | null> {
  try {
    const response = await fetch('/demo.json');
    return response.ok ? ((await response.json()) as Demo) : null;
  } catch {
    return null;
  }
}

// ---- reading ----------------------------------------------------------------------------

async function refresh() {
  const exchange = await state.chain.exchange();
  if (!exchange) {
    show('No Ringfence exchange on this cluster.', 'error');
    return;
  }
  state.mint = exchange.collateralMint;
  state.markets = await state.chain.markets(exchange.marketCount);
  if (state.owner) {
    state.subAccounts = await state.chain.subAccounts(state.owner);
    state.walletUsd = await state.chain.walletBalance(state.owner, exchange.collateralMint);
    const sessions = new Map<Address, KeyPairSigner>();
    for (const sub of state.subAccounts) {
      const session = await sessionFor(sub.address, sub.delegate).catch(() => null);
      if (session) sessions.set(sub.address, session);
    }
    state.sessions = sessions;
  }
  render();
}

// ---- rendering --------------------------------------------------------------------------

const marketOf = (index: number) => state.markets.find((m) => m.account.index === index)!;

function renderAccounts(now: bigint) {
  if (!state.owner) {
    $('accounts').innerHTML = '<p>Connect a wallet to see your sub-accounts.</p>';
    return;
  }
  // A close waiting for confirmation follows the price, like the ticket's preview.
  state.pendingClose = requote(state.pendingClose, state.subAccounts, state.markets);
  const { owner, walletUsd, subAccounts: subs, markets, sessions, pendingClose, marginChoice } = state;
  replaceKeepingInput($('accounts'), accountsHtml({ owner, walletUsd, subs, markets, sessions, now, pendingClose, marginChoice }));
}

function renderTicketOptions() {
  const market = $<HTMLSelectElement>('t-market');
  if (market.options.length !== state.markets.length) {
    market.innerHTML = state.markets.map((m) => `<option value="${m.account.index}">${m.name}</option>`).join('');
  }
  const chosen = state.markets.find((m) => String(m.account.index) === market.value);
  if (chosen) $('t-leverage-max').textContent = String(chosen.account.params.maxLeverage);
  if (chosen) $<HTMLInputElement>('t-leverage-slider').max = String(chosen.account.params.maxLeverage);
  const cross = $<HTMLSelectElement>('t-cross');
  const options = state.subAccounts
    .filter((s) => s.isolatedMarket === null)
    .map((s) => `<option value="${s.id}">#${s.id} (${usd(s.collateral)})</option>`)
    .join('');
  if (cross.innerHTML !== options) {
    const chosen = cross.value;
    cross.innerHTML = options;
    if (Array.from(cross.options).some((o) => o.value === chosen)) cross.value = chosen;
  }
}

let renderWhatIf: ReturnType<typeof mountWhatIf> = () => {};
let renderChart: ReturnType<typeof mountChart> = async () => {};

function render() {
  $('markets').innerHTML = marketsHtml(state.markets);
  void state.chain.now().catch(() => 0n).then((now) => {
    renderAccounts(now);
    renderWhatIf(state.owner ? whatIfData(state.markets, state.subAccounts, now) : null);
    void renderChart(state.markets, state.subAccounts, now, indexerUrl());
  });
  renderTicketOptions();
  // A shown preview follows the price: recomputed on every refresh, so it is never stale.
  if (state.lastPreview) void runPreview().catch(() => {});
  $('demo').hidden = !state.demo;
  void renderHistory();
}

/** The indexer's URL: `?indexer=` or the demo's; none means no history section content. */
const indexerUrl = () => new URLSearchParams(location.search).get('indexer') ?? state.demo?.indexer_url ?? null;

/** Fired triggers, filled limit orders and liquidations since the wallet connected. */
let notices = new NoticeBoard();
/** The history tab shown. */
let historyTab: HistoryTab = 'fills';

async function renderHistory() {
  const indexer = indexerUrl();
  if (!state.owner || !indexer) {
    $('history').innerHTML = `<p class="muted">${indexer ? 'Connect a wallet to see its history.' : 'No indexer configured.'}</p>`;
    return;
  }
  const history = await loadHistory(indexer, state.owner);
  const subId = (key: string) => String(state.subAccounts.find((s) => s.address === key)?.id ?? key.slice(0, 6));
  const marketName = (index: number) => state.markets.find((m) => m.account.index === index)?.name ?? String(index);
  $('history').innerHTML = historyHtml(history, subId, marketName, historyTab);
  if (history) notices.take(history, subId, marketName);
  $('notices').innerHTML = noticesHtml(notices);
}

// ---- the order ticket -------------------------------------------------------------------

/** The ticket's order; `base` replaces the size field (the Max search). */
function readOrder(base?: bigint): Order {
  const mode = document.querySelector<HTMLInputElement>('input[name="t-mode"]:checked')?.value;
  if (mode !== 'cross' && mode !== 'isolated') throw new Error('Choose the margin mode: cross or isolated.');
  const side = document.querySelector<HTMLInputElement>('input[name="t-side"]:checked')?.value;
  if (side !== 'long' && side !== 'short') throw new Error('Choose long or short.');
  const market = marketOf(Number($<HTMLSelectElement>('t-market').value));
  const leverage = parseLeverage($<HTMLInputElement>('t-leverage').value, market.account.params.maxLeverage);
  const unit = $<HTMLSelectElement>('t-size-unit').value;
  base ??= sizeFromField($<HTMLInputElement>('t-size').value, unit, market.mark, leverage, market.account.params.takerFeeBps);
  const crossId = mode === 'cross' ? Number($<HTMLSelectElement>('t-cross').value) : null;
  if (mode === 'cross' && !state.subAccounts.some((s) => s.id === crossId)) throw new Error('Create a cross sub-account and deposit first.');
  const margin = mode === 'isolated' ? parseAmount($<HTMLInputElement>('t-margin').value, 't-margin', 'Isolated margin', state.walletUsd) : 0n;
  const stopLoss = optionalPrice($<HTMLInputElement>('t-stop').value, 't-stop', 'Stop-loss');
  const takeProfit = optionalPrice($<HTMLInputElement>('t-take').value, 't-take', 'Take-profit');
  if (market.mark !== null) checkTriggers(side, (market.mark * 1_000_000n) >> 48n, stopLoss, takeProfit);
  const type = document.querySelector<HTMLInputElement>('input[name="t-type"]:checked')?.value === 'limit' ? 'limit' : 'market';
  let limit: LimitFields | null = null;
  if (type === 'limit') {
    if (stopLoss || takeProfit) throw new Error('Set a stop-loss or take-profit once the limit order has filled.');
    const fields = { limit: $<HTMLInputElement>('t-limit').value, hours: $<HTMLInputElement>('t-hours').value || '24', reduceOnly: $<HTMLInputElement>('t-reduce').checked };
    limit = readLimit(fields, side, market.mark, state.now);
  }
  return { type, limit, market, side, base, leverage, mode, crossId, isolatedMargin: margin, stopLoss, takeProfit };
}

/** The preview of `order` on its sub-account (or a new isolated one) at `markets`' marks. */
function previewOrder(order: Order, markets: PreviewMarket[], now: bigint): Preview {
  const sub = order.mode === 'cross' ? state.subAccounts.find((s) => s.id === order.crossId)! : null;
  const { marketIndex, base, leverage } = { marketIndex: order.market.account.index, base: order.base, leverage: order.leverage };
  return preview(sub ? sub.collateral : order.isolatedMargin, sub ? sub.positions : [], sub ? sub.slots : 1, markets, { marketIndex, side: order.side, base, leverage }, now);
}

/** "Max": the largest size whose preview still meets initial margin, written into the size field. */
async function fillMax() {
  state.now = await state.chain.now();
  const probe = readOrder(1n);
  const markets = state.markets.map((m) => m.preview);
  const meets = (base: bigint) => {
    try {
      return previewOrder({ ...probe, base }, markets, state.now).meetsInitial;
    } catch {
      return false;
    }
  };
  const max = largestAccepted(meets, 1_000_000n * 1_000_000_000n);
  if (max === 0n) throw new FieldError('t-size', 'Size: no size meets initial margin here; add collateral or raise the leverage.');
  const usdUnit = $<HTMLSelectElement>('t-size-unit').value === 'usd';
  if (!usdUnit) $<HTMLSelectElement>('t-size-unit').value = 'units';
  // In dollars, the notional rounded down to a cent (so it converts back to at most `max`).
  const cents = (max * ((probe.market.mark! * 1_000_000n) >> 48n)) / 1_000_000_000n / 10_000n;
  $<HTMLInputElement>('t-size').value = usdUnit ? `${cents / 100n}.${(cents % 100n).toString().padStart(2, '0')}` : size(max);
  await runPreview();
}

async function runPreview() {
  state.now = await state.chain.now();
  const order = readOrder();
  const now = state.now;
  if (order.limit?.reduceOnly) {
    const sub = state.subAccounts.find((s) => s.id === order.crossId) ?? null;
    $('preview').innerHTML = reducePreviewHtml(sub, order.market.account.index, order.side, order.base, order.limit);
    state.lastPreview = { order, result: null };
    $<HTMLButtonElement>('t-send').disabled = false;
    return;
  }
  // A limit order is previewed as filled at its limit.
  const markets = state.markets.map((m) =>
    order.limit && m.account.index === order.market.account.index ? { ...m.preview, mark: limitBits(order.limit.limitPrice) } : m.preview,
  );
  const result = previewOrder(order, markets, now);
  state.lastPreview = { order, result };
  const scope = order.mode === 'isolated' ? 'the isolated margin' : 'the whole cross sub-account';
  const funding = result.fundingPerHour;
  $('preview').innerHTML = `<table data-testid="preview">
    <tr><td>fill price</td><td class="num" data-testid="p-fill">${price(result.fillPrice)}</td></tr>
    <tr><td>fee</td><td class="num" data-testid="p-fee">${usd(result.fee)}</td></tr>
    <tr><td>margin moved</td><td class="num" data-testid="p-margin">${usdFixed(result.marginMoved)}</td></tr>
    <tr><td>margin ratio after</td><td class="num" data-testid="p-ratio">${percent(result.marginRatioAfter)}</td></tr>
    <tr><td>estimated liquidation price</td><td class="num" data-testid="p-liquidation">${price(result.liquidationPrice)}</td></tr>
    <tr><td>maximum loss</td><td class="num" data-testid="p-max-loss">${usd(result.maxLoss)} (${scope})</td></tr>
    <tr><td>funding per hour</td><td class="num" data-testid="p-funding">${funding >= 0n ? 'pays' : 'receives'} ${usd(funding < 0n ? -funding : funding)}</td></tr>
    <tr><td>initial margin</td><td data-testid="p-initial">${result.meetsInitial ? 'met' : '<b class="bad">not met: the program will refuse this order</b>'}</td></tr>
  </table>${order.limit ? `<p class="muted" data-testid="p-limit-note">Previewed at a mark equal to the limit, ${usd(order.limit.limitPrice)}. The keeper fills it once the oracle reaches the limit and the fill, premium included, is no worse than it; the margin is checked again then.</p>` : ''}`;
  const refusal = result.meetsInitial ? '' : 'Not sendable: the account would not meet initial margin after this order; lower the size or leverage, or add collateral.';
  $<HTMLButtonElement>('t-send').disabled = refusal !== '';
  $('t-send-reason').textContent = refusal;
}

const pairsOf = async (sub: SubAccountView | null, except: number) =>
  (sub?.positions ?? [])
    .filter((p) => p.marketIndex !== except)
    .flatMap((p) => [marketOf(p.marketIndex).address, marketOf(p.marketIndex).account.oracle]);

const withPairs = (ix: Instruction, pairs: Address[], writable = false): Instruction => ({
  ...ix,
  accounts: [...(ix.accounts ?? []), ...pairs.map((address) => ({ address, role: writable ? AccountRole.WRITABLE : AccountRole.READONLY }))],
});

async function ownerContext() {
  if (!state.signer || !state.owner || !state.mint) throw new Error('Connect a wallet first.');
  return {
    owner: state.signer,
    exchange: await exchangePda(),
    token: await tokenAccount(state.owner, state.mint),
    vault: await vaultPda(),
  };
}

/** Instructions that create a sub-account (and the user account on first use); its id. */
async function createSubAccount(mode: { __kind: 'Cross' } | { __kind: 'Isolated'; marketIndex: number }) {
  const { owner, exchange } = await ownerContext();
  const user = await userPda(state.owner!);
  const next = await state.chain.nextSubAccountId(state.owner!);
  const ixs: Instruction[] = next === null ? [getCreateUserInstruction({ owner, exchange, user })] : [];
  const id = next ?? 0;
  ixs.push(getCreateSubAccountInstruction({ owner, exchange, user, subAccount: await subAccountPda(state.owner!, id), id, mode }));
  return { ixs, id };
}

async function sendOrder() {
  const last = state.lastPreview;
  if (!last) throw new Error('Preview the order first.');
  const { order, result } = last;
  const { owner, exchange, token, vault } = await ownerContext();
  const index = order.market.account.index;
  const ixs: Instruction[] = [];
  let sub: SubAccountView | null = null;
  let address: Address;
  // A new isolated sub-account is funded from the wallet; trading an existing one may use its
  // session key (one-click trading).
  let trader: TransactionPartialSigner = owner;
  if (order.mode === 'isolated') {
    const created = await createSubAccount({ __kind: 'Isolated', marketIndex: index });
    ixs.push(...created.ixs);
    address = await subAccountPda(state.owner!, created.id);
    ixs.push(getDepositInstruction({ owner, exchange, pool: await poolPda(), subAccount: address, vault, ownerToken: token, amount: order.isolatedMargin }));
  } else {
    sub = state.subAccounts.find((s) => s.id === order.crossId)!;
    address = sub.address;
    trader = traderFor(sub);
  }
  const how = trader === owner ? '' : ' (signed by the session key)';
  if (order.limit) {
    ixs.push(placeOrderInstruction(trader, address, order.market, order, order.limit));
    await send(state.chain, trader, ixs);
    finishSend();
    return show(`Placed a limit ${order.side === 'long' ? 'buy' : 'sell'} of ${size(order.base)} ${order.market.name} at ${usd(order.limit.limitPrice)} (${order.mode})${how}.`);
  }
  if (!result) throw new Error('Preview the order first.');
  const slippage = 50n; // basis points beyond the previewed fill
  const fillNative = (result.fillPrice * 1_000_000n) >> 48n;
  const limitPrice = order.side === 'long' ? (fillNative * (10_000n + slippage)) / 10_000n + 1n : (fillNative * (10_000n - slippage)) / 10_000n;
  const open = getOpenPositionInstruction({
    trader, exchange, pool: await poolPda(), subAccount: address, market: order.market.address, oracle: order.market.account.oracle,
    side: order.side === 'long' ? Side.Long : Side.Short, base: order.base, leverage: order.leverage, limitPrice,
  });
  ixs.push(withPairs(open, await pairsOf(sub, index)));
  if (order.stopLoss || order.takeProfit) {
    ixs.push(getSetTriggersInstruction({ trader, subAccount: address, market: order.market.address, oracle: order.market.account.oracle, stopLoss: order.stopLoss, takeProfit: order.takeProfit }));
  }
  await send(state.chain, trader, ixs);
  finishSend();
  show(`Opened ${order.side} ${size(order.base)} ${order.market.name} (${order.mode})${how}.`);
}

function finishSend() {
  state.lastPreview = null;
  $<HTMLButtonElement>('t-send').disabled = true;
}

/** Who signs a trade on `sub`: this browser's session key when one-click trading is on, else the wallet. */
const traderFor = (sub: SubAccountView): TransactionPartialSigner => state.sessions.get(sub.address) ?? state.signer!;

/** One-click trading on `sub`: one wallet signature funds a new session key and makes it the delegate. */
async function enableOneClick(sub: SubAccountView) {
  const { owner } = await ownerContext();
  const kept = await storedPair(sub.address);
  const previous = kept ? await createSignerFromKeyPair(kept) : null;
  const previousBalance = previous ? (await state.chain.rpc.getBalance(previous.address).send()).value : 0n;
  const { pair, signer, instructions } = await enableSession(owner, sub.address, previous, previousBalance);
  // Kept before sending, so a page closed mid-send cannot strand the key's SOL.
  await saveSession(sub.address, pair);
  try {
    await send(state.chain, owner, instructions);
  } catch (error) {
    // Not confirmed in time is not refused: the transaction may still land, so the key stays.
    if (!(error instanceof Error && error.message.includes('was not confirmed'))) {
      if (kept) await saveSession(sub.address, kept);
      else await forgetSession(sub.address);
    }
    throw error;
  }
  state.sessions.set(sub.address, signer);
  show(`One-click trading is on for #${sub.id}: session key ${signer.address}.`);
}

/** Revokes `sub`'s delegate with one wallet signature; this browser's session key returns its SOL. */
async function revokeOneClick(sub: SubAccountView) {
  const { owner } = await ownerContext();
  const session = state.sessions.get(sub.address) ?? null;
  const balance = session ? (await state.chain.rpc.getBalance(session.address).send()).value : 0n;
  await send(state.chain, owner, revokeSession(owner, sub.address, session, balance));
  await forgetSession(sub.address);
  state.sessions.delete(sub.address);
  show(`One-click trading is off for #${sub.id}: no key but the wallet can trade it.`);
}

// ---- account actions --------------------------------------------------------------------

async function accountAction(action: string, id: number, marketIndex: number, slot: number) {
  const { owner, exchange, token, vault } = await ownerContext();
  const sub = state.subAccounts.find((s) => s.id === id);
  if (action === 'new-cross') {
    const { ixs, id: created } = await createSubAccount({ __kind: 'Cross' });
    await send(state.chain, owner, ixs);
    return show(`Created cross sub-account #${created}.`);
  }
  if (!sub) throw new Error(`No sub-account #${id}.`);
  const amount = parseDecimal($<HTMLInputElement>(`amount-${id}`)?.value ?? '', 6);
  const pairs = await pairsOf(sub, -1);
  const market = marketOf(marketIndex);
  const position = sub.positions.find((p) => p.marketIndex === marketIndex);
  switch (action) {
    case 'one-click-on':
      return enableOneClick(sub);
    case 'one-click-off':
      return revokeOneClick(sub);
    case 'cancel-order': {
      const trader = traderFor(sub);
      await send(state.chain, trader, [getCancelOrderInstruction({ trader, subAccount: sub.address, slot })]);
      return show(`Cancelled the order in slot ${slot} of #${id}${trader === owner ? '' : ' (signed by the session key)'}.`);
    }
    case 'deposit':
      parseAmount($<HTMLInputElement>(`amount-${id}`).value, `amount-${id}`, `Deposit into #${id}`, state.walletUsd);
      if (!amount) throw new Error('Enter an amount.');
      // A sub-account being liquidated passes its markets, so a rescuing deposit also clears the flag.
      const deposit = getDepositInstruction({ owner, exchange, pool: await poolPda(), subAccount: sub.address, vault, ownerToken: token, amount });
      await send(state.chain, owner, [sub.beingLiquidated ? withPairs(deposit, pairs) : deposit]);
      return show(`Deposited ${usd(amount)} into #${id}.`);
    case 'withdraw':
      if (!amount) throw new Error('Enter an amount.');
      await send(state.chain, owner, [withPairs(getWithdrawInstruction({ owner, exchange, subAccount: sub.address, vault, destination: token, amount }), pairs)]);
      return show(`Withdrew ${usd(amount)} from #${id}.`);
    case 'add-margin':
    case 'remove-margin': {
      if (!amount) throw new Error('Enter an amount.');
      const cross = marginCross(state.subAccounts, id, state.marginChoice);
      if (!cross) throw new Error('Margin moves between this and one of your cross sub-accounts: create one first.');
      // The source's markets, then (to clear a liquidation flag the move makes stale) the destination's.
      const rescue = async (s: SubAccountView) => (s.beingLiquidated ? await pairsOf(s, -1) : []);
      const ix =
        action === 'add-margin'
          ? withPairs(getAddMarginInstruction({ owner, source: cross.address, destination: sub.address, pool: await poolPda(), amount }), [...(await pairsOf(cross, -1)), ...(await rescue(sub))])
          : withPairs(getRemoveMarginInstruction({ owner, source: sub.address, destination: cross.address, pool: await poolPda(), amount }), [...pairs, ...(await rescue(cross))]);
      await send(state.chain, owner, [ix]);
      return show(`Moved ${usd(amount)} ${action === 'add-margin' ? `from #${cross.id} into #${id}` : `out of #${id} into #${cross.id}`}.`);
    }
    case 'close':
    case 'close-size':
    case 'cancel-close': {
      // The % field and the size field ask for the one quote and the one confirmation.
      const by = action === 'close' ? 'percent' : 'size';
      state.pendingClose = action === 'cancel-close' ? null : closeQuote(sub, position!, market, { by, text: $<HTMLInputElement>(closeField(by, id, market.name)).value });
      return;
    }
    case 'confirm-close': {
      // Quoted again at the latest marks: its limit is 0.5% from the price now, not at the click.
      await refresh();
      const pending = requote(state.pendingClose, state.subAccounts, state.markets);
      if (!pending || pending.subId !== id || pending.marketIndex !== marketIndex) throw new Error('Nothing to confirm: press close again.');
      state.pendingClose = null;
      const trader = traderFor(sub);
      const ix = getClosePositionInstruction({ trader, exchange, pool: await poolPda(), subAccount: sub.address, market: market.address, oracle: market.account.oracle, base: pending.whole ? null : pending.base, limitPrice: pending.limitPrice });
      await send(state.chain, trader, [ix]);
      return show(`Closed ${size(pending.base)} ${market.name} in #${id} at about ${price(pending.fillPrice)}: realized about ${usd(pending.realizedPnl)}${trader === owner ? '' : ' (signed by the session key)'}.`);
    }
    case 'set-triggers': {
      const at = `${id}-${market.name}`;
      const { stopLoss, takeProfit } = readTriggers(sub, position!, market, $<HTMLInputElement>(`sl-${at}`).value, $<HTMLInputElement>(`tp-${at}`).value);
      const trader = traderFor(sub);
      await send(state.chain, trader, [getSetTriggersInstruction({ trader, subAccount: sub.address, market: market.address, oracle: market.account.oracle, stopLoss, takeProfit })]);
      return show(`${market.name} in #${id}: stop-loss ${stopLoss ? usd(stopLoss) : 'none'}, take-profit ${takeProfit ? usd(takeProfit) : 'none'}.`);
    }
  }
}

// ---- wallets ------------------------------------------------------------------------------

function renderWallets() {
  const wallets = solanaWallets();
  $('wallets').innerHTML = wallets.length
    ? wallets.map((w, i) => `<button data-wallet="${i}">${w.name}</button>`).join(' ') + (state.owner ? ' <button data-wallet="-1">disconnect</button>' : '')
    : '<span class="muted">No Solana wallet found: install one (Phantom, Solflare, Backpack…).</span>';
}

/** Forgets the connected wallet: nothing of it stays on the page. */
async function disconnect() {
  Object.assign(state, { owner: null, signer: null, subAccounts: [], walletUsd: 0n, sessions: new Map(), lastPreview: null, pendingClose: null, marginChoice: new Map() });
  $('wallet-name').textContent = 'not connected';
  renderWallets();
  await refresh();
}

async function useWallet(wallet: Wallet) {
  const account = await connect(wallet);
  state.owner = account.address as Address;
  notices = new NoticeBoard();
  state.signer = walletSigner(wallet, account);
  $('wallet-name').textContent = `${wallet.name}: ${account.address}`;
  renderWallets();
  await refresh();
}

// ---- wiring -------------------------------------------------------------------------------

/** Runs a user's action on the state read just now (not the last 3-second refresh), then refreshes. */
function guarded(task: () => Promise<unknown>) {
  return async () => {
    clearFieldErrors();
    await refresh().catch(() => {});
    try {
      await task();
    } catch (error) {
      if (error instanceof FieldError) markField(error);
      show(describeError(error), 'error');
    }
    await refresh().catch(() => {});
  };
}

async function main() {
  state.demo = await loadDemo();
  const url = new URLSearchParams(location.search).get('rpc') ?? state.demo?.rpc_url ?? 'http://127.0.0.1:8899';
  state.chain = new Chain(url);
  Object.assign(state, { markets: [], subAccounts: [], walletUsd: 0n, sessions: new Map(), now: 0n, pendingClose: null, marginChoice: new Map() });
  $('rpc').textContent = url;
  renderWhatIf = mountWhatIf($('whatif'));
  renderChart = mountChart($('chart-section'));
  if (state.demo) await loadBurners(state.demo.wallets.map((w) => w.name), new URLSearchParams(location.search).get('wallet'));
  renderWallets();
  onWalletsChanged(renderWallets);

  document.addEventListener('click', (event) => {
    const target = event.target as HTMLElement;
    if (target.dataset.historyTab) {
      historyTab = target.dataset.historyTab as HistoryTab;
      return void renderHistory();
    }
    if (target.dataset.dismiss) {
      notices.dismiss(Number(target.dataset.dismiss));
      return void ($('notices').innerHTML = noticesHtml(notices));
    }
    const wallet = target.dataset.wallet;
    if (wallet !== undefined) return void guarded(() => (wallet === '-1' ? disconnect() : useWallet(solanaWallets()[Number(wallet)])))();
    const action = target.dataset.action;
    if (action) {
      const { sub, market, slot } = target.dataset;
      return void guarded(() => accountAction(action, Number(sub ?? -1), Number(market ?? -1), Number(slot ?? -1)))();
    }
    const shift = target.dataset.shift;
    if (shift) {
      const [index, pct] = shift.split(':').map(Number);
      return void guarded(async () => show(`Demo: moved ${marketOf(index).name} by ${await demoShift(state.demo?.control_url, index, pct)}%.`))();
    }
  });
  // The cross sub-account chosen for an isolated one's margin: kept in the state, so refreshes render it.
  document.addEventListener('change', (event) => {
    const select = event.target as HTMLSelectElement;
    if (!select.dataset.marginFor) return;
    state.marginChoice.set(Number(select.dataset.marginFor), Number(select.value));
    void state.chain.now().catch(() => 0n).then(renderAccounts);
  });
  $('t-preview').addEventListener('click', guarded(runPreview));
  $('t-max').addEventListener('click', guarded(fillMax));
  $('t-leverage-slider').addEventListener('input', () => ($<HTMLInputElement>('t-leverage').value = $<HTMLInputElement>('t-leverage-slider').value));
  $('t-send').addEventListener('click', guarded(sendOrder));
  document.querySelectorAll('#ticket input, #ticket select').forEach((input) =>
    input.addEventListener('input', () => {
      $<HTMLButtonElement>('t-send').disabled = true;
      const isolated = document.querySelector<HTMLInputElement>('input[name="t-mode"]:checked')?.value === 'isolated';
      $('t-cross-row').hidden = isolated;
      $('t-margin-row').hidden = !isolated;
      $('t-limit-row').hidden = document.querySelector<HTMLInputElement>('input[name="t-type"]:checked')?.value !== 'limit';
    }),
  );
  await refresh();
  setInterval(() => void refresh().catch(() => {}), 3_000);
}

void main();
