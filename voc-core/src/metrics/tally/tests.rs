use super::*;
use crate::codec::fnv1a;

fn reseal(mut bytes: Vec<u8>) -> Vec<u8> {
    let body = bytes.len() - 8;
    let sum = fnv1a(&bytes[..body]);
    bytes[body..].copy_from_slice(&sum.to_le_bytes());
    bytes
}

#[test]
fn every_single_byte_corruption_is_detected() {
    let mut t = Tally::new(MetricKind::Csat, Scale::new(1, 5).unwrap());
    t.update(
        Batch::new(&[5_u8, 4, 1])
            .groups(&[0, 2, 2])
            .weights(&[1.0, 0.5, 2.0]),
    )
    .unwrap();
    let bytes = t.to_bytes();
    for i in 0..bytes.len() {
        for flip in [1u8, 0x80, 0xff] {
            let mut bad = bytes.clone();
            bad[i] ^= flip;
            assert!(
                matches!(Tally::from_bytes(&bad), Err(Error::Decode { .. })),
                "byte {i} ^ {flip}"
            );
        }
    }
    assert!(matches!(
        Tally::from_bytes(&bytes[..bytes.len() - 1]),
        Err(Error::Decode { .. })
    ));
}

#[test]
fn sealed_bytes_with_overflowing_counts_or_bad_weights_are_rejected() {
    let mut t = Tally::new(MetricKind::Nps, Scale::new(0, 10).unwrap());
    t.update(Batch::new(&[9_u8, 10])).unwrap();
    let mut bytes = t.to_bytes();
    // Header: magic 4 + version 2 + tag 1 + min 4 + max 4 + groups 8 = 23; point 9 is count 9.
    let at = 23 + 9 * 8;
    bytes[at..at + 8].copy_from_slice(&u64::MAX.to_le_bytes());
    let err = Tally::from_bytes(&reseal(bytes)).unwrap_err();
    assert!(err.to_string().contains("2^62"), "{err}");

    let mut w = Tally::new(MetricKind::Nps, Scale::new(0, 10).unwrap());
    w.update(Batch::new(&[9_u8]).weights(&[2.0])).unwrap();
    let mut bytes = w.to_bytes();
    // Weight section starts after counts (11) and missing (1) and the flag byte.
    let at = 23 + 12 * 8 + 1 + 9 * 16;
    bytes[at..at + 8].copy_from_slice(&f64::NAN.to_le_bytes());
    let err = Tally::from_bytes(&reseal(bytes)).unwrap_err();
    assert!(err.to_string().contains("finite"), "{err}");
}

#[test]
fn merge_refuses_another_metric_or_scale_naming_it_and_leaves_the_tally_unchanged() {
    let mut a = Tally::new(MetricKind::Csat, Scale::new(1, 5).unwrap());
    a.update(Batch::new(&[5_u8, 4]).groups(&[0, 1])).unwrap();
    let before = a.clone();
    let mut seven = Tally::new(MetricKind::Csat, Scale::new(1, 7).unwrap());
    seven.update(Batch::new(&[7_u8])).unwrap();
    let e = a.merge(&seven).unwrap_err();
    assert!(
        matches!(&e, Error::Incompatible(m) if m.contains("scale") && m.contains("1..=7")),
        "{e}"
    );
    let mut ces = Tally::new(MetricKind::Ces, Scale::new(1, 5).unwrap());
    ces.update(Batch::new(&[3_u8])).unwrap();
    let e = a.merge(&ces).unwrap_err();
    assert!(
        matches!(&e, Error::Incompatible(m) if m.contains("metric") && m.contains("CES")),
        "{e}"
    );
    assert_eq!(a, before);
}

#[test]
fn weighted_and_unweighted_parts_merge_like_one_tally_fed_every_batch() {
    let scale = Scale::new(0, 10).unwrap();
    let (plain, weighted) = ([10_u8, 9, 3, 7], [0_u8, 10, 8]);
    let w = [2.5, 0.5, 1.0];
    let mut one = Tally::new(MetricKind::Nps, scale);
    one.update(Batch::new(&plain)).unwrap();
    one.update(Batch::new(&weighted).weights(&w)).unwrap();
    let mut a = Tally::new(MetricKind::Nps, scale);
    a.update(Batch::new(&plain)).unwrap();
    let mut b = Tally::new(MetricKind::Nps, scale);
    b.update(Batch::new(&weighted).weights(&w)).unwrap();
    let (mut ab, mut ba) = (a.clone(), b.clone());
    ab.merge(&b).unwrap();
    ba.merge(&a).unwrap();
    for t in [&ab, &ba] {
        let (c, o) = (t.cell(0), one.cell(0));
        assert_eq!(c.counts(), o.counts());
        assert!((c.weight_sum() - o.weight_sum()).abs() < 1e-12);
        assert!((c.n_eff() - o.n_eff()).abs() < 1e-12);
        assert!((c.weight_sum() - 8.0).abs() < 1e-12); // 4 rows of weight 1, then 2.5 + 0.5 + 1
    }
}

#[test]
fn keyed_counts_over_many_chunks_equal_a_row_by_row_count_and_name_bad_rows() {
    // Long enough for several chunks, so clean chunks take the checked-in-bulk path and a chunk
    // holding a bad row the row-by-row one.
    let n = 2_000_000;
    let keys: Vec<i32> = (0..n as i64)
        .map(|i| (i * 7_919 % 1_000) as i32 + 2_000)
        .collect();
    let scores: Vec<u8> = (0..n).map(|i| (i * 13 % 11) as u8).collect();
    let scale = Scale::new(0, 10).unwrap();
    let mut t = Tally::new(MetricKind::Nps, scale);
    t.update_keyed(&scores, &keys, 2_000, MissingPolicy::Error)
        .unwrap();
    let mut want = vec![[0_u64; 11]; 1_000];
    for (&s, &k) in scores.iter().zip(&keys) {
        want[(k - 2_000) as usize][s as usize] += 1;
    }
    for (g, w) in want.iter().enumerate() {
        assert_eq!(t.cell(g).counts(), &w[..], "group {g}");
    }
    for (bad_score, bad_key) in [(Some(1_999_999), None), (None, Some(1_300_001))] {
        let (mut s, mut k) = (scores.clone(), keys.clone());
        if let Some(i) = bad_score {
            s[i] = 11;
        }
        if let Some(i) = bad_key {
            k[i] = 1_999;
        }
        let mut t = Tally::new(MetricKind::Nps, scale);
        let e = t
            .update_keyed(&s, &k, 2_000, MissingPolicy::Error)
            .unwrap_err()
            .to_string();
        let at = bad_score.or(bad_key).unwrap();
        assert!(e.contains(&format!("[{at}]")), "{e}");
        assert_eq!(t.rows(), 0);
    }
}
