//! Anyone fills a resting limit order once the oracle has crossed its limit: through the one
//! fill path (premium, taker fee, no worse than the limit), with an open's caps and initial
//! margin check or a reduce-only close, for the market's keeper fee from the sub-account. The
//! instruction must be the transaction's only Ringfence instruction, so an executor cannot
//! move the skew premium against the order and back around it atomically.

use crate::authority::{may, Right};
use crate::error::RingfenceError;
use crate::events::OrderExecuted;
use crate::health::{checked_health, PricedMarket};
use crate::instructions::close_position::reduce;
use crate::instructions::open_position::{open, OpenAccounts};
use crate::instructions::{OpenPositionArgs, Side};
use crate::math::fixed_point::{from_u64, mul_div, Round};
use crate::math::margin::Health;
use crate::math::units::QUOTE_DECIMALS;
use crate::oracle::fill_mark;
use crate::state::{
    load_sub_account_with_orders_mut, position_slot, Exchange, Market, Pool, RestingOrder,
    SubAccount, EXCHANGE_SEED, POOL_SEED,
};
use crate::trade::{
    fresh_mark_with_funding, keeper_fee_for, take_for_keeper, Charge, Filled, Order,
};
use crate::utils::pay_out_of_vault;
use anchor_lang::prelude::*;
use anchor_spl::token::{Token, TokenAccount};
use fixed::types::I80F48;
use solana_instructions_sysvar::{load_current_index_checked, load_instruction_at_checked};

/// Accounts of `execute_order`. Remaining accounts: `[market, oracle]` for each of the
/// sub-account's other open positions (an open is margin-checked; a reduce-only fill pays
/// its keeper fee only out of equity above maintenance).
#[derive(Accounts)]
pub struct ExecuteOrder<'info> {
    /// Anyone.
    pub keeper: Signer<'info>,
    /// The keeper's own token account of the collateral mint, for its fee.
    #[account(
        mut,
        constraint = keeper_token.mint == exchange.collateral_mint @ RingfenceError::WrongMint,
        constraint = keeper_token.owner == keeper.key() @ RingfenceError::TokenAccountNotOwned
    )]
    pub keeper_token: Account<'info, TokenAccount>,
    /// The exchange (protocol fee ledger, insurance fund; vault authority).
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump)]
    pub exchange: Account<'info, Exchange>,
    /// The pool, counterparty of the fill.
    #[account(mut, seeds = [POOL_SEED], bump = pool.bump)]
    pub pool: Account<'info, Pool>,
    /// The exchange's vault.
    #[account(mut, address = exchange.vault @ RingfenceError::InvalidVault)]
    pub vault: Account<'info, TokenAccount>,
    /// The sub-account holding the order.
    #[account(mut)]
    pub sub_account: AccountLoader<'info, SubAccount>,
    /// The order's market.
    #[account(mut)]
    pub market: AccountLoader<'info, Market>,
    /// CHECK: the market's oracle, checked by `oracle::fill_mark`.
    pub oracle: UncheckedAccount<'info>,
    /// CHECK: the instructions sysvar (address checked), to see the transaction's other
    /// instructions.
    #[account(address = solana_instructions_sysvar::ID)]
    pub instructions: UncheckedAccount<'info>,
    /// SPL Token.
    pub token_program: Program<'info, Token>,
}

/// Whether `mark` has crossed `order`'s limit: a buy at or below it, a sell at or above it.
pub fn crossed(order: &RestingOrder, mark: I80F48) -> Result<bool> {
    let mark = mul_div(mark, 10i128.pow(QUOTE_DECIMALS), 1, Round::Down)?;
    let limit = from_u64(order.limit_price);
    Ok(if order.side == 0 {
        mark <= limit
    } else {
        mark >= limit
    })
}

/// What a keeper fee may take after a reduce: equity above the maintenance requirement, in
/// whole native units (zero for an account a liquidator could act on), so paying the keeper
/// never makes an account liquidatable nor takes collateral a deficit needs.
fn headroom(health: &Health) -> u64 {
    let room = health.equity.saturating_sub(health.maintenance_requirement);
    if room <= I80F48::ZERO {
        0
    } else {
        room.saturating_to_num::<u64>()
    }
}

/// Programs whose top-level instructions may share a transaction with `execute_order`.
const COMPANIONS: [Pubkey; 1] = [Pubkey::from_str_const(
    "ComputeBudget111111111111111111111111111111",
)];

/// Refuses `execute_order` unless it runs at the transaction's top level (a call from another
/// program would make that program the current top-level instruction) and every other
/// top-level instruction is a compute-budget one: no program, this one or another calling into
/// it, can move the skew around the fill in the same transaction.
fn require_alone(instructions: &AccountInfo) -> Result<()> {
    let current = usize::from(load_current_index_checked(instructions)?);
    let own = load_instruction_at_checked(current, instructions)?;
    require_keys_eq!(own.program_id, crate::ID, RingfenceError::OrderNotAlone);
    let mut index = 0;
    while let Ok(instruction) = load_instruction_at_checked(index, instructions) {
        require!(
            index == current || COMPANIONS.contains(&instruction.program_id),
            RingfenceError::OrderNotAlone
        );
        index += 1;
    }
    Ok(())
}

impl<'info> ExecuteOrder<'info> {
    /// Fills the order in `slot` and frees the slot.
    pub fn handler(ctx: Context<'info, ExecuteOrder<'info>>, slot: u8) -> Result<()> {
        require_alone(&ctx.accounts.instructions)?;
        let accounts = ctx.accounts;
        let clock = Clock::get()?;
        let key = accounts.sub_account.key();
        let mut market = accounts.market.load_mut()?;
        let info = accounts.sub_account.to_account_info();
        let (mut sub_account, mut positions, mut orders) = load_sub_account_with_orders_mut(&info)?;
        let order = *orders
            .get(usize::from(slot))
            .filter(|o| o.is_open())
            .ok_or(RingfenceError::NoOrder)?;
        require_eq!(
            order.market_index,
            market.index,
            RingfenceError::OrderMarketMismatch
        );
        require!(
            clock.unix_timestamp < order.expiry,
            RingfenceError::OrderExpired
        );
        require!(clock.slot > order.placed_slot, RingfenceError::OrderTooNew);
        let mark = fill_mark(&mut market, &accounts.oracle, &clock)?;
        require!(
            mark.published() >= order.placed_at,
            RingfenceError::OracleOlderThanOrder
        );
        require!(
            crossed(&order, mark.price())?,
            RingfenceError::OrderNotCrossed
        );
        // The sub-account's own traders (owner, delegate) earn no keeper fee from it: a delegate
        // must not be able to pay itself the owner's collateral.
        let order_delta = order.base_delta().ok_or(RingfenceError::MathOverflow)?;
        let keeper_fee = if may(&sub_account, accounts.keeper.key, Right::Trade) {
            0
        } else {
            keeper_fee_for(&market.params, order_delta, mark.price())?
        };
        let (filled, base_delta, base, fee) = if order.reduce_only == 1 {
            let base_delta = order.base_delta().ok_or(RingfenceError::MathOverflow)?;
            let at =
                position_slot(&positions, market.index).ok_or(RingfenceError::NothingToReduce)?;
            let held = positions[at].base;
            require!(
                held.signum() == -base_delta.signum(),
                RingfenceError::NothingToReduce
            );
            let closing = held.signum() * base_delta.unsigned_abs().min(held.unsigned_abs()) as i64;
            let mark =
                fresh_mark_with_funding(&mut market, &mut accounts.pool, &accounts.oracle, &clock)?;
            let (filled, _) = reduce(
                &mut accounts.exchange,
                &mut accounts.pool,
                key,
                (&mut sub_account, &mut positions, at),
                &mut market,
                mark,
                Order {
                    base_delta: -closing,
                    limit_price: order.limit_price,
                    charge: Charge::TakerFee,
                },
                0,
            )?;
            let priced = PricedMarket {
                key: accounts.market.key(),
                market: &market,
                mark: filled.mark,
            };
            let health = checked_health(
                &sub_account,
                &positions,
                ctx.remaining_accounts,
                &clock,
                Some(&priced),
            )?;
            let fee = take_for_keeper(&mut sub_account, keeper_fee.min(headroom(&health)));
            (filled, -closing, positions[at].base, fee)
        } else {
            let opened = open(
                OpenAccounts {
                    sub_account_key: key,
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
                OpenPositionArgs {
                    side: if order.side == 0 {
                        Side::Long
                    } else {
                        Side::Short
                    },
                    base: order.base,
                    leverage: order.leverage,
                    limit_price: order.limit_price,
                },
                keeper_fee,
            )?;
            let base = positions[opened.slot].base;
            (opened.filled, opened.base_delta, base, opened.keeper_fee)
        };
        orders[usize::from(slot)] = RestingOrder::default();
        emit_executed(
            &key,
            slot,
            &market,
            accounts.keeper.key(),
            (filled, base_delta, base, fee),
            sub_account.collateral,
        );
        drop((sub_account, positions, orders, market));
        if fee > 0 {
            pay_out_of_vault(
                &accounts.token_program.to_account_info(),
                &accounts.vault.to_account_info(),
                &accounts.keeper_token.to_account_info(),
                &accounts.exchange.to_account_info(),
                accounts.exchange.bump,
                fee,
            )?;
        }
        Ok(())
    }
}

fn emit_executed(
    key: &Pubkey,
    slot: u8,
    market: &Market,
    keeper: Pubkey,
    (filled, base_delta, base, keeper_fee): (Filled, i64, i64, u64),
    collateral: i64,
) {
    crate::events::emit(OrderExecuted {
        sub_account: *key,
        slot,
        market_index: market.index,
        keeper,
        base_delta,
        fill_price_bits: filled.price.to_bits(),
        mark_bits: filled.mark.to_bits(),
        fee: filled.fee,
        protocol_fee: filled.protocol_fee,
        keeper_fee,
        realized_pnl: filled.realized_pnl,
        base,
        collateral,
    });
}
