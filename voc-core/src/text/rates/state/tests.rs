use super::*;
use crate::State;
use crate::codec::test_util::is_decode;

/// "refund" with the child "refund.slow", and "delivery".
fn taxonomy() -> Taxonomy {
    let mut t = Taxonomy::new();
    let ok = t.add("refund", "Refund", &["refund"], &[]).is_ok()
        && t.add("refund.slow", "Slow refund", &["slow refund"], &[])
            .is_ok()
        && t.add("delivery", "Delivery", &["late"], &[]).is_ok();
    assert!(ok);
    t
}

fn settings() -> MentionSettings {
    MentionSettings::default()
        .channels(true)
        .period(Some(Period::Month))
}

fn strs(v: &[&str]) -> ChannelLabels {
    ChannelLabels::Str(v.iter().map(|s| s.to_string()).collect())
}

/// A state of the given texts: (theme set, channel label, period index).
fn state_of(texts: &[(&[u32], &str, i64)]) -> Result<MentionState> {
    let mut s = MentionState::new(&taxonomy(), settings());
    // Labels in order of first appearance, codes into them.
    let mut names: Vec<&str> = Vec::new();
    let codes: Vec<u32> = texts
        .iter()
        .map(|&(_, c, _)| match names.iter().position(|&n| n == c) {
            Some(i) => i as u32,
            None => {
                names.push(c);
                names.len() as u32 - 1
            }
        })
        .collect();
    let rows: Vec<Vec<u32>> = texts.iter().map(|&(t, _, _)| t.to_vec()).collect();
    let sets = Sets::from_rows(&rows)?;
    let periods: Vec<i64> = texts.iter().map(|&(_, _, p)| p).collect();
    let labels = strs(&names);
    s.update(
        MentionStateBatch::new(&sets)
            .channels(&codes, &labels)
            .periods(&periods),
    )?;
    Ok(s)
}

fn a() -> Result<MentionState> {
    state_of(&[
        (&[0, 1], "chat", 10),
        (&[0], "email", 10),
        (&[], "chat", 11),
        (&[2], "email", 11),
    ])
}

fn b() -> Result<MentionState> {
    state_of(&[
        (&[2], "web", 10),
        (&[0], "email", 10),
        (&[0, 1], "chat", 11),
    ])
}

fn c() -> Result<MentionState> {
    state_of(&[(&[], "email", 11), (&[0, 1, 2], "app", 10)])
}

fn all() -> Result<MentionState> {
    state_of(&[
        (&[0, 1], "chat", 10),
        (&[0], "email", 10),
        (&[], "chat", 11),
        (&[2], "email", 11),
        (&[2], "web", 10),
        (&[0], "email", 10),
        (&[0, 1], "chat", 11),
        (&[], "email", 11),
        (&[0, 1, 2], "app", 10),
    ])
}

fn merged(parts: &[&MentionState]) -> Result<MentionState> {
    let mut acc = parts[0].empty_like();
    for p in parts {
        acc.merge(p)?;
    }
    Ok(acc)
}

fn table(s: &MentionState) -> Result<MentionTable> {
    s.finish(&MentionOptions::default())
}

/// Tables compared bit for bit (their NaNs included) through their debug text.
fn same<T: std::fmt::Debug>(a: &T, b: &T) -> bool {
    format!("{a:?}") == format!("{b:?}")
}

#[test]
fn merge_aligns_channels_by_label() -> Result<()> {
    let (a, b) = (a()?, b()?);
    // b met its channels in another order: web, email, chat.
    assert_eq!(b.channels(), Some(&strs(&["web", "email", "chat"])));
    let mut m = a.clone();
    m.merge(&b)?;
    assert_eq!(m.channels(), Some(&strs(&["chat", "email", "web"])));
    assert_eq!(m.texts(), 7);
    let t = table(&m)?;
    assert_eq!(t.channels, Some(strs(&["chat", "email", "web"])));
    // chat, month 10: one text mentioning refund and refund.slow.
    let r = &t.rows[0];
    assert_eq!(
        (r.channel, r.period, r.theme, r.texts, r.mentions),
        (0, Some(10), 0, 1, 1)
    );
    // email, month 10: two texts, both refund.
    let r = t
        .rows
        .iter()
        .find(|r| r.channel == 1 && r.period == Some(10) && r.theme == 0);
    assert_eq!(r.map(|r| (r.texts, r.mentions)), Some((2, 2)));
    Ok(())
}

#[test]
fn merge_equals_counting_everything_at_once() -> Result<()> {
    let want = table(&all()?)?;
    let (a, b, c) = (a()?, b()?, c()?);
    for order in [[&a, &b, &c], [&c, &b, &a], [&b, &a, &c], [&c, &a, &b]] {
        let m = merged(&order)?;
        assert_eq!(m, all()?);
        assert!(same(&table(&m)?, &want));
        assert_eq!(m.to_bytes().len(), merged(&[&a, &b, &c])?.to_bytes().len());
    }
    Ok(())
}

#[test]
fn merge_is_associative_and_has_an_identity() -> Result<()> {
    let (a, b, c) = (a()?, b()?, c()?);
    // (a + b) + c == a + (b + c)
    let mut left = a.clone();
    left.merge(&b)?;
    left.merge(&c)?;
    let mut bc = b.clone();
    bc.merge(&c)?;
    let mut right = a.clone();
    right.merge(&bc)?;
    assert_eq!(left, right);
    assert!(same(&table(&left)?, &table(&right)?));
    // The empty state changes nothing, on either side, bit for bit.
    let mut x = a.clone();
    x.merge(&a.empty_like())?;
    assert_eq!(x.to_bytes(), a.to_bytes());
    let mut y = a.empty_like();
    y.merge(&a)?;
    assert_eq!(y.to_bytes(), a.to_bytes());
    assert_eq!(a.empty_like().texts(), 0);
    Ok(())
}

#[test]
fn merge_rejects_other_themes_or_settings_and_leaves_the_state_unchanged() -> Result<()> {
    let a = a()?;
    let before = a.to_bytes();
    let check = |other: &MentionState, needle: &str| {
        let mut x = a.clone();
        match x.merge(other) {
            Err(Error::Incompatible(m)) => assert!(m.contains(needle), "{m}"),
            r => panic!("{needle}: {r:?}"),
        }
        assert_eq!(x.to_bytes(), before);
    };
    let mut other = Taxonomy::new();
    other.add("refund", "Refund", &["refund"], &[])?;
    check(&MentionState::new(&other, settings()), "themes");
    check(
        &MentionState::new(&taxonomy(), settings().rollup(false)),
        "rollup",
    );
    check(
        &MentionState::new(&taxonomy(), settings().period(Some(Period::Quarter))),
        "period (month and quarter)",
    );
    check(
        &MentionState::new(&taxonomy(), settings().period(None)),
        "period",
    );
    check(
        &MentionState::new(&taxonomy(), settings().channels(false)),
        "channels",
    );
    // Integer labels do not mix with string labels.
    let mut ints = MentionState::new(&taxonomy(), settings());
    let sets = Sets::from_rows(&[vec![]])?;
    ints.update(
        MentionStateBatch::new(&sets)
            .channels(&[0], &ChannelLabels::Int(vec![5]))
            .periods(&[3]),
    )?;
    check(&ints, "two kinds (strings and integers)");
    Ok(())
}

#[test]
fn rollup_mismatch_cannot_make_a_parent_rarer_than_its_child() -> Result<()> {
    // Without the check, rolled-up counts plus plain counts can give refund < refund.slow.
    let tax = taxonomy();
    let mut rolled = MentionState::new(&tax, MentionSettings::default());
    let mut plain = MentionState::new(&tax, MentionSettings::default().rollup(false));
    plain.update(MentionStateBatch::new(&Sets::from_rows(&[
        vec![1],
        vec![1],
    ])?))?;
    assert!(matches!(rolled.merge(&plain), Err(Error::Incompatible(_))));
    // Sets without roll-up are refused by a rolled-up state, and the state is unchanged.
    let r = rolled.update(MentionStateBatch::new(&Sets::from_rows(&[
        vec![0],
        vec![1],
    ])?));
    assert!(
        matches!(r, Err(Error::InvalidValue { index: 1, .. })),
        "{r:?}"
    );
    assert_eq!(rolled.texts(), 0);
    Ok(())
}

#[test]
fn update_checks_the_batch_against_the_settings() -> Result<()> {
    let mut s = MentionState::new(&taxonomy(), settings());
    let sets = Sets::from_rows(&[vec![0], vec![]])?;
    let labels = strs(&["chat"]);
    // No periods, no channels, a code beyond the labels, lengths.
    assert!(
        s.update(MentionStateBatch::new(&sets).channels(&[0, 0], &labels))
            .is_err()
    );
    assert!(
        s.update(MentionStateBatch::new(&sets).periods(&[1, 1]))
            .is_err()
    );
    let r = s.update(
        MentionStateBatch::new(&sets)
            .channels(&[0, 1], &labels)
            .periods(&[1, 1]),
    );
    assert!(matches!(
        r,
        Err(Error::InvalidValue {
            arg: "channels",
            index: 1,
            ..
        })
    ));
    let r = s.update(
        MentionStateBatch::new(&sets)
            .channels(&[0], &labels)
            .periods(&[1, 1]),
    );
    assert!(matches!(r, Err(Error::LengthMismatch { .. })));
    let bad = Sets {
        indptr: vec![0, 2],
        items: vec![0, 0],
    };
    assert!(
        s.update(
            MentionStateBatch::new(&bad)
                .channels(&[0], &labels)
                .periods(&[1])
        )
        .is_err()
    );
    assert_eq!(
        (s.texts(), s.channels().map(ChannelLabels::len)),
        (0, Some(0))
    );
    // A state without channels or periods refuses them.
    let mut plain = MentionState::new(&taxonomy(), MentionSettings::default());
    assert!(
        plain
            .update(MentionStateBatch::new(&sets).channels(&[0, 0], &labels))
            .is_err()
    );
    assert!(
        plain
            .update(MentionStateBatch::new(&sets).periods(&[1, 1]))
            .is_err()
    );
    plain.update(MentionStateBatch::new(&sets).dropped(4))?;
    assert_eq!(
        (plain.texts(), plain.dropped(), plain.channels()),
        (2, 4, None)
    );
    Ok(())
}

#[test]
fn finish_equals_mention_rates_with_sorted_channel_codes() -> Result<()> {
    let s = all()?;
    let t = table(&s)?;
    // Channels sorted: app, chat, email, web.
    let names = ["app", "chat", "email", "web"];
    assert_eq!(t.channels, Some(strs(&names)));
    let texts = [
        (vec![0, 1], "chat", 10),
        (vec![0], "email", 10),
        (vec![], "chat", 11),
        (vec![2], "email", 11),
        (vec![2], "web", 10),
        (vec![0], "email", 10),
        (vec![0, 1], "chat", 11),
        (vec![], "email", 11),
        (vec![0, 1, 2], "app", 10),
    ];
    let rows: Vec<Vec<u32>> = texts.iter().map(|t| t.0.clone()).collect();
    let codes: Vec<u32> = texts
        .iter()
        .map(|t| names.iter().position(|&n| n == t.1).unwrap_or(9) as u32)
        .collect();
    let periods: Vec<i64> = texts.iter().map(|t| t.2).collect();
    let mut counts = MentionCounts::new(3);
    counts.update(&Sets::from_rows(&rows)?, Some(&codes), Some(&periods))?;
    let want = counts.finish(&[None, Some(0), None], &MentionOptions::default())?;
    assert!(same(&t.rows, &want));
    Ok(())
}

#[test]
fn integer_labels_sort_numerically() -> Result<()> {
    let mut s = MentionState::new(&taxonomy(), MentionSettings::default().channels(true));
    let sets = Sets::from_rows(&[vec![0], vec![], vec![2]])?;
    let labels = ChannelLabels::Int(vec![10, -3, 2]);
    s.update(MentionStateBatch::new(&sets).channels(&[0, 1, 2], &labels))?;
    let t = table(&s)?;
    assert_eq!(t.channels, Some(ChannelLabels::Int(vec![-3, 2, 10])));
    // Label 10 (code 0 in the batch) is code 2 in the table.
    let r = t.rows.iter().find(|r| r.channel == 2 && r.theme == 0);
    assert_eq!(r.map(|r| r.mentions), Some(1));
    // An empty state of string kind takes integer labels.
    let mut e = MentionState::new(&taxonomy(), MentionSettings::default().channels(true));
    e.merge(&s)?;
    assert_eq!(e, s);
    Ok(())
}

#[test]
fn byte_form_round_trips_and_is_stable() -> Result<()> {
    for s in [
        all()?,
        a()?.empty_like(),
        MentionState::new(&taxonomy(), MentionSettings::default().rollup(false)),
    ] {
        let bytes = s.to_bytes();
        let back = MentionState::from_bytes(&bytes)?;
        assert_eq!(back, s);
        assert_eq!(back.to_bytes(), bytes);
        assert_eq!(back.themes(), s.themes());
        assert_eq!(back.settings(), s.settings());
    }
    Ok(())
}

#[test]
fn every_bit_flip_and_truncation_is_a_decode_error() -> Result<()> {
    let bytes = a()?.to_bytes();
    let mut flipped = bytes.clone();
    for i in 0..flipped.len() {
        for bit in 0..8 {
            flipped[i] ^= 1 << bit;
            let r = MentionState::from_bytes(&flipped);
            assert!(
                matches!(r, Err(Error::Decode { .. })),
                "byte {i} bit {bit}: {r:?}"
            );
            flipped[i] ^= 1 << bit;
        }
    }
    for len in 0..bytes.len() {
        let r = MentionState::from_bytes(&bytes[..len]);
        assert!(matches!(r, Err(Error::Decode { .. })), "{len}: {r:?}");
    }
    // Other byte forms are not mention states.
    assert!(is_decode(
        MentionState::from_bytes(&a()?.counts().to_bytes()),
        "bytes of a voc mention-counts table, not of a mention state"
    ));
    Ok(())
}

/// Re-seals a state's byte form after `edit` changes its body, so the checks after the checksum run.
fn resealed(s: &MentionState, edit: impl Fn(&mut Vec<u8>)) -> Result<MentionState> {
    let bytes = s.to_bytes();
    let mut body = bytes[..bytes.len() - 8].to_vec();
    edit(&mut body);
    MentionState::from_bytes(&crate::codec::test_util::sealed(&body))
}

#[test]
fn well_sealed_but_inconsistent_bytes_are_decode_errors() -> Result<()> {
    let s = a()?;
    let bytes = s.to_bytes();
    let find = |needle: &[u8]| {
        bytes
            .windows(needle.len())
            .position(|w| w == needle)
            .unwrap_or(usize::MAX)
    };
    // A second label "chat" where "email" was: labels repeat.
    let email = find(b"email");
    let r = resealed(&s, |b| {
        b.splice(
            email - 8..email + 5,
            [4u64.to_le_bytes().as_slice(), b"chat"].concat(),
        );
    });
    assert!(is_decode(r, "appears twice"), "{:?}", resealed(&s, |_| {}));
    // The period code beyond the five periods.
    let themes_end = find(b"Delivery") + b"Delivery".len() + 1;
    let r = resealed(&s, |b| b[themes_end + 1] = 9);
    assert!(is_decode(r, "bad period code 9"));
    // Roll-up off in the bytes of a rolled-up state is fine; a rolled-up state whose counts have
    // a child above its parent is not.
    let mut plain = MentionState::new(&taxonomy(), MentionSettings::default().rollup(false));
    plain.update(MentionStateBatch::new(&Sets::from_rows(&[vec![1]])?))?;
    let end = find(b"Delivery") + b"Delivery".len() + 1;
    let flip_rollup = |b: &mut Vec<u8>| b[end] = 1;
    assert!(is_decode(
        resealed(&plain, flip_rollup),
        "fewer mentions than its child"
    ));
    // Channels off with labels present.
    let r = resealed(&s, |b| b[themes_end + 2] = 0);
    assert!(is_decode(r, "without channels"));
    Ok(())
}

#[test]
fn state_trait_drives_the_whole_cycle() -> Result<()> {
    fn total<S: State>(parts: &[S]) -> Result<S> {
        let mut acc = parts[0].empty_like();
        for p in parts {
            let back = S::from_bytes(&p.to_bytes())?;
            acc.merge(&back)?;
        }
        Ok(acc)
    }
    let m = total(&[a()?, b()?, c()?])?;
    assert!(same(
        &State::finish(&m, &MentionOptions::default())?,
        &table(&all()?)?
    ));
    Ok(())
}
