"""Synthetic but realistic mentions for benchmarks: English and Japanese posts about a
fictional mobile carrier and its competitors, deterministic for a seed."""

from __future__ import annotations

import math
import random
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from core import Author, Engagement, Mention

PERIOD_START = datetime(2026, 9, 1, tzinfo=UTC)
PERIOD_END = datetime(2026, 12, 1, tzinfo=UTC)

OWN_EN = ("Hoshi Mobile", "Hoshi Mobile", "HoshiMobile", "Hoshi SIM", "@hoshimobile")
OWN_JA = ("ほしモバイル", "ほしモバイル", "星モバイル", "ほしモバ", "Hoshi Mobile")
COMPETITORS_EN = ("Nami Telecom", "Kaze Wireless", "@namitelecom", "@kazewireless")
COMPETITORS_JA = ("ナミテレコム", "カゼワイヤレス", "ナミテレ", "Kaze Wireless")
PLACES_EN = (
    "Shibuya",
    "Umeda",
    "Sapporo",
    "Hakata",
    "Nagoya station",
    "Kyoto",
    "Sendai",
    "Ikebukuro",
    "Shinjuku",
    "Yokohama",
    "Kobe",
    "Hiroshima",
)
PLACES_JA = (
    "渋谷",
    "梅田",
    "札幌駅",
    "博多",
    "名古屋駅",
    "京都",
    "仙台",
    "池袋",
    "新宿",
    "横浜",
    "神戸",
    "広島",
)
PHONES = ("iPhone 17", "Pixel 10", "Galaxy S26", "iPhone SE", "Xperia 1 VII", "AQUOS sense9")
PLANS_EN = ("Hoshi Lite", "Hoshi Unlimited", "Family Share", "Starter 3GB", "Student")
PLANS_JA = ("ほしライト", "ほし無制限", "家族割", "スターター3GB", "学割")
COUNTRIES = ("Korea", "Taiwan", "the US", "Thailand", "France", "Australia")

EN_PARTS: dict[str, tuple[str, ...]] = {
    "complaint": (
        "{brand} has been down in {place} since {hour} and nobody is saying anything.",
        "Got charged twice by {brand} this month. ¥{yen} gone, twice.",
        "The {brand} app logs me out every time I open it. Reinstalled it twice already.",
        "Still waiting on my refund from {brand}, {days} days and counting.",
        "No signal at all in {place}. Paying ¥{yen} a month for a brick.",
        "{brand} speeds tonight are unusable, {speed} Mbps with a full 5G icon.",
        "Support chat bounced me between three agents and then closed my ticket.",
        "eSIM activation with {brand} failed again, error code {code}.",
        "The staff at the {brand} shop in {place} were honestly rude to my mum.",
        "Calls on {brand} keep dropping after about a minute.",
        "Login to the {brand} app just spins forever.",
        "Bill went up ¥{yen} with no email, no notice, nothing. Thanks {brand}.",
    ),
    "question": (
        "Does {brand} support eSIM on the {phone}?",
        "Anyone know if {brand} roaming works in {country}?",
        "How do I cancel the {plan} plan on {brand} without going to a store?",
        "Is {brand} throttling video after {gb}GB or is it just me?",
        "Is {brand} down right now in {place}?",
        "Can I keep my number if I move from {competitor} to {brand}?",
        "Anyone tried tethering on {brand}'s {plan} plan?",
    ),
    "praise": (
        "Switched to {brand} last month and the coverage in {place} is great.",
        "Shoutout to the {brand} store in {place}, sorted my SIM swap in ten minutes.",
        "{brand}'s {plan} plan is a steal at ¥{yen}.",
        "Had a billing mixup and {brand} support fixed it in one chat. Impressed.",
        "Speed test on {brand} in {place}: {speed} Mbps. Not bad at all.",
    ),
    "news": (
        "{brand} announces the {plan} plan with {gb}GB for ¥{yen} a month.",
        "{brand} to extend 5G coverage to {n} more cities by spring.",
        "{brand} reports quarterly subscriber growth of {pct}%.",
        "Network outage hits {brand} customers in {place}; the carrier says it is investigating.",
        "{brand} and {competitor} both cut prices on entry-level plans.",
    ),
    "comparison": (
        "Thinking of moving from {competitor} to {brand}, any regrets?",
        "{competitor} was cheaper but {brand} actually works in the subway.",
        "Honestly {competitor} has been worse than {brand} this week.",
        "{brand} vs {competitor} in {place}: {speed} Mbps vs {speed2} Mbps.",
    ),
}
EN_TAILS: dict[str, tuple[str, ...]] = {
    "negative": (
        "Ugh.",
        "Unreal.",
        "Fix it please.",
        "So tired of this.",
        "Not impressed.",
        "Seriously?",
        "This is the third time this month.",
        "#HoshiMobile",
        "#outage",
        "😡",
        "🙃",
        "📵",
    ),
    "question": ("Any ideas?", "Thanks in advance!", "Asking for a friend.", "🙏", "#help"),
    "positive": ("10/10 would recommend.", "Nice one.", "Pleasantly surprised.", "👍", "✨", "📶"),
    "neutral": ("#HoshiMobile", "#5G", "#mobile", "#telecom", "via @technews"),
}
JA_PARTS: dict[str, tuple[str, ...]] = {
    "complaint": (
        "{brand}、{place}で朝から圏外なんだけど…",
        "{brand}から今月2回引き落とされてる。{yen}円×2は痛い。",
        "{brand}のアプリ、ログインしようとするとエラー{code}で弾かれる。",
        "{brand}の返金まだ来ない。もう{days}日待ってる。",
        "{place}の{brand}ショップの店員さん、態度ひどすぎない？",
        "夜になると{brand}の通信速度が{speed}Mbpsまで落ちる。",
        "{brand}のサポートに電話したら{days}0分待たされた。",
        "{brand}、通話が1分くらいで毎回切れる。",
        "{brand}のeSIM再発行、手続きが分かりにくすぎる。",
        "{brand}の料金がいつの間にか{yen}円上がってた。お知らせ来てないよね？",
    ),
    "question": (
        "{brand}ってeSIMで{phone}使えますか？",
        "{brand}の{plan}プラン、海外ローミングって追加料金かかる？",
        "{brand}解約するのって店舗行かないとダメ？",
        "今{place}で{brand}繋がらない人いる？",
        "{competitor}から{brand}にMNPしたら番号そのまま使える？",
        "{brand}の{plan}、テザリングできますか？",
    ),
    "praise": (
        "{brand}に乗り換えてから月{yen}円安くなった！",
        "{brand}のサポート、チャットですぐ解決してくれて助かった。",
        "{place}の地下でも{brand}ちゃんと繋がるの優秀。",
        "{brand}の{plan}プラン、コスパ良すぎる。",
        "{place}の{brand}ショップの方がめちゃくちゃ丁寧だった。",
    ),
    "news": (
        "{brand}、新料金プラン「{plan}」を発表 月額{yen}円から",
        "{brand}が5Gエリアを新たに{n}都市に拡大へ",
        "【速報】{brand}で通信障害、{place}など広い範囲で",
        "{brand}、契約者数が前年比{pct}%増",
        "{brand}と{competitor}、相次いで値下げを発表",
    ),
    "comparison": (
        "{competitor}から{brand}にMNPしようか迷ってる。",
        "{competitor}より{brand}の方が{place}では速い気がする。",
        "{brand}と{competitor}、結局どっちがいいの？",
        "{place}だと{brand} {speed}Mbps、{competitor} {speed2}Mbpsだった。",
    ),
}
JA_TAILS: dict[str, tuple[str, ...]] = {
    "negative": (
        "まじで困る。",
        "最悪。",
        "どうにかして。",
        "仕事にならない。",
        "今月これで3回目。",
        "#ほしモバイル",
        "#通信障害",
        "😭",
        "💢",
        "😇",
    ),
    "question": ("誰か同じ人いる？", "詳しい人教えてください🙏", "#教えて", "🤔"),
    "positive": ("助かる〜", "ありがたい。", "神対応。", "✨", "👍", "いい感じ。"),
    "neutral": ("#ほしモバイル", "#格安SIM", "#5G", "（共同）"),
}
TONE = {
    "complaint": "negative",
    "question": "question",
    "praise": "positive",
    "news": "neutral",
    "comparison": "neutral",
}
NOISE_EN = (
    "Made hoshi tea for the first time today, the roasted flavour is lovely. Recommend!",
    "Hoshi Mobile Legends tournament tonight at the community centre, who's in?",
    "Reading about hoshi, the star motif in Japanese design, for my typography class.",
)
NOISE_JA = (
    "ほしい物リストに新しいスマホケース追加した。誕生日まであと少し。",
    "ほし茶はじめて飲んだけど香ばしくておいしい。また買おう。",
    "今夜は星がきれい。モバイルバッテリー持って公園で写真撮ってくる📷",
)
# Which kinds of post each source mostly carries.
KINDS_BY_SOURCE: dict[str, dict[str, int]] = {
    "mastodon": {"complaint": 45, "question": 20, "praise": 15, "news": 5, "comparison": 15},
    "bluesky": {"complaint": 45, "question": 20, "praise": 15, "news": 5, "comparison": 15},
    "hackernews": {"complaint": 25, "question": 10, "praise": 5, "news": 40, "comparison": 20},
    "appstore": {"complaint": 60, "question": 5, "praise": 35},
    "news": {"news": 100},
    "discourse": {"complaint": 35, "question": 40, "praise": 10, "comparison": 15},
    "stackexchange": {"question": 85, "complaint": 15},
}

SOURCES = (
    ("mastodon", 25),
    ("bluesky", 30),
    ("hackernews", 8),
    ("appstore", 12),
    ("news", 8),
    ("discourse", 9),
    ("stackexchange", 8),
)
EN_FIRST = (
    "Mike",
    "Sarah",
    "Ken",
    "Emily",
    "Dan",
    "Priya",
    "Tom",
    "Aiko",
    "Lucas",
    "Grace",
    "Omar",
    "Nina",
)
EN_LAST = ("Reed", "Tanaka", "Park", "Smith", "Cole", "Ito", "Moore", "Lee", "Khan", "Brown")
JA_FAMILY = ("佐藤", "鈴木", "高橋", "田中", "伊藤", "渡辺", "山本", "中村", "小林", "加藤")
JA_GIVEN = ("ゆうき", "さくら", "翔太", "美咲", "大輔", "あおい", "健", "はるか", "蓮", "結衣")
ROMAJI = ("taro", "yuki", "sakura", "ken", "mai", "sho", "haru", "rin", "aoi", "dai", "mika")
INSTANCES = ("mastodon.social", "mstdn.jp", "fosstodon.org", "pawoo.net", "mastodon.online")


@dataclass(frozen=True)
class _Person:
    id: str
    handle: str
    name: str
    followers: int
    verified: bool
    lang: str


def _people(rng: random.Random, count: int) -> list[_Person]:
    people = []
    for number in range(count):
        lang = "ja" if number % 2 else "en"
        if lang == "en":
            first, last = rng.choice(EN_FIRST), rng.choice(EN_LAST)
            name = f"{first} {last}"
            handle = f"{first.lower()}{rng.choice(('', '.', '_'))}{last.lower()}{number % 997}"
        else:
            name = rng.choice(JA_FAMILY) + rng.choice(JA_GIVEN)
            handle = f"{rng.choice(ROMAJI)}_{rng.choice(ROMAJI)}{number % 991}"
        followers = min(int(rng.paretovariate(1.1) * 40), 2_500_000)
        people.append(
            _Person(
                id=f"u{number:06d}",
                handle=handle,
                name=name,
                followers=followers,
                verified=followers > 50_000 and rng.random() < 0.6,
                lang=lang,
            )
        )
    return people


def _filler(rng: random.Random, lang: str) -> Callable[[str], str]:
    """Fill templates for one post: the same brand spelling throughout, fresh numbers each."""
    own = rng.choice(OWN_JA if lang == "ja" else OWN_EN)
    competitor = rng.choice(COMPETITORS_JA if lang == "ja" else COMPETITORS_EN)
    place = rng.choice(PLACES_JA if lang == "ja" else PLACES_EN)
    plan = rng.choice(PLANS_JA if lang == "ja" else PLANS_EN)

    def fill(template: str) -> str:
        return template.format(
            brand=own,
            competitor=competitor,
            place=place,
            plan=plan,
            phone=rng.choice(PHONES),
            country=rng.choice(COUNTRIES),
            hour=f"{rng.randint(5, 23)}:{rng.choice(('00', '15', '30', '45'))}",
            yen=f"{rng.choice((980, 1480, 2178, 2970, 3300, 4980, 7238)):,}",
            days=rng.randint(3, 40),
            speed=rng.choice((0.3, 0.8, 1.2, 2, 5, 12, 48, 120, 310)),
            speed2=rng.choice((0.5, 3, 25, 90, 200)),
            code=rng.choice(("E-401", "E-503", "AUTH-17", "0x80070", "NET-02")),
            gb=rng.choice((3, 10, 20, 30, 50)),
            n=rng.randint(5, 40),
            pct=rng.randint(2, 18),
        )

    return fill


def _join(pieces: Sequence[str], lang: str) -> str:
    text = pieces[0]
    for piece in pieces[1:]:
        spaced = lang == "en" or piece.startswith("#") or text.split(" ")[-1].startswith("#")
        text += (" " if spaced else "") + piece
    return text


def _text(rng: random.Random, lang: str, kind: str) -> str:
    """A post of one kind, 20-280 characters, built from the phrase banks."""
    if rng.random() < 0.03:
        return rng.choice(NOISE_JA if lang == "ja" else NOISE_EN)
    parts = JA_PARTS if lang == "ja" else EN_PARTS
    tails = (JA_TAILS if lang == "ja" else EN_TAILS)[TONE[kind]]
    fill = _filler(rng, lang)
    # Posts are short more often than long: most land between 50 and 180 characters.
    target = max(20, min(280, int(rng.lognormvariate(math.log(95 if lang == "en" else 55), 0.6))))
    templates = rng.sample(parts[kind], k=1 if kind == "news" else len(parts[kind]))
    pieces = [fill(templates.pop())]
    for _ in range(12):
        if len(_join(pieces, lang)) >= target:
            break
        if templates and rng.random() < 0.6:
            pieces.append(fill(templates.pop()))
        else:
            tail = rng.choice(tails)
            if tail not in pieces:
                pieces.append(tail)
    text = _join(pieces, lang)
    if len(text) > 280:
        cut = text[:279]
        if lang == "en" and " " in cut:
            cut = cut.rsplit(" ", 1)[0]
        text = cut.rstrip() + "…"
    while len(text) < 20:
        text = _join([text, rng.choice(tails)], lang)
    return text


def _location(source: str, number: int, person: _Person, rng: random.Random) -> tuple[str, str]:
    """Native id and URL in the shape the source uses."""
    if source == "mastodon":
        native = str(113_400_000_000_000_000 + number * 7_919)
        url = f"https://{rng.choice(INSTANCES)}/@{person.handle}/{native}"
    elif source == "bluesky":
        rkey = f"3l{number:011x}"
        did = f"did:plc:{person.id}{'x' * 18}"[:32]
        native = f"at://{did}/app.bsky.feed.post/{rkey}"
        url = f"https://bsky.app/profile/{person.handle}.bsky.social/post/{rkey}"
    elif source == "hackernews":
        native = str(42_000_000 + number)
        url = f"https://news.ycombinator.com/item?id={native}"
    elif source == "appstore":
        native = str(11_000_000_000 + number)
        url = f"https://apps.apple.com/jp/app/hoshi-mobile/id1490000000?review={native}"
    elif source == "news":
        native = f"news-{number:08d}"
        url = f"https://news.example.jp/articles/{number:08d}"
    elif source == "discourse":
        native = f"{30_000 + number // 7}/{number % 7 + 1}"
        url = f"https://community.example.org/t/{native}"
    else:
        native = str(79_000_000 + number)
        url = f"https://android.stackexchange.com/a/{native}"
    return native, url


def _rating(rng: random.Random, kind: str) -> int:
    if kind == "praise":
        return rng.choice((4, 5, 5))
    return rng.choice((1, 1, 2, 3)) if kind == "complaint" else rng.randint(2, 4)


def generate_mentions(count: int, seed: int) -> list[Mention]:
    """``count`` deterministic synthetic mentions, about half English and half Japanese."""
    rng = random.Random(seed)
    people = _people(rng, max(50, count // 8))
    sources = [name for name, _ in SOURCES]
    weights = [weight for _, weight in SOURCES]
    span = (PERIOD_END - PERIOD_START).total_seconds()
    mentions = []
    for number in range(count):
        person = rng.choice(people)
        lang = person.lang if rng.random() < 0.95 else ("en" if person.lang == "ja" else "ja")
        source = rng.choices(sources, weights=weights)[0]
        native_id, url = _location(source, number, person, rng)
        published = PERIOD_START + timedelta(seconds=rng.random() * span)
        collected = published + timedelta(seconds=rng.randint(20, 3_600))
        kinds = KINDS_BY_SOURCE[source]
        kind = rng.choices(list(kinds), weights=list(kinds.values()))[0]
        text = _text(rng, lang, kind)
        likes = int(rng.paretovariate(1.3)) - 1 + (person.followers // 2_000)
        engagement = Engagement(
            likes=likes,
            reposts=likes // rng.randint(3, 12),
            replies=rng.randint(0, 3 + likes // 10),
            score=_rating(rng, kind) if source == "appstore" else None,
        )
        title = None
        if source in ("news", "hackernews", "discourse", "stackexchange", "appstore"):
            title = text.split("。")[0].split(". ")[0][:90]
        mentions.append(
            Mention(
                source=source,
                native_id=native_id,
                url=url,
                text=text,
                title=title,
                lang=lang if source in ("mastodon", "bluesky", "appstore") else None,
                author=Author(
                    id=person.id,
                    handle=person.handle,
                    name=person.name,
                    followers=person.followers if source in ("mastodon", "bluesky") else None,
                    verified=person.verified if source in ("mastodon", "bluesky") else None,
                ),
                published_at=published,
                collected_at=collected,
                engagement=engagement,
                query=rng.choice(("hoshi mobile", "ほしモバイル", "#HoshiMobile", "星モバイル")),
            )
        )
    return mentions
