//! The trade engine between instructions and math: the one fill function, and the money that
//! moves beside fills (fees, realized PnL, bankruptcy, keeper pay) between a sub-account, the
//! pool, the insurance fund and the protocol.

use crate::error::RingfenceError;
use crate::events::BankruptcyResolved;
use crate::funding::accrue;
use crate::math::fixed_point::{from_u64, mul_div, Round};
use crate::math::trade::{
    fee_on_notional, fill_price, fill_quote, released_quote_entry, skew_premium, split,
};
use crate::math::units::{base_value, notional, QUOTE_DECIMALS};
use crate::math::I80F48;
use crate::oracle::{fill_mark, FillMark};
use crate::state::{Exchange, Market, Pool, Position, SubAccount};
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
    /// Quote the position's entry changed by (increase) or the trader received (reduce).
    pub quote: i64,
    /// Taker fee booked, quote native.
    pub fee: u64,
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
/// updates the market's open interest, realizes the PnL of a reduce against the pool, and books
/// the taker fee when the order says so.
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
    let fee = match order.charge {
        Charge::TakerFee => {
            book_fee(sub_account, exchange, pool, market, priced.fee)?;
            priced.fee
        }
        Charge::LiquidationPenaltyInstead => 0,
    };
    sub_account.refresh_has_positions(positions);
    Ok(Filled {
        price: priced.price,
        quote: priced.quote,
        fee,
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

/// Takes `fee` from the sub-account's collateral and splits it between the protocol's fee
/// ledger and the pool as the market says.
fn book_fee(
    sub_account: &mut SubAccount,
    exchange: &mut Exchange,
    pool: &mut Pool,
    market: &Market,
    fee: u64,
) -> Result<()> {
    let (protocol, to_pool) = split(fee, market.params.protocol_fee_share_bps)?;
    let fee = i64::try_from(fee).map_err(|_| RingfenceError::MathOverflow)?;
    sub_account.collateral = sub_account
        .collateral
        .checked_sub(fee)
        .ok_or(RingfenceError::MathOverflow)?;
    exchange.protocol_fees = exchange
        .protocol_fees
        .checked_add(protocol)
        .ok_or(RingfenceError::MathOverflow)?;
    pool.balance = pool
        .balance
        .checked_add(to_pool)
        .ok_or(RingfenceError::MathOverflow)?;
    Ok(())
}

/// Moves realized `pnl` (positive = the trader's profit) between the pool and the sub-account.
/// The pool pays only what it holds.
fn book_pnl(sub_account: &mut SubAccount, pool: &mut Pool, pnl: i64) -> Result<()> {
    let magnitude = pnl.unsigned_abs();
    pool.balance = if pnl >= 0 {
        pool.balance
            .checked_sub(magnitude)
            .ok_or(RingfenceError::PoolCannotPay)?
    } else {
        pool.balance
            .checked_add(magnitude)
            .ok_or(RingfenceError::MathOverflow)?
    };
    sub_account.collateral = sub_account
        .collateral
        .checked_add(pnl)
        .ok_or(RingfenceError::MathOverflow)?;
    Ok(())
}

/// Refuses a market state that breaks the caps: each side's open interest at `mark` within the
/// market's cap, and the market's net exposure within what the pool holds.
pub fn check_caps(market: &Market, pool: &Pool, mark: I80F48) -> Result<()> {
    let cap = from_u64(market.params.max_open_interest);
    for side in [market.open_interest_long, market.open_interest_short] {
        let size = i64::try_from(side).map_err(|_| RingfenceError::MathOverflow)?;
        require!(
            notional(size, mark)? <= cap,
            RingfenceError::OpenInterestCapExceeded
        );
    }
    check_exposure(market, pool.balance, mark)
}

/// Refuses a net exposure in `market` larger than `pool_balance`.
pub fn check_exposure(market: &Market, pool_balance: u64, mark: I80F48) -> Result<()> {
    let exposure = notional(market.net_base()?, mark)?;
    require!(
        exposure <= from_u64(pool_balance),
        RingfenceError::PoolExposureExceeded
    );
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

/// When a sub-account has no position left and negative collateral, the insurance fund pays
/// the deficit and the pool absorbs what insurance cannot; collateral is set to zero.
pub fn resolve_bankruptcy(
    sub_account: &mut SubAccount,
    positions: &[Position],
    exchange: &mut Exchange,
    pool: &mut Pool,
    key: Pubkey,
) -> Result<()> {
    if sub_account.collateral >= 0 || positions.iter().any(Position::is_open) {
        return Ok(());
    }
    let deficit = sub_account.collateral.unsigned_abs();
    let insurance_paid = deficit.min(exchange.insurance_fund);
    let pool_absorbed = deficit - insurance_paid;
    exchange.insurance_fund -= insurance_paid;
    pool.balance = pool
        .balance
        .checked_sub(pool_absorbed)
        .ok_or(RingfenceError::PoolCannotPay)?;
    sub_account.collateral = 0;
    emit!(BankruptcyResolved {
        sub_account: key,
        deficit,
        insurance_paid,
        pool_absorbed,
    });
    Ok(())
}

/// Takes up to `amount` of the sub-account's collateral (never more than it has) for a keeper
/// or liquidator; returns what was taken, which the caller pays out of the vault.
pub fn take_for_keeper(sub_account: &mut SubAccount, amount: u64) -> u64 {
    let available = u64::try_from(sub_account.collateral.max(0)).unwrap_or(0);
    let taken = amount.min(available);
    sub_account.collateral -= taken as i64;
    taken
}
