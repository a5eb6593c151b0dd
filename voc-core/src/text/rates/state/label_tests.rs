//! Channel labels of every kind (integers, floats, booleans, strings) and both orders (by value, given):
//! the table's order, merging, the rule for what does not merge, and the byte form.

use proptest::prelude::*;

use super::*;
use crate::State;
use crate::codec::test_util::is_decode;

fn taxonomy() -> Taxonomy {
    let mut t = Taxonomy::new();
    let ok = t.add("refund", "Refund", &["refund"], &[]).is_ok()
        && t.add("delivery", "Delivery", &["late"], &[]).is_ok();
    assert!(ok);
    t
}

fn new_state() -> MentionState {
    MentionState::new(&taxonomy(), MentionSettings::default().channels(true))
}

/// A state of one batch: theme sets `rows`, channel codes `codes` into `labels`, in `order`.
fn state(
    rows: &[Vec<u32>],
    codes: &[u32],
    labels: &ChannelLabels,
    order: LabelOrder,
) -> Result<MentionState> {
    let mut s = new_state();
    let sets = Sets::from_rows(rows)?;
    let batch = MentionStateBatch::new(&sets);
    s.update(match order {
        LabelOrder::Value => batch.channels(codes, labels),
        LabelOrder::Given => batch.channels_in_order(codes, labels),
    })?;
    Ok(s)
}

/// A finished table as its channel labels and (channel code, theme, texts, mentions) per row.
type Rows = (Option<ChannelLabels>, Vec<(u32, u32, u64, u64)>);

/// (channel label index in the table, theme, texts, mentions) of every row.
fn rows(s: &MentionState) -> Result<Rows> {
    let t = s.finish(&MentionOptions::default())?;
    let rows = t
        .rows
        .iter()
        .map(|r| (r.channel, r.theme, r.texts, r.mentions))
        .collect();
    Ok((t.channels, rows))
}

#[test]
fn float_labels_are_ordered_by_value_and_stay_floats() -> Result<()> {
    let labels = ChannelLabels::Float(vec![2.5, -0.0, 1.0]);
    let s = state(
        &[vec![0], vec![], vec![1]],
        &[0, 1, 2],
        &labels,
        LabelOrder::Value,
    )?;
    let (channels, r) = rows(&s)?;
    // -0.0 is the label 0.0.
    assert_eq!(channels, Some(ChannelLabels::Float(vec![0.0, 1.0, 2.5])));
    assert!(matches!(&channels, Some(ChannelLabels::Float(v)) if v[0].is_sign_positive()));
    // 2.5 (batch code 0) is code 2 in the table, with its refund mention.
    assert!(r.contains(&(2, 0, 1, 1)));
    // 0.0 and -0.0 met by two workers are one channel.
    let mut other = state(
        &[vec![0]],
        &[0],
        &ChannelLabels::Float(vec![0.0]),
        LabelOrder::Value,
    )?;
    other.merge(&s)?;
    assert_eq!(other.channels().map(ChannelLabels::len), Some(3));
    assert_eq!(other.texts(), 4);
    Ok(())
}

#[test]
fn nan_labels_are_refused() -> Result<()> {
    let mut s = new_state();
    let sets = Sets::from_rows(&[vec![0]])?;
    let labels = ChannelLabels::Float(vec![1.0, f64::NAN]);
    let r = s.update(MentionStateBatch::new(&sets).channels(&[0], &labels));
    assert!(
        matches!(
            r,
            Err(Error::InvalidValue {
                arg: "channels",
                index: 1,
                ..
            })
        ),
        "{r:?}"
    );
    assert_eq!(s.texts(), 0);
    Ok(())
}

#[test]
fn bool_labels_put_false_before_true() -> Result<()> {
    let labels = ChannelLabels::Bool(vec![true, false]);
    let s = state(&[vec![0], vec![]], &[0, 1], &labels, LabelOrder::Value)?;
    let (channels, r) = rows(&s)?;
    assert_eq!(channels, Some(ChannelLabels::Bool(vec![false, true])));
    assert!(r.contains(&(1, 0, 1, 1)) && r.contains(&(0, 0, 1, 0)));
    Ok(())
}

#[test]
fn given_order_is_kept_through_update_merge_and_bytes() -> Result<()> {
    let cats = ChannelLabels::Str(vec!["web".into(), "app".into(), "shop".into()]);
    let a = state(&[vec![0], vec![]], &[2, 0], &cats, LabelOrder::Given)?;
    let mut b = state(&[vec![1]], &[1], &cats, LabelOrder::Given)?;
    b.update(MentionStateBatch::new(&Sets::from_rows(&[vec![0]])?).channels_in_order(&[0], &cats))?;
    let mut m = a.empty_like();
    m.merge(&MentionState::from_bytes(&b.to_bytes())?)?;
    m.merge(&a)?;
    assert_eq!(m.channel_order(), LabelOrder::Given);
    let (channels, r) = rows(&m)?;
    assert_eq!(channels, Some(cats.clone()));
    // web: two texts, one refund; app: one text (delivery); shop: one text (refund).
    assert!(r.contains(&(0, 0, 2, 1)) && r.contains(&(1, 1, 1, 1)) && r.contains(&(2, 0, 1, 1)));
    // Integer categories keep their order too (not sorted by value).
    let ints = ChannelLabels::Int(vec![10, 2, 9]);
    let s = state(&[vec![0]], &[1], &ints, LabelOrder::Given)?;
    assert_eq!(rows(&s)?.0, Some(ints));
    let back = MentionState::from_bytes(&s.to_bytes())?;
    assert_eq!(back, s);
    assert_eq!(back.channel_order(), LabelOrder::Given);
    Ok(())
}

#[test]
fn what_does_not_merge_is_an_incompatible_error_and_changes_nothing() -> Result<()> {
    let cats = ChannelLabels::Str(vec!["web".into(), "app".into()]);
    let given = state(&[vec![0]], &[0], &cats, LabelOrder::Given)?;
    let check = |a: &MentionState, b: &MentionState, needle: &str| {
        let mut x = a.clone();
        match x.merge(b) {
            Err(Error::Incompatible(m)) => assert!(m.contains(needle), "{needle}: {m}"),
            r => panic!("{needle}: {r:?}"),
        }
        assert_eq!(x.to_bytes(), a.to_bytes());
    };
    // Another category order, other categories, labels in value order.
    let reversed = ChannelLabels::Str(vec!["app".into(), "web".into()]);
    let other_order = state(&[vec![0]], &[0], &reversed, LabelOrder::Given)?;
    check(
        &given,
        &other_order,
        "two different given orders (2 and 2 categories",
    );
    let more = ChannelLabels::Str(vec!["web".into(), "app".into(), "shop".into()]);
    let other_cats = state(&[vec![0]], &[0], &more, LabelOrder::Given)?;
    check(&given, &other_cats, "(2 and 3 categories)");
    let by_value = state(&[vec![0]], &[0], &cats, LabelOrder::Value)?;
    check(
        &given,
        &by_value,
        "given (category) order and in value order",
    );
    check(
        &by_value,
        &given,
        "value order and in given (category) order",
    );
    // Kinds do not mix, even where the values agree (a column of ints and one of floats).
    let ints = state(
        &[vec![0]],
        &[0],
        &ChannelLabels::Int(vec![1]),
        LabelOrder::Value,
    )?;
    let floats = state(
        &[vec![0]],
        &[0],
        &ChannelLabels::Float(vec![1.0]),
        LabelOrder::Value,
    )?;
    let bools = state(
        &[vec![0]],
        &[0],
        &ChannelLabels::Bool(vec![true]),
        LabelOrder::Value,
    )?;
    check(&ints, &floats, "two kinds (integers and floats)");
    check(&floats, &bools, "two kinds (floats and booleans)");
    // A batch is held to the same rule as a state.
    let mut x = given.clone();
    let r = x.update(
        MentionStateBatch::new(&Sets::from_rows(&[vec![0]])?).channels_in_order(&[0], &reversed),
    );
    assert!(matches!(r, Err(Error::Incompatible(_))), "{r:?}");
    assert_eq!(x.to_bytes(), given.to_bytes());
    // Categories given twice are refused.
    let twice = ChannelLabels::Str(vec!["web".into(), "web".into()]);
    let r = state(&[vec![0]], &[0], &twice, LabelOrder::Given);
    assert!(
        matches!(
            r,
            Err(Error::InvalidValue {
                arg: "channels",
                ..
            })
        ),
        "{r:?}"
    );
    Ok(())
}

#[test]
fn a_state_without_labels_merges_with_anything() -> Result<()> {
    let cats = ChannelLabels::Bool(vec![true, false]);
    let given = state(&[vec![0], vec![1]], &[0, 1], &cats, LabelOrder::Given)?;
    for empty in [new_state(), given.empty_like()] {
        let mut x = empty.clone();
        x.merge(&given)?;
        assert_eq!(x.to_bytes(), given.to_bytes());
        let mut y = given.clone();
        y.merge(&empty)?;
        assert_eq!(y.to_bytes(), given.to_bytes());
    }
    Ok(())
}

#[test]
fn byte_form_version_2_round_trips_every_kind_and_names_other_versions() -> Result<()> {
    for (labels, order) in [
        (ChannelLabels::Float(vec![2.0, 1.0]), LabelOrder::Value),
        (ChannelLabels::Float(vec![2.0, 1.0]), LabelOrder::Given),
        (ChannelLabels::Bool(vec![true, false]), LabelOrder::Value),
        (ChannelLabels::Bool(vec![true, false]), LabelOrder::Given),
        (ChannelLabels::Int(vec![3, -1]), LabelOrder::Given),
        (
            ChannelLabels::Str(vec!["b".into(), "a".into()]),
            LabelOrder::Given,
        ),
    ] {
        let s = state(&[vec![0], vec![1]], &[0, 1], &labels, order)?;
        let bytes = s.to_bytes();
        assert_eq!(&bytes[4..6], &2u16.to_le_bytes());
        let back = MentionState::from_bytes(&bytes)?;
        assert_eq!(back, s);
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.channel_order(), order);
        assert!(same_table(&back, &s)?);
        // Every single-bit flip is caught by the checksum.
        let mut flipped = bytes.clone();
        for i in 0..flipped.len() {
            flipped[i] ^= 0x10;
            assert!(MentionState::from_bytes(&flipped).is_err(), "byte {i}");
            flipped[i] ^= 0x10;
        }
    }
    // Version 3 (not written by any build yet) is refused, naming the version.
    let s = state(
        &[vec![0]],
        &[0],
        &ChannelLabels::Int(vec![1]),
        LabelOrder::Value,
    )?;
    let bytes = s.to_bytes();
    let mut body = bytes[..bytes.len() - 8].to_vec();
    body[4..6].copy_from_slice(&3u16.to_le_bytes());
    let r = MentionState::from_bytes(&crate::codec::test_util::sealed(&body));
    assert!(is_decode(r, "unsupported version 3"));
    Ok(())
}

#[test]
fn forged_label_bytes_are_decode_errors() -> Result<()> {
    let s = state(
        &[vec![0], vec![]],
        &[0, 1],
        &ChannelLabels::Float(vec![2.0, 1.0]),
        LabelOrder::Given,
    )?;
    let bytes = s.to_bytes();
    let body = &bytes[..bytes.len() - 8];
    let at = |needle: &[u8]| body.windows(needle.len()).position(|w| w == needle);
    let reseal = |b: Vec<u8>| MentionState::from_bytes(&crate::codec::test_util::sealed(&b));
    // A NaN label.
    let two = at(&2.0f64.to_le_bytes()).unwrap_or(0);
    let mut b = body.to_vec();
    b[two..two + 8].copy_from_slice(&f64::NAN.to_le_bytes());
    assert!(is_decode(reseal(b), "NaN or -0.0"));
    // A repeated label.
    let one = at(&1.0f64.to_le_bytes()).unwrap_or(0);
    let mut b = body.to_vec();
    b[one..one + 8].copy_from_slice(&2.0f64.to_le_bytes());
    assert!(is_decode(reseal(b), "appears twice"));
    // An order code that is neither 0 nor 1 (the byte after the labels).
    let mut b = body.to_vec();
    b[one + 8] = 7;
    assert!(is_decode(reseal(b), "bad channel label order 7"));
    // A label kind code beyond the four kinds (the byte before the count of labels).
    let mut b = body.to_vec();
    b[two - 9] = 4;
    assert!(is_decode(reseal(b), "bad channel label kind 4"));
    Ok(())
}

fn same_table(a: &MentionState, b: &MentionState) -> Result<bool> {
    Ok(format!("{:?}", a.finish(&MentionOptions::default())?)
        == format!("{:?}", b.finish(&MentionOptions::default())?))
}

/// The labels of one kind for label indices `0..4`.
fn pool(kind: u8) -> ChannelLabels {
    match kind {
        0 => ChannelLabels::Int(vec![10, -3, 2, 7]),
        1 => ChannelLabels::Float(vec![2.5, 1.0, -0.5, 2.0]),
        2 => ChannelLabels::Bool(vec![true, false]),
        _ => ChannelLabels::Str(vec!["web".into(), "app".into(), "店铺".into(), "b".into()]),
    }
}

/// The labels `pick` of `pool` (in that order, repeats allowed).
fn pick(pool: &ChannelLabels, pick: &[usize]) -> ChannelLabels {
    fn sel<T: Clone>(v: &[T], p: &[usize]) -> Vec<T> {
        p.iter().filter_map(|&i| v.get(i).cloned()).collect()
    }
    match pool {
        ChannelLabels::Int(v) => ChannelLabels::Int(sel(v, pick)),
        ChannelLabels::Float(v) => ChannelLabels::Float(sel(v, pick)),
        ChannelLabels::Bool(v) => ChannelLabels::Bool(sel(v, pick)),
        ChannelLabels::Str(v) => ChannelLabels::Str(sel(v, pick)),
    }
}

/// The state of `texts` (theme set, label index) counted in `parts` batches, each numbering its own
/// channels in first-met order (value order) or giving all of `pool` (given order), merged in the
/// order `perm`.
fn counted(
    texts: &[(Vec<u32>, usize)],
    part_of: &[usize],
    perm: &[usize],
    kind: u8,
    order: LabelOrder,
) -> Result<MentionState> {
    let pool = pool(kind);
    let mut parts: Vec<MentionState> = Vec::new();
    for p in 0..perm.len() {
        let mine: Vec<&(Vec<u32>, usize)> = texts
            .iter()
            .zip(part_of)
            .filter(|(_, q)| **q == p)
            .map(|(t, _)| t)
            .collect();
        let mut met: Vec<usize> = Vec::new();
        let mut codes = Vec::new();
        for (_, l) in &mine {
            if order == LabelOrder::Given {
                codes.push(*l as u32);
            } else {
                codes.push(met.iter().position(|m| m == l).unwrap_or_else(|| {
                    met.push(*l);
                    met.len() - 1
                }) as u32);
            }
        }
        let labels = match order {
            LabelOrder::Given => pool.clone(),
            LabelOrder::Value => pick(&pool, &met),
        };
        let rows: Vec<Vec<u32>> = mine.iter().map(|(s, _)| s.clone()).collect();
        parts.push(state(&rows, &codes, &labels, order)?);
    }
    let mut acc = new_state();
    for &i in perm {
        if let Some(p) = parts.get(i) {
            acc.merge(&MentionState::from_bytes(&p.to_bytes())?)?;
        }
    }
    Ok(acc)
}

proptest! {
    /// Any split of the texts, merged in any order, finishes into the table of counting them all at
    /// once, for every kind of label and both orders; the byte form round-trips.
    #[test]
    fn merge_order_does_not_matter(
        texts in proptest::collection::vec((proptest::collection::vec(0u32..2, 0..3), 0usize..4), 1..30),
        parts in 1usize..4,
        seed in any::<u64>(),
        kind in 0u8..4,
        given in any::<bool>(),
    ) {
        let n_labels = pool(kind).len();
        let texts: Vec<(Vec<u32>, usize)> = texts
            .into_iter()
            .map(|(mut s, l)| {
                s.sort_unstable();
                s.dedup();
                (s, l % n_labels)
            })
            .collect();
        let order = if given { LabelOrder::Given } else { LabelOrder::Value };
        let part_of: Vec<usize> = (0..texts.len())
            .map(|i| ((seed >> (i % 32)) as usize + i) % parts)
            .collect();
        let mut perm: Vec<usize> = (0..parts).collect();
        perm.rotate_left((seed % parts as u64) as usize);
        if seed & 1 == 1 {
            perm.reverse();
        }
        let whole = counted(&texts, &vec![0; texts.len()], &[0], kind, order).unwrap();
        let merged = counted(&texts, &part_of, &perm, kind, order).unwrap();
        prop_assert_eq!(&merged, &whole);
        prop_assert!(same_table(&merged, &whole).unwrap());
        let back = MentionState::from_bytes(&merged.to_bytes()).unwrap();
        prop_assert_eq!(&back, &merged);
        // The table's labels are in the order of the convention.
        let channels = merged.finish(&MentionOptions::default()).unwrap().channels;
        let want = match order {
            LabelOrder::Given => Some(pool(kind)),
            LabelOrder::Value => {
                let mut used: Vec<usize> = texts.iter().map(|t| t.1).collect();
                used.sort_unstable();
                used.dedup();
                let labels = pick(&pool(kind), &used);
                labels.ordered(LabelOrder::Value).ok().map(|(l, _)| l)
            }
        };
        prop_assert_eq!(channels, want);
    }
}
