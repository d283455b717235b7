//! The benchmark's network in two phases. Phase one starts a plain local network, bootstraps
//! the exchange (mint, exchange, eight frictionless markets, pool, insurance) through the
//! program's own instructions and copies every account it made. Phase two starts a fresh
//! network whose genesis holds those accounts, adjusted for the generated sub-accounts (each
//! market's open interest and entry sums, the vault's balance and the mint's supply, the
//! exchange's user count), the sub-accounts themselves and their owners' user accounts.

use crate::book::Generated;
use anchor_lang::{AccountDeserialize, AccountSerialize, Discriminator};
use ringfence::state::{Exchange, Market, Position, SubAccount, UserAccount, USER_SEED};
use ringfence_localnet::{demo, Config, Localnet};
use ringfence_sdk::builders;
use ringfence_sdk::client::{Client, PricedMarket};
use ringfence_sdk::deploy::{MarketList, OracleSpec};
use ringfence_sdk::presets::USD;
use solana_sdk::account::{Account, AccountSharedData};
use solana_sdk::pubkey::Pubkey;
use solana_sdk::rent::Rent;
use solana_sdk::signature::{Keypair, Signer};
use std::collections::BTreeMap;
use std::mem::size_of;

/// The frictionless BTC and ETH markets of the keeper's tests.
const FRICTIONLESS: &str =
    include_str!("../../../../app/localnet/tests/fixtures/frictionless.toml");
/// Six more markets with ETH's parameters (so a cross sub-account can hold 8 positions):
/// name and start price, dollars.
const MORE_MARKETS: [(&str, i64); 6] = [
    ("SOL-PERP", 150),
    ("BNB-PERP", 600),
    ("AVAX-PERP", 30),
    ("LINK-PERP", 15),
    ("LTC-PERP", 80),
    ("DOT-PERP", 7),
];
/// Open-interest cap per side and market, dollars (room for 100,000 sub-accounts).
const OPEN_INTEREST_CAP_USD: u64 = 5_000_000_000;
/// The pool's liquidity, dollars: with the 200% side cap, every side's open interest fits.
const POOL_USD: u64 = 1_000_000_000;
/// The insurance fund, dollars.
const INSURANCE_USD: u64 = 10_000_000;
/// SPL Token layouts: a token account's balance, a mint's supply (byte offsets).
const TOKEN_AMOUNT: std::ops::Range<usize> = 64..72;
const MINT_SUPPLY: std::ops::Range<usize> = 36..44;

/// Any error, boxed.
pub type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// What phase one made.
pub struct Snapshot {
    /// The admin (sets stub prices).
    pub admin: Keypair,
    /// Every market with its mark at the start prices.
    pub markets: Vec<PricedMarket>,
    /// The cluster's unix time when copied.
    pub now: i64,
    /// Start prices, micro-dollars, by market index.
    pub prices: Vec<i64>,
    accounts: Vec<(Pubkey, Account)>,
    vault: Pubkey,
    mint: Pubkey,
}

/// The eight markets: the frictionless pair and six copies of ETH's parameters.
pub fn market_list() -> Result<MarketList, AnyError> {
    let mut list = MarketList::parse(FRICTIONLESS)?;
    let eth = list.markets[1].clone();
    for (name, price_usd) in MORE_MARKETS {
        let mut market = eth.clone();
        market.name = name.to_string();
        market.oracle = OracleSpec::Stub { price_usd };
        list.markets.push(market);
    }
    for market in &mut list.markets {
        market.max_open_interest_usd = OPEN_INTEREST_CAP_USD;
    }
    Ok(list)
}

/// Phase one: bootstraps the exchange on a throwaway network and copies what it made.
pub async fn phase_one() -> Result<Snapshot, AnyError> {
    let net = Localnet::start(Config::ephemeral(), jsonrpsee::Methods::new()).await?;
    let client = Client::new(&net.rpc_url);
    let (admin, mint) = (Keypair::new(), Keypair::new());
    let list = market_list()?;
    let prices = ringfence_localnet::demo::list_prices(&list);
    demo::bootstrap(&client, &admin, &mint, list, POOL_USD).await?;
    let admin_token = builders::token_account(&admin.pubkey(), &mint.pubkey());
    let ix = builders::mint_to(
        &mint.pubkey(),
        &admin_token,
        &admin.pubkey(),
        INSURANCE_USD * USD,
    );
    let insurance = builders::fund_insurance(&admin.pubkey(), &admin_token, INSURANCE_USD * USD);
    client.send(&[ix, insurance], &admin, &[]).await?;
    let exchange = client.exchange().await?.ok_or("no exchange")?;
    let mut accounts = client.rpc.get_program_accounts(&ringfence::ID).await?;
    let tokens = [
        exchange.collateral_mint,
        exchange.vault,
        exchange.treasury,
        admin_token,
        admin.pubkey(),
    ];
    for (key, account) in tokens
        .iter()
        .zip(client.rpc.get_multiple_accounts(&tokens).await?)
    {
        if accounts.iter().all(|(k, _)| k != key) {
            accounts.push((*key, account.ok_or("account missing")?));
        }
    }
    let snapshot = Snapshot {
        markets: client.markets().await?,
        now: client.now().await?,
        admin,
        prices,
        accounts,
        vault: exchange.vault,
        mint: exchange.collateral_mint,
    };
    net.stop().await;
    Ok(snapshot)
}

/// Σ long base, Σ short |base|, Σ long quote_entry, Σ short quote_entry, per market.
#[derive(Default)]
struct Interest {
    long: u64,
    short: u64,
    quote_long: i64,
    quote_short: i64,
}

fn interest(book: &[Generated]) -> BTreeMap<u16, Interest> {
    let mut totals: BTreeMap<u16, Interest> = BTreeMap::new();
    for p in book.iter().flat_map(|g| g.view.open_positions()) {
        let total = totals.entry(p.market_index).or_default();
        if p.base > 0 {
            total.long += p.base.unsigned_abs();
            total.quote_long += p.quote_entry;
        } else {
            total.short += p.base.unsigned_abs();
            total.quote_short += p.quote_entry;
        }
    }
    totals
}

fn add_u64(data: &mut [u8], at: std::ops::Range<usize>, amount: u64) {
    let old = u64::from_le_bytes(data[at.clone()].try_into().expect("8 bytes"));
    data[at].copy_from_slice(&(old + amount).to_le_bytes());
}

fn with_interest(data: &mut [u8], totals: &BTreeMap<u16, Interest>) {
    let range = 8..8 + size_of::<Market>();
    let mut market: Market = bytemuck::pod_read_unaligned(&data[range.clone()]);
    if let Some(total) = totals.get(&market.index) {
        market.open_interest_long += total.long;
        market.open_interest_short += total.short;
        market.quote_entry_long += total.quote_long;
        market.quote_entry_short += total.quote_short;
    }
    data[range].copy_from_slice(bytemuck::bytes_of(&market));
}

fn with_users(data: &mut Vec<u8>, owners: u64) -> Result<(), AnyError> {
    let mut exchange = Exchange::try_deserialize(&mut data.as_slice())?;
    exchange.user_count += owners;
    let size = data.len();
    data.clear();
    exchange.try_serialize(data)?;
    // Borsh writes an absent pending admin in one byte; the account keeps its allocated size.
    data.resize(size, 0);
    Ok(())
}

fn rent_exempt(data: Vec<u8>, owner: Pubkey) -> AccountSharedData {
    AccountSharedData::from(Account {
        lamports: Rent::default().minimum_balance(data.len()),
        data,
        owner,
        executable: false,
        rent_epoch: 0,
    })
}

/// A sub-account's bytes as the program lays them out: discriminator, header, position slots,
/// order slots.
pub fn sub_account_bytes(generated: &Generated) -> Vec<u8> {
    let view = &generated.view;
    let mut data = SubAccount::DISCRIMINATOR.to_vec();
    data.extend_from_slice(bytemuck::bytes_of(&view.header));
    data.extend_from_slice(bytemuck::cast_slice::<Position, u8>(&view.positions));
    data.extend_from_slice(bytemuck::cast_slice(&view.orders));
    data
}

fn user_account(owner: Pubkey) -> Result<(Pubkey, AccountSharedData), AnyError> {
    let (key, bump) = Pubkey::find_program_address(&[USER_SEED, owner.as_ref()], &ringfence::ID);
    let user = UserAccount {
        owner,
        next_sub_account_id: 2,
        open_sub_accounts: 2,
        bump,
    };
    let mut data = Vec::with_capacity(UserAccount::SPACE);
    user.try_serialize(&mut data)?;
    Ok((key, rent_exempt(data, ringfence::ID)))
}

/// Phase two's genesis: phase one's accounts, adjusted for `book`, plus `book` and its owners.
pub fn genesis(
    snapshot: &Snapshot,
    book: &[Generated],
) -> Result<Vec<(Pubkey, AccountSharedData)>, AnyError> {
    let totals = interest(book);
    let collateral: i64 = book.iter().map(|g| g.view.header.collateral).sum();
    let collateral = u64::try_from(collateral)?;
    let owners: Vec<Pubkey> = book
        .iter()
        .filter(|g| g.view.header.id == 0)
        .map(|g| g.view.header.owner)
        .collect();
    let mut accounts = Vec::with_capacity(snapshot.accounts.len() + book.len() + owners.len());
    for (key, account) in &snapshot.accounts {
        let mut account = account.clone();
        let data = &mut account.data;
        if *key == snapshot.vault {
            add_u64(data, TOKEN_AMOUNT, collateral);
        } else if *key == snapshot.mint {
            add_u64(data, MINT_SUPPLY, collateral);
        } else if data.starts_with(Market::DISCRIMINATOR) {
            with_interest(data, &totals);
        } else if data.starts_with(Exchange::DISCRIMINATOR) {
            with_users(data, owners.len() as u64)?;
        }
        accounts.push((*key, AccountSharedData::from(account)));
    }
    for generated in book {
        let data = sub_account_bytes(generated);
        accounts.push((generated.key, rent_exempt(data, ringfence::ID)));
    }
    for owner in owners {
        accounts.push(user_account(owner)?);
    }
    Ok(accounts)
}
