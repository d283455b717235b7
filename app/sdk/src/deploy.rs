//! The declarative market list (`migrations/*.toml`) and the idempotent deploy that makes a
//! cluster match it: initialise the exchange if absent, create missing markets in order, and
//! propose (then, once the timelock has passed, apply) the parameters of markets whose on-chain
//! parameters differ.

use crate::accounts;
use crate::builders;
use crate::client::{Client, ClientResult};
use crate::presets::USD;
use anchor_lang::prelude::Pubkey;
use ringfence::instructions::{CreateMarketArgs, ExchangeConfig, OracleSource};
use ringfence::state::{Market, MarketParams, OracleKind, IM_SIZE_SCALE_UNIT};
use serde::Deserialize;
use solana_rpc_client_api::client_error::{Error as ClientError, ErrorKind};
use solana_sdk::signature::{Keypair, Signer};
use std::str::FromStr;

/// The whole file: the collateral mint and the markets, in index order.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketList {
    /// The collateral mint (6 decimals), base58. Optional when the exchange already exists.
    pub collateral_mint: Option<String>,
    /// The exchange's permanent settings. Needed only before the exchange exists.
    pub exchange: Option<ExchangeSpec>,
    /// Markets; the n-th entry is market index n.
    #[serde(rename = "market")]
    pub markets: Vec<MarketSpec>,
}

/// The exchange's permanent settings (fixed at `initialize_exchange`).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExchangeSpec {
    /// Seconds between proposing and applying a parameter change (≥ 3,600 without stubs).
    pub timelock_s: u32,
    /// Whether markets may use stub oracles (local networks and demos only).
    pub allow_stub_oracles: bool,
    /// Seconds an LP waits after depositing before redeeming (≥ 3,600 without stubs).
    pub lp_cooldown_s: u32,
    /// Oldest pool valuation LP flows accept, seconds (1 ..= 600).
    pub max_valuation_age_s: u32,
    /// The treasury token account of the collateral mint, base58; when absent the deploy
    /// uses (and creates) the admin's associated token account.
    pub treasury: Option<String>,
}

impl ExchangeSpec {
    /// The program's exchange settings for this spec.
    pub fn config(&self) -> ExchangeConfig {
        ExchangeConfig {
            timelock_s: self.timelock_s,
            allow_stub_oracles: self.allow_stub_oracles,
            lp_cooldown_s: self.lp_cooldown_s,
            max_valuation_age_s: self.max_valuation_age_s,
        }
    }
}

/// One maintenance bracket: its ratio up to a notional bound (none on the last bracket).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Tier {
    /// Upper notional bound, whole dollars; absent on the last bracket.
    pub up_to_usd: Option<u64>,
    /// Maintenance ratio, basis points.
    pub mm_bps: u16,
}

/// Where a market's price comes from.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, rename_all = "snake_case")]
pub enum OracleSpec {
    /// A Pyth `PriceUpdateV2` account for a feed.
    Pyth {
        /// The price update account, base58.
        account: String,
        /// The feed id, 64 hex digits (an optional `0x` prefix).
        feed_id: String,
    },
    /// The admin-set stub oracle (local networks and demos), starting at a price.
    Stub {
        /// Starting price, whole dollars.
        price_usd: i64,
    },
}

/// One market, every parameter written out.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct MarketSpec {
    /// Display name, 1 ..= 16 bytes.
    pub name: String,
    /// Price source (not changeable after creation).
    pub oracle: OracleSpec,
    /// Maintenance brackets, 1 ..= 4, the last without a bound.
    pub maintenance_tiers: Vec<Tier>,
    /// Largest leverage.
    pub max_leverage: u16,
    /// Skew at which funding reaches its maximum, whole dollars.
    pub skew_scale_usd: u64,
    /// Open-interest cap per side, whole dollars.
    pub max_open_interest_usd: u64,
    /// Fee for executing a trigger, whole dollars.
    pub trigger_keeper_fee_usd: u64,
    /// Oldest accepted oracle price, seconds.
    pub max_oracle_age_s: u32,
    /// Oldest oracle price a fill accepts, seconds (at most `max_oracle_age_s`).
    pub max_fill_age_s: u8,
    /// Largest funding rate, parts per million per hour.
    pub max_funding_rate_ppm: u32,
    /// Taker fee, basis points.
    pub taker_fee_bps: u16,
    /// Protocol's share of taker fees, basis points.
    pub protocol_fee_share_bps: u16,
    /// Liquidation penalty, basis points.
    pub liquidation_fee_bps: u16,
    /// Liquidator's share of the penalty, basis points.
    pub liquidator_share_bps: u16,
    /// Weight of unrealized profit toward opening risk, basis points.
    pub upnl_initial_weight_bps: u16,
    /// Largest skew premium on fills, basis points.
    pub max_premium_bps: u16,
    /// Widest accepted oracle confidence, basis points.
    pub max_conf_bps: u16,
    /// Largest accepted |price − EMA| / EMA, basis points.
    pub max_ema_divergence_bps: u16,
    /// Notional at which the initial ratio's size term reaches 100%, whole dollars, a multiple
    /// of $100,000 (0: no size term).
    pub im_size_scale_usd: u64,
    /// Each side's open interest at most this share of pool equity plus insurance, bps.
    pub max_side_oi_pool_bps: u16,
}

/// What the deploy did to one market.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Action {
    /// Created at this index.
    Created,
    /// A parameter change proposed, applicable from this unix time.
    Proposed(i64),
    /// A proposed change still timelocked until this unix time.
    Pending(i64),
    /// Parameters updated (a pending change applied).
    Updated,
    /// Already as specified.
    Unchanged,
    /// Already as specified; a pending change that would have moved it away was cancelled.
    PendingCancelled,
}

fn invalid(message: String) -> ClientError {
    ClientError::from(ErrorKind::Custom(message))
}

impl MarketList {
    /// Parses a market list file's text.
    pub fn parse(text: &str) -> Result<Self, String> {
        toml::from_str(text).map_err(|e| e.to_string())
    }
}

impl MarketSpec {
    /// The program's parameters for this spec.
    pub fn params(&self) -> Result<MarketParams, String> {
        let count = self.maintenance_tiers.len();
        if !(1..=4).contains(&count) {
            return Err(format!("{}: 1 to 4 maintenance tiers", self.name));
        }
        let mut up_to = [0u64; 4];
        let mut mm = [0u16; 4];
        for (i, tier) in self.maintenance_tiers.iter().enumerate() {
            let last = i + 1 == count;
            up_to[i] = match (tier.up_to_usd, last) {
                (Some(usd), false) => usd.checked_mul(USD).ok_or("tier bound too large")?,
                (None, true) => 0,
                _ => return Err(format!("{}: only the last tier has no bound", self.name)),
            };
            mm[i] = tier.mm_bps;
        }
        let dollars = |usd: u64| usd.checked_mul(USD).ok_or("amount too large".to_string());
        Ok(MarketParams {
            tier_up_to_notional: up_to,
            tier_mm_bps: mm,
            skew_scale: dollars(self.skew_scale_usd)?,
            max_open_interest: dollars(self.max_open_interest_usd)?,
            trigger_keeper_fee: dollars(self.trigger_keeper_fee_usd)?,
            im_size_scale: self.im_size_scale()?,
            max_side_oi_pool_bps: self.max_side_oi_pool_bps,
            max_oracle_age_s: self.max_oracle_age_s,
            max_funding_rate_ppm: self.max_funding_rate_ppm,
            max_leverage: self.max_leverage,
            taker_fee_bps: self.taker_fee_bps,
            protocol_fee_share_bps: self.protocol_fee_share_bps,
            liquidation_fee_bps: self.liquidation_fee_bps,
            liquidator_share_bps: self.liquidator_share_bps,
            upnl_initial_weight_bps: self.upnl_initial_weight_bps,
            max_premium_bps: self.max_premium_bps,
            max_conf_bps: self.max_conf_bps,
            max_ema_divergence_bps: self.max_ema_divergence_bps,
            tier_count: count as u8,
            max_fill_age_s: self.max_fill_age_s,
        })
    }

    /// The size scale in the program's unit ($100,000).
    fn im_size_scale(&self) -> Result<u16, String> {
        let unit = IM_SIZE_SCALE_UNIT / USD;
        if !self.im_size_scale_usd.is_multiple_of(unit) {
            return Err(format!(
                "{}: im_size_scale_usd is a multiple of {unit}",
                self.name
            ));
        }
        u16::try_from(self.im_size_scale_usd / unit)
            .map_err(|_| format!("{}: im_size_scale_usd too large", self.name))
    }

    /// The oracle account and source of market `index` for this spec.
    pub fn oracle(&self, index: u16) -> Result<(Pubkey, OracleSource), String> {
        match &self.oracle {
            OracleSpec::Stub { price_usd } => Ok((
                builders::stub_oracle_pda(index),
                OracleSource::Stub {
                    price: price_usd
                        .checked_mul(USD as i64)
                        .ok_or("stub price too large")?,
                    conf: 0,
                    exponent: -6,
                },
            )),
            OracleSpec::Pyth { account, feed_id } => {
                let account = Pubkey::from_str(account).map_err(|e| e.to_string())?;
                let hex = feed_id.trim_start_matches("0x");
                let bytes: Vec<u8> = (0..hex.len())
                    .step_by(2)
                    .map(|i| u8::from_str_radix(hex.get(i..i + 2).unwrap_or("zz"), 16))
                    .collect::<Result<_, _>>()
                    .map_err(|_| format!("{}: feed_id is not hex", self.name))?;
                let feed_id: [u8; 32] = bytes
                    .try_into()
                    .map_err(|_| format!("{}: feed_id is not 32 bytes", self.name))?;
                Ok((account, OracleSource::Pyth { feed_id }))
            }
        }
    }
}

fn same_oracle(market: &Market, oracle: &Pubkey, source: &OracleSource) -> bool {
    let kind_matches = match source {
        OracleSource::Stub { .. } => market.oracle_kind() == OracleKind::Stub,
        OracleSource::Pyth { feed_id } => {
            market.oracle_kind() == OracleKind::Pyth && market.feed_id == *feed_id
        }
    };
    kind_matches && market.oracle == *oracle
}

/// Makes the cluster match `list`, as `admin`; returns each market's name and action.
pub async fn deploy(
    client: &Client,
    admin: &Keypair,
    list: &MarketList,
) -> ClientResult<Vec<(String, Action)>> {
    if client.exchange().await?.is_none() {
        initialize(client, admin, list).await?;
    }
    let mut report = Vec::with_capacity(list.markets.len());
    for (index, spec) in list.markets.iter().enumerate() {
        let index = u16::try_from(index).map_err(|_| invalid("too many markets".into()))?;
        let params = spec.params().map_err(invalid)?;
        let (oracle, source) = spec.oracle(index).map_err(invalid)?;
        let existing = client.data(&builders::market_pda(index)).await?;
        let action = match existing.as_deref().and_then(accounts::market) {
            None => {
                let args = CreateMarketArgs {
                    name: spec.name.clone(),
                    oracle: source,
                    params,
                };
                let ix = builders::create_market(&admin.pubkey(), index, &oracle, args);
                client.send(&[ix], admin, &[]).await?;
                Action::Created
            }
            Some(market) => {
                if accounts::market_name(&market) != spec.name
                    || !same_oracle(&market, &oracle, &source)
                {
                    return Err(invalid(format!(
                        "market {index} on chain is {} with another oracle or name; \
                         names and oracles are fixed at creation",
                        accounts::market_name(&market)
                    )));
                }
                if market.params == params {
                    cancel_stray_change(client, admin, index).await?
                } else {
                    change_params(client, admin, index, &market, params).await?
                }
            }
        };
        report.push((spec.name.clone(), action));
    }
    Ok(report)
}

/// Creates the exchange from the list's mint and settings (and a treasury when none is named).
async fn initialize(client: &Client, admin: &Keypair, list: &MarketList) -> ClientResult<()> {
    let mint = list
        .collateral_mint
        .as_deref()
        .ok_or_else(|| invalid("no exchange yet: collateral_mint is required".into()))?;
    let mint = Pubkey::from_str(mint).map_err(|e| invalid(format!("collateral_mint: {e}")))?;
    let spec = list
        .exchange
        .as_ref()
        .ok_or_else(|| invalid("no exchange yet: an [exchange] table is required".into()))?;
    let treasury = match &spec.treasury {
        Some(key) => Pubkey::from_str(key).map_err(|e| invalid(format!("treasury: {e}")))?,
        None => {
            let ix = builders::create_token_account(&admin.pubkey(), &admin.pubkey(), &mint);
            client.send(&[ix], admin, &[]).await?;
            builders::token_account(&admin.pubkey(), &mint)
        }
    };
    let config = spec.config();
    let ix = builders::initialize_exchange(&admin.pubkey(), &mint, &treasury, config);
    client.send(&[ix], admin, &[]).await?;
    Ok(())
}

/// When the chain already matches the list, a pending change would move it away: cancel it.
async fn cancel_stray_change(client: &Client, admin: &Keypair, index: u16) -> ClientResult<Action> {
    if client
        .data(&builders::market_update_pda(index))
        .await?
        .is_none()
    {
        return Ok(Action::Unchanged);
    }
    let ix = builders::cancel_market_update(&admin.pubkey(), index);
    client.send(&[ix], admin, &[]).await?;
    Ok(Action::PendingCancelled)
}

/// Moves market `index` toward `params` through the timelock: proposes them (replacing a
/// pending change for other parameters), or applies them once their timelock has passed.
async fn change_params(
    client: &Client,
    admin: &Keypair,
    index: u16,
    market: &Market,
    params: MarketParams,
) -> ClientResult<Action> {
    let pending = client
        .data(&builders::market_update_pda(index))
        .await?
        .as_deref()
        .and_then(accounts::market_update);
    let now = client.now().await?;
    match pending {
        Some(update) if update.params == params && now >= update.apply_after => {
            let ix = builders::apply_market_update(&admin.pubkey(), index, &market.oracle);
            client.send(&[ix], admin, &[]).await?;
            Ok(Action::Updated)
        }
        Some(update) if update.params == params => Ok(Action::Pending(update.apply_after)),
        pending => {
            let mut ixs = Vec::new();
            if pending.is_some() {
                ixs.push(builders::cancel_market_update(&admin.pubkey(), index));
            }
            ixs.push(builders::propose_market_update(
                &admin.pubkey(),
                index,
                params,
            ));
            client.send(&ixs, admin, &[]).await?;
            let exchange = client
                .exchange()
                .await?
                .ok_or_else(|| invalid("no exchange".into()))?;
            Ok(Action::Proposed(now + i64::from(exchange.timelock_s)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::presets::{btc_params, eth_params};

    fn file(name: &str) -> MarketList {
        let path = format!("{}/../../migrations/{name}", env!("CARGO_MANIFEST_DIR"));
        MarketList::parse(&std::fs::read_to_string(path).unwrap()).unwrap()
    }

    #[test]
    fn the_localnet_list_is_the_presets_written_out() {
        let list = file("markets.localnet.toml");
        let names: Vec<&str> = list.markets.iter().map(|m| m.name.as_str()).collect();
        assert_eq!(names, ["BTC-PERP", "ETH-PERP", "SOL-PERP"]);
        assert_eq!(list.markets[0].params().unwrap(), btc_params());
        assert_eq!(list.markets[1].params().unwrap(), eth_params());
        for spec in &list.markets {
            spec.params().unwrap().validate().unwrap();
        }
    }

    #[test]
    fn the_cluster_example_is_a_timelocked_exchange_without_stub_oracles() {
        let list = file("markets.cluster.example.toml");
        let spec = list.exchange.clone().unwrap();
        let config = spec.config();
        config.validate().unwrap();
        assert!(!config.allow_stub_oracles && config.timelock_s >= 3_600);
        for market in &list.markets {
            assert!(
                matches!(market.oracle, OracleSpec::Pyth { .. }),
                "{}",
                market.name
            );
            market.params().unwrap().validate().unwrap();
        }
        // The same exchange with a one-minute timelock is refused; the localnet's stub list may
        // use seconds.
        let short = ExchangeConfig {
            timelock_s: 60,
            ..config
        };
        assert!(short.validate().is_err());
        assert!(
            file("markets.localnet.toml")
                .exchange
                .unwrap()
                .allow_stub_oracles
        );
    }

    #[test]
    fn a_bound_on_the_last_tier_or_a_missing_one_is_refused() {
        let mut spec = file("markets.localnet.toml").markets[0].clone();
        spec.maintenance_tiers[2].up_to_usd = Some(9);
        assert!(spec.params().is_err());
        spec.maintenance_tiers[2].up_to_usd = None;
        spec.maintenance_tiers[0].up_to_usd = None;
        assert!(spec.params().is_err());
    }
}
