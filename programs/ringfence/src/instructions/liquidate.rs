//! Permissionless liquidation: closes, against the pool at the mark price, just enough of one
//! position for the sub-account to reach the liquidation-end target, and charges a penalty
//! split between the liquidator and the insurance fund.

use crate::error::RingfenceError;
use crate::events::Liquidated;
use crate::funding::{accrue, settle};
use crate::health::{checked_health, PricedMarket};
use crate::math::liquidation::{liquidation_size, liquidation_target, may_liquidate};
use crate::math::margin::{PositionInput, PositionRisk};
use crate::math::trade::{fee_on_notional, fill_quote, split};
use crate::math::I80F48;
use crate::oracle::mark_price;
use crate::state::{
    load_sub_account_mut, position_slot, Exchange, Market, Pool, SubAccount, EXCHANGE_SEED,
    POOL_SEED,
};
use crate::trade::{reduce_position, resolve_bankruptcy, take_for_keeper};
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
    /// The market of the position to close (the caller's choice for a cross sub-account).
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
        let mut market = accounts.market.load_mut()?;
        let sub_account_info = accounts.sub_account.to_account_info();
        let (mut sub_account, mut positions) = load_sub_account_mut(&sub_account_info)?;
        let slot = position_slot(&positions, market.index).ok_or(RingfenceError::NoPosition)?;

        let mark = mark_price(&market, &accounts.oracle, &clock)?;
        accrue(&mut market, &mut accounts.pool, mark, clock.unix_timestamp)?;
        settle(&mut sub_account, &mut positions[slot], &mut market, key)?;
        let market_key = accounts.market.key();
        let priced = PricedMarket {
            key: market_key,
            market: &market,
            mark,
        };
        let health = checked_health(
            &sub_account,
            &positions,
            ctx.remaining_accounts,
            &clock,
            Some(&priced),
        )?;
        require!(
            may_liquidate(sub_account.being_liquidated == 1, &health)?,
            RingfenceError::NotLiquidatable
        );

        let position = &positions[slot];
        let input = PositionInput {
            base: position.base,
            quote_entry: position.quote_entry,
            leverage: position.leverage,
        };
        let risk = PositionRisk::new(&input, &market.risk(mark), I80F48::ZERO)?;
        let size = liquidation_size(
            &health,
            &risk,
            position.base,
            mark,
            market.params.liquidation_fee_bps,
        )?
        .max(1)
        .min(max_base);
        let closing =
            i64::try_from(size).map_err(|_| RingfenceError::MathOverflow)? * position.base.signum();
        let quote = fill_quote(-closing, mark)?;
        let pnl = reduce_position(
            &mut sub_account,
            &mut positions[slot],
            &mut market,
            &mut accounts.pool,
            closing,
            quote,
        )?;

        let penalty = fee_on_notional(closing, mark, market.params.liquidation_fee_bps)?;
        let penalty = take_for_keeper(&mut sub_account, penalty);
        let (reward, insurance_fee) = split(penalty, market.params.liquidator_share_bps)?;
        let exchange = &mut accounts.exchange;
        exchange.insurance_fund = exchange
            .insurance_fund
            .checked_add(insurance_fee)
            .ok_or(RingfenceError::MathOverflow)?;
        sub_account.refresh_has_positions(&positions);
        resolve_bankruptcy(
            &mut sub_account,
            &positions,
            exchange,
            &mut accounts.pool,
            key,
        )?;

        let still_below = if sub_account.has_positions == 1 {
            let after = checked_health(
                &sub_account,
                &positions,
                ctx.remaining_accounts,
                &clock,
                Some(&PricedMarket {
                    key: market_key,
                    market: &market,
                    mark,
                }),
            )?;
            after.equity < liquidation_target(&after)?
        } else {
            false
        };
        sub_account.being_liquidated = u8::from(still_below);
        emit!(Liquidated {
            sub_account: key,
            market_index: market.index,
            liquidator: accounts.liquidator.key(),
            closed: closing,
            mark_bits: mark.to_bits(),
            realized_pnl: pnl,
            penalty,
            liquidator_reward: reward,
            insurance_fee,
            collateral: sub_account.collateral,
            being_liquidated: still_below,
        });
        drop((sub_account, positions, market));
        if reward > 0 {
            pay_out_of_vault(
                &accounts.token_program.to_account_info(),
                &accounts.vault.to_account_info(),
                &accounts.liquidator_token.to_account_info(),
                &accounts.exchange.to_account_info(),
                accounts.exchange.bump,
                reward,
            )?;
        }
        Ok(())
    }
}
