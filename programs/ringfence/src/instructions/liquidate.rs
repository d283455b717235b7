//! Permissionless liquidation: closes, through the one fill path, just enough of the position
//! with the largest maintenance requirement for the sub-account to reach the liquidation-end
//! target, and charges a penalty out of equity above zero, split between the liquidator and
//! the insurance fund. Resolving a bankrupt account pays a bounded bounty from insurance.

use crate::error::RingfenceError;
use crate::events::Liquidated;
use crate::funding::settle;
use crate::health::{checked_health, checked_health_detail, PricedMarket};
use crate::math::fixed_point::from_u64;
use crate::math::liquidation::{
    bankruptcy_bounty, below_dust, liquidation_size, liquidation_target, may_liquidate,
    penalty_within_equity,
};
use crate::math::margin::PositionRisk;
use crate::math::trade::{fee_on_notional, split};
use crate::math::{FixedExt, I80F48};
use crate::state::{
    load_sub_account_mut, position_slot, Exchange, Market, Pool, SubAccount, EXCHANGE_SEED,
    POOL_SEED,
};
use crate::trade::{
    fill, fresh_mark_with_funding, resolve_bankruptcy, take_for_keeper, Charge, Ledgers, Order,
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
    /// Closes at most `max_base` atoms of the position in `market`.
    pub fn handler(ctx: Context<'info, Liquidate<'info>>, max_base: u64) -> Result<()> {
        require_gt!(max_base, 0, RingfenceError::ZeroSize);
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
        settle(&mut sub_account, &mut positions[slot], &mut market, key)?;
        let before = checked_health_detail(
            &sub_account,
            &positions,
            ctx.remaining_accounts,
            &clock,
            Some(&PricedMarket {
                key: market_key,
                market: &market,
                mark: mark.price(),
            }),
        )?;
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
        // A cap that would leave dust behind is overridden: nothing unpaid is left to close.
        let size = if below_dust(held.unsigned_abs() - size, mark.price())? {
            held.unsigned_abs()
        } else {
            size
        };
        let closing =
            i64::try_from(size).map_err(|_| RingfenceError::MathOverflow)? * held.signum();
        let filled = fill(
            &mut sub_account,
            &mut positions,
            slot,
            &mut market,
            Ledgers {
                exchange: &mut accounts.exchange,
                pool: &mut accounts.pool,
            },
            mark,
            Order::forced_close(closing, Charge::LiquidationPenaltyInstead),
        )?;

        let after = checked_health(
            &sub_account,
            &positions,
            ctx.remaining_accounts,
            &clock,
            Some(&PricedMarket {
                key: market_key,
                market: &market,
                mark: mark.price(),
            }),
        )?;
        let nominal_penalty =
            fee_on_notional(closing, mark.price(), market.params.liquidation_fee_bps)?;
        // A bankrupt account (equity below zero before the call) pays no penalty at all.
        let payable = if health.equity < I80F48::ZERO {
            0
        } else {
            penalty_within_equity(nominal_penalty, after.equity)?
        };
        let penalty = take_for_keeper(&mut sub_account, payable);
        let (reward, insurance_fee) = split(penalty, market.params.liquidator_share_bps)?;
        let exchange = &mut accounts.exchange;
        exchange.insurance_fund = exchange
            .insurance_fund
            .checked_add(insurance_fee)
            .ok_or(RingfenceError::MathOverflow)?;
        let resolved_whole = closing == held;
        let bounty = if health.equity < I80F48::ZERO && resolved_whole {
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
        resolve_bankruptcy(
            &mut sub_account,
            &positions,
            exchange,
            &mut accounts.pool,
            key,
        )?;

        let equity_left = after.equity.try_sub(from_u64(penalty))?;
        let still_below =
            sub_account.has_positions == 1 && equity_left < liquidation_target(&after)?;
        sub_account.being_liquidated = u8::from(still_below);
        crate::events::emit(Liquidated {
            sub_account: key,
            market_index: market.index,
            liquidator: accounts.liquidator.key(),
            closed: closing,
            mark_bits: mark.price().to_bits(),
            fill_price_bits: filled.price.to_bits(),
            realized_pnl: filled.realized_pnl,
            penalty,
            liquidator_reward: reward,
            insurance_fee,
            bankruptcy_bounty: bounty,
            collateral: sub_account.collateral,
            being_liquidated: still_below,
        });
        let payout = reward
            .checked_add(bounty)
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
