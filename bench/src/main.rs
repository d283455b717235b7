//! Ringfence benchmarks. `bench/run.sh` drives them and writes `docs/PERFORMANCE.md`.
//!
//! Usage:
//!   ringfence-bench margin <positions> <iterations>   health checks, for callgrind
//!   ringfence-bench report <date> <machine> <margin counts> <suite> <cold build>
//!     margin counts: "0=I0,1=I1,2=I2,4=I4,8=I8" (callgrind instruction totals)
//!     prints the markdown table (footprint and scan are measured here)

mod fixtures;
mod footprint;
mod margin;
mod scan;

use footprint::{ACCOUNT_LOCKS, PACKET_BYTES};

/// Health checks per callgrind run, to make the per-check cost stand out of process start-up.
pub const ITERATIONS: usize = 1_000;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    match args.get(1).map(String::as_str) {
        Some("margin") => {
            let positions = args[2].parse().expect("positions");
            let iterations = args[3].parse().expect("iterations");
            margin::run(positions, iterations);
        }
        Some("report") => print!(
            "{}",
            report(&args[2], &args[3], &args[4], &args[5], &args[6])
        ),
        _ => {
            eprintln!("usage: ringfence-bench margin <positions> <iterations> | report ...");
            std::process::exit(2);
        }
    }
}

fn margin_rows(counts: &str) -> String {
    let totals: Vec<(u64, u64)> = counts
        .split(',')
        .map(|pair| {
            let (n, total) = pair.split_once('=').expect("n=total");
            (n.parse().expect("n"), total.parse().expect("total"))
        })
        .collect();
    let base = totals.iter().find(|(n, _)| *n == 0).expect("baseline").1;
    let mut out = String::from("| positions | host instructions per health check | per position |\n| ---: | ---: | ---: |\n");
    for &(n, total) in totals.iter().filter(|(n, _)| *n > 0) {
        let per_check = (total - base) as f64 / ITERATIONS as f64;
        out += &format!("| {n} | {per_check:.0} | {:.0} |\n", per_check / n as f64);
    }
    out
}

fn report(date: &str, machine: &str, margin_counts: &str, suite: &str, cold: &str) -> String {
    let mut out = format!(
        "# Performance\n\nMeasured {date} on {machine} by `bench/run.sh` (one run; ratios compare figures from\nthe same run). Reference points: Drift `User` 4,376 B; Mango account 6,760 B (default).\n\n## Accounts\n\n"
    );
    for row in footprint::accounts() {
        out += &format!(
            "- {}: {} bytes ({:.5} SOL rent)\n",
            row.name, row.bytes, row.rent_sol
        );
    }
    let cross = ringfence::state::SubAccountMode::Cross.space();
    out += &format!(
        "\nGoals: cross ≤ 1,024 B ({:.0}% of Drift's `User`), isolated ≤ 256 B.\n\n## Transactions\n\nWith a compute-unit limit and price instruction, as keepers send them; limits {PACKET_BYTES} bytes and {ACCOUNT_LOCKS} accounts.\n\n| transaction | bytes | accounts |\n| --- | ---: | ---: |\n",
        cross as f64 * 100.0 / 4_376.0
    );
    let (rows, max_batch) = footprint::transactions();
    for row in rows {
        out += &format!("| {} | {} | {} |\n", row.name, row.bytes, row.accounts);
    }
    out += &format!(
        "\n`settle_funding` settles at most {max_batch} sub-accounts per transaction. Pool deposits and withdrawals carry no market accounts (the pool keeps its own valuation), so their size is the same with 128 markets or more; a keeper refreshes idle markets' pool terms {refresh} markets a transaction (128 markets: {} transactions).\n\n## Margin engine\n\nHost instructions (`valgrind --tool=callgrind`, {ITERATIONS} checks per run, process start-up subtracted) for the health check of a cross sub-account; the proxy for compute units. Goal ≤ 2,000 per position, linear.\n\n",
        128usize.div_ceil(footprint::refresh_market_limit()),
        refresh = footprint::refresh_market_limit(),
    );
    out += &margin_rows(margin_counts);
    out += "\n## Keeper scan\n\nDecode and score (health and liquidation check) cross sub-accounts holding 0 to 8 positions, against a plain pass summing the same bytes; best of 5. Goal ≥ 25%.\n\n| sub-accounts | plain pass (accounts/s) | decode + score (accounts/s) | ratio |\n| ---: | ---: | ---: | ---: |\n";
    for accounts in [10_000, 100_000] {
        let result = scan::run(accounts);
        out += &format!(
            "| {} | {:.0} | {:.0} | {:.1}% |\n",
            result.accounts,
            result.plain_per_s,
            result.score_per_s,
            100.0 * result.score_per_s / result.plain_per_s
        );
    }
    out += &format!("\n## Build and test\n\n- test suite (`cargo test --workspace`, warm): {suite}\n- cold build and full test command from a clean clone: {cold}\n");
    out
}
