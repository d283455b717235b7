//! Ringfence: perpetual futures on Solana with cross and isolated sub-accounts, an oracle mark
//! price, a liquidity pool as counterparty and permissionless liquidation.
//!
//! This file only dispatches; each instruction lives in `instructions/`, one per file.
#![allow(clippy::result_large_err)]

use anchor_lang::prelude::*;

/// Pins a type's size at compile time, so a layout change cannot slip through unnoticed.
macro_rules! const_assert_size {
    ($ty:ty, $size:expr) => {
        const _: () = assert!(core::mem::size_of::<$ty>() == $size);
    };
}

pub mod authority;
pub mod error;
pub mod events;
pub mod funding;
pub mod health;
pub mod instructions;
pub mod math;
#[cfg(not(target_os = "solana"))]
pub mod native;
pub mod oracle;
pub mod pool_equity;
pub mod state;
pub mod trade;
pub mod utils;

use instructions::*;
use state::{MarketParams, MarketStatus, SubAccountMode};

declare_id!("EDTxYcMk61AyvUNqFXBuRV4XbZnUyf4WjVqioHomv8D4");

/// The Ringfence program's instructions.
#[program]
pub mod ringfence {
    use super::*;

    /// Creates the exchange, its vault and the pool with its permanent settings (treasury,
    /// timelock, stub oracles allowed or not); the signer becomes admin.
    pub fn initialize_exchange(
        ctx: Context<InitializeExchange>,
        config: ExchangeConfig,
    ) -> Result<()> {
        InitializeExchange::handler(ctx, config)
    }

    /// Admin: creates the next market after checking its parameters and oracle.
    pub fn create_market(ctx: Context<CreateMarket>, args: CreateMarketArgs) -> Result<()> {
        CreateMarket::handler(ctx, args)
    }

    /// Admin: proposes new parameters for a market, applicable after the exchange's timelock.
    pub fn propose_market_update(
        ctx: Context<ProposeMarketUpdate>,
        params: MarketParams,
    ) -> Result<()> {
        ProposeMarketUpdate::handler(ctx, params)
    }

    /// Admin: applies a pending change after its timelock, accruing funding at the old
    /// parameters first.
    pub fn apply_market_update(ctx: Context<ApplyMarketUpdate>) -> Result<()> {
        ApplyMarketUpdate::handler(ctx)
    }

    /// Admin: withdraws a pending change.
    pub fn cancel_market_update(ctx: Context<CancelMarketUpdate>) -> Result<()> {
        CancelMarketUpdate::handler(ctx)
    }

    /// Admin: sets a market Active, ReduceOnly (no opens) or Paused (no opens, no new triggers);
    /// immediate, and closes, triggers, liquidations and funding keep working in every status.
    pub fn set_market_status(ctx: Context<SetMarketStatus>, status: MarketStatus) -> Result<()> {
        SetMarketStatus::handler(ctx, status)
    }

    /// Admin: proposes a successor (two-step transfer).
    pub fn propose_admin(ctx: Context<ProposeAdmin>, proposed: Pubkey) -> Result<()> {
        ProposeAdmin::handler(ctx, proposed)
    }

    /// Proposed admin: takes over.
    pub fn accept_admin(ctx: Context<AcceptAdmin>) -> Result<()> {
        AcceptAdmin::handler(ctx)
    }

    /// Admin: sets a stub oracle's price (`price × 10^exponent`, confidence `conf`).
    pub fn set_stub_price(
        ctx: Context<SetStubPrice>,
        price: i64,
        conf: u64,
        exponent: i32,
    ) -> Result<()> {
        SetStubPrice::handler(ctx, price, conf, exponent)
    }

    /// Wallet: creates its user account.
    pub fn create_user(ctx: Context<CreateUser>) -> Result<()> {
        CreateUser::handler(ctx)
    }

    /// Wallet: creates sub-account `id` (the next id) in cross or isolated mode.
    pub fn create_sub_account(
        ctx: Context<CreateSubAccount>,
        id: u16,
        mode: SubAccountMode,
    ) -> Result<()> {
        CreateSubAccount::handler(ctx, id, mode)
    }

    /// Owner: deposits collateral into a sub-account (remaining accounts, optional: market and
    /// oracle per position, to clear a liquidation flag the deposit has made stale).
    pub fn deposit<'info>(ctx: Context<'info, Deposit<'info>>, amount: u64) -> Result<()> {
        Deposit::handler(ctx, amount)
    }

    /// Owner: withdraws free collateral (remaining accounts: market and oracle per position).
    pub fn withdraw<'info>(ctx: Context<'info, Withdraw<'info>>, amount: u64) -> Result<()> {
        Withdraw::handler(ctx, amount)
    }

    /// Owner: moves collateral from one of its sub-accounts into an isolated one.
    pub fn add_margin<'info>(ctx: Context<'info, MoveMargin<'info>>, amount: u64) -> Result<()> {
        instructions::add_margin(ctx, amount)
    }

    /// Owner: moves collateral out of an isolated sub-account into another of its own, only
    /// while the isolated one keeps its initial margin (profit never counts).
    pub fn remove_margin<'info>(ctx: Context<'info, MoveMargin<'info>>, amount: u64) -> Result<()> {
        instructions::remove_margin(ctx, amount)
    }

    /// Owner: opens or increases a position (remaining accounts: the other positions' markets).
    pub fn open_position<'info>(
        ctx: Context<'info, OpenPosition<'info>>,
        args: OpenPositionArgs,
    ) -> Result<()> {
        OpenPosition::handler(ctx, args)
    }

    /// Owner: closes `base` atoms of a position (all when `None`) and realizes its PnL.
    pub fn close_position(
        ctx: Context<ClosePosition>,
        base: Option<u64>,
        limit_price: u64,
    ) -> Result<()> {
        ClosePosition::handler(ctx, base, limit_price)
    }

    /// LP: deposits into the pool for shares at its higher valuation (no market accounts).
    pub fn pool_deposit(ctx: Context<PoolDeposit>, amount: u64) -> Result<()> {
        PoolDeposit::handler(ctx, amount)
    }

    /// LP: redeems shares after the cooldown at the pool's lower valuation, within the caps.
    pub fn pool_withdraw(ctx: Context<PoolWithdraw>, shares: u64) -> Result<()> {
        PoolWithdraw::handler(ctx, shares)
    }

    /// Anyone: accrues funding and revalues the pool terms of the markets passed
    /// (remaining: `[market, oracle]` pairs).
    pub fn refresh_pool_valuation<'info>(
        ctx: Context<'info, RefreshPoolValuation<'info>>,
    ) -> Result<()> {
        RefreshPoolValuation::handler(ctx)
    }

    /// Anyone: pays a sub-account's funded claim into its collateral.
    pub fn redeem_claim(ctx: Context<RedeemClaim>) -> Result<()> {
        RedeemClaim::handler(ctx)
    }

    /// Anyone: accrues a market's funding to now and settles the sub-accounts passed.
    pub fn settle_funding<'info>(ctx: Context<'info, SettleFunding<'info>>) -> Result<()> {
        SettleFunding::handler(ctx)
    }

    /// Anyone: liquidates at most `max_base` atoms of the largest-maintenance position of a
    /// sub-account under maintenance (remaining accounts: the other positions' markets).
    pub fn liquidate<'info>(ctx: Context<'info, Liquidate<'info>>, max_base: u64) -> Result<()> {
        Liquidate::handler(ctx, max_base)
    }

    /// Anyone: adds collateral to the insurance fund.
    pub fn fund_insurance(ctx: Context<FundInsurance>, amount: u64) -> Result<()> {
        FundInsurance::handler(ctx, amount)
    }

    /// Admin: pays protocol fees to the treasury fixed at creation.
    pub fn withdraw_protocol_fees(ctx: Context<WithdrawProtocolFees>, amount: u64) -> Result<()> {
        WithdrawProtocolFees::handler(ctx, amount)
    }

    /// Anyone: moves an empty market's funding rounding remainder into protocol fees.
    pub fn sweep_funding_remainder(ctx: Context<SweepFundingRemainder>) -> Result<()> {
        SweepFundingRemainder::handler(ctx)
    }

    /// Admin: withdraws insurance surplus above the floor (5% of the pool's balance) to the
    /// treasury.
    pub fn withdraw_insurance(ctx: Context<WithdrawInsurance>, amount: u64) -> Result<()> {
        WithdrawInsurance::handler(ctx, amount)
    }

    /// Owner: sets a position's stop-loss and take-profit (quote native per base unit; 0 = none);
    /// a trigger the mark has already crossed is refused.
    pub fn set_triggers(ctx: Context<SetTriggers>, stop_loss: u64, take_profit: u64) -> Result<()> {
        SetTriggers::handler(ctx, stop_loss, take_profit)
    }

    /// Anyone: closes a position through the fill path (premium and taker fee) once the mark
    /// crosses a trigger, for a keeper fee.
    pub fn execute_trigger(ctx: Context<ExecuteTrigger>) -> Result<()> {
        ExecuteTrigger::handler(ctx)
    }

    /// Owner: names the key that may trade a sub-account for it (`None` clears it).
    pub fn set_delegate(ctx: Context<SetDelegate>, delegate: Option<Pubkey>) -> Result<()> {
        SetDelegate::handler(ctx, delegate)
    }

    /// Owner: closes an empty sub-account and recovers its rent.
    pub fn close_sub_account(ctx: Context<CloseSubAccount>) -> Result<()> {
        CloseSubAccount::handler(ctx)
    }

    /// Owner or delegate: rests a limit order in a free order slot.
    pub fn place_order(ctx: Context<PlaceOrder>, args: PlaceOrderArgs) -> Result<()> {
        PlaceOrder::handler(ctx, args)
    }

    /// Owner or delegate: removes a resting order.
    pub fn cancel_order(ctx: Context<CancelOrder>, slot: u8) -> Result<()> {
        CancelOrder::handler(ctx, slot)
    }

    /// Anyone, alone in its transaction: fills a resting order once the oracle crosses its
    /// limit, through the fill path, for a keeper fee.
    pub fn execute_order<'info>(ctx: Context<'info, ExecuteOrder<'info>>, slot: u8) -> Result<()> {
        ExecuteOrder::handler(ctx, slot)
    }

    /// Anyone: removes an expired order, or a reduce-only one with nothing to reduce, for a
    /// keeper fee.
    pub fn prune_order(ctx: Context<PruneOrder>, slot: u8) -> Result<()> {
        PruneOrder::handler(ctx, slot)
    }
}
