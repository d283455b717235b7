//! Permissionless liquidation: closes, through the one fill path, just enough of the position
//! with the largest maintenance requirement for the sub-account to reach the liquidation-end
//! target, and charges a penalty out of equity above zero, split between the liquidator and
//! the insurance fund. Resolving a bankrupt account pays a bounded bounty from insurance.

use crate::error::RingfenceError;
use crate::events::Liquidated;
use crate::funding::settle;
use crate::health::{checked_health_detail, HealthDetail, PricedMarket};
use crate::math::fixed_point::from_u64;
use crate::math::liquidation::{
    bankruptcy_bounty, below_dust, liquidation_size, liquidation_target, may_liquidate,
    penalty_within_equity,
};
use crate::math::margin::PositionRisk;
use crate::math::trade::{fee_on_notional, split};
use crate::math::{FixedExt, I80F48};
use crate::oracle::FillMark;
use crate::state::{
    load_sub_account_mut, position_slot, Exchange, Market, Pool, Position, SubAccount,
    EXCHANGE_SEED, POOL_SEED,
};
use crate::trade::{
    fill, fresh_mark_with_funding, resolve_bankruptcy, take_for_keeper, Charge, Filled, Ledgers,
    Order,
};
use crate::utils::pay_out_of_vault;
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

/// Accounts of `liquidate`. Remaining accounts: `[market, oracle]` for each of the
/// sub-account's other open positions.
#[derive(Accounts)]
pub struct Liquidate<'info> {
    /// Anyone.
    pub liquidator: Signer<'info>,
    /// The liquidator's own token account of the collateral mint, for its reward.
    #[account(
        mut,
        constraint = liquidator_token.mint == exchange.collateral_mint @ RingfenceError::WrongMint,
        constraint = liquidator_token.owner == liquidator.key() @ RingfenceError::TokenAccountNotOwned
    )]
    pub liquidator_token: Account<'info, TokenAccount>,
    /// The exchange (insurance fund; vault authority).
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The pool, counterparty of the close.
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
    /// The exchange's vault.
    #[account(mut, address = exchange.vault @ RingfenceError::InvalidVault)]
    pub vault: Account<'info, TokenAccount>,
    /// The sub-account liquidated.
    #[account(mut)]
    pub sub_account: AccountLoader<'info, SubAccount>,
    /// The market of the position to close: for a cross sub-account, the position with the
    /// largest maintenance requirement.
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's oracle, checked by `oracle::mark_price`.
    pub oracle: UncheckedAccount<'info>,
    /// SPL Token.
    pub token_program: Program<'info, Token>,
}

impl<'info> Liquidate<'info> {
    /// Liquidates up to `max_base` atoms of the sub-account's position in this market.
    pub fn handler(ctx: Context<'info, Liquidate<'info>>, max_base: u64) -> Result<()> {
        let accounts = ctx.accounts;
        let clock = Clock::get()?;
        let key = accounts.sub_account.key();
        let market_key = accounts.market.key();
        let mut market = accounts.market.load_mut()?;
        let sub_account_info = accounts.sub_account.to_account_info();
        let (mut sub_account, mut positions) = load_sub_account_mut(&sub_account_info)?;
        let slot = position_slot(&positions, market.index).ok_or(RingfenceError::NoPosition)?;
        let mark =
            fresh_mark_with_funding(&mut market, &mut accounts.pool, &accounts.oracle, &clock)?;
        let remaining = ctx.remaining_accounts;
        let done = liquidate_position(
            (&mut accounts.exchange, &mut accounts.pool),
            key,
            (&mut sub_account, &mut positions, slot),
            &mut market,
            mark,
            max_base,
            |sub_account, positions, market| {
                let named = PricedMarket {
                    key: market_key,
                    market,
                    mark: mark.price(),
                };
                checked_health_detail(sub_account, positions, remaining, &clock, Some(&named))
            },
        )?;
        crate::events::emit(Liquidated {
            sub_account: key,
            market_index: market.index,
            liquidator: accounts.liquidator.key(),
            closed: done.closed,
            mark_bits: mark.price().to_bits(),
            fill_price_bits: done.filled.price.to_bits(),
            realized_pnl: done.filled.realized_pnl,
            penalty: done.penalty,
            liquidator_reward: done.liquidator_reward,
            insurance_fee: done.insurance_fee,
            bankruptcy_bounty: done.bounty,
            collateral: sub_account.collateral,
            being_liquidated: done.still_below,
        });
        let payout = done
            .liquidator_reward
            .checked_add(done.bounty)
            .ok_or(RingfenceError::MathOverflow)?;
        drop((sub_account, positions, market));
        if payout > 0 {
            pay_out_of_vault(
                &accounts.token_program.to_account_info(),
                &accounts.vault.to_account_info(),
                &accounts.liquidator_token.to_account_info(),
                &accounts.exchange.to_account_info(),
                accounts.exchange.bump,
                payout,
            )?;
        }
        Ok(())
    }
}

/// What one liquidation did, quote native unless said otherwise.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct LiquidationDone {
    /// Base atoms closed (signed like the position).
    pub closed: i64,
    /// The fill.
    pub filled: Filled,
    /// Penalty taken from the sub-account.
    pub penalty: u64,
    /// The liquidator's share of the penalty.
    pub liquidator_reward: u64,
    /// The insurance fund's share of the penalty.
    pub insurance_fee: u64,
    /// Bounty from insurance for resolving a bankrupt position whole.
    pub bounty: u64,
    /// Whether the sub-account started under zero equity (bankrupt).
    pub bankrupt: bool,
    /// Whether it is still below the liquidation-end target (flag left set).
    pub still_below: bool,
}

/// The liquidation itself, on loaded state, on chain and off (the SDK's stress test runs it on
/// copies): settles the position's funding, checks the account may be liquidated and that this
/// is its largest-maintenance position, closes just enough through the one fill path (at most
/// `max_base`), takes the penalty out of equity above zero, splits it, pays a bankruptcy bounty
/// for a bankrupt position closed whole and resolves any bankruptcy. `health_of` prices the
/// sub-account with `market` at this fill's mark (on chain: `checked_health_detail`). The
/// market's funding must already be accrued to `mark`'s time.
pub fn liquidate_position(
    (exchange, pool): (&mut Exchange, &mut Pool),
    key: Pubkey,
    (sub_account, positions, slot): (&mut SubAccount, &mut [Position], usize),
    market: &mut Market,
    mark: FillMark,
    max_base: u64,
    health_of: impl Fn(&SubAccount, &[Position], &Market) -> Result<HealthDetail>,
) -> Result<LiquidationDone> {
    require_gt!(max_base, 0, RingfenceError::ZeroSize);
    settle(sub_account, &mut positions[slot], market, key)?;
    let before = health_of(sub_account, positions, market)?;
    let health = before.health;
    require!(
        may_liquidate(sub_account.being_liquidated == 1, &health)?,
        RingfenceError::NotLiquidatable
    );
    require!(
        before
            .maintenance
            .iter()
            .all(|mm| *mm <= before.maintenance[slot]),
        RingfenceError::NotLargestMaintenance
    );
    let risk = PositionRisk::new(
        &market.position_input(&positions[slot]),
        &market.risk(mark.price()),
        I80F48::ZERO,
    )?;
    let held = positions[slot].base;
    let size = liquidation_size(
        &health,
        &risk,
        held,
        mark.price(),
        market.params.liquidation_fee_bps,
    )?
    .max(1)
    .min(max_base);
    let size = if below_dust(held.unsigned_abs() - size, mark.price())? {
        held.unsigned_abs()
    } else {
        size
    };
    let closing = i64::try_from(size).map_err(|_| RingfenceError::MathOverflow)? * held.signum();
    let filled = fill(
        sub_account,
        positions,
        slot,
        market,
        Ledgers { exchange, pool },
        mark,
        Order::forced_close(closing, Charge::LiquidationPenaltyInstead),
    )?;
    let after = health_of(sub_account, positions, market)?.health;
    let nominal_penalty =
        fee_on_notional(closing, mark.price(), market.params.liquidation_fee_bps)?;
    let bankrupt = health.equity < I80F48::ZERO;
    let payable = if bankrupt {
        0
    } else {
        penalty_within_equity(nominal_penalty, after.equity)?
    };
    let penalty = take_for_keeper(sub_account, payable);
    let (liquidator_reward, insurance_fee) = split(penalty, market.params.liquidator_share_bps)?;
    exchange.insurance_fund = exchange
        .insurance_fund
        .checked_add(insurance_fee)
        .ok_or(RingfenceError::MathOverflow)?;
    let bounty = if bankrupt && closing == held {
        let earned = bankruptcy_bounty(
            closing,
            mark.price(),
            market.params.liquidation_fee_bps,
            market.params.trigger_keeper_fee,
        )?;
        let bounty = earned.min(exchange.insurance_fund);
        exchange.insurance_fund -= bounty;
        bounty
    } else {
        0
    };
    resolve_bankruptcy(sub_account, positions, exchange, pool, key)?;
    let equity_left = after.equity.try_sub(from_u64(penalty))?;
    let still_below = sub_account.has_positions == 1 && equity_left < liquidation_target(&after)?;
    sub_account.being_liquidated = u8::from(still_below);
    Ok(LiquidationDone {
        closed: closing,
        filled,
        penalty,
        liquidator_reward,
        insurance_fee,
        bounty,
        bankrupt,
        still_below,
    })
}
