//! The keeper at scale: sub-accounts written at genesis (1,000, 10,000, 100,000 by default),
//! the keeper following the oracles through its liquidation index, BTC moved so that 1%, 10%
//! and 50% of them become liquidatable (a fresh network per case). Prints a markdown section
//! for `docs/PERFORMANCE.md` (`bench/run.sh --keeper`). A benchmark, not a test: nothing is
//! asserted but the generated accounts' own consistency.
//!
//!     ringfence-bench-keeper [--sizes 1000,10000] [--percents 1,10,50] [--drain-s 300]
//!                            [--in-flight 16] [--seed 22]

mod book;
mod measure;
mod network;

use measure::{Row, Settings};
use network::AnyError;
use std::time::{Duration, Instant};

struct Args {
    sizes: Vec<usize>,
    percents: Vec<f64>,
    settings: Settings,
    seed: u64,
}

fn list<T: std::str::FromStr>(text: &str) -> Result<Vec<T>, AnyError> {
    text.split(',')
        .map(|x| {
            x.trim()
                .parse()
                .map_err(|_| format!("not a number: {x}").into())
        })
        .collect()
}

fn args() -> Result<Args, AnyError> {
    let mut args = Args {
        sizes: vec![1_000, 10_000, 100_000],
        percents: vec![1.0, 10.0, 50.0],
        settings: Settings {
            in_flight: 16,
            drain: Duration::from_secs(300),
        },
        seed: 22,
    };
    let given: Vec<String> = std::env::args().skip(1).collect();
    for pair in given.chunks(2) {
        let value = pair.get(1).ok_or("every flag takes a value")?;
        match pair[0].as_str() {
            "--sizes" => args.sizes = list(value)?,
            "--percents" => args.percents = list(value)?,
            "--drain-s" => args.settings.drain = Duration::from_secs(value.parse()?),
            "--in-flight" => args.settings.in_flight = value.parse()?,
            "--seed" => args.seed = value.parse()?,
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    Ok(args)
}

fn opt(value: Option<f64>, digits: usize) -> String {
    value.map_or("–".into(), |v| format!("{v:.digits$}"))
}

fn line(row: &Row) -> String {
    let tick = row.move_tick;
    let work = tick.map(|t| t.work);
    let cpu = tick.map(|t| t.reprice_cpu.as_secs_f64() * 1e3);
    let last = match (row.last_ms, row.drained) {
        (Some(ms), true) => format!("{ms:.0}"),
        (Some(ms), false) => format!("> {ms:.0} (cut)"),
        (None, _) => "–".into(),
    };
    format!(
        "| {} | {:.0}% | {:+.2}% | {} ({:.2}%) | {} | {} | {} | {} | {} | {} | {} | {} | {} | {} / {} / {} | {:.0} → {:.0} | {:.1} | {:.1} |",
        row.accounts,
        row.target_percent,
        row.move_percent,
        row.predicted,
        100.0 * row.predicted as f64 / row.accounts as f64,
        work.map_or("–".into(), |w| w.rescored.to_string()),
        work.map_or("–".into(), |w| w.crossed.to_string()),
        opt(cpu, 2),
        opt(
            tick.and_then(|t| t.first_dispatch)
                .map(|d| d.as_secs_f64() * 1e3),
            1,
        ),
        opt(row.notified_ms, 0),
        opt(row.first_sent_ms, 0),
        row.first_slots.map_or("–".into(), |s| s.to_string()),
        opt(row.first_ms, 0),
        last,
        row.landed,
        row.liquidated,
        row.predicted,
        row.rss_mib.0,
        row.rss_mib.1,
        row.validator_start_s,
        row.first_scan_s,
    )
}

fn idle_line(row: &Row) -> String {
    let tick = row.idle_tick;
    format!(
        "| {} | {} | {} | {} |",
        row.accounts,
        tick.map_or("–".into(), |t| t.work.rescored.to_string()),
        opt(tick.map(|t| t.reprice_cpu.as_secs_f64() * 1e3), 3),
        opt(tick.map(|t| t.fetch.as_secs_f64() * 1e3), 0),
    )
}

fn report(rows: &[Row], settings: Settings) -> String {
    let mut out = String::from(
        "| sub-accounts | liquidatable | BTC move | liquidatable by `rank` | re-scored by the tick | bands crossed | reprice CPU (ms) | first handed to liquidation (ms after the tick's start) | notified (ms) | first sent (ms) | first landed (slots after the move) | first confirmed (ms) | last confirmed (ms) | landed tx / accounts / predicted | RSS before → after keeper (MiB) | validator start (s) | keeper's first scan (s) |\n| ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |\n",
    );
    for row in rows {
        out.push_str(&line(row));
        out.push('\n');
    }
    out.push_str("\nAn update that moves nothing (the same prices re-posted), before the move:\n\n| sub-accounts | re-scored | reprice CPU (ms) | reads before scoring (ms) |\n| ---: | ---: | ---: | ---: |\n");
    let mut seen = Vec::new();
    for row in rows {
        if !seen.contains(&row.accounts) {
            seen.push(row.accounts);
            out.push_str(&idle_line(row));
            out.push('\n');
        }
    }
    out.push_str(&format!(
        "\nKeeper: `max_in_flight` {}, scans and funding hourly (the index finds the accounts), `index_horizon_s` 3,600; drain limit {} s.\n",
        settings.in_flight,
        settings.drain.as_secs()
    ));
    out
}

#[tokio::main]
async fn main() -> Result<(), AnyError> {
    ringfence_localnet::init_logging();
    let args = args()?;
    let snapshot = network::phase_one().await?;
    let mut rows = Vec::new();
    for &n in &args.sizes {
        let t = Instant::now();
        let book = book::generate(n, args.seed, &snapshot.markets, snapshot.now);
        let genesis = network::genesis(&snapshot, &book)?;
        eprintln!(
            "{n} sub-accounts generated in {:.1} s",
            t.elapsed().as_secs_f64()
        );
        for &percent in &args.percents {
            let row =
                measure::run(&snapshot, &book, genesis.clone(), percent, args.settings).await?;
            eprintln!("{}  vault − ledgers: {}", line(&row), row.unconserved);
            rows.push(row);
        }
    }
    println!("{}", report(&rows, args.settings));
    let broken: Vec<_> = rows.iter().filter(|r| r.unconserved != 0).collect();
    if !broken.is_empty() {
        return Err(format!("vault ≠ ledgers after {} case(s)", broken.len()).into());
    }
    Ok(())
}
