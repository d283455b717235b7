//! Measures the local network as developers run it (debug build, one process): start-up, the
//! demo's set-up, idle CPU, and deposits through agave's RPC from one client, one at a time and
//! pipelined. Prints a markdown section for `docs/PERFORMANCE.md` (`bench/run.sh`).

use ringfence::state::SubAccountMode;
use ringfence_localnet::{demo, Config, Localnet};
use ringfence_sdk::builders;
use ringfence_sdk::client::Client;
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

type AnyError = Box<dyn std::error::Error + Send + Sync>;

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

    let trader = read_keypair_file(out.path().join("trader-2.json")).map_err(|e| e.to_string())?;
    let owner = trader.pubkey();
    let sub = builders::sub_account_pda(&owner, 0);
    let create = builders::create_sub_account(&owner, 0, SubAccountMode::Cross);
    let user = builders::create_user(&owner);
    client.send(&[user, create], &trader, &[]).await?;
    let token = builders::token_account(&owner, &mint_of(&client).await?);

    let t = Instant::now();
    for amount in 1..=SEQUENTIAL {
        let ix = builders::deposit(&owner, &sub, &token, amount);
        client.send(&[ix], &trader, &[]).await?;
    }
    let latency_ms = t.elapsed().as_millis() as f64 / SEQUENTIAL as f64;
    let (tps, pipelined_s) = pipelined(&client, &trader, &sub, &token).await?;
    let expected: u64 =
        (1..=SEQUENTIAL).sum::<u64>() + (1..=PIPELINED).map(|a| 1_000 + a).sum::<u64>();
    let collateral = client
        .sub_account(&sub)
        .await?
        .ok_or("sub-account")?
        .header
        .collateral;
    assert_eq!(
        collateral, expected as i64,
        "every deposit landed exactly once"
    );
    net.stop().await;

    println!("## Local validator (agave 4.2.2, debug build, `bench/validator`)\n");
    println!("- Start-up: validator with the program registered {:.1} s; with the demo exchange (mint, three markets, pool, insurance, five funded wallets, the seed positions) {:.1} s.", up.as_secs_f64(), demo_ready.as_secs_f64());
    println!("- Idle: the process used {:.0}% of one core over {IDLE_S} s with nothing sent (agave's banking threads poll).", idle * 100.0);
    println!("- Deposits from one client: {SEQUENTIAL} sent and confirmed one at a time, {latency_ms:.0} ms each; {PIPELINED} sent back to back (preflight on) and all confirmed in {pipelined_s:.1} s, {tps:.0} deposits/s. Every deposit is checked to land exactly once.");
    Ok(())
}

/// The collateral mint, from the exchange account.
async fn mint_of(client: &Client) -> Result<solana_sdk::pubkey::Pubkey, AnyError> {
    Ok(client.exchange().await?.ok_or("exchange")?.collateral_mint)
}

/// Sends [`PIPELINED`] deposits (1,001, 1,002, … native units, so each is a distinct
/// transaction) without waiting, then waits until all are confirmed; deposits/s and seconds.
async fn pipelined(
    client: &Client,
    trader: &Keypair,
    sub: &solana_sdk::pubkey::Pubkey,
    token: &solana_sdk::pubkey::Pubkey,
) -> Result<(f64, f64), AnyError> {
    let owner = trader.pubkey();
    let blockhash = client.rpc.get_latest_blockhash().await?;
    let t = Instant::now();
    let mut pending: Vec<Signature> = Vec::new();
    for amount in 1..=PIPELINED {
        let ix = builders::deposit(&owner, sub, token, 1_000 + amount);
        let tx = Transaction::new_signed_with_payer(&[ix], Some(&owner), &[trader], blockhash);
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
    Ok((PIPELINED as f64 / seconds, seconds))
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
