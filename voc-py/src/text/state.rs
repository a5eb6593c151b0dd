//! `MentionState`: mergeable theme mention counts (Dask / Spark partitions) and their byte form.

use super::*;

/// Channel labels in code order, as read from one batch.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) enum ChannelNames {
    Int(Vec<i64>),
    Str(Vec<String>),
}

impl ChannelNames {
    fn len(&self) -> usize {
        match self {
            ChannelNames::Int(v) => v.len(),
            ChannelNames::Str(v) => v.len(),
        }
    }
}

/// Mention counts with what is needed to finish them into a table: theme ids, labels and parents,
/// the period, the channel labels (codes are per batch; merging aligns them by label).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(super) struct MentionData {
    pub(super) themes: Vec<(String, String)>,
    pub(super) parents: Vec<Option<usize>>,
    pub(super) period: Option<String>,
    pub(super) channels: Option<ChannelNames>,
    pub(super) dropped: u64,
    #[serde(skip, default = "empty_counts")]
    pub(super) counts: MentionCounts,
}

fn empty_counts() -> MentionCounts {
    MentionCounts::new(0)
}

const MENTION_STATE_VERSION: u16 = 1;

impl MentionData {
    fn incompatible(what: String) -> Error {
        Error::Incompatible(format!("mention states differ in {what}"))
    }

    /// Adds `other`, aligning its channel codes to ours by label (new labels are appended).
    fn merge(&mut self, other: &MentionData) -> Result<(), Error> {
        if self.themes != other.themes || self.parents != other.parents {
            return Err(Self::incompatible(
                "their themes (made by different matchers)".into(),
            ));
        }
        if self.period != other.period {
            return Err(Self::incompatible(format!(
                "their period ({:?} and {:?})",
                self.period, other.period
            )));
        }
        let (merged_names, map) = match (&self.channels, &other.channels) {
            (None, None) => (None, None),
            (Some(a), Some(b)) => {
                let (names, map) = union_names(a, b)?;
                (Some(names), Some(map))
            }
            _ => {
                return Err(Self::incompatible(
                    "having a channel (one was counted with channel=, the other without)".into(),
                ));
            }
        };
        let aligned = match &map {
            Some(m) => other.counts.remap_channels(m)?,
            None => other.counts.clone(),
        };
        self.counts.merge(&aligned)?;
        self.channels = merged_names;
        self.dropped += other.dropped;
        Ok(())
    }

    /// The counts with channel codes renumbered into sorted label order (as `mention_rates` numbers
    /// them), and the sorted labels.
    pub(super) fn sorted(&self) -> Result<(MentionCounts, Option<Labels>), Error> {
        let Some(names) = &self.channels else {
            return Ok((self.counts.clone(), None));
        };
        let mut order: Vec<usize> = (0..names.len()).collect();
        match names {
            ChannelNames::Int(v) => order.sort_unstable_by_key(|&i| v.get(i).copied()),
            ChannelNames::Str(v) => order.sort_unstable_by(|&a, &b| v.get(a).cmp(&v.get(b))),
        }
        let mut rank = vec![0u32; names.len()];
        for (r, &old) in order.iter().enumerate() {
            if let Some(x) = rank.get_mut(old) {
                *x = r as u32;
            }
        }
        let labels = match names {
            ChannelNames::Int(v) => {
                Labels::Int(order.iter().filter_map(|&i| v.get(i).copied()).collect())
            }
            ChannelNames::Str(v) => {
                Labels::Str(order.iter().filter_map(|&i| v.get(i).cloned()).collect())
            }
        };
        Ok((self.counts.remap_channels(&rank)?, Some(labels)))
    }

    /// Byte form: version, the metadata (bincode), then the core counts' own versioned byte form.
    fn to_bytes(&self) -> Result<Vec<u8>, Error> {
        let meta = bincode::serialize(self).map_err(|e| Error::Decode {
            what: "mention state",
            reason: e.to_string(),
        })?;
        let mut out = Vec::with_capacity(meta.len() + 64);
        out.extend_from_slice(b"VOCS");
        out.extend_from_slice(&MENTION_STATE_VERSION.to_le_bytes());
        out.extend_from_slice(&(meta.len() as u64).to_le_bytes());
        out.extend_from_slice(&meta);
        out.extend_from_slice(&self.counts.to_bytes());
        Ok(out)
    }

    fn from_bytes(data: &[u8]) -> Result<MentionData, Error> {
        let fail = |reason: String| Error::Decode {
            what: "mention state",
            reason,
        };
        let head = data.get(..14).ok_or_else(|| fail("too short".into()))?;
        if head.get(..4) != Some(b"VOCS".as_slice()) {
            return Err(fail("not a voc mention state (bad magic)".into()));
        }
        let version = u16::from_le_bytes([head[4], head[5]]);
        if version != MENTION_STATE_VERSION {
            return Err(fail(format!(
                "unsupported version {version} (this build reads {MENTION_STATE_VERSION})"
            )));
        }
        let mut len = [0u8; 8];
        len.copy_from_slice(&head[6..14]);
        let len = usize::try_from(u64::from_le_bytes(len)).map_err(|e| fail(e.to_string()))?;
        let rest = &data[14..];
        let (meta, counts) = (rest.get(..len), rest.get(len..));
        let (Some(meta), Some(counts)) = (meta, counts) else {
            return Err(fail("truncated".into()));
        };
        let mut out: MentionData = bincode::deserialize(meta).map_err(|e| fail(e.to_string()))?;
        out.counts = MentionCounts::from_bytes(counts)?;
        if out.counts.n_themes() != out.themes.len() || out.parents.len() != out.themes.len() {
            return Err(fail("counts and themes disagree".into()));
        }
        if let Some(names) = &out.channels
            && out
                .counts
                .channels()
                .last()
                .is_some_and(|&c| c as usize >= names.len())
        {
            return Err(fail("a channel code has no label".into()));
        }
        Ok(out)
    }
}

/// The labels of `a` followed by those of `b` not in `a`, and the code map of `b` into them.
fn union_names(a: &ChannelNames, b: &ChannelNames) -> Result<(ChannelNames, Vec<u32>), Error> {
    fn union<T: Clone + Eq + std::hash::Hash>(a: &[T], b: &[T]) -> (Vec<T>, Vec<u32>) {
        let mut names = a.to_vec();
        let mut pos: std::collections::HashMap<T, u32> = a
            .iter()
            .enumerate()
            .map(|(i, x)| (x.clone(), i as u32))
            .collect();
        let map = b
            .iter()
            .map(|x| {
                *pos.entry(x.clone()).or_insert_with(|| {
                    names.push(x.clone());
                    names.len() as u32 - 1
                })
            })
            .collect();
        (names, map)
    }
    match (a, b) {
        (ChannelNames::Int(x), ChannelNames::Int(y)) => {
            let (n, m) = union(x, y);
            Ok((ChannelNames::Int(n), m))
        }
        (ChannelNames::Str(x), ChannelNames::Str(y)) => {
            let (n, m) = union(x, y);
            Ok((ChannelNames::Str(n), m))
        }
        // An empty batch reads as either kind.
        (x, y) if y.len() == 0 => Ok((x.clone(), Vec::new())),
        (x, y) if x.len() == 0 => Ok((y.clone(), (0..y.len() as u32).collect())),
        _ => Err(MentionData::incompatible(
            "the type of their channel labels (integers and strings)".into(),
        )),
    }
}

/// Mergeable theme mention counts per channel × period, from `ThemeMatcher.mention_state(texts, ...)`:
/// merge the states of batches or workers (in any order), then `finish` gives the table
/// `mention_rates` gives on all the texts at once. Pickles; `to_bytes` / `from_bytes` for Spark.
#[pyclass(frozen, module = "voc._voc")]
pub struct MentionState {
    pub(super) inner: Mutex<MentionData>,
}

impl MentionState {
    fn snapshot(&self) -> PyResult<MentionData> {
        self.inner
            .lock()
            .map(|g| g.clone())
            .map_err(crate::error::poisoned)
    }
}

#[pymethods]
impl MentionState {
    /// Adds the counts of `other` (same matcher and period; channels are aligned by label).
    fn merge(&self, py: Python<'_>, other: &Bound<'_, MentionState>) -> PyResult<()> {
        let theirs = other.get().snapshot()?;
        let mut ours = self.snapshot()?;
        ours.merge(&theirs).py_err(py)?;
        let mut guard = self.inner.lock().map_err(crate::error::poisoned)?;
        *guard = ours;
        Ok(())
    }

    /// The mention-rate table (same columns and options as `ThemeMatcher.mention_rates`).
    #[pyo3(signature = (*, confidence=0.95, interval="wilson", alert_alpha=0.01, adjust=Some("holm"), min_mentions=5),
        text_signature = "(self, *, confidence=0.95, interval='wilson', alert_alpha=0.01, adjust='holm', min_mentions=5)")]
    fn finish(
        &self,
        py: Python<'_>,
        confidence: f64,
        interval: &str,
        alert_alpha: f64,
        adjust: Option<&str>,
        min_mentions: u64,
    ) -> PyResult<Table> {
        let opts = mention_options(py, confidence, interval, alert_alpha, adjust, min_mentions)?;
        self.snapshot()?.table(py, &opts, adjust)
    }

    /// Texts counted so far.
    #[getter]
    fn texts(&self) -> PyResult<u64> {
        Ok(self.snapshot()?.counts.texts())
    }

    /// Versioned byte form; `from_bytes` reads it back on any platform.
    fn to_bytes<'py>(&self, py: Python<'py>) -> PyResult<Bound<'py, pyo3::types::PyBytes>> {
        let bytes = self.snapshot()?.to_bytes().py_err(py)?;
        Ok(pyo3::types::PyBytes::new(py, &bytes))
    }

    /// Reads a state written by `to_bytes`.
    #[classmethod]
    fn from_bytes(
        _cls: &Bound<'_, pyo3::types::PyType>,
        py: Python<'_>,
        data: pyo3::pybacked::PyBackedBytes,
    ) -> PyResult<Self> {
        let inner = MentionData::from_bytes(&data).py_err(py)?;
        Ok(MentionState {
            inner: Mutex::new(inner),
        })
    }

    fn __reduce__<'py>(
        &self,
        py: Python<'py>,
    ) -> PyResult<(Bound<'py, PyAny>, (Bound<'py, pyo3::types::PyBytes>,))> {
        Ok((
            py.get_type::<MentionState>().getattr("from_bytes")?,
            (self.to_bytes(py)?,),
        ))
    }

    fn __eq__(&self, other: &Bound<'_, PyAny>) -> PyResult<bool> {
        match other.cast::<MentionState>() {
            Ok(o) => Ok(self.snapshot()? == o.get().snapshot()?),
            Err(_) => Ok(false),
        }
    }

    fn __repr__(&self) -> PyResult<String> {
        let d = self.snapshot()?;
        Ok(format!(
            "MentionState(themes={}, channels={}, period={}, texts={})",
            d.themes.len(),
            d.channels.as_ref().map_or(0, ChannelNames::len),
            d.period.as_deref().unwrap_or("None"),
            self.texts()?
        ))
    }
}
