//! A liquidity provider deposits collateral into the pool for shares at the pool's higher
//! valuation (`pool_equity::LpFlow::Deposit`), read from the pool alone: no market accounts.

use crate::error::RingfenceError;
use crate::events::PoolDeposited;
use crate::pool_equity::{check_fresh, pool_equity, LpFlow};
use crate::state::{Exchange, LpAccount, Pool, EXCHANGE_SEED, LP_SEED, POOL_SEED};
use crate::utils::{create_pda_account, pay_into_vault, write_account};
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};

/// Accounts of `pool_deposit`.
#[derive(Accounts)]
pub struct PoolDeposit<'info> {
    /// The liquidity provider; pays rent for its LP account the first time.
    #[account(mut)]
    pub owner: Signer<'info>,
    /// The exchange.
    #[account(seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The pool.
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
    /// CHECK: the owner's LP account `["lp", owner]`, created here on first deposit.
    #[account(mut, seeds = [LP_SEED, owner.key().as_ref()], bump)]
    pub lp: UncheckedAccount<'info>,
    /// The exchange's vault.
    #[account(mut, address = exchange.vault @ RingfenceError::InvalidVault)]
    pub vault: Account<'info, TokenAccount>,
    /// The owner's token account of the collateral mint.
    #[account(
        mut,
        constraint = owner_token.mint == exchange.collateral_mint @ RingfenceError::WrongMint,
        constraint = owner_token.owner == owner.key() @ RingfenceError::TokenAccountNotOwned
    )]
    pub owner_token: Account<'info, TokenAccount>,
    /// SPL Token.
    pub token_program: Program<'info, Token>,
    /// System program.
    pub system_program: Program<'info, System>,
}

impl PoolDeposit<'_> {
    /// Deposits `amount` (quote native) for shares = amount × total shares / equity, rounded
    /// down, and starts the LP account's cooldown.
    pub fn handler(ctx: Context<PoolDeposit>, amount: u64) -> Result<()> {
        require_gt!(amount, 0, RingfenceError::ZeroAmount);
        let now = Clock::get()?.unix_timestamp;
        let accounts = ctx.accounts;
        check_fresh(&accounts.pool, now)?;
        let shares = shares_for(&accounts.pool, amount)?;
        require_gt!(shares, 0, RingfenceError::InvalidShares);

        let mut lp = load_or_create_lp(accounts, ctx.bumps.lp)?;
        lp.shares = lp
            .shares
            .checked_add(shares)
            .ok_or(RingfenceError::MathOverflow)?;
        lp.last_deposit_ts = now;
        write_account(&accounts.lp, &lp)?;
        let pool = &mut accounts.pool;
        pool.credit(amount)?;
        pool.total_shares = pool
            .total_shares
            .checked_add(shares)
            .ok_or(RingfenceError::MathOverflow)?;
        pay_into_vault(
            &accounts.token_program.to_account_info(),
            &accounts.owner_token.to_account_info(),
            &accounts.vault.to_account_info(),
            &accounts.owner.to_account_info(),
            amount,
        )?;
        crate::events::emit(PoolDeposited {
            owner: accounts.owner.key(),
            amount,
            shares,
            pool_balance: accounts.pool.balance,
            total_shares: accounts.pool.total_shares,
        });
        Ok(())
    }
}

/// Shares `amount` buys at the deposit valuation: one per token into an empty pool, else
/// amount × total / equity rounded down (existing LPs keep any remainder).
pub fn shares_for(pool: &Pool, amount: u64) -> Result<u64> {
    let equity = pool_equity(pool, LpFlow::Deposit);
    if pool.total_shares == 0 {
        require!(equity >= 0, RingfenceError::PoolInsolvent);
        return Ok(amount);
    }
    require!(equity > 0, RingfenceError::PoolInsolvent);
    let shares = i128::from(amount)
        .checked_mul(i128::from(pool.total_shares))
        .ok_or(RingfenceError::MathOverflow)?
        / equity;
    u64::try_from(shares).map_err(|_| RingfenceError::MathOverflow.into())
}

fn load_or_create_lp(accounts: &PoolDeposit, bump: u8) -> Result<LpAccount> {
    if accounts.lp.owner == &crate::ID {
        let data = accounts.lp.try_borrow_data()?;
        return LpAccount::try_deserialize(&mut &data[..]);
    }
    let owner = accounts.owner.key();
    create_pda_account(
        &accounts.owner.to_account_info(),
        &accounts.lp,
        &accounts.system_program.to_account_info(),
        &crate::ID,
        LpAccount::SPACE,
        &[LP_SEED, owner.as_ref(), &[bump]],
    )?;
    Ok(LpAccount {
        owner,
        shares: 0,
        bump,
        last_deposit_ts: 0,
    })
}
