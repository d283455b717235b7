//! One builder per instruction, from the program's generated account structs and argument
//! types (`ringfence::accounts`, `ringfence::instruction`), never from a hand-kept list.

use anchor_lang::prelude::Pubkey;
use anchor_lang::solana_program::instruction::{AccountMeta, Instruction};
use anchor_lang::system_program;
use anchor_lang::{InstructionData, ToAccountMetas};
use anchor_spl::associated_token;
use anchor_spl::token::spl_token;
use ringfence::instructions::{CreateMarketArgs, ExchangeConfig, OpenPositionArgs};
use ringfence::state::{
    MarketParams, MarketStatus, SubAccountMode, EXCHANGE_SEED, MARKET_SEED, MARKET_UPDATE_SEED,
    POOL_SEED, STUB_ORACLE_SEED, SUB_ACCOUNT_SEED, USER_SEED, VAULT_SEED,
};
use ringfence::{accounts, instruction};

fn pda(seeds: &[&[u8]]) -> Pubkey {
    Pubkey::find_program_address(seeds, &ringfence::ID).0
}

/// The exchange PDA.
pub fn exchange_pda() -> Pubkey {
    pda(&[EXCHANGE_SEED])
}

/// The vault PDA.
pub fn vault_pda() -> Pubkey {
    pda(&[VAULT_SEED])
}

/// The pool PDA.
pub fn pool_pda() -> Pubkey {
    pda(&[POOL_SEED])
}

/// Market number `index`.
pub fn market_pda(index: u16) -> Pubkey {
    pda(&[MARKET_SEED, &index.to_le_bytes()])
}

/// Stub oracle of market `index`.
pub fn stub_oracle_pda(index: u16) -> Pubkey {
    pda(&[STUB_ORACLE_SEED, &index.to_le_bytes()])
}

/// A wallet's user account.
pub fn user_pda(owner: &Pubkey) -> Pubkey {
    pda(&[USER_SEED, owner.as_ref()])
}

/// A wallet's sub-account `id`.
pub fn sub_account_pda(owner: &Pubkey, id: u16) -> Pubkey {
    pda(&[SUB_ACCOUNT_SEED, owner.as_ref(), &id.to_le_bytes()])
}

fn ix(accounts: impl ToAccountMetas, data: impl InstructionData) -> Instruction {
    Instruction {
        program_id: ringfence::ID,
        accounts: accounts.to_account_metas(None),
        data: data.data(),
    }
}

/// `initialize_exchange` with its permanent settings and the treasury token account.
pub fn initialize_exchange(
    admin: &Pubkey,
    mint: &Pubkey,
    treasury: &Pubkey,
    config: ExchangeConfig,
) -> Instruction {
    ix(
        accounts::InitializeExchange {
            admin: *admin,
            exchange: exchange_pda(),
            vault: vault_pda(),
            pool: pool_pda(),
            collateral_mint: *mint,
            treasury: *treasury,
            token_program: spl_token::ID,
            system_program: system_program::ID,
        },
        instruction::InitializeExchange { config },
    )
}

/// The PDA of market `index`'s pending parameter change.
pub fn market_update_pda(index: u16) -> Pubkey {
    pda(&[MARKET_UPDATE_SEED, &index.to_le_bytes()])
}

/// `create_market` for market `index` with oracle account `oracle`.
pub fn create_market(
    admin: &Pubkey,
    index: u16,
    oracle: &Pubkey,
    args: CreateMarketArgs,
) -> Instruction {
    ix(
        accounts::CreateMarket {
            admin: *admin,
            exchange: exchange_pda(),
            market: market_pda(index),
            oracle: *oracle,
            system_program: system_program::ID,
        },
        instruction::CreateMarket { args },
    )
}

/// `propose_market_update` for market `index`.
pub fn propose_market_update(admin: &Pubkey, index: u16, params: MarketParams) -> Instruction {
    ix(
        accounts::ProposeMarketUpdate {
            admin: *admin,
            exchange: exchange_pda(),
            market: market_pda(index),
            market_update: market_update_pda(index),
            system_program: system_program::ID,
        },
        instruction::ProposeMarketUpdate { params },
    )
}

/// `apply_market_update` for market `index`, priced by `oracle`.
pub fn apply_market_update(admin: &Pubkey, index: u16, oracle: &Pubkey) -> Instruction {
    ix(
        accounts::ApplyMarketUpdate {
            admin: *admin,
            exchange: exchange_pda(),
            market: market_pda(index),
            oracle: *oracle,
            pool: pool_pda(),
            market_update: market_update_pda(index),
        },
        instruction::ApplyMarketUpdate {},
    )
}

/// `cancel_market_update` for market `index`.
pub fn cancel_market_update(admin: &Pubkey, index: u16) -> Instruction {
    ix(
        accounts::CancelMarketUpdate {
            admin: *admin,
            exchange: exchange_pda(),
            market_update: market_update_pda(index),
        },
        instruction::CancelMarketUpdate {},
    )
}

/// `withdraw_protocol_fees` to `treasury` (the exchange's).
pub fn withdraw_protocol_fees(admin: &Pubkey, treasury: &Pubkey, amount: u64) -> Instruction {
    ix(
        accounts::WithdrawProtocolFees {
            admin: *admin,
            exchange: exchange_pda(),
            vault: vault_pda(),
            treasury: *treasury,
            token_program: spl_token::ID,
        },
        instruction::WithdrawProtocolFees { amount },
    )
}

/// `sweep_funding_remainder` of market `index`.
pub fn sweep_funding_remainder(index: u16) -> Instruction {
    ix(
        accounts::SweepFundingRemainder {
            exchange: exchange_pda(),
            market: market_pda(index),
        },
        instruction::SweepFundingRemainder {},
    )
}

/// `set_market_status`.
pub fn set_market_status(admin: &Pubkey, index: u16, status: MarketStatus) -> Instruction {
    ix(
        accounts::SetMarketStatus {
            admin: *admin,
            exchange: exchange_pda(),
            market: market_pda(index),
        },
        instruction::SetMarketStatus { status },
    )
}

/// `propose_admin`.
pub fn propose_admin(admin: &Pubkey, proposed: &Pubkey) -> Instruction {
    ix(
        accounts::ProposeAdmin {
            admin: *admin,
            exchange: exchange_pda(),
        },
        instruction::ProposeAdmin {
            proposed: *proposed,
        },
    )
}

/// `accept_admin`.
pub fn accept_admin(new_admin: &Pubkey) -> Instruction {
    ix(
        accounts::AcceptAdmin {
            new_admin: *new_admin,
            exchange: exchange_pda(),
        },
        instruction::AcceptAdmin {},
    )
}

/// `set_stub_price` for market `index`.
pub fn set_stub_price(
    admin: &Pubkey,
    index: u16,
    price: i64,
    conf: u64,
    exponent: i32,
) -> Instruction {
    ix(
        accounts::SetStubPrice {
            admin: *admin,
            exchange: exchange_pda(),
            market: market_pda(index),
            oracle: stub_oracle_pda(index),
        },
        instruction::SetStubPrice {
            price,
            conf,
            exponent,
        },
    )
}

/// `create_user`.
pub fn create_user(owner: &Pubkey) -> Instruction {
    ix(
        accounts::CreateUser {
            owner: *owner,
            exchange: exchange_pda(),
            user: user_pda(owner),
            system_program: system_program::ID,
        },
        instruction::CreateUser {},
    )
}

/// `create_sub_account`.
pub fn create_sub_account(owner: &Pubkey, id: u16, mode: SubAccountMode) -> Instruction {
    ix(
        accounts::CreateSubAccount {
            owner: *owner,
            exchange: exchange_pda(),
            user: user_pda(owner),
            sub_account: sub_account_pda(owner, id),
            system_program: system_program::ID,
        },
        instruction::CreateSubAccount { id, mode },
    )
}

/// `deposit` from `owner_token` into `sub_account`.
pub fn deposit(
    owner: &Pubkey,
    sub_account: &Pubkey,
    owner_token: &Pubkey,
    amount: u64,
) -> Instruction {
    deposit_with_vault(owner, sub_account, owner_token, &vault_pda(), amount)
}

/// `deposit` with `[market, oracle]` for every open position, so that a sub-account flagged as
/// being liquidated whose equity the deposit brings back to the liquidation-end target is
/// unflagged.
pub fn deposit_with_markets(
    owner: &Pubkey,
    sub_account: &Pubkey,
    owner_token: &Pubkey,
    amount: u64,
    pairs: &[Pubkey],
) -> Instruction {
    let mut instruction = deposit(owner, sub_account, owner_token, amount);
    instruction.accounts.extend(
        pairs
            .iter()
            .map(|key| AccountMeta::new_readonly(*key, false)),
    );
    instruction
}

/// `deposit` naming the vault account explicitly (to test substitutions).
pub fn deposit_with_vault(
    owner: &Pubkey,
    sub_account: &Pubkey,
    owner_token: &Pubkey,
    vault: &Pubkey,
    amount: u64,
) -> Instruction {
    ix(
        accounts::Deposit {
            owner: *owner,
            exchange: exchange_pda(),
            pool: pool_pda(),
            sub_account: *sub_account,
            vault: *vault,
            owner_token: *owner_token,
            token_program: spl_token::ID,
        },
        instruction::Deposit { amount },
    )
}

/// `withdraw` to `destination`, with `[market, oracle]` pairs as remaining accounts.
pub fn withdraw(
    owner: &Pubkey,
    sub_account: &Pubkey,
    destination: &Pubkey,
    amount: u64,
    margin_accounts: &[Pubkey],
) -> Instruction {
    let mut instruction = ix(
        accounts::Withdraw {
            owner: *owner,
            exchange: exchange_pda(),
            sub_account: *sub_account,
            vault: vault_pda(),
            destination: *destination,
            token_program: spl_token::ID,
        },
        instruction::Withdraw { amount },
    );
    instruction.accounts.extend(
        margin_accounts
            .iter()
            .map(|key| AccountMeta::new_readonly(*key, false)),
    );
    instruction
}

/// `close_sub_account`.
pub fn close_sub_account(owner: &Pubkey, sub_account: &Pubkey) -> Instruction {
    ix(
        accounts::CloseSubAccount {
            owner: *owner,
            user: user_pda(owner),
            sub_account: *sub_account,
        },
        instruction::CloseSubAccount {},
    )
}

/// `[market, oracle]` pairs as read-only remaining accounts.
fn with_pairs(mut instruction: Instruction, pairs: &[Pubkey]) -> Instruction {
    instruction.accounts.extend(
        pairs
            .iter()
            .map(|key| AccountMeta::new_readonly(*key, false)),
    );
    instruction
}

/// `open_position` in market `index` (oracle `oracle`), with the other positions' pairs.
pub fn open_position(
    trader: &Pubkey,
    sub_account: &Pubkey,
    index: u16,
    oracle: &Pubkey,
    args: OpenPositionArgs,
    other_pairs: &[Pubkey],
) -> Instruction {
    let instruction = ix(
        accounts::OpenPosition {
            trader: *trader,
            exchange: exchange_pda(),
            pool: pool_pda(),
            sub_account: *sub_account,
            market: market_pda(index),
            oracle: *oracle,
        },
        instruction::OpenPosition { args },
    );
    with_pairs(instruction, other_pairs)
}

/// `close_position` in market `index`: `base` atoms, or all when `None`.
pub fn close_position(
    trader: &Pubkey,
    sub_account: &Pubkey,
    index: u16,
    oracle: &Pubkey,
    base: Option<u64>,
    limit_price: u64,
) -> Instruction {
    ix(
        accounts::ClosePosition {
            trader: *trader,
            exchange: exchange_pda(),
            pool: pool_pda(),
            sub_account: *sub_account,
            market: market_pda(index),
            oracle: *oracle,
        },
        instruction::ClosePosition { base, limit_price },
    )
}

/// An LP's account.
pub fn lp_pda(owner: &Pubkey) -> Pubkey {
    pda(&[ringfence::state::LP_SEED, owner.as_ref()])
}

/// `pool_deposit` (no market accounts: the pool carries its own valuation).
pub fn pool_deposit(owner: &Pubkey, owner_token: &Pubkey, amount: u64) -> Instruction {
    ix(
        accounts::PoolDeposit {
            owner: *owner,
            exchange: exchange_pda(),
            pool: pool_pda(),
            lp: lp_pda(owner),
            vault: vault_pda(),
            owner_token: *owner_token,
            token_program: spl_token::ID,
            system_program: system_program::ID,
        },
        instruction::PoolDeposit { amount },
    )
}

/// `pool_withdraw` (no market accounts).
pub fn pool_withdraw(owner: &Pubkey, destination: &Pubkey, shares: u64) -> Instruction {
    ix(
        accounts::PoolWithdraw {
            owner: *owner,
            exchange: exchange_pda(),
            pool: pool_pda(),
            lp: lp_pda(owner),
            vault: vault_pda(),
            destination: *destination,
            token_program: spl_token::ID,
        },
        instruction::PoolWithdraw { shares },
    )
}

/// `refresh_pool_valuation` of the markets whose `[market, oracle]` pairs are given.
pub fn refresh_pool_valuation(pairs: &[Pubkey]) -> Instruction {
    let mut instruction = ix(
        accounts::RefreshPoolValuation { pool: pool_pda() },
        instruction::RefreshPoolValuation {},
    );
    for pair in pairs.chunks(2) {
        instruction.accounts.push(AccountMeta::new(pair[0], false));
        if let Some(oracle) = pair.get(1) {
            instruction
                .accounts
                .push(AccountMeta::new_readonly(*oracle, false));
        }
    }
    instruction
}

/// `set_delegate`: `owner` names `delegate` (or clears it with `None`) on `sub_account`.
pub fn set_delegate(owner: &Pubkey, sub_account: &Pubkey, delegate: Option<Pubkey>) -> Instruction {
    ix(
        accounts::SetDelegate {
            owner: *owner,
            sub_account: *sub_account,
        },
        instruction::SetDelegate { delegate },
    )
}

/// `redeem_claim` of `sub_account`'s funded claim.
pub fn redeem_claim(sub_account: &Pubkey) -> Instruction {
    ix(
        accounts::RedeemClaim {
            exchange: exchange_pda(),
            pool: pool_pda(),
            sub_account: *sub_account,
        },
        instruction::RedeemClaim {},
    )
}

fn move_margin_accounts(
    owner: &Pubkey,
    source: &Pubkey,
    destination: &Pubkey,
) -> accounts::MoveMargin {
    accounts::MoveMargin {
        owner: *owner,
        source: *source,
        destination: *destination,
        pool: pool_pda(),
    }
}

/// `add_margin` from `source` into the isolated `destination`, with the source's pairs.
pub fn add_margin(
    owner: &Pubkey,
    source: &Pubkey,
    destination: &Pubkey,
    amount: u64,
    source_pairs: &[Pubkey],
) -> Instruction {
    let instruction = ix(
        move_margin_accounts(owner, source, destination),
        instruction::AddMargin { amount },
    );
    with_pairs(instruction, source_pairs)
}

/// `remove_margin` from the isolated `source` into `destination`, with the source's pairs.
pub fn remove_margin(
    owner: &Pubkey,
    source: &Pubkey,
    destination: &Pubkey,
    amount: u64,
    source_pairs: &[Pubkey],
) -> Instruction {
    let instruction = ix(
        move_margin_accounts(owner, source, destination),
        instruction::RemoveMargin { amount },
    );
    with_pairs(instruction, source_pairs)
}

/// `settle_funding` for market `index`, settling `sub_accounts`.
pub fn settle_funding(index: u16, oracle: &Pubkey, sub_accounts: &[Pubkey]) -> Instruction {
    let mut instruction = ix(
        accounts::SettleFunding {
            market: market_pda(index),
            oracle: *oracle,
            pool: pool_pda(),
        },
        instruction::SettleFunding {},
    );
    instruction
        .accounts
        .extend(sub_accounts.iter().map(|key| AccountMeta::new(*key, false)));
    instruction
}

/// `liquidate` of `sub_account`'s position in market `index`, reward to `liquidator_token`.
pub fn liquidate(
    liquidator: &Pubkey,
    liquidator_token: &Pubkey,
    sub_account: &Pubkey,
    index: u16,
    oracle: &Pubkey,
    max_base: u64,
    other_pairs: &[Pubkey],
) -> Instruction {
    let instruction = ix(
        accounts::Liquidate {
            liquidator: *liquidator,
            liquidator_token: *liquidator_token,
            exchange: exchange_pda(),
            pool: pool_pda(),
            vault: vault_pda(),
            sub_account: *sub_account,
            market: market_pda(index),
            oracle: *oracle,
            token_program: spl_token::ID,
        },
        instruction::Liquidate { max_base },
    );
    with_pairs(instruction, other_pairs)
}

/// `fund_insurance` from `funder_token`.
pub fn fund_insurance(funder: &Pubkey, funder_token: &Pubkey, amount: u64) -> Instruction {
    ix(
        accounts::FundInsurance {
            funder: *funder,
            funder_token: *funder_token,
            exchange: exchange_pda(),
            vault: vault_pda(),
            token_program: spl_token::ID,
        },
        instruction::FundInsurance { amount },
    )
}

/// `withdraw_insurance` to `destination`.
pub fn withdraw_insurance(admin: &Pubkey, destination: &Pubkey, amount: u64) -> Instruction {
    ix(
        accounts::WithdrawInsurance {
            admin: *admin,
            exchange: exchange_pda(),
            pool: pool_pda(),
            vault: vault_pda(),
            destination: *destination,
            token_program: spl_token::ID,
        },
        instruction::WithdrawInsurance { amount },
    )
}

/// `set_triggers` on the position in market `index` priced by `oracle`.
pub fn set_triggers(
    trader: &Pubkey,
    sub_account: &Pubkey,
    index: u16,
    oracle: &Pubkey,
    stop_loss: u64,
    take_profit: u64,
) -> Instruction {
    ix(
        accounts::SetTriggers {
            trader: *trader,
            sub_account: *sub_account,
            market: market_pda(index),
            oracle: *oracle,
        },
        instruction::SetTriggers {
            stop_loss,
            take_profit,
        },
    )
}

/// `execute_trigger` on the position in market `index`, fee to `keeper_token`.
pub fn execute_trigger(
    keeper: &Pubkey,
    keeper_token: &Pubkey,
    sub_account: &Pubkey,
    index: u16,
    oracle: &Pubkey,
) -> Instruction {
    ix(
        accounts::ExecuteTrigger {
            keeper: *keeper,
            keeper_token: *keeper_token,
            exchange: exchange_pda(),
            pool: pool_pda(),
            vault: vault_pda(),
            sub_account: *sub_account,
            market: market_pda(index),
            oracle: *oracle,
            token_program: spl_token::ID,
        },
        instruction::ExecuteTrigger {},
    )
}

/// The wallet's associated token account of `mint` (where the CLI, keeper and web page keep
/// collateral).
pub fn token_account(owner: &Pubkey, mint: &Pubkey) -> Pubkey {
    associated_token::get_associated_token_address(owner, mint)
}

/// Creates `owner`'s associated token account of `mint` if it does not exist yet.
pub fn create_token_account(payer: &Pubkey, owner: &Pubkey, mint: &Pubkey) -> Instruction {
    associated_token::spl_associated_token_account::instruction::create_associated_token_account_idempotent(
        payer,
        owner,
        mint,
        &spl_token::ID,
    )
}

/// Creates and initialises a mint at `mint` (a new keypair's address) with `lamports` of rent.
pub fn create_mint(
    payer: &Pubkey,
    mint: &Pubkey,
    authority: &Pubkey,
    decimals: u8,
    lamports: u64,
) -> [Instruction; 2] {
    use anchor_lang::solana_program::program_pack::Pack;
    use anchor_spl::token::spl_token::state::Mint;
    [
        solana_system_interface::instruction::create_account(
            payer,
            mint,
            lamports,
            Mint::LEN as u64,
            &spl_token::ID,
        ),
        spl_token::instruction::initialize_mint2(&spl_token::ID, mint, authority, None, decimals)
            .expect("the token program id is spl_token's"),
    ]
}

/// Mints `amount` of `mint` to `token` (signed by the mint authority).
pub fn mint_to(mint: &Pubkey, token: &Pubkey, authority: &Pubkey, amount: u64) -> Instruction {
    spl_token::instruction::mint_to(&spl_token::ID, mint, token, authority, &[], amount)
        .expect("the token program id is spl_token's")
}

/// `place_order` in market `index` priced by `oracle` (owner or delegate `trader`).
pub fn place_order(
    trader: &Pubkey,
    sub_account: &Pubkey,
    index: u16,
    oracle: &Pubkey,
    args: ringfence::instructions::PlaceOrderArgs,
) -> Instruction {
    ix(
        accounts::PlaceOrder {
            trader: *trader,
            sub_account: *sub_account,
            market: market_pda(index),
            oracle: *oracle,
        },
        instruction::PlaceOrder { args },
    )
}

/// `cancel_order` of order slot `slot` (owner or delegate `trader`).
pub fn cancel_order(trader: &Pubkey, sub_account: &Pubkey, slot: u8) -> Instruction {
    ix(
        accounts::CancelOrder {
            trader: *trader,
            sub_account: *sub_account,
        },
        instruction::CancelOrder { slot },
    )
}

/// `execute_order` of order slot `slot` in market `index`, fee to `keeper_token`, with the
/// sub-account's other positions' `[market, oracle]` pairs. Must be the transaction's only
/// Ringfence instruction.
pub fn execute_order(
    keeper: &Pubkey,
    keeper_token: &Pubkey,
    sub_account: &Pubkey,
    index: u16,
    oracle: &Pubkey,
    slot: u8,
    other_pairs: &[Pubkey],
) -> Instruction {
    let instruction = ix(
        accounts::ExecuteOrder {
            keeper: *keeper,
            keeper_token: *keeper_token,
            exchange: exchange_pda(),
            pool: pool_pda(),
            vault: vault_pda(),
            sub_account: *sub_account,
            market: market_pda(index),
            oracle: *oracle,
            instructions: solana_sdk::sysvar::instructions::ID,
            token_program: spl_token::ID,
        },
        instruction::ExecuteOrder { slot },
    );
    with_pairs(instruction, other_pairs)
}

/// `prune_order` of a dead order in slot `slot` (anyone; pays nothing).
pub fn prune_order(keeper: &Pubkey, sub_account: &Pubkey, slot: u8) -> Instruction {
    ix(
        accounts::PruneOrder {
            keeper: *keeper,
            sub_account: *sub_account,
        },
        instruction::PruneOrder { slot },
    )
}
