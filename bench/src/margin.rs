//! The callgrind target: the health check of a cross sub-account with N positions, repeated.

use crate::fixtures::{cross_sub_account, decode, mark, market};
use ringfence::health::health_with;
use std::hint::black_box;

/// Runs the health check of an N-position sub-account `iterations` times.
pub fn run(positions: usize, iterations: usize) {
    let markets: Vec<_> = (0..8).map(|i| (market(i), mark(i))).collect();
    let data = cross_sub_account(positions);
    let (header, slots) = decode(&data);
    for _ in 0..iterations {
        let health = health_with(black_box(header), black_box(slots), 0, |index| {
            markets.get(usize::from(index)).map(|(m, p)| (m, *p))
        })
        .expect("health");
        black_box(health.below_maintenance());
    }
}
