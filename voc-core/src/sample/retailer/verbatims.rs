//! Verbatim templates per theme, Chinese and English.
//!
//! Each template mentions its own theme in the words of the default taxonomy
//! (`text/data/retail_taxonomy.txt`) and no other complaint theme: the slow-refund complaints speak
//! of the refund only (no "return" / 退货, no support agent), so tagged with the default taxonomy they
//! are "refund" answers and not also "returns" or "service" ones (a test checks every template).

use rand::Rng;
use rand_chacha::ChaCha8Rng;

const ZH: [&[&str]; 9] = [
    &[
        "退款太慢了，{n}天了钱还没退",
        "退款一直没处理，钱到现在还没退",
        "退款什么时候到账？等了{n}天",
        "退款太慢了，不会再买了",
    ],
    &["找不到退货入口", "退货流程太复杂了", "想退货但是找不到入口"],
    &["快递太慢了，{n}天还没到", "物流信息一直不更新", "发货太慢"],
    &[
        "尺码偏小，要换大一号",
        "尺码不准，穿不上",
        "尺码表和实际不符",
    ],
    &[
        "质量差，洗一次就起球",
        "面料质量一般，有线头",
        "衣服开线了，质量不行",
    ],
    &["APP登录不了", "找不到入口，APP太难用", "APP一直闪退"],
    &["价格太贵了", "比别家贵，不划算"],
    &["客服不理人，等了{n}个小时", "客服态度差", "客服回复太慢"],
    &["衣服很好看，推荐", "质量不错，会回购", "物流很快，好评"],
];

const EN: [&[&str]; 9] = [
    &[
        "Refund is so slow, {n} days and still no money",
        "My refund is still pending after {n} days",
        "Where is my refund? It has been {n} days",
        "Still waiting for my refund, never buying again",
    ],
    &[
        "Can't find where to start a return",
        "The return process is too complicated",
        "How do I return this item?",
    ],
    &[
        "Delivery is late, {n} days and still not here",
        "Tracking has not updated for days",
        "Shipping took forever",
    ],
    &[
        "The size runs small",
        "Sizing chart is wrong, too tight",
        "Wrong size, does not fit",
    ],
    &[
        "Poor quality, the fabric pilled after one wash",
        "Loose threads everywhere, bad quality",
        "The seam ripped, terrible quality",
    ],
    &[
        "Can't log in to the app",
        "The app keeps crashing",
        "Can't find anything in the app",
    ],
    &["Too expensive", "Prices went up, not worth it"],
    &[
        "Customer service ignores me, waited {n} hours",
        "Rude support agent",
        "Support is so slow to reply",
    ],
    &[
        "Love this dress!",
        "Great quality, will buy again",
        "Fast delivery, very happy",
    ],
];

pub(super) fn text(rng: &mut ChaCha8Rng, zh: bool, theme: u32) -> String {
    let table = if zh { &ZH } else { &EN };
    let options = table.get(theme as usize).copied().unwrap_or(&[""]);
    let template = options[rng.random_range(0..options.len())];
    template.replace("{n}", &rng.random_range(3..30).to_string())
}

#[cfg(all(test, feature = "text"))]
mod tests {
    use super::{EN, ZH};
    use crate::text::{Scratch, Taxonomy, ThemeMatcher};

    /// The top-level themes the default taxonomy tags a text with.
    fn top_themes(m: &ThemeMatcher, text: &str) -> Vec<String> {
        let (mut scratch, mut out) = (Scratch::default(), Vec::new());
        m.themes_with(text, true, &mut scratch, &mut out);
        let tax = m.taxonomy();
        let mut ids: Vec<String> = out
            .iter()
            .filter(|&&t| tax.depth(t as usize) == 0)
            .map(|&t| m.theme_id(t as usize).to_string())
            .collect();
        ids.sort();
        ids.dedup();
        ids
    }

    #[test]
    fn refund_complaints_are_tagged_refund_and_nothing_else() -> crate::Result<()> {
        let m = ThemeMatcher::new(Taxonomy::default_retail())?;
        for table in [&ZH, &EN] {
            for template in table[0] {
                let text = template.replace("{n}", "12");
                assert_eq!(top_themes(&m, &text), ["refund"], "{text}");
            }
        }
        Ok(())
    }
}
