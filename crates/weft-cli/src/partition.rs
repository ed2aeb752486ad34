//! `--partition count:K/N|hash:K/N` (nextest's syntax and meaning) and
//! `--shard K/N`: how N CI machines split one suite.

use std::fmt;
use std::str::FromStr;

/// A share `K/N` of something, 1 ≤ K ≤ N.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) struct Share {
    /// Which share, from 1.
    pub(crate) k: u64,
    /// Of how many.
    pub(crate) n: u64,
}

impl FromStr for Share {
    type Err = String;

    fn from_str(text: &str) -> Result<Share, String> {
        let bad = || format!("`{text}` is not K/N with 1 <= K <= N (e.g. 2/4)");
        let (k, n) = text.split_once('/').ok_or_else(bad)?;
        let k: u64 = k.parse().map_err(|_| bad())?;
        let n: u64 = n.parse().map_err(|_| bad())?;
        if k == 0 || k > n {
            return Err(bad());
        }
        Ok(Share { k, n })
    }
}

impl fmt::Display for Share {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// Which of a test binary's tests this run takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Partition {
    /// `count:K/N`: of each binary's tests sorted by name, the K-th of
    /// every N (round robin), as nextest's counted partitions.
    Count(Share),
    /// `hash:K/N`: the tests whose name hashes to K−1 modulo N (a stable
    /// 64-bit FNV-1a of the name): a test stays in its partition when
    /// others are added.
    Hash(Share),
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(text: &str) -> Result<Partition, String> {
        let (kind, share) = text
            .split_once(':')
            .ok_or_else(|| format!("`{text}` is not count:K/N or hash:K/N"))?;
        let share: Share = share.parse()?;
        match kind {
            "count" => Ok(Partition::Count(share)),
            "hash" => Ok(Partition::Hash(share)),
            _ => Err(format!(
                "unknown partition kind `{kind}`: expected count:K/N or hash:K/N"
            )),
        }
    }
}

impl Partition {
    /// Whether the test `name`, at `index` of its binary's sorted test
    /// list, belongs to this partition.
    pub(crate) fn contains(self, index: usize, name: &str) -> bool {
        match self {
            Partition::Count(s) => index as u64 % s.n == s.k - 1,
            Partition::Hash(s) => fnv1a(name) % s.n == s.k - 1,
        }
    }
}

/// FNV-1a, 64 bits: stable across platforms and Rust versions (std's
/// hasher promises neither).
fn fnv1a(text: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for b in text.bytes() {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn partitions_parse_as_nextest_writes_them() {
        assert_eq!(
            "count:2/3".parse::<Partition>(),
            Ok(Partition::Count(Share { k: 2, n: 3 }))
        );
        assert_eq!(
            "hash:1/1".parse::<Partition>(),
            Ok(Partition::Hash(Share { k: 1, n: 1 }))
        );
        for bad in [
            "count:0/3",
            "count:4/3",
            "count:2",
            "slice:1/2",
            "2/3",
            "hash:a/b",
        ] {
            assert!(bad.parse::<Partition>().is_err(), "{bad}");
        }
    }

    #[test]
    fn each_test_is_in_exactly_one_partition() {
        let names: Vec<String> = (0..50).map(|i| format!("m::t{i}")).collect();
        for n in 1..=4 {
            for make in [Partition::Count, Partition::Hash] {
                for (i, name) in names.iter().enumerate() {
                    let owners = (1..=n)
                        .filter(|&k| make(Share { k, n }).contains(i, name))
                        .count();
                    assert_eq!(owners, 1, "{name} in {n} partitions");
                }
            }
        }
        // Round robin over the sorted list.
        let count = Partition::Count(Share { k: 2, n: 3 });
        let taken: Vec<usize> = (0..7).filter(|&i| count.contains(i, "")).collect();
        assert_eq!(taken, [1, 4]);
        // The hash is FNV-1a's published value.
        assert_eq!(fnv1a(""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a("a"), 0xaf63_dc4c_8601_ec8c);
    }
}
