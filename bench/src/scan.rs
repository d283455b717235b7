//! Keeper scan throughput: decode and score sub-accounts from raw bytes, against a plain pass
//! over the same bytes, in the same run.

use crate::fixtures::{cross_sub_account, decode, mark, market};
use ringfence::health::health_with;
use std::hint::black_box;
use std::time::Instant;

/// One measured scan.
pub struct ScanResult {
    /// Sub-accounts scanned.
    pub accounts: usize,
    /// Plain pass (sum of every byte), accounts per second.
    pub plain_per_s: f64,
    /// Decode + health + liquidatable check, accounts per second.
    pub score_per_s: f64,
}

fn best_of<F: FnMut() -> u64>(runs: usize, mut f: F) -> f64 {
    (0..runs)
        .map(|_| {
            let start = Instant::now();
            black_box(f());
            start.elapsed().as_secs_f64()
        })
        .fold(f64::INFINITY, f64::min)
}

/// Scans `accounts` cross sub-accounts holding 0 to 8 positions (cycling).
pub fn run(accounts: usize) -> ScanResult {
    let size = ringfence::state::SubAccountMode::Cross.space();
    let mut bytes = Vec::with_capacity(accounts * size);
    for i in 0..accounts {
        bytes.extend_from_slice(&cross_sub_account(i % 9));
    }
    let markets: Vec<_> = (0..8).map(|i| (market(i), mark(i))).collect();
    let plain = best_of(5, || bytes.iter().map(|&b| u64::from(b)).sum());
    let score = best_of(5, || {
        let mut candidates = 0u64;
        for chunk in bytes.chunks_exact(size) {
            let (header, positions) = decode(chunk);
            if header.has_positions == 0 {
                continue;
            }
            let health = health_with(header, positions, 0, |index| {
                markets.get(usize::from(index)).map(|(m, p)| (m, *p))
            })
            .expect("health");
            candidates += u64::from(health.below_maintenance());
        }
        candidates
    });
    ScanResult {
        accounts,
        plain_per_s: accounts as f64 / plain,
        score_per_s: accounts as f64 / score,
    }
}
