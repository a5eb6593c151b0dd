//! The fuzz targets' bodies, shared by the cargo-fuzz binaries (`fuzz/fuzz_targets/*.rs`) and by
//! the corpus replay test of voc-core (`voc-core/tests/fuzz_corpus.rs`), so that `cargo test`
//! runs every corpus file through exactly what the fuzzer ran.
//!
//! A target may return errors (that is what bad input is for); it fails only by panicking, hanging
//! or allocating without bound. Decoder targets try each input twice: as given (the checksum must
//! reject nearly every mutation) and re-sealed with a valid checksum, so that the structural checks
//! behind the checksum are fuzzed too (what a forged byte form would reach). A decoded value must
//! re-encode to bytes that decode to the same bytes again, and its methods must not panic.

#![allow(clippy::unwrap_used, clippy::expect_used, clippy::panic, dead_code)]

use ndarray::Array2;
use voc_core::Predict;
use voc_core::envelope;
use voc_core::metrics::{CesState, CsatState, NpsState};

/// A target's body.
pub type Target = fn(&[u8]);

/// Every target by name: the corpus of a target lives in `fuzz/corpus/<name>/`.
pub const TARGETS: &[(&str, Target)] = &[
    ("survey_state", survey_state),
    ("outcome_state", outcome_state),
    ("mention_counts", mention_counts),
    ("mention_state", mention_state),
    ("risk_model", risk_model),
    ("cox_model", cox_model),
    ("bgnbd_model", bgnbd_model),
    ("gamma_gamma_model", gamma_gamma_model),
    ("kmeans_model", kmeans_model),
    ("tfidf_model", tfidf_model),
    ("topic_model", topic_model),
    ("result_envelope", result_envelope),
    ("taxonomy", taxonomy),
    ("event_tables", event_tables),
    ("uplift_model", uplift_model),
];

/// Runs target `name` on `data` (false when there is no such target).
pub fn run(name: &str, data: &[u8]) -> bool {
    match TARGETS.iter().find(|(n, _)| *n == name) {
        Some((_, f)) => {
            f(data);
            true
        }
        None => false,
    }
}

/// `body` closed by a valid checksum.
pub fn resealed(body: &[u8]) -> Vec<u8> {
    let mut v = body.to_vec();
    v.extend_from_slice(&envelope::checksum(body).to_le_bytes());
    v
}

/// Decodes `data` as given and re-sealed; whatever decodes must re-encode stably and survive `use_`.
fn decoder<T>(
    data: &[u8],
    from: impl Fn(&[u8]) -> voc_core::Result<T>,
    to: impl Fn(&T) -> Vec<u8>,
    use_: impl Fn(&T),
) {
    for input in [data.to_vec(), resealed(data)] {
        if let Ok(v) = from(&input) {
            let bytes = to(&v);
            let back = from(&bytes).expect("re-encoded bytes decode");
            assert_eq!(to(&back), bytes, "the byte form is stable");
            use_(&v);
        }
    }
}

/// A small matrix with `cols` columns for predictions.
fn probe(cols: usize) -> Array2<f64> {
    Array2::from_shape_fn((3, cols), |(i, j)| (i as f64 - 1.0) * 0.7 + j as f64 * 0.3)
}

pub fn survey_state(data: &[u8]) {
    fn use_state<M>(s: &voc_core::metrics::SurveyState<M>)
    where
        M: voc_core::metrics::Metric,
        M::Options: Default,
    {
        let o = M::Options::default();
        let _ = s.finish(&o);
        let _ = s.finish_groups(&o);
        let mut twice = s.clone();
        let _ = twice.merge(s);
    }
    decoder(data, NpsState::from_bytes, NpsState::to_bytes, use_state);
    decoder(data, CsatState::from_bytes, CsatState::to_bytes, use_state);
    decoder(data, CesState::from_bytes, CesState::to_bytes, use_state);
}

pub fn outcome_state(data: &[u8]) {
    use voc_core::impact::{OutcomeOptions, OutcomeState};
    decoder(
        data,
        OutcomeState::from_bytes,
        OutcomeState::to_bytes,
        |s| {
            let _ = s.finish(&OutcomeOptions::default());
            let mut twice = s.clone();
            let _ = twice.merge(s);
        },
    );
}

pub fn mention_counts(data: &[u8]) {
    use voc_core::text::{MentionCounts, MentionOptions};
    decoder(
        data,
        MentionCounts::from_bytes,
        MentionCounts::to_bytes,
        |c| {
            let parents = vec![None; c.n_themes().min(1 << 12)];
            let _ = c.finish(&parents, &MentionOptions::default());
            let _ = c.channels();
            let mut twice = c.clone();
            let _ = twice.merge(c);
        },
    );
}

pub fn mention_state(data: &[u8]) {
    use voc_core::text::{MentionOptions, MentionState};
    decoder(
        data,
        MentionState::from_bytes,
        MentionState::to_bytes,
        |s| {
            let _ = s.finish(&MentionOptions::default());
            let _ = (s.channel_order(), s.channels().map(|l| l.kind()));
            let mut twice = s.clone();
            let _ = twice.merge(s);
            // The empty state is an identity for every label kind and order.
            let mut empty = voc_core::State::empty_like(s);
            let _ = empty.merge(s);
        },
    );
}

pub fn risk_model(data: &[u8]) {
    use voc_core::risk::LogisticModel;
    decoder(
        data,
        LogisticModel::from_bytes,
        LogisticModel::to_bytes,
        |m| {
            let _ = m.summary();
            for p in 0..8 {
                let x = probe(p);
                let _ = m.predict_proba(x.view());
                let _ = m.contributions(x.view());
            }
        },
    );
}

pub fn uplift_model(data: &[u8]) {
    use voc_core::uplift::{TargetOptions, UpliftModel, target_model};
    decoder(data, UpliftModel::from_bytes, UpliftModel::to_bytes, |m| {
        let _ = m.options().validate();
        for p in [m.names.len().min(64), 0, 3] {
            let x = probe(p);
            let _ = m.predict(x.view());
            let _ = m.contributions(x.view());
            let _ = m.reasons(x.view(), 3);
            let _ = target_model(m, x.view(), &[100.0; 3], None, &TargetOptions::default());
        }
    });
}

pub fn cox_model(data: &[u8]) {
    use voc_core::retention::CoxPh;
    decoder(data, CoxPh::from_bytes, CoxPh::to_bytes, |m| {
        let p = m.summary().len();
        let _ = m.covariance_matrix();
        let x = probe(p.min(64));
        let _ = m.partial_hazard(x.view());
        let _ = m.predict(x.view());
    });
}

pub fn bgnbd_model(data: &[u8]) {
    use voc_core::retention::{BgNbd, RfmData};
    decoder(data, BgNbd::from_bytes, BgNbd::to_bytes, |m| {
        let (f, r, t) = ([0.0, 2.0, 5.0], [0.0, 10.0, 30.0], [5.0, 20.0, 40.0]);
        let _ = m.p_alive(&f, &r, &t);
        let _ = m.expected_purchases_new(12.0);
        let rfm = RfmData {
            frequency: &f,
            recency: &r,
            t: &t,
        };
        let _ = m.predict((4.0, rfm));
    });
}

pub fn gamma_gamma_model(data: &[u8]) {
    use voc_core::retention::GammaGamma;
    decoder(data, GammaGamma::from_bytes, GammaGamma::to_bytes, |m| {
        let _ = m.mean_spend();
        let _ = m.expected_spend(&[1.0, 3.0], &[20.0, 35.5]);
    });
}

pub fn kmeans_model(data: &[u8]) {
    use voc_core::segment::KMeans;
    decoder(data, KMeans::from_bytes, KMeans::to_bytes, |m| {
        let _ = m.k();
        let x = probe(m.cols().min(64));
        let _ = m.predict(x.view());
    });
}

pub fn tfidf_model(data: &[u8]) {
    use voc_core::text::Tfidf;
    decoder(data, Tfidf::from_bytes, Tfidf::to_bytes, |m| {
        let _ = m.predict(&["refund slow", "退款慢 login", ""][..]);
    });
}

pub fn topic_model(data: &[u8]) {
    use voc_core::text::TopicModel;
    decoder(data, TopicModel::from_bytes, TopicModel::to_bytes, |m| {
        let _ = m.predict(&["refund slow money", "password"][..]);
        let _ = m.summary(5);
        for t in 0..4 {
            let _ = m.top_terms(t, 5);
        }
        let _ = m.top_terms(usize::MAX, usize::MAX);
    });
}

/// The result envelope (the frame of the binding's result pickles): any kind, any layout version.
pub fn result_envelope(data: &[u8]) {
    for input in [data.to_vec(), resealed(data)] {
        for kind in ["KaplanMeierResult", "NpsResult", "X"] {
            for version in [1, 2] {
                if let Ok(body) = envelope::open(&input, kind, version) {
                    let again = envelope::seal(kind, version, body);
                    assert_eq!(envelope::open(&again, kind, version).ok(), Some(body));
                }
            }
        }
    }
}

/// The taxonomy parser, then a matcher built from what it accepts, run on the input itself.
pub fn taxonomy(data: &[u8]) {
    use voc_core::text::{Taxonomy, ThemeMatcher};
    let text = String::from_utf8_lossy(data);
    if let Ok(t) = Taxonomy::parse(&text)
        && let Ok(m) = ThemeMatcher::new(t)
    {
        let _ = m.find(&text);
        let _ = m.themes_batch(&[text.as_ref(), "refund slow 退款慢"][..], true);
    }
}

/// Reads small values from the fuzzer's bytes.
struct Bytes<'a>(&'a [u8]);

impl Bytes<'_> {
    fn u8(&mut self) -> u8 {
        match self.0.split_first() {
            Some((&b, rest)) => {
                self.0 = rest;
                b
            }
            None => 0,
        }
    }
    /// A count of at most `max`.
    fn count(&mut self, max: usize) -> usize {
        usize::from(self.u8()) % (max + 1)
    }
    /// A time: small values, the NaT sentinel and the extremes are all reachable.
    fn time(&mut self) -> i64 {
        match self.u8() {
            0 => voc_core::time::NAT,
            1 => i64::MAX,
            2 => i64::MIN + 1,
            b => i64::from(b) * 86_400 * i64::from(self.u8() % 8 + 1),
        }
    }
    fn float(&mut self) -> f64 {
        match self.u8() {
            0 => f64::NAN,
            1 => f64::INFINITY,
            2 => -1.0,
            3 => 1e308,
            b => f64::from(b) / 16.0,
        }
    }
    fn id(&mut self) -> i64 {
        i64::from(self.u8() % 12)
    }
}

/// The event-table builders (customers, orders, returns, tickets, surveys, mentions, churn) under
/// both row policies, then the features of what was built.
pub fn event_tables(data: &[u8]) {
    use voc_core::signals::{
        ChurnEvents, Customers, EventLogBuilder, FeatureOptions, Ids, Mentions, Orders, Returns,
        RowPolicy, SurveyKind, Surveys, Tickets,
    };
    let mut b = Bytes(data);
    let policy = if b.u8() % 2 == 0 {
        RowPolicy::Error
    } else {
        RowPolicy::Skip
    };
    let nc = b.count(10);
    let cust: Vec<i64> = (0..nc).map(|_| b.id()).collect();
    let signup: Vec<i64> = (0..nc).map(|_| b.time()).collect();
    let customers = Customers {
        id: Ids::Int(&cust),
        signup: &signup,
    };
    let Ok(mut log) = EventLogBuilder::new(customers, policy) else {
        return;
    };
    let n = b.count(12);
    let (oc, ot, oa): (Vec<i64>, Vec<i64>, Vec<f64>) = (
        (0..n).map(|_| b.id()).collect(),
        (0..n).map(|_| b.time()).collect(),
        (0..n).map(|_| b.float()).collect(),
    );
    let oid: Vec<i64> = (0..n as i64).collect();
    let with_ids = b.u8() % 2 == 0;
    let orders = Orders {
        id: with_ids.then_some(Ids::Int(&oid)),
        customer: Ids::Int(&oc),
        time: &ot,
        amount: &oa,
    };
    match log.clone().orders(orders) {
        Ok(l) => log = l,
        Err(_) => return,
    }
    let n = b.count(8);
    let ro: Vec<i64> = (0..n).map(|_| b.id()).collect();
    let rc: Vec<i64> = (0..n).map(|_| b.id()).collect();
    let times: Vec<[i64; 3]> = (0..n).map(|_| [b.time(), b.time(), b.time()]).collect();
    let (rq, rv, rf): (Vec<i64>, Vec<i64>, Vec<i64>) = (
        times.iter().map(|t| t[0]).collect(),
        times.iter().map(|t| t[1]).collect(),
        times.iter().map(|t| t[2]).collect(),
    );
    let ra: Vec<f64> = (0..n).map(|_| b.float()).collect();
    let returns = Returns {
        order: (with_ids && b.u8() % 2 == 0).then_some(Ids::Int(&ro)),
        customer: Ids::Int(&rc),
        requested: &rq,
        received: &rv,
        refunded: &rf,
        amount: &ra,
    };
    if let Ok(l) = log.clone().returns(returns) {
        log = l;
    }
    let themes = vec!["refund".to_string(), "delivery".to_string()];
    let n = b.count(8);
    let tc: Vec<i64> = (0..n).map(|_| b.id()).collect();
    let tt: Vec<i64> = (0..n).map(|_| b.time()).collect();
    let th: Vec<Option<u32>> = (0..n)
        .map(|_| match b.u8() % 4 {
            0 => None,
            k => Some(u32::from(k) - 1),
        })
        .collect();
    let tr: Vec<i64> = (0..n).map(|_| b.time()).collect();
    let ts: Vec<f64> = (0..n).map(|_| b.float()).collect();
    let tickets = Tickets {
        customer: Ids::Int(&tc),
        time: &tt,
        theme: &th,
        resolved: &tr,
        csat: (b.u8() % 2 == 0).then_some(&ts[..]),
        sentiment: (b.u8() % 2 == 0).then_some(&ts[..]),
    };
    if let Ok(l) = log.clone().tickets(tickets, &themes) {
        log = l;
    }
    let n = b.count(8);
    let sc: Vec<i64> = (0..n).map(|_| b.id()).collect();
    let st: Vec<i64> = (0..n).map(|_| b.time()).collect();
    let sk: Vec<SurveyKind> = (0..n)
        .map(|_| match b.u8() % 3 {
            0 => SurveyKind::Nps,
            1 => SurveyKind::Csat,
            _ => SurveyKind::Ces,
        })
        .collect();
    let ss: Vec<f64> = (0..n).map(|_| b.float()).collect();
    let surveys = Surveys {
        customer: Ids::Int(&sc),
        time: &st,
        kind: &sk,
        score: &ss,
    };
    if let Ok(l) = log.clone().surveys(surveys) {
        log = l;
    }
    let n = b.count(6);
    let mc: Vec<i64> = (0..n).map(|_| b.id()).collect();
    let mt: Vec<i64> = (0..n).map(|_| b.time()).collect();
    let ms: Vec<f64> = (0..n).map(|_| b.float()).collect();
    let mentions = Mentions {
        customer: Ids::Int(&mc),
        time: &mt,
        sentiment: (b.u8() % 2 == 0).then_some(&ms[..]),
    };
    if let Ok(l) = log.clone().mentions(mentions) {
        log = l;
    }
    let n = b.count(4);
    let cc: Vec<i64> = (0..n).map(|_| b.id()).collect();
    let ct: Vec<i64> = (0..n).map(|_| b.time()).collect();
    let churn = ChurnEvents {
        customer: Ids::Int(&cc),
        time: &ct,
    };
    if let Ok(l) = log.clone().churn(churn) {
        log = l;
    }
    let log = log.build();
    let _ = (
        log.customers(),
        log.events(),
        log.last_time(),
        log.skipped(),
    );
    let mut opts = FeatureOptions::new(b.time());
    opts.windows = (0..b.count(3)).map(|_| u32::from(b.u8())).collect();
    let _ = log.features(&opts);
}
