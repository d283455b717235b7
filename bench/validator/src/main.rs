//! Measures the local network as developers run it (debug build, one process): start-up, the
//! demo's set-up, idle CPU, and deposits through agave's RPC from one client, one at a time and
//! pipelined; then the indexer's backfill of every program transaction so far (more than
//! 10,000) into a fresh SQLite file. Prints a markdown section for `docs/PERFORMANCE.md`
//! (`bench/run.sh`).

use ringfence::state::SubAccountMode;
use ringfence_localnet::{demo, Config, Localnet};
use ringfence_sdk::builders;
use ringfence_sdk::client::Client;
use solana_sdk::pubkey::Pubkey;
use solana_sdk::signature::{read_keypair_file, Keypair, Signer};
use solana_sdk::transaction::Transaction;
use solana_signature::Signature;
use std::time::{Duration, Instant};

/// Deposits confirmed one after the other (latency).
const SEQUENTIAL: u64 = 20;
/// Deposits sent back to back, then awaited (throughput).
const PIPELINED: u64 = 400;
/// Seconds of idle CPU sampling.
const IDLE_S: u64 = 10;
/// Further deposits sent before the indexer's backfill, so it reads more than 10,000.
const BACKFILL: u64 = 10_000;

type AnyError = Box<dyn std::error::Error + Send + Sync>;

/// A sub-account taking deposits from its owner's token account.
struct Depositor {
    trader: Keypair,
    sub: Pubkey,
    token: Pubkey,
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    ringfence_localnet::init_logging();
    let out = tempfile::tempdir()?;
    let started = Instant::now();
    let net = Localnet::start(Config::ephemeral(), jsonrpsee::Methods::new()).await?;
    let up = started.elapsed();
    let client = Client::new(&net.rpc_url);
    demo::setup(&client, &net, 1, out.path()).await?;
    let demo_ready = started.elapsed();
    let idle = idle_cpu_share(Duration::from_secs(IDLE_S)).await;
    let depositor = depositor(&client, out.path()).await?;

    let t = Instant::now();
    for amount in 1..=SEQUENTIAL {
        let ix = builders::deposit(
            &depositor.trader.pubkey(),
            &depositor.sub,
            &depositor.token,
            amount,
        );
        client.send(&[ix], &depositor.trader, &[]).await?;
    }
    let latency_ms = t.elapsed().as_millis() as f64 / SEQUENTIAL as f64;
    let (tps, pipelined_s) = pipelined(&client, &depositor, 1_000, PIPELINED).await?;
    let t = Instant::now();
    let mut sent = 0;
    while sent < BACKFILL {
        let batch = PIPELINED.min(BACKFILL - sent);
        pipelined(&client, &depositor, 100_000 + sent, batch).await?;
        sent += batch;
    }
    let batched_tps = BACKFILL as f64 / t.elapsed().as_secs_f64();
    let expected: u64 = (1..=SEQUENTIAL).sum::<u64>()
        + (1..=PIPELINED).map(|a| 1_000 + a).sum::<u64>()
        + (1..=BACKFILL).map(|a| 100_000 + a).sum::<u64>();
    let collateral = client
        .sub_account(&depositor.sub)
        .await?
        .ok_or("sub-account")?
        .header
        .collateral;
    assert_eq!(
        collateral, expected as i64,
        "every deposit landed exactly once"
    );
    eprintln!("deposits done; backfill next");
    let backfill = index_everything(&net).await?;
    net.stop().await;

    println!("## Local validator (agave 4.2.2, debug build, `bench/validator`)\n");
    println!("- Start-up: validator with the program registered {:.1} s; with the demo exchange (mint, three markets, pool, insurance, five funded wallets, the seed positions) {:.1} s.", up.as_secs_f64(), demo_ready.as_secs_f64());
    println!("- Idle: the process used {:.0}% of one core over {IDLE_S} s with nothing sent (agave's banking threads poll).", idle * 100.0);
    println!("- Deposits from one client: {SEQUENTIAL} sent and confirmed one at a time, {latency_ms:.0} ms each; {PIPELINED} sent back to back (preflight on) and all confirmed in {pipelined_s:.1} s, {tps:.0} deposits/s; {BACKFILL} more in batches of {PIPELINED}, {batched_tps:.0} deposits/s. Every deposit is checked to land exactly once.");
    println!("\n## Indexer backfill (`bench/validator`, debug build, SQLite)\n");
    println!("- A fresh indexer read every program transaction of the run ({} transactions, {} event rows) over `getSignaturesForAddress` + `getTransaction` in {:.1} s: {:.0} transactions/s, {:.0} event rows/s, with the validator on the same two cores.", backfill.transactions, backfill.rows, backfill.seconds, backfill.transactions as f64 / backfill.seconds, backfill.rows as f64 / backfill.seconds);
    Ok(())
}

/// trader-2 of the demo with a new cross sub-account.
async fn depositor(client: &Client, out: &std::path::Path) -> Result<Depositor, AnyError> {
    let trader = read_keypair_file(out.join("trader-2.json")).map_err(|e| e.to_string())?;
    let owner = trader.pubkey();
    let create = builders::create_sub_account(&owner, 0, SubAccountMode::Cross);
    client
        .send(&[builders::create_user(&owner), create], &trader, &[])
        .await?;
    let mint = client.exchange().await?.ok_or("exchange")?.collateral_mint;
    Ok(Depositor {
        sub: builders::sub_account_pda(&owner, 0),
        token: builders::token_account(&owner, &mint),
        trader,
    })
}

/// What the indexer's backfill did.
struct Backfill {
    transactions: u64,
    rows: i64,
    seconds: f64,
}

/// Starts a fresh indexer (SQLite, polling only) on `net` and times it until it has stored
/// every program transaction there is.
async fn index_everything(net: &Localnet) -> Result<Backfill, AnyError> {
    use solana_commitment_config::CommitmentConfig;
    use std::sync::atomic::Ordering;
    let dir = tempfile::tempdir()?;
    let total = program_transactions(&Client::new(&net.rpc_url)).await?;
    eprintln!("backfill: {total} program transactions to index");
    let database = dir
        .path()
        .join("bench.sqlite")
        .to_string_lossy()
        .into_owned();
    let t = Instant::now();
    let indexer = ringfence_indexer::Indexer::start(ringfence_indexer::Config {
        rpc_url: net.rpc_url.clone(),
        ws_url: None,
        database: database.clone(),
        listen: "127.0.0.1:0".parse()?,
        commitment: CommitmentConfig::confirmed(),
        poll: Duration::from_millis(200),
    })
    .await?;
    while indexer.stats.transactions.load(Ordering::Relaxed) < total {
        if t.elapsed() > Duration::from_secs(900) {
            return Err("the backfill took more than 15 minutes".into());
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let seconds = t.elapsed().as_secs_f64();
    indexer.stop().await;
    let cursor = ringfence_indexer::store::Store::open(&database)
        .await?
        .cursor()
        .await?;
    Ok(Backfill {
        transactions: total,
        rows: cursor.next_id - 1,
        seconds,
    })
}

/// How many confirmed transactions mention the program (every page of
/// `getSignaturesForAddress`; without a commitment the RPC counts only finalized ones).
async fn program_transactions(client: &Client) -> Result<u64, AnyError> {
    use solana_rpc_client::rpc_client::GetConfirmedSignaturesForAddress2Config;
    let (mut total, mut before) = (0u64, None);
    loop {
        let config = GetConfirmedSignaturesForAddress2Config {
            before,
            commitment: Some(solana_commitment_config::CommitmentConfig::confirmed()),
            ..Default::default()
        };
        let page = client
            .rpc
            .get_signatures_for_address_with_config(&ringfence::ID, config)
            .await?;
        total += page.len() as u64;
        match page.last() {
            Some(last) if page.len() == 1_000 => before = Some(last.signature.parse()?),
            _ => return Ok(total),
        }
    }
}

/// Sends `count` deposits of `first + 1`, `first + 2`, … native units (each a distinct
/// transaction) without waiting, then waits until all are confirmed; deposits/s and seconds.
async fn pipelined(
    client: &Client,
    d: &Depositor,
    first: u64,
    count: u64,
) -> Result<(f64, f64), AnyError> {
    let owner = d.trader.pubkey();
    let blockhash = client.rpc.get_latest_blockhash().await?;
    let t = Instant::now();
    let mut pending: Vec<Signature> = Vec::new();
    for amount in 1..=count {
        let ix = builders::deposit(&owner, &d.sub, &d.token, first + amount);
        let tx = Transaction::new_signed_with_payer(&[ix], Some(&owner), &[&d.trader], blockhash);
        pending.push(client.rpc.send_transaction(&tx).await?);
    }
    while !pending.is_empty() {
        let mut still = Vec::new();
        for chunk in pending.chunks(256) {
            let statuses = client.rpc.get_signature_statuses(chunk).await?.value;
            for (signature, status) in chunk.iter().zip(statuses) {
                match status {
                    Some(s) if s.satisfies_commitment(client.rpc.commitment()) => {
                        if let Some(err) = s.err {
                            return Err(format!("{signature}: {err}").into());
                        }
                    }
                    _ => still.push(*signature),
                }
            }
        }
        pending = still;
        if t.elapsed() > Duration::from_secs(120) {
            return Err(format!("{} deposits unconfirmed after 120 s", pending.len()).into());
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    let seconds = t.elapsed().as_secs_f64();
    Ok((count as f64 / seconds, seconds))
}

/// This process's CPU time over `window` divided by the window: 1.0 is one core.
async fn idle_cpu_share(window: Duration) -> f64 {
    let before = cpu_seconds();
    tokio::time::sleep(window).await;
    (cpu_seconds() - before) / window.as_secs_f64()
}

/// User plus system CPU seconds of this process so far.
fn cpu_seconds() -> f64 {
    // SAFETY: getrusage only writes the struct it is given.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    unsafe { libc::getrusage(libc::RUSAGE_SELF, &mut usage) };
    let seconds = |t: libc::timeval| t.tv_sec as f64 + t.tv_usec as f64 / 1e6;
    seconds(usage.ru_utime) + seconds(usage.ru_stime)
}
