//! Opens or increases a position against the pool at oracle × (1 + skew premium).

use crate::authority::{permits, Right};
use crate::error::RingfenceError;
use crate::events::PositionOpened;
use crate::funding::settle;
use crate::health::{checked_health, PricedMarket};
use crate::state::{
    load_sub_account_mut, position_slot, Exchange, Market, MarketStatus, Pool, Position,
    SubAccount, SubAccountMode, EXCHANGE_SEED, POOL_SEED,
};
use crate::trade::{
    check_caps, fill, fresh_mark_with_funding, take_for_keeper, Charge, Filled, Ledgers, Order,
};
use anchor_lang::prelude::*;

/// Which way a trade goes.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum Side {
    /// Buy: the size grows.
    Long,
    /// Sell: the size shrinks below zero.
    Short,
}

/// Arguments of `open_position`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct OpenPositionArgs {
    /// Long or short.
    pub side: Side,
    /// Size to add, base atoms.
    pub base: u64,
    /// Leverage (1 ..= market max); an existing position must be increased at its own.
    pub leverage: u16,
    /// Worst acceptable fill, quote native units per whole base unit ($50,000 = 50_000_000_000).
    pub limit_price: u64,
}

/// Accounts of `open_position`. Remaining accounts: `[market, oracle]` for each of the
/// sub-account's other open positions.
#[derive(Accounts)]
pub struct OpenPosition<'info> {
    /// The sub-account's owner or its delegate.
    pub trader: Signer<'info>,
    /// The exchange (protocol fee ledger).
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The pool, counterparty of the trade.
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
    /// The sub-account.
    #[account(mut, constraint = permits(&sub_account, trader.key, Right::Trade)? @ RingfenceError::NotOwnerOrDelegate)]
    pub sub_account: AccountLoader<'info, SubAccount>,
    /// The market traded; it must be Active (checked by `open`).
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's oracle, checked by `oracle::mark_price`.
    pub oracle: UncheckedAccount<'info>,
}

impl<'info> OpenPosition<'info> {
    /// Fills `args` and checks initial margin afterwards.
    pub fn handler(ctx: Context<'info, OpenPosition<'info>>, args: OpenPositionArgs) -> Result<()> {
        let accounts = ctx.accounts;
        let clock = Clock::get()?;
        let mut market = accounts.market.load_mut()?;
        let sub_account_info = accounts.sub_account.to_account_info();
        let (mut sub_account, mut positions) = load_sub_account_mut(&sub_account_info)?;
        let opened = open(
            OpenAccounts {
                sub_account_key: sub_account_info.key(),
                market_key: accounts.market.key(),
                exchange: &mut accounts.exchange,
                pool: &mut accounts.pool,
                oracle: &accounts.oracle,
                remaining: ctx.remaining_accounts,
                clock: &clock,
            },
            &mut sub_account,
            &mut positions,
            &mut market,
            args,
            0,
        )?;
        crate::events::emit(PositionOpened {
            sub_account: sub_account_info.key(),
            market_index: market.index,
            base_delta: opened.base_delta,
            fill_price_bits: opened.filled.price.to_bits(),
            mark_bits: opened.filled.mark.to_bits(),
            quote_delta: opened.filled.quote,
            fee: opened.filled.fee,
            protocol_fee: opened.filled.protocol_fee,
            base: positions[opened.slot].base,
            collateral: sub_account.collateral,
        });
        Ok(())
    }
}

/// The accounts an open prices and books against, beside the sub-account and market.
pub struct OpenAccounts<'a, 'info> {
    /// The sub-account's address (funding events).
    pub sub_account_key: Pubkey,
    /// The market's address (the health check's named market).
    pub market_key: Pubkey,
    /// The exchange (protocol fee ledger, insurance for the caps).
    pub exchange: &'a mut Account<'info, Exchange>,
    /// The pool, counterparty of the trade.
    pub pool: &'a mut Account<'info, Pool>,
    /// The market's oracle.
    pub oracle: &'a AccountInfo<'info>,
    /// `[market, oracle]` for each of the sub-account's other open positions.
    pub remaining: &'info [AccountInfo<'info>],
    /// The clock.
    pub clock: &'a Clock,
}

/// What an open did.
pub struct Opened {
    /// The fill.
    pub filled: Filled,
    /// The position slot it filled in.
    pub slot: usize,
    /// Signed size added.
    pub base_delta: i64,
    /// Keeper fee taken from collateral before the margin check.
    pub keeper_fee: u64,
}

/// The one way a position is opened or increased (`open_position`, `execute_order`): checks
/// leverage, the isolated market and the slot, settles funding, fills through the one fill
/// function with the taker fee, checks the pool's caps, takes `keeper_fee` (at most the
/// collateral) and then requires initial margin, which also ends a liquidation in progress.
pub fn open<'info>(
    accounts: OpenAccounts<'_, 'info>,
    sub_account: &mut SubAccount,
    positions: &mut [Position],
    market: &mut Market,
    args: OpenPositionArgs,
    keeper_fee: u64,
) -> Result<Opened> {
    require_gt!(args.base, 0, RingfenceError::ZeroSize);
    require!(
        market.status() == MarketStatus::Active,
        RingfenceError::MarketNotActive
    );
    let size = i64::try_from(args.base).map_err(|_| RingfenceError::MathOverflow)?;
    let base_delta = match args.side {
        Side::Long => size,
        Side::Short => -size,
    };
    require!(
        (1..=market.params.max_leverage).contains(&args.leverage),
        RingfenceError::InvalidLeverage
    );
    if let SubAccountMode::Isolated { market_index } = sub_account.mode() {
        require_eq!(
            market_index,
            market.index,
            RingfenceError::IsolatedMarketMismatch
        );
    }
    let slot = slot_for(positions, market.index, base_delta, args.leverage)?;
    let mark = fresh_mark_with_funding(market, accounts.pool, accounts.oracle, accounts.clock)?;
    if positions[slot].is_open() {
        settle(
            sub_account,
            &mut positions[slot],
            market,
            accounts.sub_account_key,
        )?;
    } else {
        positions[slot] = Position {
            market_index: market.index,
            leverage: args.leverage,
            funding_snapshot: market.cumulative_funding,
            ..Position::default()
        };
    }
    let net_before = market.net_base()?;
    let filled = fill(
        sub_account,
        positions,
        slot,
        market,
        Ledgers {
            exchange: accounts.exchange,
            pool: accounts.pool,
        },
        mark,
        Order {
            base_delta,
            limit_price: args.limit_price,
            charge: Charge::TakerFee,
        },
    )?;
    let mark = mark.price();
    check_caps(
        market,
        accounts.pool,
        accounts.exchange.insurance_fund,
        mark,
        net_before,
        base_delta > 0,
    )?;
    let keeper_fee = take_for_keeper(sub_account, keeper_fee);
    let priced = PricedMarket {
        key: accounts.market_key,
        market,
        mark,
    };
    let health = checked_health(
        sub_account,
        positions,
        accounts.remaining,
        accounts.clock,
        Some(&priced),
    )?;
    require!(
        health.meets_initial(),
        RingfenceError::InsufficientInitialMargin
    );
    // At initial margin an account is above its liquidation-end target.
    sub_account.being_liquidated = 0;
    Ok(Opened {
        filled,
        slot,
        base_delta,
        keeper_fee,
    })
}

/// The slot to trade in: the market's open position (same side and leverage) or a free one
/// (the SDK's preview uses it, so it foresees the same refusals).
pub fn slot_for(
    positions: &[Position],
    market_index: u16,
    base_delta: i64,
    leverage: u16,
) -> Result<usize> {
    if let Some(slot) = position_slot(positions, market_index) {
        let position = &positions[slot];
        require!(
            position.base.signum() == base_delta.signum(),
            RingfenceError::PositionSideMismatch
        );
        require_eq!(
            position.leverage,
            leverage,
            RingfenceError::LeverageMismatch
        );
        return Ok(slot);
    }
    positions
        .iter()
        .position(|p| !p.is_open())
        .ok_or_else(|| RingfenceError::TooManyPositions.into())
}
