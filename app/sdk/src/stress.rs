//! Stress test: what a price shock would do to a wallet's sub-accounts, before it happens.
//! Each step of a scenario sets every market's mark (a move from the starting mark) and then
//! liquidates, as a keeper would, every sub-account the program allows, largest maintenance
//! first, with the program's own `liquidate_position` run on copies of the accounts: the same
//! sizes, fill prices, penalties, bankruptcy resolution and funding. Steps apply in order, so
//! a path with a jump between steps is a gap the keeper could not act inside.
//!
//! Within a step, sub-accounts are liquidated in the order given (a keeper goes worst first;
//! with several liquidatable at once the premium each fill sees can differ slightly).
//! Not modelled: slippage beyond the skew premium, oracle confidence and staleness, keeper
//! latency (liquidations happen exactly at each step's price), and other traders' accounts,
//! whose liquidations would move the premium (docs/STRESS.md).

use crate::accounts::SubAccountView;
use crate::client::PricedMarket;
use anchor_lang::prelude::*;
use ringfence::error::RingfenceError;
use ringfence::events::silenced;
use ringfence::funding::accrue;
use ringfence::health::health_detail_with;
use ringfence::instructions::liquidate_position;
use ringfence::math::fixed_point::{mul_div, Round};
use ringfence::math::liquidation::may_liquidate;
use ringfence::math::I80F48;
use ringfence::oracle::FillMark;
use ringfence::state::{Exchange, Market, Pool, Position, SubAccount};

/// Liquidations per sub-account and step at most (a keeper's passes until it is healthy).
const MAX_LIQUIDATIONS: usize = 64;

/// The exchange as the scenario starts: markets with their marks, the exchange (insurance
/// fund) and the pool, at the cluster's unix time.
#[derive(Clone)]
pub struct Book {
    /// Every market a sub-account holds, with its checked mark.
    pub markets: Vec<(Market, I80F48)>,
    /// The exchange account (its insurance fund pays bankruptcies).
    pub exchange: Exchange,
    /// The pool (counterparty; absorbs what insurance cannot).
    pub pool: Pool,
    /// Unix time of the scenario.
    pub now: i64,
}

/// One sub-account to stress: its key, header and position slots.
#[derive(Clone)]
pub struct Holding {
    /// Its address (it appears in the program's bookkeeping only).
    pub key: Pubkey,
    /// The header.
    pub header: SubAccount,
    /// Every position slot.
    pub positions: Vec<Position>,
}

/// A scenario: steps in order, each the moves of some markets from their starting marks, in
/// basis points (−1,200 = −12%). A market a step does not name keeps its previous step's price.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct Scenario {
    /// The steps.
    pub steps: Vec<Vec<(u16, i64)>>,
}

impl Scenario {
    /// One step: `shocks` per market plus a correlated move of `factor_bps` applied to every
    /// market in `markets` scaled by its beta (`betas`, in bps of the factor, 10,000 = 1.0;
    /// markets not listed have a beta of 1).
    pub fn shock(
        markets: &[u16],
        shocks: &[(u16, i64)],
        factor_bps: i64,
        betas: &[(u16, i64)],
    ) -> Self {
        let moves = markets
            .iter()
            .map(|&m| {
                let own = shocks.iter().find(|(i, _)| *i == m).map_or(0, |s| s.1);
                let beta = betas.iter().find(|(i, _)| *i == m).map_or(10_000, |b| b.1);
                (m, own + factor_bps * beta / 10_000)
            })
            .collect();
        Self { steps: vec![moves] }
    }
}

/// A liquidation the scenario causes.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Closure {
    /// Market closed in.
    pub market_index: u16,
    /// Base atoms closed (signed like the position).
    pub closed: i64,
    /// Fill price, quote per whole base unit.
    pub fill_price: I80F48,
    /// PnL realized into collateral, quote native.
    pub realized_pnl: i64,
    /// Penalty taken, quote native.
    pub penalty: u64,
    /// Whether the sub-account was bankrupt (equity under zero) when liquidated.
    pub bankrupt: bool,
}

/// One sub-account after one step.
#[derive(Debug, Clone, PartialEq)]
pub struct AccountStep {
    /// Its address.
    pub key: Pubkey,
    /// Equity at the step's prices before any liquidation, quote native.
    pub equity_before: I80F48,
    /// Maintenance requirement then.
    pub maintenance_before: I80F48,
    /// The liquidations at this step, in order.
    pub closures: Vec<Closure>,
    /// Equity after them.
    pub equity_after: I80F48,
    /// Collateral after them (insurance and the pool cover a bankrupt account's deficit).
    pub collateral_after: i64,
    /// Open positions left.
    pub positions_left: usize,
    /// False if the pass stopped at the liquidation limit before the program would refuse
    /// another (the result is then partial).
    pub complete: bool,
}

/// One step: the marks it set and every sub-account after it.
#[derive(Debug, Clone, PartialEq)]
pub struct StepOutcome {
    /// Each market's mark at this step.
    pub marks: Vec<(u16, I80F48)>,
    /// The sub-accounts, in input order.
    pub accounts: Vec<AccountStep>,
}

/// What the scenario does: per step, every sub-account, and the wallet's total.
#[derive(Debug, Clone, PartialEq)]
pub struct Outcome {
    /// Equity of each sub-account before the scenario, quote native, in input order.
    pub start_equity: Vec<I80F48>,
    /// Each step's marks and sub-accounts.
    pub steps: Vec<StepOutcome>,
    /// The wallet's loss over all its sub-accounts: Σ start equity − Σ final equity (positive is
    /// a loss), quote native.
    pub total_loss: I80F48,
}

impl Book {
    /// The book from what a client read: every market with a usable mark (the others are left
    /// out, so a sub-account holding one fails with `MarketNotFound`), the exchange, the pool
    /// and the cluster's unix time.
    pub fn from_read(markets: &[PricedMarket], exchange: Exchange, pool: Pool, now: i64) -> Self {
        let markets = markets
            .iter()
            .filter_map(|m| m.mark.clone().ok().map(|mark| (m.market, mark)))
            .collect();
        Self {
            markets,
            exchange,
            pool,
            now,
        }
    }
}

/// The sub-accounts among `accounts` (as read over RPC) that hold an open position.
pub fn holdings(accounts: Vec<(Pubkey, SubAccountView)>) -> Vec<Holding> {
    accounts
        .into_iter()
        .filter(|(_, v)| v.open_positions().next().is_some())
        .map(|(key, v)| Holding {
            key,
            header: v.header,
            positions: v.positions,
        })
        .collect()
}

/// Runs `scenario` on `holdings` from `book`. Fails with the program's error if a market a
/// sub-account holds is missing or the math overflows.
pub fn run(book: &Book, holdings: &[Holding], scenario: &Scenario) -> Result<Outcome> {
    silenced(|| run_silently(book, holdings, scenario))
}

fn run_silently(book: &Book, holdings: &[Holding], scenario: &Scenario) -> Result<Outcome> {
    let mut book = book.clone();
    let start_marks: Vec<I80F48> = book.markets.iter().map(|(_, mark)| *mark).collect();
    let mut accounts: Vec<Holding> = holdings.to_vec();
    let start_equity = accounts
        .iter()
        .map(|a| equity(&book, a))
        .collect::<Result<Vec<_>>>()?;
    let mut steps = Vec::new();
    for moves in &scenario.steps {
        for &(index, bps) in moves {
            let at = book
                .markets
                .iter()
                .position(|(m, _)| m.index == index)
                .ok_or(RingfenceError::MarketNotFound)?;
            book.markets[at].1 = moved(start_marks[at], bps)?;
        }
        let marks = book.markets.iter().map(|(m, p)| (m.index, *p)).collect();
        let mut step = Vec::new();
        for account in &mut accounts {
            step.push(liquidate_all(&mut book, account)?);
        }
        steps.push(StepOutcome {
            marks,
            accounts: step,
        });
    }
    let mut total_loss = I80F48::ZERO;
    for (account, start) in accounts.iter().zip(&start_equity) {
        total_loss += *start - equity(&book, account)?;
    }
    Ok(Outcome {
        start_equity,
        steps,
        total_loss,
    })
}

/// `mark` moved by `bps` basis points.
fn moved(mark: I80F48, bps: i64) -> Result<I80F48> {
    Ok(mul_div(
        mark,
        i128::from(10_000 + bps),
        10_000,
        Round::Down,
    )?)
}

fn priced<'b>(book: &'b Book) -> impl FnMut(u16) -> Option<(&'b Market, I80F48)> + 'b {
    |index| {
        book.markets
            .iter()
            .find(|(m, _)| m.index == index)
            .map(|(m, p)| (m, *p))
    }
}

/// Equity of `account` at the book's marks.
pub fn equity(book: &Book, account: &Holding) -> Result<I80F48> {
    let detail = health_detail_with(&account.header, &account.positions, book.now, priced(book))?;
    Ok(detail.health.equity)
}

/// Liquidates `account` at the book's marks until the program would refuse.
fn liquidate_all(book: &mut Book, account: &mut Holding) -> Result<AccountStep> {
    let detail = health_detail_with(&account.header, &account.positions, book.now, priced(book))?;
    let mut closures = Vec::new();
    let mut complete = false;
    for _ in 0..=MAX_LIQUIDATIONS {
        let detail =
            health_detail_with(&account.header, &account.positions, book.now, priced(book))?;
        let open = account.positions.iter().any(Position::is_open);
        if !open || !may_liquidate(account.header.being_liquidated == 1, &detail.health)? {
            complete = true;
            break;
        }
        if closures.len() == MAX_LIQUIDATIONS {
            break;
        }
        // Largest maintenance; a tie goes to the lowest market index, as the keeper chooses.
        let market_of = |s: usize| account.positions[s].market_index;
        let slot = (0..account.positions.len())
            .filter(|&s| account.positions[s].is_open())
            .max_by(|&a, &b| {
                let by_maintenance = detail.maintenance[a].cmp(&detail.maintenance[b]);
                by_maintenance.then(market_of(b).cmp(&market_of(a)))
            })
            .ok_or(RingfenceError::NoPosition)?;
        closures.push(liquidate_one(book, account, slot)?);
    }
    let after = health_detail_with(&account.header, &account.positions, book.now, priced(book))?;
    Ok(AccountStep {
        key: account.key,
        equity_before: detail.health.equity,
        maintenance_before: detail.health.maintenance_requirement,
        closures,
        equity_after: after.health.equity,
        collateral_after: account.header.collateral,
        positions_left: account.positions.iter().filter(|p| p.is_open()).count(),
        complete,
    })
}

/// One `liquidate` of the position in `slot`, as the program runs it (funding accrued first).
fn liquidate_one(book: &mut Book, account: &mut Holding, slot: usize) -> Result<Closure> {
    let index = account.positions[slot].market_index;
    let at = book
        .markets
        .iter()
        .position(|(m, _)| m.index == index)
        .ok_or(RingfenceError::MissingMarketAccount)?;
    let (mut market, mark) = book.markets[at];
    let (mut exchange, mut pool) = (book.exchange.clone(), book.pool.clone());
    accrue(&mut market, &mut pool, mark, book.now)?;
    let others = &book.markets;
    let now = book.now;
    let done = liquidate_position(
        (&mut exchange, &mut pool),
        account.key,
        (&mut account.header, &mut account.positions, slot),
        &mut market,
        FillMark::assume_fresh(mark, now),
        u64::MAX,
        |sub, positions, named| {
            health_detail_with(sub, positions, now, |i| {
                if i == named.index {
                    Some((named, mark))
                } else {
                    others
                        .iter()
                        .find(|(m, _)| m.index == i)
                        .map(|(m, p)| (m, *p))
                }
            })
        },
    )?;
    book.markets[at].0 = market;
    book.exchange = exchange;
    book.pool = pool;
    Ok(Closure {
        market_index: index,
        closed: done.closed,
        fill_price: done.filled.price,
        realized_pnl: done.filled.realized_pnl,
        penalty: done.penalty,
        bankrupt: done.bankrupt,
    })
}

/// The counterfactual in cross margin: every position of `holdings` in one cross sub-account
/// holding all their collateral. Each position's funding is settled first (so their snapshots
/// agree); two positions in one market merge (sizes and entries added, the first's leverage).
/// Refused with `PositionSideMismatch` for opposite sides of one market and
/// `TooManyPositions` beyond a cross sub-account's eight slots.
pub fn as_one_cross(book: &Book, holdings: &[Holding]) -> Result<Holding> {
    silenced(|| merge_all(book, holdings))
}

fn merge_all(book: &Book, holdings: &[Holding]) -> Result<Holding> {
    let mut header = holdings.first().ok_or(RingfenceError::NoPosition)?.header;
    (header.mode, header.isolated_market, header.being_liquidated) = (0, 0, 0);
    header.collateral = 0;
    let mut positions = vec![Position::default(); ringfence::state::CROSS_POSITION_SLOTS];
    for holding in holdings {
        let mut sub = holding.header;
        for position in holding.positions.iter().filter(|p| p.is_open()) {
            let mut position = *position;
            let (mut market, _) = *book
                .markets
                .iter()
                .find(|(m, _)| m.index == position.market_index)
                .ok_or(RingfenceError::MissingMarketAccount)?;
            ringfence::funding::settle(&mut sub, &mut position, &mut market, holding.key)?;
            merge(&mut positions, position)?;
        }
        header.collateral = header
            .collateral
            .checked_add(sub.collateral)
            .ok_or(RingfenceError::MathOverflow)?;
        if !std::ptr::eq(holding, &holdings[0]) {
            // The pool's claims on and by the merged accounts follow their collateral.
            header.pool_debt = header.pool_debt.saturating_add(holding.header.pool_debt);
            header.claim = header.claim.saturating_add(holding.header.claim);
        }
    }
    header.has_positions = u8::from(positions.iter().any(Position::is_open));
    Ok(Holding {
        key: holdings[0].key,
        header,
        positions,
    })
}

fn merge(positions: &mut [Position], position: Position) -> Result<()> {
    if let Some(held) = positions
        .iter_mut()
        .find(|p| p.is_open() && p.market_index == position.market_index)
    {
        require!(
            held.base.signum() == position.base.signum(),
            RingfenceError::PositionSideMismatch
        );
        held.base = held
            .base
            .checked_add(position.base)
            .ok_or(RingfenceError::MathOverflow)?;
        held.quote_entry = held
            .quote_entry
            .checked_add(position.quote_entry)
            .ok_or(RingfenceError::MathOverflow)?;
        return Ok(());
    }
    let free = positions
        .iter_mut()
        .find(|p| !p.is_open())
        .ok_or(RingfenceError::TooManyPositions)?;
    *free = position;
    Ok(())
}

/// The counterfactual in isolated margin: each position of `holdings` in its own isolated
/// sub-account whose margin is the position's initial requirement at the book's marks (what
/// opening it there would have locked), capped by what its sub-account holds; the rest of each
/// sub-account's collateral stays in one empty cross sub-account, out of reach of any
/// liquidation. Returns the isolated sub-accounts, then that cross one.
pub fn as_isolated(book: &Book, holdings: &[Holding]) -> Result<Vec<Holding>> {
    let mut split = Vec::new();
    let mut free = 0i64;
    for holding in holdings {
        let mut left = holding.header.collateral;
        for position in holding.positions.iter().filter(|p| p.is_open()) {
            let (market, mark) = book
                .markets
                .iter()
                .find(|(m, _)| m.index == position.market_index)
                .ok_or(RingfenceError::MissingMarketAccount)?;
            let risk = ringfence::math::margin::PositionRisk::new(
                &market.position_input(position),
                &market.risk(*mark),
                I80F48::ZERO,
            )?;
            let margin = ringfence::math::fixed_point::to_i64_ceil(risk.initial_requirement)?
                .min(left.max(0));
            left -= margin;
            let mut header = holding.header;
            (header.mode, header.isolated_market) = (1, position.market_index);
            (
                header.collateral,
                header.has_positions,
                header.being_liquidated,
            ) = (margin, 1, 0);
            // Claims and debts to the pool stay with the free collateral, counted once.
            (header.pool_debt, header.claim, header.claim_ticket) = (0, 0, 0);
            split.push(Holding {
                key: holding.key,
                header,
                positions: vec![*position],
            });
        }
        free += left;
    }
    let mut rest = holdings.first().ok_or(RingfenceError::NoPosition)?.header;
    rest.isolated_market = 0;
    rest.pool_debt = holdings.iter().map(|h| h.header.pool_debt).sum();
    rest.claim = holdings.iter().map(|h| h.header.claim).sum();
    (
        rest.mode,
        rest.has_positions,
        rest.being_liquidated,
        rest.collateral,
    ) = (0, 0, 0, free);
    split.push(Holding {
        key: holdings[0].key,
        header: rest,
        positions: vec![Position::default(); ringfence::state::CROSS_POSITION_SLOTS],
    });
    Ok(split)
}
