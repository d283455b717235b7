//! The trade engine between instructions and math: the one fill function, and the money that
//! moves beside fills (fees, realized PnL, bankruptcy, keeper pay) between a sub-account, the
//! pool, the insurance fund and the protocol.

use crate::error::RingfenceError;
use crate::events::{BankruptcyResolved, ClaimIssued};
use crate::funding::accrue;
use crate::math::fixed_point::{from_u64, mul_div, Round};
use crate::math::trade::{
    fee_on_notional, fill_price, fill_quote, released_quote_entry, skew_premium, split,
};
use crate::math::units::{base_value, notional, QUOTE_DECIMALS};
use crate::math::I80F48;
use crate::oracle::{fill_mark, FillMark};
use crate::pool_equity::{oi_required, pool_equity, revalue, LpFlow};
use crate::state::{Exchange, Market, MarketParams, Pool, Position, SubAccount};
use anchor_lang::prelude::*;

/// What one fill costs.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Fill {
    /// Fill price, quote per whole base unit.
    pub price: I80F48,
    /// Change of the trader's entry quote, quote native (negative when buying).
    pub quote: i64,
    /// Taker fee, quote native.
    pub fee: u64,
}

/// Prices a trade of `base_delta` atoms against the pool at `mark` plus the skew premium and
/// checks it against `limit_price` (quote native units per whole base unit: a buy must fill at
/// or below it, a sell at or above it). Pure: it moves nothing; `fill` is the only function
/// that applies a price to a position (the SDK's preview calls `fill` on copies).
pub fn quote_fill(
    market: &Market,
    mark: I80F48,
    base_delta: i64,
    limit_price: u64,
) -> Result<Fill> {
    let net_before = market.net_base()?;
    let net_after = net_before
        .checked_add(base_delta)
        .ok_or(RingfenceError::MathOverflow)?;
    let skew_before = base_value(net_before, mark, Round::Down)?;
    let skew_after = base_value(net_after, mark, Round::Down)?;
    let params = &market.params;
    let premium = skew_premium(
        skew_before,
        skew_after,
        params.skew_scale,
        params.max_premium_bps,
    )?;
    let price = fill_price(mark, premium, base_delta > 0)?;
    let price_in_native = mul_div(price, 10i128.pow(QUOTE_DECIMALS), 1, Round::Down)?;
    let limit = from_u64(limit_price);
    let within_limit = if base_delta > 0 {
        price_in_native <= limit
    } else {
        price_in_native >= limit
    };
    require!(within_limit, RingfenceError::SlippageExceeded);
    Ok(Fill {
        price,
        quote: fill_quote(base_delta, price)?,
        fee: fee_on_notional(base_delta, price, params.taker_fee_bps)?,
    })
}

/// What a fill charges beside its price.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Charge {
    /// The taker fee: every fill a trader or its keeper causes (opens, closes, triggers).
    TakerFee,
    /// Nothing: a liquidation, whose penalty the liquidation books out of equity.
    LiquidationPenaltyInstead,
}

/// One change of a position: `base_delta` atoms (positive buys), no worse than `limit_price`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Order {
    /// Signed size change, base atoms. Against an open position it may reduce it, to zero at
    /// most; it never flips the side.
    pub base_delta: i64,
    /// Worst acceptable fill price, quote native per whole base unit.
    pub limit_price: u64,
    /// What the fill charges beside its price.
    pub charge: Charge,
}

impl Order {
    /// A close of `closing` atoms (same sign as the position) at whatever the fill gives:
    /// forced fills (triggers, liquidations) carry no limit of their own.
    pub fn forced_close(closing: i64, charge: Charge) -> Self {
        Self {
            base_delta: -closing,
            limit_price: if closing > 0 { 0 } else { u64::MAX },
            charge,
        }
    }
}

/// What a fill did.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Filled {
    /// Price, quote per whole base unit.
    pub price: I80F48,
    /// The oracle mark it was priced from (price = mark × (1 + premium)).
    pub mark: I80F48,
    /// Quote the position's entry changed by (increase) or the trader received (reduce).
    pub quote: i64,
    /// Taker fee booked (never more than the collateral held), quote native.
    pub fee: u64,
    /// Of the fee, the protocol's share (the rest is the pool's), quote native.
    pub protocol_fee: u64,
    /// PnL realized into collateral by a reduce, quote native (zero for an increase).
    pub realized_pnl: i64,
}

/// The first step of every fill: the market's fresh fill price (`oracle::fill_mark`), and its
/// funding accrued to now at that price, so the position can then be settled and filled.
pub fn fresh_mark_with_funding(
    market: &mut Market,
    pool: &mut Pool,
    oracle: &AccountInfo,
    clock: &Clock,
) -> Result<FillMark> {
    let mark = fill_mark(market, oracle, clock)?;
    accrue(market, pool, mark.price(), clock.unix_timestamp)?;
    Ok(mark)
}

/// The protocol's ledgers a fill books into.
pub struct Ledgers<'a> {
    /// The exchange (protocol fee ledger).
    pub exchange: &'a mut Exchange,
    /// The pool, counterparty of every fill.
    pub pool: &'a mut Pool,
}

/// The one fill function: every change of a position (open, close, trigger, liquidation, and
/// any later order type) goes through here and nothing else moves base or quote. It prices the
/// order against the pool at the fresh mark plus the exact skew premium, applies it to
/// the position in `slot` (a new one must already carry its market, leverage and funding snapshot),
/// updates the market's open interest, realizes the PnL of a reduce against the pool, books
/// the taker fee when the order says so, and revalues the market's terms in the pool.
pub fn fill(
    sub_account: &mut SubAccount,
    positions: &mut [Position],
    slot: usize,
    market: &mut Market,
    ledgers: Ledgers,
    mark: FillMark,
    order: Order,
) -> Result<Filled> {
    require!(order.base_delta != 0, RingfenceError::ZeroSize);
    let Ledgers { exchange, pool } = ledgers;
    // Funding settled just before may have raised collateral over a debt to the pool.
    repay_pool_debt(sub_account, pool)?;
    let position = &mut positions[slot];
    let priced = quote_fill(market, mark.price(), order.base_delta, order.limit_price)?;
    let held = position.base;
    let reducing = held != 0 && held.signum() != order.base_delta.signum();
    let realized_pnl = if reducing {
        require_gte!(
            held.unsigned_abs(),
            order.base_delta.unsigned_abs(),
            RingfenceError::CloseSizeTooLarge
        );
        reduce_position(
            sub_account,
            position,
            market,
            pool,
            -order.base_delta,
            priced.quote,
        )?
    } else {
        increase_position(position, market, order.base_delta, priced.quote)?;
        0
    };
    let (fee, protocol_fee) = match order.charge {
        Charge::TakerFee => {
            let open = positions.iter().any(Position::is_open);
            book_fee(sub_account, open, exchange, pool, market, priced.fee)?
        }
        Charge::LiquidationPenaltyInstead => (0, 0),
    };
    sub_account.refresh_has_positions(positions);
    revalue(market, pool, mark.price(), mark.now())?;
    Ok(Filled {
        price: priced.price,
        mark: mark.price(),
        quote: priced.quote,
        fee,
        protocol_fee,
        realized_pnl,
    })
}

/// Grows `position` by `base_delta` atoms for `quote` (negative when buying).
fn increase_position(
    position: &mut Position,
    market: &mut Market,
    base_delta: i64,
    quote: i64,
) -> Result<()> {
    let held = position.base;
    position.base = held
        .checked_add(base_delta)
        .ok_or(RingfenceError::MathOverflow)?;
    position.quote_entry = position
        .quote_entry
        .checked_add(quote)
        .ok_or(RingfenceError::MathOverflow)?;
    market.record_trade(held, base_delta, quote)
}

/// Charges `fee` to the sub-account and splits it between the protocol's fee ledger and the
/// pool as the market says. What collateral does not cover is a debt to the pool (so a cross
/// account trading on unrealized profit pays in full), except when the fill left no position
/// open: a bankrupt close pays only what it holds, so no insurance ever pays a taker fee.
/// Returns the fee charged and the protocol's share of it.
fn book_fee(
    sub_account: &mut SubAccount,
    positions_open: bool,
    exchange: &mut Exchange,
    pool: &mut Pool,
    market: &Market,
    fee: u64,
) -> Result<(u64, u64)> {
    let covered = fee.min(u64::try_from(sub_account.collateral.max(0)).unwrap_or(0));
    let fee = if positions_open { fee } else { covered };
    let (protocol, _) = split(fee, market.params.protocol_fee_share_bps)?;
    let protocol = protocol.min(covered);
    add_collateral(sub_account, -signed(fee)?)?;
    exchange.protocol_fees = exchange
        .protocol_fees
        .checked_add(protocol)
        .ok_or(RingfenceError::MathOverflow)?;
    pool.credit(covered - protocol)?;
    add_debt(sub_account, pool, fee - covered)?;
    Ok((fee, protocol))
}

/// Moves realized `pnl` (positive = the trader's profit) between the pool and the sub-account.
/// A loss is credited to the pool as far as collateral covers it; the rest is the
/// sub-account's debt to the pool, booked as the pool's receivable (never as balance). A profit
/// first repays that debt, then is paid from what the pool holds; what it cannot pay now
/// becomes the sub-account's claim, paid first from the pool's later inflows (`Pool::credit`),
/// so a winning close is never refused and nothing is minted.
fn book_pnl(sub_account: &mut SubAccount, pool: &mut Pool, pnl: i64) -> Result<()> {
    let magnitude = pnl.unsigned_abs();
    if pnl < 0 {
        let covered = magnitude.min(u64::try_from(sub_account.collateral.max(0)).unwrap_or(0));
        pool.credit(covered)?;
        add_debt(sub_account, pool, magnitude - covered)?;
        return add_collateral(sub_account, pnl);
    }
    let netted = magnitude.min(sub_account.pool_debt);
    sub_account.pool_debt -= netted;
    pool.receivable -= netted;
    add_collateral(sub_account, signed(netted)?)?;
    let owed = magnitude - netted;
    let paid = pool.pay_up_to(owed);
    add_collateral(sub_account, signed(paid)?)?;
    if owed > paid {
        issue_claim(sub_account, pool, owed - paid)?;
    }
    Ok(())
}

fn add_debt(sub_account: &mut SubAccount, pool: &mut Pool, amount: u64) -> Result<()> {
    sub_account.pool_debt = sub_account
        .pool_debt
        .checked_add(amount)
        .ok_or(RingfenceError::MathOverflow)?;
    pool.receivable = pool
        .receivable
        .checked_add(amount)
        .ok_or(RingfenceError::MathOverflow)?;
    Ok(())
}

/// Adds `amount` to the sub-account's claim, which takes the newest ticket (a claim already
/// funded is paid out first).
fn issue_claim(sub_account: &mut SubAccount, pool: &mut Pool, amount: u64) -> Result<()> {
    redeem_claim(sub_account, pool)?;
    let ticket = pool.issue_claim(amount)?;
    sub_account.claim = sub_account
        .claim
        .checked_add(amount)
        .ok_or(RingfenceError::MathOverflow)?;
    sub_account.claim_ticket = ticket;
    crate::events::emit(ClaimIssued {
        owner: sub_account.owner,
        sub_account_id: sub_account.id,
        amount,
        claim: sub_account.claim,
        ticket,
    });
    Ok(())
}

/// Pays a sub-account's claim into its collateral once the pool has funded it (its ticket is
/// reached and the pot holds it), then lets the collateral repay any debt to the pool; returns
/// what was paid (zero while it waits).
pub fn redeem_claim(sub_account: &mut SubAccount, pool: &mut Pool) -> Result<u64> {
    let claim = sub_account.claim;
    if claim == 0 || pool.claims_funded < sub_account.claim_ticket || pool.claim_pot < claim {
        return Ok(0);
    }
    pool.redeem_claim(claim)?;
    sub_account.claim = 0;
    add_collateral(sub_account, signed(claim)?)?;
    repay_pool_debt(sub_account, pool)?;
    Ok(claim)
}

/// Whatever part of the sub-account's debt to the pool its collateral now covers (a deposit, a
/// redeemed claim, insurance) becomes the pool's money: receivable → balance.
pub fn repay_pool_debt(sub_account: &mut SubAccount, pool: &mut Pool) -> Result<()> {
    let still_owed = sub_account.collateral.min(0).unsigned_abs();
    let repaid = sub_account.pool_debt.saturating_sub(still_owed);
    if repaid > 0 {
        sub_account.pool_debt -= repaid;
        pool.receivable -= repaid;
        pool.credit(repaid)?;
    }
    Ok(())
}

fn signed(amount: u64) -> Result<i64> {
    i64::try_from(amount).map_err(|_| RingfenceError::MathOverflow.into())
}

fn add_collateral(sub_account: &mut SubAccount, amount: i64) -> Result<()> {
    sub_account.collateral = sub_account
        .collateral
        .checked_add(amount)
        .ok_or(RingfenceError::MathOverflow)?;
    Ok(())
}

/// Refuses an open that breaks the caps: each side's open interest at `mark` within the
/// market's cap; the side the open grew (`buying`: the long side) within its share of the
/// pool's lower equity plus `insurance`; and if it grew the market's net exposure, the pool's
/// summed exposure within that equity.
pub fn check_caps(
    market: &Market,
    pool: &Pool,
    insurance: u64,
    mark: I80F48,
    net_before: i64,
    buying: bool,
) -> Result<()> {
    let cap = from_u64(market.params.max_open_interest);
    for side in [market.open_interest_long, market.open_interest_short] {
        let size = i64::try_from(side).map_err(|_| RingfenceError::MathOverflow)?;
        require!(
            notional(size, mark)? <= cap,
            RingfenceError::OpenInterestCapExceeded
        );
    }
    let equity = pool_equity(pool, LpFlow::Withdrawal);
    let side = if buying {
        market.open_interest_long
    } else {
        market.open_interest_short
    };
    let needed = oi_required(market, side, mark)?;
    require!(
        i128::from(needed) <= equity + i128::from(insurance),
        RingfenceError::PoolOpenInterestCapExceeded
    );
    if market.net_base()?.unsigned_abs() > net_before.unsigned_abs() {
        require!(
            i128::from(pool.total_exposure) <= equity,
            RingfenceError::PoolExposureExceeded
        );
    }
    Ok(())
}

/// Reduces `position` by `closing` atoms (same sign as the position) for `quote` (the quote the
/// trader receives, negative when buying back), realizes the PnL against the pool and updates
/// the market. Returns the realized PnL, quote native.
fn reduce_position(
    sub_account: &mut SubAccount,
    position: &mut Position,
    market: &mut Market,
    pool: &mut Pool,
    closing: i64,
    quote: i64,
) -> Result<i64> {
    let held = position.base;
    let released = released_quote_entry(position.quote_entry, held, closing)?;
    let pnl = quote
        .checked_add(released)
        .ok_or(RingfenceError::MathOverflow)?;
    position.base = held
        .checked_sub(closing)
        .ok_or(RingfenceError::MathOverflow)?;
    position.quote_entry = position
        .quote_entry
        .checked_sub(released)
        .ok_or(RingfenceError::MathOverflow)?;
    if !position.is_open() {
        *position = Position::default();
    }
    market.record_trade(held, -closing, -released)?;
    book_pnl(sub_account, pool, pnl)?;
    Ok(pnl)
}

/// When a sub-account has no position left and negative collateral, its own funded claim is
/// paid in first; while an unfunded claim remains, nothing else is done (its redemption will
/// repay the debt, see `redeem_claim`). Otherwise the insurance fund pays the deficit, which
/// reaches the pool as the debt's repayment; what insurance cannot pay is written off: the
/// receivable part costs the pool's balance nothing (it never held it), a part the pool was
/// credited in its balance (funding charged beyond collateral) is taken from that balance, and
/// anything beyond stays on the sub-account as negative collateral (visible bad debt) rather
/// than being covered by minting.
pub fn resolve_bankruptcy(
    sub_account: &mut SubAccount,
    positions: &[Position],
    exchange: &mut Exchange,
    pool: &mut Pool,
    key: Pubkey,
) -> Result<()> {
    repay_pool_debt(sub_account, pool)?;
    if sub_account.collateral >= 0 || positions.iter().any(Position::is_open) {
        return Ok(());
    }
    redeem_claim(sub_account, pool)?;
    if sub_account.collateral >= 0 || sub_account.claim > 0 {
        return Ok(());
    }
    let deficit = sub_account.collateral.unsigned_abs();
    let insurance_paid = deficit.min(exchange.insurance_fund);
    exchange.insurance_fund -= insurance_paid;
    add_collateral(sub_account, signed(insurance_paid)?)?;
    repay_pool_debt(sub_account, pool)?;
    let written_off = sub_account.pool_debt;
    sub_account.pool_debt = 0;
    pool.receivable -= written_off;
    let rest = deficit - insurance_paid - written_off;
    let pool_paid = pool.pay_up_to(rest);
    add_collateral(sub_account, signed(written_off + pool_paid)?)?;
    crate::events::emit(BankruptcyResolved {
        sub_account: key,
        deficit,
        insurance_paid,
        pool_absorbed: written_off + pool_paid,
    });
    Ok(())
}

/// The most a keeper fee may be of the notional it executes: 10 bps, so a delegate that
/// places tiny orders or triggers for an accomplice to execute drains no more than it would
/// by trading the same notional.
pub const MAX_KEEPER_FEE_BPS: u16 = 10;

/// The keeper fee for executing `base_delta` atoms at `mark`: the market's
/// `trigger_keeper_fee`, at most [`MAX_KEEPER_FEE_BPS`] of the notional.
pub fn keeper_fee_for(params: &MarketParams, base_delta: i64, mark: I80F48) -> Result<u64> {
    let cap = fee_on_notional(base_delta, mark, MAX_KEEPER_FEE_BPS)?;
    Ok(params.trigger_keeper_fee.min(cap))
}

/// Takes up to `amount` of the sub-account's collateral (never more than it has) for a keeper
/// or liquidator; returns what was taken, which the caller pays out of the vault.
pub fn take_for_keeper(sub_account: &mut SubAccount, amount: u64) -> u64 {
    let available = u64::try_from(sub_account.collateral.max(0)).unwrap_or(0);
    let taken = amount.min(available);
    sub_account.collateral -= taken as i64;
    taken
}
