use super::*;
use crate::stats::IntervalOptions;
use proptest::prelude::*;

fn rows_for(k: &[(usize, usize)]) -> Sets {
    // (mentions, texts) per period, one theme
    let mut rows = Vec::new();
    for &(m, n) in k {
        for i in 0..n {
            rows.push(if i < m { vec![0] } else { vec![] });
        }
    }
    Sets::from_rows(&rows).unwrap_or_default()
}

#[test]
fn rates_use_wilson_and_the_two_proportion_test() -> Result<()> {
    // 20/400 then 45/400: statsmodels proportions_ztest([45, 20], [400, 400]) p = 0.0012160982775994919
    let sets = rows_for(&[(20, 400), (45, 400)]);
    let periods: Vec<i64> = (0..800).map(|i| i64::from(i >= 400)).collect();
    let mut c = MentionCounts::new(1);
    c.update(&sets, None, Some(&periods))?;
    let opts = MentionOptions {
        adjust: None,
        ..Default::default()
    };
    let rows = c.finish(&[None], &opts)?;
    assert_eq!(rows.len(), 2);
    let r = &rows[1];
    assert_eq!((r.texts, r.mentions, r.period), (400, 45, Some(1)));
    // scipy.stats.binomtest(45, 400).proportion_ci(method="wilson")
    assert!(
        (r.ci.low - 0.0851484587859595).abs() < 1e-12,
        "{}",
        r.ci.low
    );
    assert!(
        (r.ci.high - 0.1472235693231203).abs() < 1e-12,
        "{}",
        r.ci.high
    );
    assert!(
        (r.p_value - 0.0012160982775994919).abs() < 1e-9,
        "{}",
        r.p_value
    );
    assert!(r.alert);
    assert!(rows[0].p_value.is_nan() && !rows[0].alert);
    assert_eq!(r.share_of_voice, 1.0);
    // the same rise is not an alert at alpha 0.001
    let strict = MentionOptions {
        alert_alpha: 0.001,
        ..opts
    };
    assert!(!c.finish(&[None], &strict)?[1].alert);
    // a fall is never an alert
    let sets = rows_for(&[(45, 400), (20, 400)]);
    let mut c = MentionCounts::new(1);
    c.update(&sets, None, Some(&periods))?;
    assert!(!c.finish(&[None], &opts)?[1].alert);
    Ok(())
}

#[test]
fn alert_needs_min_mentions_and_uses_adjusted_p() -> Result<()> {
    let sets = rows_for(&[(0, 200), (4, 200)]);
    let periods: Vec<i64> = (0..400).map(|i| i64::from(i >= 200)).collect();
    let mut c = MentionCounts::new(1);
    c.update(&sets, None, Some(&periods))?;
    let rows = c.finish(
        &[None],
        &MentionOptions {
            alert_alpha: 0.5,
            ..Default::default()
        },
    )?;
    assert!(!rows[1].alert); // 4 < min_mentions 5
    Ok(())
}

#[test]
fn share_of_voice_among_siblings() -> Result<()> {
    // themes: 0 top, 1 child of 0, 2 child of 0, 3 top
    let sets = Sets::from_rows(&[vec![0, 1], vec![0, 2], vec![0, 1], vec![3]])?;
    let rows = mention_rates(
        &sets,
        &[None, Some(0), Some(0), None],
        None,
        None,
        &MentionOptions::default(),
    )?;
    let sov: Vec<f64> = rows.iter().map(|r| r.share_of_voice).collect();
    assert_eq!(sov, vec![0.75, 2.0 / 3.0, 1.0 / 3.0, 0.25]);
    Ok(())
}

#[test]
fn bad_input_is_an_error() {
    let sets = rows_for(&[(1, 3)]);
    let mut c = MentionCounts::new(1);
    assert!(matches!(
        c.update(&sets, Some(&[0, 1]), None),
        Err(Error::LengthMismatch { .. })
    ));
    assert!(c.finish(&[None], &MentionOptions::default()).is_err());
    let bad = Sets::from_rows(&[vec![5]]).unwrap_or_default();
    assert!(matches!(
        c.update(&bad, None, None),
        Err(Error::InvalidValue { .. })
    ));
    let bad_opts = MentionOptions {
        confidence: 1.5,
        ..Default::default()
    };
    assert!(c.update(&sets, None, None).is_ok());
    assert!(c.finish(&[None], &bad_opts).is_err());
    let o = IntervalOptions::default();
    assert!(top_keywords(&sets, 1, &[false; 3], 5, &o).is_err());
    assert!(reason_shares(&Sets::default(), 1, &o).is_err());
    let bad = IntervalOptions::default().confidence(1.5);
    assert!(top_keywords(&sets, 1, &[true, false, false], 5, &bad).is_err());
    assert!(reason_shares(&sets, 1, &bad).is_err());
}

#[test]
fn byte_form_rejects_corruption() -> Result<()> {
    let mut c = MentionCounts::new(2);
    c.update(
        &Sets::from_rows(&[vec![0, 1], vec![1], vec![]])?,
        Some(&[0, 2, 2]),
        Some(&[10, 11, 11]),
    )?;
    let bytes = c.to_bytes();
    assert_eq!(MentionCounts::from_bytes(&bytes)?, c);
    for cut in [0, 3, 10, bytes.len() - 1] {
        assert!(matches!(
            MentionCounts::from_bytes(&bytes[..cut]),
            Err(Error::Decode { .. })
        ));
    }
    let mut flipped = bytes.clone();
    if let Some(b) = flipped.get_mut(20) {
        *b ^= 1;
    }
    assert!(matches!(
        MentionCounts::from_bytes(&flipped),
        Err(Error::Decode { .. })
    ));
    // Two channel codes mapped to one are added up.
    let joined = c.remap_channels(&[0, 0, 0])?;
    assert_eq!(joined.channels(), vec![0]);
    let rows = joined.finish(&[None, None], &MentionOptions::default())?;
    assert_eq!(
        rows.iter()
            .map(|r| (r.texts, r.mentions))
            .collect::<Vec<_>>(),
        vec![(1, 1), (1, 1), (2, 0), (2, 1)]
    );
    Ok(())
}

proptest! {
    #[test]
    fn merge_equals_whole(rows in proptest::collection::vec((proptest::collection::vec(0u32..3, 0..3), 0u32..2, 0i64..3), 1..60), split in 0usize..60) {
        let split = split.min(rows.len());
        let sets: Vec<Vec<u32>> = rows.iter().map(|r| r.0.clone()).collect();
        let ch: Vec<u32> = rows.iter().map(|r| r.1).collect();
        let pe: Vec<i64> = rows.iter().map(|r| r.2).collect();
        let mut whole = MentionCounts::new(3);
        whole.update(&Sets::from_rows(&sets)?, Some(&ch), Some(&pe))?;
        let mut a = MentionCounts::new(3);
        a.update(&Sets::from_rows(&sets[..split])?, Some(&ch[..split]), Some(&pe[..split]))?;
        let mut b = MentionCounts::new(3);
        b.update(&Sets::from_rows(&sets[split..])?, Some(&ch[split..]), Some(&pe[split..]))?;
        b.merge(&a)?;
        prop_assert_eq!(&whole, &b);
        // The byte form round-trips, and merging decoded parts gives the whole.
        let mut c = MentionCounts::from_bytes(&a.to_bytes())?;
        c.merge(&MentionCounts::from_bytes(&whole.to_bytes())?.remap_channels(&[0, 1])?)?;
        let mut twice = whole.clone();
        twice.merge(&a)?;
        prop_assert_eq!(&c, &twice);
        // Swapping channel codes twice is the identity.
        prop_assert_eq!(&whole.remap_channels(&[1, 0])?.remap_channels(&[1, 0])?, &whole);
        let rows = whole.finish(&[None, None, None], &MentionOptions::default())?;
        for r in rows {
            prop_assert!(r.ci.low <= r.rate && r.rate <= r.ci.high);
            prop_assert!(r.mentions <= r.texts);
        }
    }
}

#[test]
fn state_merge_of_split_batches_equals_one_batch() -> Result<()> {
    use crate::State;
    let rows: Vec<Vec<u32>> = (0..40u32).map(|i| (0..i % 4).collect()).collect();
    let ch: Vec<u32> = (0..40).map(|i| i % 3).collect();
    let pe: Vec<i64> = (0..40).map(|i| i / 10).collect();
    let sets = Sets::from_rows(&rows)?;
    let mut whole = MentionCounts::new(3);
    State::update(
        &mut whole,
        MentionBatch::new(&sets).channels(&ch).periods(&pe),
    )?;
    let mut parts = whole.empty_like();
    for (lo, hi) in [(0, 7), (7, 25), (25, 40)] {
        let part = Sets::from_rows(&rows[lo..hi])?;
        let mut s = whole.empty_like();
        State::update(
            &mut s,
            MentionBatch::new(&part)
                .channels(&ch[lo..hi])
                .periods(&pe[lo..hi]),
        )?;
        State::merge(&mut parts, &s)?;
    }
    assert_eq!(parts, whole);
    // The empty state is the identity of merge, on either side.
    let mut left = whole.empty_like();
    State::merge(&mut left, &whole)?;
    let mut right = whole.clone();
    State::merge(&mut right, &whole.empty_like())?;
    assert_eq!((&left, &right), (&whole, &whole));
    assert_eq!(whole.empty_like().n_themes(), 3);
    assert_eq!(whole.empty_like().texts(), 0);
    let finish = MentionFinish::new(vec![None, Some(0), Some(0)]);
    // Debug text compares NaN fields (no previous period) as equal.
    assert_eq!(
        format!("{:?}", State::finish(&parts, &finish)?),
        format!("{:?}", whole.finish(&finish.parents, &finish.options)?)
    );
    let back = <MentionCounts as State>::from_bytes(&State::to_bytes(&whole))?;
    assert_eq!(back, whole);
    Ok(())
}
