//! Verbatim templates per theme, Chinese and English.

use rand::Rng;
use rand_chacha::ChaCha8Rng;

const ZH: [&[&str]; 9] = [
    &[
        "退款慢，退货寄回去{n}天了还没到账",
        "仓库已经签收退货，退款一直没处理",
        "退款什么时候到账？客服不理人",
        "退货退款太慢了，不会再买了",
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
        "Refund is so slow, returned {n} days ago and still no money",
        "The warehouse received my return but the refund is still pending",
        "Where is my refund? Support never replies",
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
