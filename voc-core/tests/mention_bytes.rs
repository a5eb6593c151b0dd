//! The mention state's byte form: the reference blobs stored in the repo (versions 1 and 2) still
//! decode to the same state and the same table, and corrupted bytes are errors, never panics.
//!
//! `tests/data/mention_state_v1.bin` was written by version 1 of the byte form (string labels in value
//! order); `tests/data/mention_state_v2.bin` (float labels in a given category order) is written by the
//! ignored test `write_reference_blob` (`cargo test -p voc-core --test mention_bytes -- --ignored
//! write_reference_blob --nocapture`). Neither is ever regenerated: a change that cannot read them has
//! broken saved states.
#![cfg(feature = "text")]
// Tests report failure by panicking.
#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic)]

mod common;

use voc_core::text::{
    ChannelLabels, LabelOrder, MentionOptions, MentionSettings, MentionState, MentionStateBatch,
    Taxonomy, ThemeMatcher,
};
use voc_core::time::Period;
use voc_core::{Error, State};

const BLOB: &[u8] = include_bytes!("data/mention_state_v1.bin");
const BLOB_V2: &[u8] = include_bytes!("data/mention_state_v2.bin");

/// Three themes, one the child of another, with non-ASCII labels.
fn matcher() -> ThemeMatcher {
    let mut t = Taxonomy::new();
    t.add("refund", "退款", &["退款", "refund*"], &[]).unwrap();
    t.add("refund.slow", "退款慢", &["退款慢", "slow refund"], &[])
        .unwrap();
    t.add("delivery", "Délai de livraison", &["快递", "late"], &[])
        .unwrap();
    ThemeMatcher::new(t).unwrap()
}

fn settings() -> MentionSettings {
    MentionSettings::default()
        .channels(true)
        .period(Some(Period::Month))
}

/// Two workers' states, each numbering its own channels, merged.
fn reference_state() -> MentionState {
    let m = matcher();
    let mut a = MentionState::new(m.taxonomy(), settings());
    let texts = [
        "退款慢",
        "refund please",
        "快递 late",
        "hello",
        "slow refund!",
    ];
    let sets = m.themes_batch(&texts, true).unwrap();
    let labels = ChannelLabels::Str(vec!["店铺".into(), "email".into()]);
    a.update(
        MentionStateBatch::new(&sets)
            .channels(&[0, 1, 0, 1, 0], &labels)
            .periods(&[24_300, 24_300, 24_300, 24_301, 24_301])
            .dropped(2),
    )
    .unwrap();
    let mut b = a.empty_like();
    let texts = ["退款", "nothing", "late again"];
    let sets = m.themes_batch(&texts, true).unwrap();
    let labels = ChannelLabels::Str(vec!["chat".into(), "店铺".into()]);
    b.update(
        MentionStateBatch::new(&sets)
            .channels(&[0, 1, 1], &labels)
            .periods(&[24_301, 24_300, 24_301]),
    )
    .unwrap();
    a.merge(&b).unwrap();
    a
}

/// (channel label, period, theme, texts, mentions) of every row of the reference state's table.
const ROWS: [(&str, i64, usize, u64, u64); 15] = [
    ("chat", 24_301, 0, 1, 1),
    ("chat", 24_301, 1, 1, 0),
    ("chat", 24_301, 2, 1, 0),
    ("email", 24_300, 0, 1, 1),
    ("email", 24_300, 1, 1, 0),
    ("email", 24_300, 2, 1, 0),
    ("email", 24_301, 0, 1, 0),
    ("email", 24_301, 1, 1, 0),
    ("email", 24_301, 2, 1, 0),
    ("店铺", 24_300, 0, 3, 1),
    ("店铺", 24_300, 1, 3, 1),
    ("店铺", 24_300, 2, 3, 1),
    ("店铺", 24_301, 0, 2, 1),
    ("店铺", 24_301, 1, 2, 1),
    ("店铺", 24_301, 2, 2, 1),
];

/// Two workers' states of float labels given in category order (2.0 before 1.0), merged.
fn reference_state_v2() -> MentionState {
    let m = matcher();
    let categories = ChannelLabels::Float(vec![2.0, 1.0]);
    let mut a = MentionState::new(m.taxonomy(), settings());
    let sets = m.themes_batch(&["退款慢", "late", "hello"], true).unwrap();
    a.update(
        MentionStateBatch::new(&sets)
            .channels_in_order(&[1, 0, 1], &categories)
            .periods(&[24_300, 24_300, 24_301])
            .dropped(1),
    )
    .unwrap();
    let mut b = a.empty_like();
    let sets = m.themes_batch(&["refund", "快递"], true).unwrap();
    b.update(
        MentionStateBatch::new(&sets)
            .channels_in_order(&[0, 0], &categories)
            .periods(&[24_301, 24_301]),
    )
    .unwrap();
    a.merge(&b).unwrap();
    a
}

/// (channel label, period, theme, texts, mentions) of every row of the version-2 state's table.
const ROWS_V2: [(f64, i64, usize, u64, u64); 12] = [
    (2.0, 24_300, 0, 1, 0),
    (2.0, 24_300, 1, 1, 0),
    (2.0, 24_300, 2, 1, 1),
    (2.0, 24_301, 0, 2, 1),
    (2.0, 24_301, 1, 2, 0),
    (2.0, 24_301, 2, 2, 1),
    (1.0, 24_300, 0, 1, 1),
    (1.0, 24_300, 1, 1, 1),
    (1.0, 24_300, 2, 1, 0),
    (1.0, 24_301, 0, 1, 0),
    (1.0, 24_301, 1, 1, 0),
    (1.0, 24_301, 2, 1, 0),
];

#[test]
#[ignore = "writes the version-2 reference blob; run by hand only when adding a new version"]
fn write_reference_blob() {
    let s = reference_state_v2();
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/data/mention_state_v2.bin"
    );
    std::fs::write(path, s.to_bytes()).unwrap();
    let t = s.finish(&MentionOptions::default()).unwrap();
    println!("channels = {:?}", t.channels);
    for r in &t.rows {
        println!(
            "({}, {:?}, {}, {}, {})",
            r.channel, r.period, r.theme, r.texts, r.mentions
        );
    }
}

#[test]
fn version_2_blob_decodes_to_the_same_state() {
    let s = MentionState::from_bytes(BLOB_V2).unwrap();
    assert_eq!(&BLOB_V2[4..6], &2u16.to_le_bytes());
    assert_eq!(*s.settings(), settings());
    assert_eq!((s.texts(), s.dropped()), (5, 1));
    assert_eq!(s.channel_order(), LabelOrder::Given);
    let t = s.finish(&MentionOptions::default()).unwrap();
    let Some(ChannelLabels::Float(names)) = &t.channels else {
        panic!("{:?}", t.channels)
    };
    // The categories' order, not the values' order; the labels stay floats.
    assert_eq!(names, &[2.0, 1.0]);
    assert_eq!(t.rows.len(), ROWS_V2.len());
    for (r, &(channel, period, theme, texts, mentions)) in t.rows.iter().zip(&ROWS_V2) {
        assert_eq!(names[r.channel as usize], channel);
        assert_eq!(
            (r.period, r.theme as usize, r.texts, r.mentions),
            (Some(period), theme, texts, mentions)
        );
    }
    assert_eq!(s.to_bytes(), BLOB_V2);
    assert_eq!(reference_state_v2(), s);
    assert_eq!(reference_state_v2().to_bytes(), BLOB_V2);
}

#[test]
fn every_truncation_and_bit_flip_of_version_2_is_a_decode_error() {
    common::assert_corruption_is_detected(BLOB_V2, MentionState::from_bytes);
}

#[test]
fn reference_blob_decodes_to_the_same_state() {
    let s = MentionState::from_bytes(BLOB).unwrap();
    assert_eq!(*s.settings(), settings());
    assert_eq!((s.texts(), s.dropped()), (8, 2));
    let ids: Vec<&str> = s.themes().iter().map(|t| t.id.as_str()).collect();
    assert_eq!(ids, ["refund", "refund.slow", "delivery"]);
    assert_eq!(s.themes()[1].parent, Some(0));
    assert_eq!(s.themes()[2].label, "Délai de livraison");
    // Channels in the order they were met; the table sorts them.
    let met = ChannelLabels::Str(vec!["店铺".into(), "email".into(), "chat".into()]);
    assert_eq!(s.channels(), Some(&met));
    let t = s.finish(&MentionOptions::default()).unwrap();
    let Some(ChannelLabels::Str(names)) = &t.channels else {
        panic!("{:?}", t.channels)
    };
    assert_eq!(names, &["chat", "email", "店铺"]);
    assert_eq!(t.rows.len(), ROWS.len());
    for (r, &(channel, period, theme, texts, mentions)) in t.rows.iter().zip(&ROWS) {
        assert_eq!(names[r.channel as usize], channel);
        assert_eq!(
            (r.period, r.theme as usize, r.texts, r.mentions),
            (Some(period), theme, texts, mentions)
        );
    }
    // Today's counting of the same texts is the same state; it is written as version 2 (the same
    // layout plus the label order), which reads back to the same state.
    assert_eq!(s.channel_order(), LabelOrder::Value);
    assert_eq!(reference_state(), s);
    let v2 = s.to_bytes();
    assert_eq!(&v2[4..6], &2u16.to_le_bytes());
    assert_eq!(v2.len(), BLOB.len() + 1);
    assert_eq!(MentionState::from_bytes(&v2).unwrap(), s);
    assert_eq!(reference_state().to_bytes(), v2);
}

#[test]
fn every_truncation_and_bit_flip_is_a_decode_error() {
    common::assert_corruption_is_detected(BLOB, MentionState::from_bytes);
}

#[test]
fn states_of_other_settings_do_not_merge_with_the_reference() {
    let s = MentionState::from_bytes(BLOB).unwrap();
    let m = matcher();
    for other in [
        settings().rollup(false),
        settings().period(Some(Period::Week)),
        settings().channels(false),
    ] {
        let mut x = s.clone();
        let r = x.merge(&MentionState::new(m.taxonomy(), other));
        assert!(matches!(r, Err(Error::Incompatible(_))), "{other:?}: {r:?}");
        assert_eq!(x.to_bytes(), s.to_bytes());
    }
}

#[test]
#[ignore = "writes fuzz seeds of every label kind; run by hand when the byte form gains a version"]
fn write_fuzz_seeds() {
    let m = matcher();
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../fuzz/corpus/mention_state");
    let sets = m.themes_batch(&["退款慢", "late", "hi"], true).unwrap();
    for (file, labels, given) in [
        (
            "seed-mention-state-bool",
            ChannelLabels::Bool(vec![true, false]),
            false,
        ),
        (
            "seed-mention-state-str-given",
            ChannelLabels::Str(vec!["web".into(), "店铺".into()]),
            true,
        ),
        (
            "seed-mention-state-int-given",
            ChannelLabels::Int(vec![10, -2]),
            true,
        ),
    ] {
        let mut s = MentionState::new(m.taxonomy(), MentionSettings::default().channels(true));
        let b = MentionStateBatch::new(&sets);
        let b = if given {
            b.channels_in_order(&[1, 0, 1], &labels)
        } else {
            b.channels(&[1, 0, 1], &labels)
        };
        s.update(b).unwrap();
        let bytes = s.to_bytes();
        std::fs::write(format!("{dir}/{file}"), &bytes[..bytes.len() - 8]).unwrap();
    }
}
