//! Round-trip statistics: min/avg/max/mdev as iputils computes them, percentiles, and loss.
//! Pure: no I/O; output/ decides how the numbers are printed.

use serde::Serialize;

/// Summary of RTT samples, in milliseconds.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct RttSummary {
    pub min: f64,
    pub avg: f64,
    pub max: f64,
    /// iputils' mdev: sqrt(mean(x^2) - mean(x)^2), the population standard deviation.
    pub mdev: f64,
    pub p50: f64,
    pub p95: f64,
    pub p99: f64,
}

/// Summarises samples (ms); `None` when there are none.
pub fn summarize(samples: &[f64]) -> Option<RttSummary> {
    if samples.is_empty() {
        return None;
    }
    let n = samples.len() as f64;
    let sum: f64 = samples.iter().sum();
    let sum_sq: f64 = samples.iter().map(|x| x * x).sum();
    let avg = sum / n;
    let mdev = (sum_sq / n - avg * avg).max(0.0).sqrt();
    let mut sorted = samples.to_vec();
    sorted.sort_by(f64::total_cmp);
    Some(RttSummary {
        min: sorted[0],
        avg,
        max: sorted[sorted.len() - 1],
        mdev,
        p50: percentile(&sorted, 50.0),
        p95: percentile(&sorted, 95.0),
        p99: percentile(&sorted, 99.0),
    })
}

/// Nearest-rank percentile of sorted samples.
fn percentile(sorted: &[f64], p: f64) -> f64 {
    let rank = ((p / 100.0) * sorted.len() as f64).ceil() as usize;
    sorted[rank.clamp(1, sorted.len()) - 1]
}

/// Percentage of probes without an answer.
pub fn loss_percent(transmitted: u64, received: u64) -> f64 {
    if transmitted == 0 {
        return 0.0;
    }
    transmitted.saturating_sub(received) as f64 * 100.0 / transmitted as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn close(a: f64, b: f64) -> bool {
        (a - b).abs() < 1e-9
    }

    #[test]
    fn min_avg_max_mdev_as_iputils() {
        let s = summarize(&[1.0, 2.0, 3.0, 4.0]).unwrap_or_else(|| panic!("samples"));
        assert!(close(s.min, 1.0) && close(s.max, 4.0) && close(s.avg, 2.5));
        // sqrt((1+4+9+16)/4 - 2.5^2) = sqrt(7.5 - 6.25)
        assert!(close(s.mdev, 1.25f64.sqrt()), "{}", s.mdev);
        let one = summarize(&[0.045]).unwrap_or_else(|| panic!("one"));
        assert!(close(one.mdev, 0.0) && close(one.p99, 0.045));
        assert!(summarize(&[]).is_none());
    }

    #[test]
    fn loss_is_the_share_without_an_answer() {
        assert_eq!(loss_percent(4, 3), 25.0);
        assert_eq!(loss_percent(3, 0), 100.0);
        assert_eq!(loss_percent(0, 0), 0.0);
    }

    #[test]
    fn nearest_rank_percentiles() {
        let samples: Vec<f64> = (1..=100).map(f64::from).collect();
        let s = summarize(&samples).unwrap_or_else(|| panic!("samples"));
        assert!(close(s.p50, 50.0) && close(s.p95, 95.0) && close(s.p99, 99.0));
        let few = summarize(&[3.0, 1.0, 2.0]).unwrap_or_else(|| panic!("few"));
        assert!(close(few.p50, 2.0) && close(few.p95, 3.0));
    }
}
