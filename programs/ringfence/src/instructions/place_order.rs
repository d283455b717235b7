//! The owner (or its delegate) rests a limit order in one of the sub-account's order slots:
//! anyone may execute it once the oracle crosses its limit (`execute_order`). An order the
//! mark has already crossed is refused (it would be an open that skips `open_position`'s
//! signer and lets its placer pick the keeper fee's payee at once), and so is a reduce-only
//! order with nothing to reduce. A slot whose order is dead (`prune_order::dead`) is reused.

use crate::authority::{permits, Right};
use crate::error::RingfenceError;
use crate::events::OrderPlaced;
use crate::instructions::execute_order::crossed;
use crate::instructions::prune_order::dead;
use crate::instructions::Side;
use crate::oracle::mark_price;
use crate::state::{
    load_sub_account_with_orders_mut, Market, MarketStatus, RestingOrder, SubAccount,
    SubAccountMode,
};
use anchor_lang::prelude::*;

/// The longest an order may rest.
pub const MAX_ORDER_LIFETIME_S: i64 = 30 * 24 * 3_600;

/// Arguments of `place_order`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub struct PlaceOrderArgs {
    /// Buy (long) or sell (short).
    pub side: Side,
    /// Size, base atoms.
    pub base: u64,
    /// Leverage of the position it opens or increases (1 ..= market max).
    pub leverage: u16,
    /// Worst acceptable fill, quote native units per whole base unit, premium included.
    pub limit_price: u64,
    /// Unix time from which it can no longer execute (at most 30 days ahead).
    pub expiry: i64,
    /// Only ever reduce an opposite position (never open, grow or flip one).
    pub reduce_only: bool,
}

/// Accounts of `place_order`.
#[derive(Accounts)]
pub struct PlaceOrder<'info> {
    /// The sub-account's owner or its delegate.
    pub trader: Signer<'info>,
    /// The sub-account.
    #[account(mut, constraint = permits(&sub_account, trader.key, Right::Trade)? @ RingfenceError::NotOwnerOrDelegate)]
    pub sub_account: AccountLoader<'info, SubAccount>,
    /// The order's market: Active for an order that may open, or ReduceOnly for a
    /// reduce-only order.
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's oracle, checked by `oracle::mark_price`.
    #[account(address = market.load()?.oracle @ RingfenceError::OracleAccountMismatch)]
    pub oracle: UncheckedAccount<'info>,
}

impl PlaceOrder<'_> {
    /// Checks `args` and stores the order in the first free slot.
    pub fn handler(ctx: Context<PlaceOrder>, args: PlaceOrderArgs) -> Result<()> {
        let market = ctx.accounts.market.load()?;
        let clock = Clock::get()?;
        let now = clock.unix_timestamp;
        let sane = args.base > 0
            && i64::try_from(args.base).is_ok()
            && args.limit_price > 0
            && args.expiry > now
            && args.expiry <= now.saturating_add(MAX_ORDER_LIFETIME_S);
        require!(sane, RingfenceError::InvalidOrder);
        require!(
            (1..=market.params.max_leverage).contains(&args.leverage),
            RingfenceError::InvalidLeverage
        );
        let allowed = match market.status() {
            MarketStatus::Active => true,
            MarketStatus::ReduceOnly => args.reduce_only,
            MarketStatus::Paused => false,
        };
        require!(allowed, RingfenceError::MarketNotActive);
        let info = ctx.accounts.sub_account.to_account_info();
        let (sub_account, positions, mut orders) = load_sub_account_with_orders_mut(&info)?;
        if let SubAccountMode::Isolated { market_index } = sub_account.mode() {
            require_eq!(
                market_index,
                market.index,
                RingfenceError::IsolatedMarketMismatch
            );
        }
        let order = RestingOrder {
            base: args.base,
            limit_price: args.limit_price,
            expiry: args.expiry,
            placed_at: now,
            market_index: market.index,
            leverage: args.leverage,
            side: u8::from(args.side == Side::Short),
            reduce_only: u8::from(args.reduce_only),
            placed_slot: clock.slot,
            ..RestingOrder::default()
        };
        require!(
            !(args.reduce_only && dead(&order, &positions, now)),
            RingfenceError::NothingToReduce
        );
        let mark = mark_price(&market, &ctx.accounts.oracle, &clock)?;
        require!(!crossed(&order, mark)?, RingfenceError::OrderAlreadyCrossed);
        let slot = orders
            .iter()
            .position(|o| !o.is_open() || dead(o, &positions, now))
            .ok_or(RingfenceError::OrderSlotsFull)?;
        orders[slot] = order;
        crate::events::emit(OrderPlaced {
            sub_account: info.key(),
            slot: slot as u8,
            market_index: market.index,
            base_delta: orders[slot]
                .base_delta()
                .ok_or(RingfenceError::MathOverflow)?,
            leverage: args.leverage,
            limit_price: args.limit_price,
            expiry: args.expiry,
            reduce_only: args.reduce_only,
        });
        Ok(())
    }
}
