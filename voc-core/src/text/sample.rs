//! Seeded synthetic ticket texts (Chinese or English) for benchmarks and examples.

use rand::{Rng, SeedableRng};

use crate::error::{Error, Result};
use rand_chacha::ChaCha8Rng;

/// Language of synthetic texts; spelled "zh" or "en".
///
/// ```
/// use voc_core::text::Lang;
/// assert_eq!("en".parse::<Lang>()?, Lang::En);
/// assert_eq!(Lang::Zh.to_string(), "zh");
/// # Ok::<(), voc_core::Error>(())
/// ```
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Lang {
    /// Simplified Chinese.
    Zh,
    /// English.
    En,
}

crate::named_enum!(Lang, "lang", {
    Zh => "zh",
    En => "en",
});

const ZH_COMPLAINTS: &[&str] = &[
    "退货流程太麻烦了，找不到入口",
    "退款太慢了，等了两个星期钱还没退",
    "客服不理人，发了好几条消息都没人回复",
    "物流太慢了，下单一周还没发货",
    "收到的衣服尺码偏小，穿不了",
    "质量太差了，用了几天就坏了",
    "APP闪退，登录不上",
    "包装破损，里面的杯子摔坏了",
    "价格比别家贵，优惠券也用不了",
    "申请退货被拒，说超过了七天",
    "重复扣款，账单对不上",
    "想买的颜色一直缺货",
];
const ZH_NEUTRAL: &[&str] = &[
    "我上周在你们店里买了一件外套",
    "订单号已经发给你们了",
    "希望尽快处理",
    "这是我第三次联系你们",
    "之前买过好几次都挺好的",
    "麻烦看一下是什么情况",
    "东西本身还可以",
    "朋友推荐来买的",
    "今天早上又打了一次电话",
    "请给我一个明确的答复",
];
const EN_COMPLAINTS: &[&str] = &[
    "the return process is a nightmare and I can't find the return button",
    "my refund is so slow, still waiting for my refund after two weeks",
    "customer service never replied to my emails",
    "delivery was late and the tracking never updated",
    "the jacket runs small, way too tight",
    "poor quality, it fell apart after a few days",
    "the app keeps crashing and I cannot log in",
    "the box was crushed and the mug arrived broken",
    "too expensive compared to other stores and the coupon did not work",
    "they refused to refund me",
    "I was charged twice for one order",
    "the colour I wanted is out of stock again",
];
const EN_NEUTRAL: &[&str] = &[
    "I bought a coat in your store last week",
    "I already sent you the order number",
    "please sort this out quickly",
    "this is the third time I contact you",
    "I have ordered here many times before",
    "could you check what happened",
    "the product itself is fine",
    "a friend recommended your shop",
    "I called again this morning",
    "please give me a clear answer",
];

/// Most tickets [`sample_tickets`] makes in one call (10 million, about 1.5 GB of text): a larger `n`
/// is an [`Error::TooLarge`] naming `n`, before anything is allocated.
///
/// ```
/// use voc_core::text::{sample_tickets, Lang, MAX_TICKETS};
/// let e = sample_tickets(MAX_TICKETS + 1, 7, Lang::En).unwrap_err();
/// assert!(matches!(e, voc_core::Error::TooLarge { arg: "n", .. }), "{e}");
/// ```
pub const MAX_TICKETS: usize = 10_000_000;

/// `n` synthetic support tickets, each two to five sentences mixing complaints and neutral sentences;
/// the same seed gives the same texts. `n` is at most [`MAX_TICKETS`]; the loop checks for an
/// interrupt ([`crate::interrupt`]) and stops with [`Error::Interrupted`].
///
/// ```
/// use voc_core::text::{sample_tickets, Lang};
/// let a = sample_tickets(3, 7, Lang::Zh)?;
/// assert_eq!(a, sample_tickets(3, 7, Lang::Zh)?);
/// assert_eq!(a.len(), 3);
/// # Ok::<(), voc_core::Error>(())
/// ```
pub fn sample_tickets(n: usize, seed: u64, lang: Lang) -> Result<Vec<String>> {
    if n > MAX_TICKETS {
        return Err(Error::too_large(
            "n",
            n,
            MAX_TICKETS,
            "synthetic tickets in one call (ask for fewer, or call again with another seed)",
        ));
    }
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    let (complaints, neutral, sep) = match lang {
        Lang::Zh => (ZH_COMPLAINTS, ZH_NEUTRAL, "。"),
        Lang::En => (EN_COMPLAINTS, EN_NEUTRAL, ". "),
    };
    let mut ticker = crate::interrupt::Ticker::new();
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        ticker.tick()?;
        let parts = rng.random_range(2..=5);
        let mut s = String::new();
        for p in 0..parts {
            let pool = if rng.random_bool(0.45) {
                complaints
            } else {
                neutral
            };
            let i = rng.random_range(0..pool.len());
            if p > 0 {
                s.push_str(sep);
            }
            s.push_str(pool.get(i).copied().unwrap_or(""));
        }
        s.push_str(if lang == Lang::Zh { "。" } else { "." });
        out.push(s);
    }
    Ok(out)
}
