"""Wordings in the styles users write, none of them a stored phrasing: terse English chat
keywords and everyday paraphrases, and colloquial Cantonese-flavoured Chinese written in
traditional characters (read as simplified, so a simplified phrasing covers it). Each must be
read as its fact: answered with it, or, when the decision is unsure, offered first. They were
written fresh for this test, not taken from a question set.
"""

from __future__ import annotations

import pytest

from bot.engine import Engine

ENGLISH = [
    ("when did foshan news run the cluster story", "article-publication"),
    ("cluster income 2020", "cluster-turnover-2020"),
    ("how many member businesses does the cluster have", "cluster-enterprises-2020"),
    ("certified high-tech firms in the cluster, how many", "cluster-high-tech-2020"),
    ("industry alliances in the cluster", "cluster-alliances-2020"),
    ("well known brands from foshan", "household-brands"),
    ("who set up midea", "midea-origins"),
    ("midea listing year", "midea-listing"),
    ("midea revenue in 2000", "midea-sales-2000"),
    ("kelon headquarters", "kelon-origins"),
    ("how much did hisense spend on kelon", "hisense-kelon-deal-2005"),
    ("bear electric hq", "bear-electric-profile"),
    ("bear electric listing date", "bear-electric-listing"),
    ("viomi hq", "viomi-profile"),
    ("viomi stock ticker", "viomi-ipo"),
    ("monalisa stock code", "monalisa-group"),
    ("foshan goal for 2023", "goals-2023"),
    ("hi-tech zone next steps", "next-steps-digital"),
    ("when was the hi-tech zone set up", "zone-founding"),
    ("zone industrial output 2016", "zone-output-2016"),
    ("parks of the hi-tech zone", "zone-structure"),
    ("hi-tech zone gdp", "zone-gdp-2019"),
    ("zone rank in manufacturing index", "zone-manufacturing-index"),
    ("zone three leading clusters", "zone-leading-clusters-plan"),
    ("zone exports in 2020", "zone-torch-revenue-2020"),
    ("high-tech enterprises in the whole zone", "zone-high-tech-2020"),
    ("foshan microwave oven share", "microwave-share"),
    ("foshan appliance output in 2007", "appliance-output-2007"),
    ("foshan advanced manufacturing clusters", "advanced-manufacturing-clusters-2022"),
    ("furniture makers on highway 325", "furniture-highway-325"),
    ("home furnishing cluster scale", "home-furnishing-trillion"),
    ("cluster pillar industries", "pillar-industries"),
    ("cluster featured industries", "featured-industries"),
    ("research platforms for the cluster", "support-platforms"),
    ("foshan home furnishing highland", "home-furnishing-highland"),
    ("foshan home saying", "slogan"),
    ("home furnishing digital upgrade", "digital-transition"),
    ("number of pilot clusters nationwide 2021", "pilot-list-count"),
    ("guangdong clusters selected 2021", "pilot-list-guangdong"),
    ("who applied for the foshan cluster", "pilot-list-submitted-by"),
    ("why does the pilot list matter", "pilot-list-significance"),
    ("china 100 clusters target", "national-goal-100-clusters"),
    ("xiangtan cluster on the list?", "pilot-list-other-named"),
    ("how are pilot clusters chosen", "pilot-selection-process"),
    ("jiangsu clusters on the 2021 list", "jiangsu-clusters-2021"),
    ("first batch of pilot clusters", "first-batch-pilots"),
]

CHINESE = [
    ("報道作者係邊個", "article-author"),
    ("集群2020年收入幾多", "cluster-turnover-2020"),
    ("集群高新企業幾多間", "cluster-high-tech-2020"),
    ("集群有幾多個聯盟", "cluster-alliances-2020"),
    ("美的總部喺邊", "midea-origins"),
    ("美的幾時上市", "midea-listing"),
    ("美的2000年賣咗幾多錢", "midea-sales-2000"),
    ("科龍幾時成立", "kelon-origins"),
    ("海信買科龍幾多錢", "hisense-kelon-deal-2005"),
    ("小熊電器幾時成立", "bear-electric-profile"),
    ("小熊電器股票代號", "bear-electric-listing"),
    ("雲米幾時成立", "viomi-profile"),
    ("雲米幾時上市", "viomi-ipo"),
    ("蒙娜麗莎幾時成立", "monalisa-group"),
    ("佛山2023年目標係乜", "goals-2023"),
    ("高新區幾時成立", "zone-founding"),
    ("高新區2016年產值幾多", "zone-output-2016"),
    ("一區五園係邊五個", "zone-structure"),
    ("高新區GDP幾多", "zone-gdp-2019"),
    ("高新區製造業排名", "zone-manufacturing-index"),
    ("高新區主導產業係乜", "zone-leading-clusters-plan"),
    ("高新區出口幾多", "zone-torch-revenue-2020"),
    ("成個高新區有幾多高企", "zone-high-tech-2020"),
    ("佛山微波爐佔全國幾多", "microwave-share"),
    ("2007年佛山家電產值", "appliance-output-2007"),
    ("佛山先進製造業集群有幾個", "advanced-manufacturing-clusters-2022"),
    ("325國道家具廠有幾多", "furniture-highway-325"),
    ("佛山家居產業規模", "home-furnishing-trillion"),
    ("集群支柱產業係乜", "pillar-industries"),
    ("集群特色產業係乜", "featured-industries"),
    ("集群有乜科研平台", "support-platforms"),
    ("佛山嗰句口號", "slogan"),
    ("佛山家居業點轉型", "digital-transition"),
    ("廣東入選幾多個集群", "pilot-list-guangdong"),
    ("佛山集群邊個申報", "pilot-list-submitted-by"),
    ("火炬中心係乜機構", "torch-center"),
    ("通知文號係乜", "pilot-notice-number"),
    ("江蘇入選幾多個集群", "jiangsu-clusters-2021"),
    ("第一批試點有邊啲", "first-batch-pilots"),
]


#: Wordings the decision reads as their fact's with middling confidence (asked back, fact first).
#: The last three joined when the refit with the conflict readings of tests/test_answer_decision.py
#: raised the answer threshold from 0.724 to 0.736 (out of fold: 6 fewer wrong answers, 5
#: fewer right ones); each is still offered first.
MIDDLING = {
    "佛山家居業點轉型",
    "bear electric hq",
    "成個高新區有幾多高企",
    "佛山家居產業規模",
    "foshan advanced manufacturing clusters",
    "how are pilot clusters chosen",
    "集群2020年收入幾多",
}


@pytest.mark.parametrize(("question", "fact_id"), ENGLISH + CHINESE)
def test_a_wording_no_phrasing_holds_is_answered_with_its_fact(
    engine: Engine, question: str, fact_id: str
) -> None:
    assert question not in {p for fact in engine.knowledge.facts for p in fact.questions}
    match = engine.ask(question)
    # Answered; a wording read as the fact's with middling confidence (the decision's band
    # between its two thresholds) is offered first in a "Did you mean" instead.
    assert match.outcome in (("answer", "clarify") if question in MIDDLING else ("answer",)), (
        match.outcome,
        [c.fact.id for c in match.candidates[:3]],
    )
    assert match.candidates[0].fact.id == fact_id
