//! One case of the benchmark: a fresh network from the prepared genesis, a keeper following
//! the oracles through the liquidation index, one BTC move, and what followed: when the
//! keeper took the update up, what the index's reprice cost, when the first and the last
//! liquidation landed.

use crate::book::{Generated, BTC};
use crate::network::{AnyError, Snapshot};
use ringfence::math::fixed_point::scaled_by_power_of_ten;
use ringfence_keeper::scoring::rank;
use ringfence_keeper::ticks::TickRecord;
use ringfence_keeper::{Keeper, KeeperConfig};
use ringfence_localnet::{Config, Localnet};
use ringfence_sdk::builders;
use ringfence_sdk::client::{Client, PricedMarket};
use solana_sdk::account::AccountSharedData;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{Keypair, Signature, Signer};
use std::collections::HashSet;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::watch;

/// How often the benchmark re-posts the prices while liquidations run: fills need a price no
/// older than the market's `max_fill_age_s` (30 s in the frictionless list).
const REPOST: Duration = Duration::from_secs(10);
/// How often the landed-liquidation counter is read.
const POLL: Duration = Duration::from_millis(10);
/// Wait after the keeper's first scan for the notifications of the start-up price post and
/// funding crank (they come at `processed`, so a few slots suffice).
const SETTLE: Duration = Duration::from_secs(5);
/// Quiet time after which a drained case ends.
const QUIET: Duration = Duration::from_secs(3);

/// Settings of a run.
#[derive(Debug, Clone, Copy)]
pub struct Settings {
    /// The keeper's `max_in_flight`.
    pub in_flight: usize,
    /// Longest wait for liquidations after a move.
    pub drain: Duration,
}

/// What one case measured.
#[derive(Debug, Clone)]
pub struct Row {
    /// Sub-accounts at genesis.
    pub accounts: usize,
    /// Share asked for, percent.
    pub target_percent: f64,
    /// BTC's move, percent.
    pub move_percent: f64,
    /// Liquidatable at the new mark by `scoring::rank` (the program's `may_liquidate`).
    pub predicted: usize,
    /// Validator start with this genesis (genesis archive, ledger, banks), seconds.
    pub validator_start_s: f64,
    /// The keeper's first full scan (every sub-account fetched, scored, indexed), seconds.
    pub first_scan_s: f64,
    /// Process RSS before the keeper started and after its first scan, MiB.
    pub rss_mib: (f64, f64),
    /// A price update that moves nothing (same prices re-posted), as the index handled it.
    pub idle_tick: Option<TickRecord>,
    /// The move's update, as the index handled it.
    pub move_tick: Option<TickRecord>,
    /// From the move's confirmation (as the benchmark's client saw it) to the keeper taking
    /// the notification up, ms; negative when the keeper, reading at `processed`, was first.
    pub notified_ms: Option<f64>,
    /// From the move's confirmation to the keeper sending its first liquidation, ms (signed).
    pub first_sent_ms: Option<f64>,
    /// Slots from the move's to the earliest liquidation's (1: landed in the next slot).
    pub first_slots: Option<u64>,
    /// From the move's confirmation to the first and to the last liquidation the keeper saw
    /// `confirmed`, ms (signed).
    pub first_ms: Option<f64>,
    /// See `first_ms`.
    pub last_ms: Option<f64>,
    /// Liquidation transactions landed.
    pub landed: usize,
    /// Distinct sub-accounts liquidated.
    pub liquidated: usize,
    /// Whether every predicted account was liquidated before the drain limit.
    pub drained: bool,
    /// Vault balance minus the sum of the ledgers at the end (0: conservation held).
    pub unconserved: i128,
}

fn rss_mib() -> f64 {
    let status = std::fs::read_to_string("/proc/self/status").unwrap_or_default();
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmRSS:"))
        .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<f64>().ok())
        .map_or(0.0, |kb| kb / 1024.0)
}

/// The BTC price (micro-dollars) that makes the `percent` share of `book` with the highest
/// BTC liquidation prices liquidatable: halfway between the last of them and the next.
pub fn target_price(book: &[Generated], percent: f64) -> i64 {
    let mut band: Vec<f64> = book.iter().filter_map(|g| g.band_price).collect();
    band.sort_by(|a, b| b.total_cmp(a));
    let k = ((percent / 100.0 * book.len() as f64).ceil() as usize).clamp(1, band.len());
    let below = band.get(k).copied().unwrap_or(band[k - 1] * 0.99);
    ((band[k - 1] + below) / 2.0 * 1e6).round() as i64
}

/// Accounts `rank` finds liquidatable with BTC at `price` (micro-dollars).
pub fn predicted(
    book: &[Generated],
    markets: &[PricedMarket],
    price: i64,
    now: i64,
) -> HashSet<Pubkey> {
    let mut moved = markets.to_vec();
    moved[usize::from(BTC)].mark = scaled_by_power_of_ten(price, -6).map_err(|e| format!("{e:?}"));
    let accounts: Vec<(Pubkey, _)> = book.iter().map(|g| (g.key, g.view.clone())).collect();
    let (candidates, unpriced) = rank(&accounts, &moved, now);
    assert!(unpriced.is_empty(), "every generated account is priced");
    candidates.into_iter().map(|c| c.key).collect()
}

async fn post(client: &Client, admin: &Keypair, prices: &[i64]) -> Result<Signature, AnyError> {
    let ixs: Vec<_> = prices
        .iter()
        .enumerate()
        .map(|(i, p)| builders::set_stub_price(&admin.pubkey(), i as u16, *p, 0, -6))
        .collect();
    Ok(client.send(&ixs, admin, &[]).await?)
}

/// The slot each of `signatures` landed in.
async fn slots(client: &Client, signatures: &[Signature]) -> Result<Vec<u64>, AnyError> {
    let mut found = Vec::with_capacity(signatures.len());
    for chunk in signatures.chunks(256) {
        let statuses = client.rpc.get_signature_statuses(chunk).await?.value;
        for status in statuses {
            found.push(status.ok_or("a landed signature has no status")?.slot);
        }
    }
    Ok(found)
}

async fn start_keeper(net: &Localnet, settings: Settings) -> Result<Arc<Keeper>, AnyError> {
    let client = Client::new(&net.rpc_url);
    let keypair = Keypair::new();
    client.airdrop(&keypair.pubkey(), 100_000_000_000).await?;
    let hour_ms = 3_600_000;
    let config = KeeperConfig {
        rpc_url: net.rpc_url.clone(),
        ws_url: Some(net.ws_url.clone()),
        scan_interval_ms: hour_ms,
        funding_interval_s: 3_600,
        index_horizon_s: 3_600,
        max_in_flight: settings.in_flight,
        rpc_timeout_ms: 600_000,
        counters_interval_s: 3_600,
        ..KeeperConfig::default()
    };
    Ok(Keeper::new(config, keypair).await?)
}

async fn until(
    what: &str,
    limit: Duration,
    mut done: impl FnMut() -> bool,
) -> Result<(), AnyError> {
    let started = Instant::now();
    while !done() {
        if started.elapsed() > limit {
            return Err(format!("timed out waiting for {what}").into());
        }
        tokio::time::sleep(POLL).await;
    }
    Ok(())
}

/// Waits (at most a minute) until no liquidation has been sent or landed for five seconds:
/// attempts already under way finish after the keeper is stopped, and conservation is read
/// only once the ledgers stand still.
async fn quiesce(keeper: &Keeper) {
    let activity = || {
        let c = keeper.counters();
        (
            c.liquidations_sent,
            c.liquidations_landed,
            c.failed.values().sum::<u64>(),
        )
    };
    let (mut last, mut since) = (activity(), Instant::now());
    let started = Instant::now();
    while since.elapsed() < Duration::from_secs(5) && started.elapsed() < Duration::from_secs(60) {
        tokio::time::sleep(Duration::from_millis(200)).await;
        if activity() != last {
            (last, since) = (activity(), Instant::now());
        }
    }
}

fn tick_after(keeper: &Keeper, after: Instant) -> Option<TickRecord> {
    keeper
        .recent_ticks()
        .into_iter()
        .find(|t| t.started >= after)
}

fn ms(from: Instant, to: Instant) -> f64 {
    to.saturating_duration_since(from).as_secs_f64() * 1e3
}

/// `to − from` in ms, negative when `to` came first.
fn signed_ms(from: Instant, to: Instant) -> f64 {
    if to >= from {
        ms(from, to)
    } else {
        -ms(to, from)
    }
}

/// Runs one case: `percent` of `book` liquidatable on a fresh network from `genesis`.
pub async fn run(
    snapshot: &Snapshot,
    book: &[Generated],
    genesis: Vec<(Pubkey, AccountSharedData)>,
    percent: f64,
    settings: Settings,
) -> Result<Row, AnyError> {
    let started = Instant::now();
    let net =
        Localnet::start_with_accounts(Config::ephemeral(), jsonrpsee::Methods::new(), genesis)
            .await?;
    let validator_start_s = started.elapsed().as_secs_f64();
    let client = Client::new(&net.rpc_url);
    let admin = &snapshot.admin;
    post(&client, admin, &snapshot.prices).await?;
    let rss_before = rss_mib();
    let keeper = start_keeper(&net, settings).await?;
    let (stop, stopped) = watch::channel(false);
    let scan_started = Instant::now();
    let running = tokio::spawn(Arc::clone(&keeper).run(stopped));
    until("the first scan", Duration::from_secs(3_600), || {
        keeper.counters().scans >= 1
    })
    .await?;
    let first_scan_s = scan_started.elapsed().as_secs_f64();
    let rss_after = rss_mib();
    // Let the notifications of the start-up price post and of the funding crank's settled
    // accounts arrive, so that none re-scores an account at the moved price and confounds the
    // measurement. Then one update that moves nothing.
    tokio::time::sleep(SETTLE).await;
    // Taken before sending: the keeper, reading at `processed`, may take the update up
    // before the benchmark's client sees it `confirmed`.
    let idle_at = Instant::now();
    post(&client, admin, &snapshot.prices).await?;
    until("the idle update", Duration::from_secs(120), || {
        tick_after(&keeper, idle_at).is_some()
    })
    .await?;
    let idle_tick = tick_after(&keeper, idle_at);
    tokio::time::sleep(Duration::from_secs(2)).await;

    let price = target_price(book, percent);
    let expected = predicted(book, &client.markets().await?, price, client.now().await?);
    let mut prices = snapshot.prices.clone();
    prices[usize::from(BTC)] = price;
    let baseline = keeper.landings().len();
    let sent = Instant::now();
    let moved = post(&client, admin, &prices).await?;
    let confirmed = Instant::now();
    tracing::info!(
        event = "bench_move_confirmed",
        price,
        sent_ms = ms(sent, confirmed)
    );
    let drained = follow(&client, admin, &keeper, &prices, &expected, settings).await?;
    let landings = keeper.landings().split_off(baseline);
    let first = landings.iter().map(|l| l.confirmed).min();
    let last = landings.iter().map(|l| l.confirmed).max();
    let first_sent = landings.iter().map(|l| l.sent).min();
    let mut signatures = vec![moved];
    signatures.extend(landings.iter().map(|l| l.signature));
    let landed_slots = slots(&client, &signatures).await?;
    let first_slots = landed_slots[1..]
        .iter()
        .min()
        .map(|s| s.saturating_sub(landed_slots[0]));
    let move_tick = tick_after(&keeper, sent);
    for t in keeper
        .recent_ticks()
        .iter()
        .filter(|t| t.started >= idle_at)
    {
        let at = t.started.duration_since(idle_at).as_secs_f64() * 1e3 - ms(idle_at, confirmed);
        eprintln!("  tick at {at:.0} ms from the move's confirmation: {t:?}");
    }
    let liquidated: HashSet<Pubkey> = keeper
        .landed_liquidations()
        .into_iter()
        .map(|(k, _)| k)
        .collect();
    let mut row = Row {
        accounts: book.len(),
        target_percent: percent,
        move_percent: (price as f64 / snapshot.prices[usize::from(BTC)] as f64 - 1.0) * 100.0,
        predicted: expected.len(),
        validator_start_s,
        first_scan_s,
        rss_mib: (rss_before, rss_after),
        idle_tick,
        move_tick,
        notified_ms: move_tick.map(|t| signed_ms(confirmed, t.started)),
        first_sent_ms: first_sent.map(|t| signed_ms(confirmed, t)),
        first_slots,
        first_ms: first.map(|t| signed_ms(confirmed, t)),
        last_ms: last.map(|t| signed_ms(confirmed, t)),
        landed: landings.len(),
        liquidated: liquidated.len(),
        drained,
        unconserved: 0,
    };
    let _ = stop.send(true);
    running.abort();
    quiesce(&keeper).await;
    let (vault, ledgers) = client.vault_and_ledgers().await?;
    row.unconserved = i128::from(vault) - ledgers;
    net.stop().await;
    Ok(row)
}

/// Watches liquidations land after a move (re-posting the prices every `REPOST`) until every
/// expected account was liquidated and `QUIET` passed without another landing, or
/// `settings.drain` ran out. Returns whether it drained.
async fn follow(
    client: &Client,
    admin: &Keypair,
    keeper: &Keeper,
    prices: &[i64],
    expected: &HashSet<Pubkey>,
    settings: Settings,
) -> Result<bool, AnyError> {
    let started = Instant::now();
    let mut seen = keeper.counters().liquidations_landed;
    let mut last = started;
    let mut reposted = Instant::now();
    let mut checked = Instant::now();
    let mut covered = expected.is_empty();
    loop {
        tokio::time::sleep(POLL).await;
        let now = Instant::now();
        let landed = keeper.counters().liquidations_landed;
        if landed > seen {
            (seen, last) = (landed, now);
        }
        if !covered && now - checked > Duration::from_secs(1) {
            checked = now;
            let done: HashSet<Pubkey> = keeper
                .landed_liquidations()
                .into_iter()
                .map(|(k, _)| k)
                .collect();
            covered = expected.is_subset(&done);
        }
        if covered && now - last > QUIET {
            return Ok(true);
        }
        if now - started > settings.drain {
            return Ok(false);
        }
        if now - reposted > REPOST {
            reposted = now;
            post(client, admin, prices).await?;
        }
    }
}
