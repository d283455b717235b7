//! Creates a market with bounded parameters and proves its oracle gives a checked price now.

use crate::error::RingfenceError;
use crate::events::MarketCreated;
use crate::oracle::mark_price;
use crate::state::{
    Exchange, Market, MarketParams, MarketStatus, OracleKind, StubOracle, EXCHANGE_SEED,
    MARKET_SEED, STUB_ORACLE_SEED,
};
use crate::utils::{create_pda_account, init_zero_copy, write_account};
use anchor_lang::prelude::*;

/// Longest market name, bytes.
pub const MARKET_NAME_LEN: usize = 16;

/// Where a new market's price comes from.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Copy, Debug, PartialEq, Eq)]
pub enum OracleSource {
    /// The `oracle` account is a Pyth `PriceUpdateV2` for this feed.
    Pyth {
        /// Pyth feed id.
        feed_id: [u8; 32],
    },
    /// The `oracle` account is this market's `StubOracle` PDA, created with this price.
    Stub {
        /// Price mantissa.
        price: i64,
        /// Confidence mantissa.
        conf: u64,
        /// Decimal exponent.
        exponent: i32,
    },
}

/// Arguments of `create_market`.
#[derive(AnchorSerialize, AnchorDeserialize, Clone, Debug, PartialEq, Eq)]
pub struct CreateMarketArgs {
    /// Display name, 1 ..= 16 bytes of UTF-8.
    pub name: String,
    /// Price source.
    pub oracle: OracleSource,
    /// Risk, fee and funding parameters.
    pub params: MarketParams,
}

/// Accounts of `create_market`.
#[derive(Accounts)]
pub struct CreateMarket<'info> {
    /// The admin; pays rent.
    #[account(mut)]
    pub admin: Signer<'info>,
    /// The exchange.
    #[account(mut, seeds = [EXCHANGE_SEED], bump = exchange.bump, has_one = admin @ RingfenceError::NotAdmin)]
    pub exchange: Account<'info, Exchange>,
    /// CHECK: created here at `["market", exchange.market_count LE]`.
    #[account(mut, seeds = [MARKET_SEED, &exchange.market_count.to_le_bytes()], bump)]
    pub market: UncheckedAccount<'info>,
    /// CHECK: a Pyth price update checked by `oracle::mark_price`, or the stub PDA created here.
    #[account(mut)]
    pub oracle: UncheckedAccount<'info>,
    /// System program.
    pub system_program: Program<'info, System>,
}

impl CreateMarket<'_> {
    /// Creates market number `exchange.market_count`.
    pub fn handler(ctx: Context<CreateMarket>, args: CreateMarketArgs) -> Result<()> {
        args.params.validate()?;
        let name = market_name(&args.name)?;
        let accounts = &ctx.accounts;
        let index = accounts.exchange.market_count;
        let index_bytes = index.to_le_bytes();
        let payer = accounts.admin.to_account_info();
        let system = accounts.system_program.to_account_info();

        let (oracle_kind, feed_id) = match args.oracle {
            OracleSource::Pyth { feed_id } => (OracleKind::Pyth, feed_id),
            OracleSource::Stub {
                price,
                conf,
                exponent,
            } => {
                require!(
                    accounts.exchange.allow_stub_oracles,
                    RingfenceError::StubOraclesNotAllowed
                );
                create_stub_oracle(accounts, index, price, conf, exponent)?;
                (OracleKind::Stub, [0; 32])
            }
        };

        create_pda_account(
            &payer,
            &accounts.market,
            &system,
            &crate::ID,
            Market::SPACE,
            &[MARKET_SEED, &index_bytes, &[ctx.bumps.market]],
        )?;
        let mut market = init_zero_copy::<Market>(&accounts.market)?;
        market.oracle = accounts.oracle.key();
        market.feed_id = feed_id;
        market.name = name;
        market.params = args.params;
        market.index = index;
        market.status = MarketStatus::Active as u8;
        market.oracle_kind = oracle_kind as u8;
        market.bump = ctx.bumps.market;
        let clock = Clock::get()?;
        market.last_funding_ts = clock.unix_timestamp;
        mark_price(&market, &accounts.oracle, &clock)?;
        drop(market);

        let exchange = &mut ctx.accounts.exchange;
        exchange.market_count = index.checked_add(1).ok_or(RingfenceError::MathOverflow)?;
        crate::events::emit(MarketCreated {
            index,
            market: ctx.accounts.market.key(),
            oracle: ctx.accounts.oracle.key(),
            oracle_kind,
            params: args.params,
        });
        Ok(())
    }
}

fn market_name(name: &str) -> Result<[u8; MARKET_NAME_LEN]> {
    let bytes = name.as_bytes();
    require!(
        !bytes.is_empty() && bytes.len() <= MARKET_NAME_LEN,
        RingfenceError::InvalidMarketName
    );
    let mut stored = [0u8; MARKET_NAME_LEN];
    stored[..bytes.len()].copy_from_slice(bytes);
    Ok(stored)
}

fn create_stub_oracle(
    accounts: &CreateMarket,
    market_index: u16,
    price: i64,
    conf: u64,
    exponent: i32,
) -> Result<()> {
    let index_bytes = market_index.to_le_bytes();
    let (address, bump) =
        Pubkey::find_program_address(&[STUB_ORACLE_SEED, &index_bytes], &crate::ID);
    require_keys_eq!(
        accounts.oracle.key(),
        address,
        RingfenceError::OracleAccountMismatch
    );
    create_pda_account(
        &accounts.admin.to_account_info(),
        &accounts.oracle,
        &accounts.system_program.to_account_info(),
        &crate::ID,
        StubOracle::SPACE,
        &[STUB_ORACLE_SEED, &index_bytes, &[bump]],
    )?;
    let stub = StubOracle {
        market_index,
        price,
        conf,
        exponent,
        publish_time: Clock::get()?.unix_timestamp,
        bump,
    };
    write_account(&accounts.oracle, &stub)
}
