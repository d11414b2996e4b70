"""A question read once: its terms (typos corrected), language, and the clauses that ask.

Pure and I/O-free.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, replace

from rapidfuzz import fuzz, process
from rapidfuzz.distance import OSA

from bot.index import Index, _deletions
from bot.knowledge import Fact
from bot.normalise import _NUMBER_MARK, APPROXIMATE_MARKERS, detect_language
from bot.numerals import read_numerals

_YEAR = _NUMBER_MARK + "y"
#: A question that opens like this asks yes or no ("did it reach...", "is Midea listed").
#: ... and this asks whether something happened: a plan or goal does not answer it.
#: Anywhere in the asking part: "built so far", "actually achieved", "by now", 已经, 实际.
_OUTCOME = re.compile(
    r"^(?:did|has|have|had)\b|\b(?:so|and|but) (?:did|has|have)\b|\b(?:so far|to date|by now"
    r"|already|actually|in the end|ended up|end up|managed to"
    r"|(?<!to have )(?:achieved|reached|accomplished|fulfilled|succeeded)"
    r"|(?:been|was|were) (?:built|achieved|reached|met|completed|realised"
    r"|realized))\b|了吗$|了没有|有没有(?:实现|达到|完成|做到|成为)|是否(?:实现|达到|完成|做到|建成)"
    r"|已经|已建成|实际|真的(?:实现|达到|完成|建成|成为)|(?:实现|达到|完成|建成|做到)了"
    # a completion verb asked with a bare particle: 达成没, 完成没有, 达标未, 做到冇, 达到吗
    r"|(?:实现|實現|达到|達到|达成|達成|完成|做到|达标|達標|建成)(?:了|咗)?(?:没|沒|未|冇|吗|嗎|与否|與否)"
    # how it turned out: "how did the goal turn out", "was the target met", 结果如何, 后来怎么样
    r"|\bturn(?:s|ed)? out\b|\b(?:come|comes|came) true\b|\bpan(?:ned)? out\b|\boutcome\b"
    r"|\bresults?\b|^(?:was|were|is|are|has|have) .{0,60}\b(?:met|reached|achieved|hit"
    r"|realised|realized|fulfilled|accomplished|attained)\b"
    r"|结果(?:如何|怎样|怎么样|呢|是什么|是啥)|后来(?:怎么样|如何|怎样|呢)|怎么样了"
    r"|(?:完成|实现|落实|执行)情况|进展(?:如何|怎样|怎么样)|兑现"
    r"|(?:实现|完成|达成|做到|落实|执行)得(?:怎么样|如何|怎样|好不好)"
)
#: A question offering alternatives ("2,900 or 1,800?", 两千九还是一千八, 定係): it checks
#: figures, one of which the fact may state.
#: Cantonese 定 alone joins two at the end of a message too: 南海定顺德, "Nanhai or Shunde?".
_ALTERNATIVES = re.compile(
    r"\bor\b|还是|還是|定系|定係|抑或|(?<=[\u4e00-\u9fff])定(?=[\u4e00-\u9fff]{2,4}[啊呀嘅吖呢]?\W*$)"
)
#: Two things asked together ("founded and listed", "2020 and 2025", 成立、上市, 成立？上市？).
_JOINED = re.compile(r"\band\b|\bas well as\b|&|和|与|與|及|、|还有|還有|[?？]\s*\S")
#: "Where ... from" asks for a source (a newspaper, a company), which may be a place or not.
_SOURCE = re.compile(r"\bfrom\b|来自|出自|来源|从哪")
#: A question asking for names (of the clusters, the zone, the company), not for a count or a
#: date: "which clusters ...", "what are they called", "list all ...", 叫什么, 哪些. Read only
#: when no question word says what is wanted (which year, how many); "which <noun>" counts
#: unless the noun is a measure or a time (``_WHICH_NOT_NAMING``, and the lexicon's measures).
_NAMING = re.compile(
    r"\bnames?\b|\bcalled\b|^(?:please |pls )?(?:(?:can|could) you )?list\b"
    r"|\blist (?:all|every|each|them|the names)\b"
    r"|叫什么|叫啥|什么名|哪些|哪个|哪家|哪两|哪三|哪四|哪五|是谁家"
)
#: "Which ones" (哪几个, 哪幾家, 边几个): names, not a count, though 几个 alone asks how many.
_WHICH_ONES = re.compile(r"[哪边邊][几幾](?:[个個家项項种種位名座所间間部台件批条條样樣])")
#: "Where did it place / come / finish / stand" (in a ranking): a rank, not a place on a map;
#: not "where did it come from" nor "where did it place its factory".
_RANK_PLACE = re.compile(
    r"\bwhere (?:did|does|do|will|would|has|have|is|was|were|are)\b[^?.!]*?"
    r"\b(?:place|places|placed|come|came|finish|finished|finishes|stand|stands|stood)\b"
    r"(?!\s+(?:from|its|their|his|her|the|a|an|this|that|these|those)\b)"
)
#: A question asking which one has the most or the largest of something: "which province had
#: the most clusters", "which of them is the biggest", 哪个省最多, 最大的是哪家. It asks for a
#: ranking, read as the lexicon's measure ``rank``: a fact that states no rank does not give it,
#: whatever it says about the things compared. "The most" counts before a word the lexicon
#: knows ("the most clusters", "the most high-tech firms") or at the end, not before another
#: word ("the most famous brands" asks for the brands, "most firms" for the majority).
_SUPERLATIVE = re.compile(
    r"\b(?:which|what|who|whose|where)\b[^?.!]*?\b(?:(?:largest|biggest|highest|greatest|fewest"
    r"|smallest|lowest)\b|the most\b(?! of\b)(?: ([a-z][\w-]*(?: [a-z][\w-]*)?))?)"
    r"|[哪谁][^?？。!！,，]{0,20}?最(?:多|大|高|少|低|强)|最(?:多|大|高|少|低|强)的?(?:是)?(?:哪|谁)"
)
#: (A count may stand between: "which 2 other clusters".)
#: ... and "where does it sit / land / rank among the top 100 (in the index)": a place among
#: others ranked, not on a map ("where does the zone sit?" alone still asks where it is).
#: The gaps are bounded (a phrase, not a paragraph): unbounded lazy gaps made a long message of
#: repeated "where" and "sit" cost time growing with the square of its length.
_RANK_AMONG = re.compile(
    r"\bwhere\b[^?.!]{0,60}?\b(?:sit|sits|sat|land|lands|landed|rank|ranks|ranked)\b"
    r"[^?.!]{0,60}?\b(?:among|in the (?:top|index|ranking|rankings|league table))\b"
)
_WHICH = re.compile(r"\bwhich (?:of\b|(?:\S*\d\S* )?([a-z][a-z-]*(?: [a-z][a-z-]*){0,2}))")
#: After "which": a choice ("which is right?") or a time or quantity, not a name.
_WHICH_NOT_NAMING = frozenset(
    [
        "is",
        "was",
        "one",
        "ones",
        "year",
        "years",
        "month",
        "months",
        "day",
        "days",
        "date",
        "dates",
        "period",
        "periods",
        "time",
        "times",
        "figure",
        "figures",
        "number",
        "numbers",
        "amount",
        "percentage",
        "way",
        "position",
    ]
)
#: Measures whose values have names (which companies, which brands, which industry); any other
#: measure after "which" asks for its value ("which target": 100 clusters).
_NAMED_MEASURES = frozenset(
    [
        "enterprises",
        "brands",
        "industries",
        "emerging",
        "platforms",
        "alliances",
        "author",
        "publisher",
        "founder",
        "leader",
        "headquarters",
        "location",
        "names",
    ]
)
_YES_NO = re.compile(
    r"^(?:is|are|was|were|does|do|did|has|have|had|can|could|will|would|should)\b|^是否|吗$"
)

#: The entity (a lexicon group name) that is the source the fact base quotes: the article.
_SOURCE_ENTITY = "article"
#: The source named as who says something ("what does the article call Foshan", "according to
#: the report", "in the Foshan smart home story", 文章提到): a frame around the question, not
#: what it asks about, so it is no entity the answer must be about.
_SOURCE_FRAME = re.compile(
    r"\b(?:article|story|report|news|piece)s?\b(?:'s)? (?:(?:also|really|actually) )?"
    r"(?:says?|said|calls?|called|describes?|described|mentions?|mentioned|ties?|tied|links?"
    r"|linked|lists?|listed|names?|named|notes?|noted|claims?|claimed|characteri[sz]es?"
    r"|characteri[sz]ed|refers?|referred|puts?|singles? out|highlights?|highlighted|credits?"
    r"|credited|associates?|associated)\b"
    r"|\b(?:according to|in|from|per) (?:the|this|that|your) (?:[\w-]+ ){0,5}"
    r"(?:article|story|report|piece)\b"
    r"|(?:文章|报道|新闻|这篇|那篇)(?:里|中|里面|上)?(?:提到|提及|说|称|讲|写|介绍|指出|列出|点名)"
)
#: What a question asks of the source itself (who wrote or published it, when): the article it
#: names, even as a frame ("the news piece about the cluster: which outlet ran it?"), is then
#: what it asks about.
_SOURCE_MEASURES = frozenset({"author", "publisher", "publication"})
#: ... and so is an article a clause describes (这篇讲佛山集群的报道: "this piece about the
#: cluster"): the article is the subject, not a frame around the question.
_SOURCE_DESCRIBED = re.compile(r"(?:这|那)(?:篇|则|条)[^,.?!]{0,30}的(?:文章|报道|新闻|稿)")
#: A place singled out of a whole: "in Lecong alone", "only in Lecong", "光是乐从". A figure
#: the fact gives for several places together does not answer it (``Analysis.singled_out``).
_SINGLED_OUT = re.compile(
    r"\b([a-z][\w-]*(?: [a-z][\w-]*)?) (?:alone|by itself|on its own|itself|proper)\b"
    r"|\b(?:only|just|solely) in ([a-z][\w-]*(?: [a-z][\w-]*)?)"
    r"|\bin ([a-z][\w-]*(?: [a-z][\w-]*)?) (?:only|alone)\b"
    r"|(?:光是|单是|单单|仅仅|仅|只有|只|单看|光看|只看|单论|单就|单独)在?([\u4e00-\u9fff]{2,4})"
    r"|([\u4e00-\u9fff]{2,4}?)(?:本身|自身|单独)"
)
#: Something set aside: "apart from the pillar sectors, what ...", "excluding Longjiang",
#: 除了支柱产业以外, 不算龙江: what the question asks about is the rest, so the words set aside
#: are not asked (``Analysis.excluded``). The set-aside part ends at a comma, a question word
#: or the end (English), or at 以外/之外, a comma, 还/有 or the end (Chinese).
_EXCLUDED = re.compile(
    r"\b(?:apart from|aside from|other than|except for|except|excluding|not counting"
    r"|not including|leaving out|leaving aside|setting aside|besides)"
    r" ((?:[\w'-]+ ?){1,5}?)(?= ?(?:[,;:.]|$|\b(?:what|which|how|who|when|where|is|are|does|do"
    r"|did|was|were|has|have|can)\b))"
    r"|(?:除了|除去|除开|不算|不计|不包括|不包含|不含|扣除|排除|撇开|撇除)"
    r"([\u4e00-\u9fff、和及与]{1,12}?)(?:以外|之外|(?=外|的话|[,.;:?!)]|还|有|$))"
)
#: The thing a question asks about, in English: the word after "how many", "which" ... ("how
#: many dragon boats": "dragon"); not a "which" opening a clause (", which sounds weird").
_ASKED_THING = re.compile(
    r"\b(?:how many|how much|(?<!, )which|what kinds? of|what types? of|number of|count of)"
    r" ([a-z]+)\b"
)
#: Letters from which a word the fact base does not know names the thing asked (shorter
#: unknown words are mostly filler, slang or slips too short to correct: "guys", "mony").
_UNKNOWN_THING_LETTERS = 5
_SENTENCE_SPLIT = re.compile(r"[.!?;:。！？；：\n]+")
#: Where a sentence ends, for telling the sentences that ask from those that give context:
#: ! ? ; (and their Chinese forms) or a line break, or a full stop or colon before a space (not
#: the point of "15.33"), or a dash between words ("... lost the link — how many ...", not the
#: one of "15-20" or of "2016—2020").
_SENTENCE_END = re.compile(
    r"(?<=[!?;。！？；\n])|(?<=[.:：])(?=\s)|(?<=\s[-–—])(?=\s)|(?<=\s--)(?=\s)"
    r"|(?<=[^\d\s]—)(?=[^\d\s—])"
)
_CHINESE = re.compile("[\u3400-\u9fff]")
#: In Chinese a comma ends a clause as a full stop does, and a request (领导让我查一下, 帮我问下)
#: ends before what it asks for: "我在科技局实习，领导让我查一下高新区有多少家企业" asks only
#: "高新区有多少家企业". (Text read by the normaliser: ， is , by then.)
_CHINESE_CLAUSE_END = re.compile(
    "(?<=[\u3400-\u9fff]),|,(?=[\u3400-\u9fff])"
    # a space between two characters, as chat writes a comma: "在写材料 领导让我核实一下"
    + "|(?<=[\u3400-\u9fff]) (?=[\u3400-\u9fff])"
    + "".join(f"|(?<={verb})" for verb in ("查一下", "问一下", "查下", "问下", "查查", "问问"))
    + "|(?<=了解一下)|(?<=打听一下)|(?<=看一下)|(?<=核实一下)|(?<=确认一下)|(?<=核对一下)"
)
#: A sentence that asks: it ends with a question mark, or has a question word or a request.
_ASKS = re.compile(
    r"[?？]\s*$|\b(?:what|how|when|who|whom|whose|which|where|why|tell me|give me|list|explain"
    r"|confirm|i need|i want|i'?d like|looking for|wonder|curious)\b"
    r"|吗|什么|多少|几|哪|谁|怎么|如何|是否|为什么|多大|多久|咋|啥|想知道|请问"
)
_QUESTION_WORDS = re.compile(
    r"\b(?:what|how|when|who|which|where|why|is|are|does|do|did|was|were|can|list|name)\b|"
    r"吗|什么|多少|几|哪|谁|怎么|如何|是否|为什么|多大|多久|咋|是不是|有没有"
)


@dataclass(frozen=True)
class Analysis:
    """A question after normalisation: its weighted terms and what they say."""

    text: str
    language: str
    terms: tuple[str, ...]
    approximate: bool
    #: Terms carried over from the previous answer (a follow-up's context), weighted lower.
    context: tuple[str, ...] = ()
    #: Slots of the conversation the message does not fill itself (entity, place, measure or
    #: year), each as (kind, the context terms of that kind): a fact covering none of a slot's
    #: terms is a miss (``INHERITED_FACTORS``).
    inherited: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: What a fact keeps for each inherited slot it lacks, by kind.
    inherited_factors: tuple[tuple[str, float], ...] = ()
    #: The question read into the facts' attribute slots: entities and measures it names,
    #: years it names, and what kind of answer it wants (``number``, ``date``, ``person``...).
    entities: frozenset[str] = frozenset()
    measures: frozenset[str] = frozenset()
    years: frozenset[str] = frozenset()
    wants: frozenset[str] = frozenset()
    #: The terms of the sentences that ask, when others only give context ("I run an import
    #: business in Lagos. ... How big were the cluster's sales in 2020?"), plus the context's
    #: entities, places, measures and years of kinds the asking part does not name: the slots
    #: above and the contradictions are read from these; empty when the whole message asks.
    asked: tuple[str, ...] = ()
    #: The terms of ``asked`` that the context sentences filled in (the asking part names no
    #: subject of its own): they say what the question is about, but a fact need not state
    #: them (a town the asker mentions, a year of their reading), so they make no conflict.
    filled: tuple[str, ...] = ()
    #: Places the question singles out of a whole ("in Lecong alone"): a figure for several
    #: places together (Lecong and Longjiang) is not the one asked for.
    singled_out: frozenset[str] = frozenset()
    #: The asking part offers alternatives ("2,900 or 1,800?"): when it names two figures or
    #: more, a fact stating one of them (or a figure close to one) answers it.
    alternatives: bool = False
    #: The asking part joins two questions or two things asked ("founded and listed"): a fact
    #: stating one of the measures asked answers that part.
    joined: bool = False
    #: Terms of what the question sets aside ("apart from the pillar sectors", "excluding
    #: Longjiang", 不算龙江) that the rest of it does not use: not asked, so they are left out
    #: of ``terms``; a figure of a whole that includes one of them is not the rest's.
    excluded: frozenset[str] = frozenset()
    #: The thing asked about ("how many dragon boats"), when the fact base does not know the
    #: word at all (no fact, answer, keyword or lexicon entry uses it, nor is it a slip of one
    #: that does): the question is about something else, whatever its other words share.
    unknown_thing: str = ""

    @property
    def asking_terms(self) -> tuple[str, ...]:
        """The terms slots and contradictions are read from."""
        return self.asked or self.terms


def _correct_typo(word: str, index: Index) -> str:
    """The fact base's word closest to an unknown word, or the word itself.

    One slip (a wrong, swapped, missing or extra letter) is fixed; candidates come from a
    deletion index (symmetric delete) and are confirmed with rapidfuzz's OSA distance. Below six
    letters only swapped letters count ("mnay"), and at five a letter dropped from a six-letter
    word ("autor"), since short words one letter apart are usually different words ("write"
    is not a typo of "wrote").
    """
    if len(word) < 4 or word in index.vocabulary or not word.isalpha():
        return word
    candidates = set(index.deletions.get(word, ()))
    for deleted in _deletions(word):
        if deleted in index.vocabulary:
            candidates.add(deleted)
        candidates.update(index.deletions.get(deleted, ()))
    best = [
        c
        for c in candidates
        if OSA.distance(word, c, score_cutoff=1) <= 1
        and (
            len(word) >= 6
            or (len(c) == len(word) and sorted(c) == sorted(word))
            # a letter dropped inside a six-letter word ("autor"), not a suffix ("writer")
            or (len(word) == 5 and len(c) == 6 and c[:-1] != word)
        )
    ]
    if best:
        return max(best, key=lambda c: (index.word_counts.get(c, 0), c))
    if len(word) >= 7:
        found = process.extractOne(
            word,
            index.vocabulary_by_initial.get(word[0], []),
            scorer=fuzz.ratio,
            processor=None,
            score_cutoff=85,
        )
        if found:
            return found[0]
    return word


def _slot_kind(term: str, index: Index) -> str | None:
    """The attribute slot a term names (entity, place, measure or year), home ones included."""
    if term.startswith(_YEAR):
        return "year"
    name = index.group_name.get(term)
    kind = index.slot_of.get(name) if name else None
    if kind:
        return kind
    kind = index.group_kind.get(term)
    return kind if kind in ("entity", "place", "measure") else None


def _framed_clauses(clauses: list[str]) -> list[str]:
    """Chinese comma clauses, each one naming a year or figure joined to the clause after it:
    "2021年，高新区GDP多少" asks about 2021, so its year must stay the question's own (as a
    context clause, a fact of another year would answer it)."""
    joined: list[str] = []
    carried = ""
    for number, clause in enumerate(clauses):
        clause = (carried + "," + clause if carried else clause).strip()
        carried = ""
        last = number == len(clauses) - 1
        if not last and any(c.isdigit() for c in read_numerals(clause)):
            carried = clause
        else:
            joined.append(clause)
    return joined


def asking_sentences(question: str) -> list[str]:
    """The sentences of a message that ask, when other sentences only give context; empty when
    the whole message asks (one sentence, every sentence asks, or none seems to)."""
    parts = [p.strip() for p in _SENTENCE_END.split(question)]
    if _CHINESE.search(question):
        parts = [c for p in parts for c in _framed_clauses(_CHINESE_CLAUSE_END.split(p))]
    parts = [p for p in parts if any(c.isalnum() for c in p)]
    if len(parts) < 2:
        return []
    asking = [p for p in parts if _ASKS.search(p.casefold())]
    return asking if len(asking) < len(parts) else []


class Reader:
    """Reads the texts of one message (the whole, its sentences, its clauses) into terms, each
    text and each word once: a long message's sentence is otherwise read up to three times.

    Make one per message and drop it after: it keeps what it read.
    """

    __slots__ = ("index", "_cleaned", "_terms", "_words", "_analyses")

    def __init__(self, index: Index) -> None:
        self.index = index
        self._cleaned: dict[str, str] = {}
        self._terms: dict[str, tuple[str, ...]] = {}
        self._words: dict[str, str] = {}
        self._analyses: dict[str, Analysis] = {}

    def analysis(self, text: str, language_hint: str | None = None) -> Analysis:
        """``analyse(text, index, language_hint, self)``, each text read once: a clause of a
        compound message is matched, checked for a subject and read for a follow-up's context
        (only the language depends on the hint)."""
        found = self._analyses.get(text)
        if found is None:
            found = self._analyses[text] = analyse(text, self.index, language_hint, self)
            return found
        language = detect_language(text, language_hint)
        return found if found.language == language else replace(found, language=language)

    def clean(self, text: str) -> str:
        cleaned = self._cleaned.get(text)
        if cleaned is None:
            cleaned = self._cleaned[text] = self.index.normaliser.clean(text)
        return cleaned

    def terms(self, cleaned: str) -> tuple[str, ...]:
        """The terms of cleaned text, typos corrected, each once in order."""
        terms = self._terms.get(cleaned)
        if terms is None:
            terms = self._terms[cleaned] = tuple(
                dict.fromkeys(self.index.normaliser.terms(cleaned, correct=self._correct))
            )
        return terms

    def _correct(self, word: str) -> str:
        corrected = self._words.get(word)
        if corrected is None:
            corrected = self._words[word] = _correct_typo(word, self.index)
        return corrected


def analyse(
    question: str, index: Index, language_hint: str | None = None, reader: Reader | None = None
) -> Analysis:
    """Normalise a question into weighted terms (with typos corrected), and read the part that
    asks into slots: entities, measures, years and the kind of answer wanted. ``reader``
    shares what was read with the other parts of the same message."""
    if reader is None or reader.index is not index:
        reader = Reader(index)
    cleaned = reader.clean(question)
    terms_of = reader.terms
    terms = terms_of(cleaned)
    excluded = _excluded_terms(cleaned, index, reader)
    if excluded:
        terms = tuple(t for t in terms if t not in excluded)
    asking_read = asking_sentences(index.normaliser.read(question))
    asking = [reader.clean(s) for s in asking_read]
    asked = tuple(dict.fromkeys(t for text in asking for t in terms_of(text) if t not in excluded))
    filled: tuple[str, ...] = ()
    if asked:
        # When the asking part names no company or place of its own, the context sentences fill
        # the slots it leaves open ("Bear Electric keeps showing up. Which exchange is it on?":
        # the company); figures in them are claims to check ("nearly 400", "the 90s").
        named = {_slot_kind(t, index) for t in asked}
        if not named & {"entity", "place"}:  # no subject of its own: the context's fills in
            filled = tuple(
                t for t in terms if t not in asked and _slot_kind(t, index) not in named | {None}
            )
            asked += filled
    slot_terms, texts = (asked, asking) if asked else (terms, [cleaned])
    names = [index.group_name[t] for t in slot_terms if t in index.group_name]
    if (
        _SOURCE_ENTITY in names
        and _SOURCE_MEASURES.isdisjoint(names)
        and any(_SOURCE_FRAME.search(text) for text in texts)
        and not any(_SOURCE_DESCRIBED.search(text) for text in texts)
    ):
        names = [n for n in names if n != _SOURCE_ENTITY]
    wants = {index.group_wants[t] for t in slot_terms if t in index.group_wants}
    if "number" in wants and any(_WHICH_ONES.search(text) for text in texts):
        wants = wants - {"number"} | {"name"}  # 哪几个: which ones, not how many
    if not wants and any(_asks_names(text, index, reader) for text in texts):
        wants.add("name")
    if any(_YES_NO.search(text) for text in texts) and not wants:
        wants.add("yes-no")
    measures = frozenset(n for n in names if index.slot_of.get(n) == "measure")
    if any(_RANK_PLACE.search(text) or _RANK_AMONG.search(text) for text in texts):
        measures |= {"rank"}  # "where did the zone place in the index?"
    if any(_OUTCOME.search(text) for text in texts) or (
        "yes-no" in wants and "outcome" in measures
    ):
        wants.add("outcome")
    if any(_asks_ranking(text, index, reader) for text in texts):
        rank = _rank_term(index)
        if rank is not None:
            measures |= {"rank"}  # "which province had the most clusters?"
            terms += (rank,)
            asked += (rank,) if asked else ()
    if "place" in wants and any(_SOURCE.search(text) for text in texts):
        wants.add("source")  # "where does the photo come from": a source, not only a place
    singled_out = frozenset(
        index.group_name[t]
        for text in texts
        for found in _SINGLED_OUT.finditer(text)
        for t in terms_of(reader.clean(next(g for g in found.groups() if g)))
        if index.group_kind.get(t) == "place" and t not in index.home_groups
    )
    unknown_thing = next(
        (
            word
            for text in texts
            for word in _ASKED_THING.findall(text)
            if _names_unknown_thing(word, index)
        ),
        "",
    )
    return Analysis(
        text=cleaned,
        language=detect_language(question, language_hint),
        terms=terms,
        approximate=bool(APPROXIMATE_MARKERS.search(cleaned)),
        entities=frozenset(n for n in names if index.slot_of.get(n) == "entity"),
        measures=measures,
        years=frozenset(t[2:] for t in slot_terms if t.startswith(_YEAR)),
        wants=frozenset(wants),
        asked=asked,
        filled=filled,
        singled_out=singled_out,
        alternatives=any(_ALTERNATIVES.search(text) for text in texts),
        joined=any(_JOINED.search(text.casefold()) for text in asking_read or [question]),
        unknown_thing=unknown_thing,
        excluded=excluded,
    )


def _excluded_terms(cleaned: str, index: Index, reader: Reader) -> frozenset[str]:
    """The terms of what a question (cleaned) sets aside (``_EXCLUDED``) that the rest of it
    does not use, question words and home places apart ("apart from Foshan, how many other
    Guangdong clusters": every fact is about Foshan, so setting it aside rules nothing out)."""
    found = list(_EXCLUDED.finditer(cleaned))
    if not found:
        return frozenset()
    # The marker words go too ("apart", 除了): they say how to read the rest, not what about.
    rest, start, aside = [], 0, []
    for match in found:
        rest.append(cleaned[start : match.start()])
        aside.append(match.group())
        start = match.end()
    rest.append(cleaned[start:])
    kept = set(reader.terms(reader.clean(" ".join(rest))))
    return frozenset(
        t
        for text in aside
        for t in reader.terms(reader.clean(text))
        if t not in kept and index.group_kind.get(t) != "question" and t not in index.home_groups
    )


def _names_unknown_thing(word: str, index: Index) -> bool:
    """Whether a word after "how many", "which" ... is one the fact base does not know: not in
    its vocabulary (singular or plural), no slip of a word in it, no stop word and no time or
    quantity word ("which period", "how many times")."""
    if len(word) < _UNKNOWN_THING_LETTERS or word in _WHICH_NOT_NAMING:
        return False
    forms = {word, word.removesuffix("s"), word.removesuffix("es")}
    if forms & index.vocabulary:
        return False
    return _correct_typo(word, index) == word


def _asks_ranking(text: str, index: Index, reader: Reader) -> bool:
    """Whether a text (cleaned) asks which one has the most or the largest (``_SUPERLATIVE``):
    after "the most", only a lexicon phrase ("clusters", "high-tech firms"), or nothing, makes
    it a ranking."""
    for found in _SUPERLATIVE.finditer(text):
        following = found.group(1)
        if following is None:
            return True
        terms = reader.terms(reader.clean(following))  # a lexicon phrase starting there
        if terms and terms[0] in index.group_kind:
            return True
    return False


def _rank_term(index: Index) -> str | None:
    """The lexicon group whose words name the measure ``rank`` (ranking, 排名), if any."""
    return next(
        (t for t, name in index.group_name.items() if name == "rank" and _slot_kind(t, index)),
        None,
    )


def _asks_names(text: str, index: Index, reader: Reader) -> bool:
    """Whether a text (cleaned) asks for the names of something (``_NAMING``): "which clusters
    made the list" does; "which national target" (a measure: the target's value), "which year"
    and "which is right?" do not (the three words after "which" are read)."""
    if _NAMING.search(text):
        return True
    for found in _WHICH.finditer(text):
        if found.group(1) is None:
            return True  # "which of them"
        words = found.group(1).split()
        if words[0] in _WHICH_NOT_NAMING or not _WHICH_NOT_NAMING.isdisjoint(words[1:]):
            continue
        if not any(
            t in index.group_wants
            or (
                _slot_kind(t, index) == "measure"
                and index.group_name.get(t) not in _NAMED_MEASURES
            )
            for word in words
            for t in reader.terms(word)
        ):
            return True
    return False


def question_segments(
    question: str,
    index: Index,
    terms: tuple[str, ...],
    reader: Reader | None = None,
    excluded: frozenset[str] = frozenset(),
) -> list[tuple[str, ...]]:
    """The whole question, plus each sentence that asks something (for long, chatty messages);
    the terms of what the question sets aside (``Analysis.excluded``) left out."""
    segments = [terms]
    parts = [p for p in _SENTENCE_SPLIT.split(index.normaliser.read(question)) if p.strip()]
    if len(parts) > 1:
        if reader is None or reader.index is not index:
            reader = Reader(index)
        for part in parts:
            if _QUESTION_WORDS.search(part.casefold()):
                part_terms = reader.terms(reader.clean(part))  # as ``analyse(part).terms``
                if excluded:
                    part_terms = tuple(t for t in part_terms if t not in excluded)
                if part_terms and part_terms != terms:
                    segments.append(part_terms)
    return segments


def _slot(term: str, index: Index) -> str | None:
    """The kind of slot a term fills in a conversation: entity, place, measure or year."""
    if term.startswith(_NUMBER_MARK + "y"):
        return "year"
    if term in index.home_groups:
        return None
    kind = index.group_kind.get(term)
    return kind if kind in ("entity", "place", "measure") else None


def _topic_terms(text: str, index: Index, reader: Reader | None = None) -> list[str]:
    """A text's terms without question words ("when", "how many") and home places."""
    return [
        t
        for t in (analyse(text, index) if reader is None else reader.analysis(text)).terms
        if index.group_kind.get(t) != "question" and t not in index.home_groups
    ]


def context_terms(
    fact: Fact,
    index: Index,
    question: str | None = None,
    previous: tuple[str, ...] = (),
    reader: Reader | None = None,
) -> tuple[str, ...]:
    """What a conversation is about after ``fact`` was shown, as matcher terms.

    The words the user asked with (``question``) say which side of the fact they care about
    ("how many high-tech enterprises in 2016" of a fact that also gives the output); a
    follow-up's question adds to the ``previous`` context, replacing the slots it names ("and
    in 2020?" replaces the year). A fact chosen directly (button, shortcut) contributes its
    first phrasings. The fact's companies and organisations always stay in.
    """
    if question is not None:
        own = _topic_terms(question, index, reader)
        named = {_slot(t, index) for t in own} - {None}
        kept = [t for t in previous if _slot(t, index) not in named]
        found = dict.fromkeys(own + kept)
    else:
        found = dict.fromkeys(
            _topic_terms(fact.questions_en[0], index) + _topic_terms(fact.questions_zh[0], index)
        )
    found.update(dict.fromkeys(fact_entities(fact, index)))
    return tuple(found)


_entities: dict[tuple[int, str], tuple[Index, frozenset[str]]] = {}


def fact_entities(fact: Fact, index: Index) -> frozenset[str]:
    """The companies and organisations a fact's phrasings name (lexicon entity groups)."""
    key = (id(index), fact.id)
    cached = _entities.get(key)
    if cached is not None and cached[0] is index:
        return cached[1]
    normaliser = index.normaliser
    found = frozenset(
        term
        for text in fact.questions
        for term in normaliser.terms(normaliser.clean(text))
        if index.group_kind.get(term) == "entity"
    )
    if len(_entities) > 100_000:
        _entities.clear()
    _entities[key] = (index, found)
    return found


#: What a fact keeps when it lacks a slot the conversation carries over: the company or
#: measure asked about matter most, the place and the year less ("and the high-tech ones?"
#: after a 2020 figure prefers 2020 but does not require it).
INHERITED_FACTORS = {"entity": 0.4, "measure": 0.5, "place": 0.5, "year": 0.75}
#: The same when the message brings topic words of its own ("how many of its firms are
#: high-tech?" after the turnover): it asks about something new, so the old measure and year
#: only break ties.
INHERITED_FACTORS_WITH_OWN_WORDS = {"entity": 0.4, "measure": 0.85, "place": 0.5, "year": 0.85}


def with_context(analysis: Analysis, context: tuple[str, ...], index: Index) -> Analysis:
    """The analysis with the conversation's terms; their entity, place, measure and year carry
    over as requirements unless the message names one of the same kind ("what about 2019?"
    replaces the year and keeps the measure). A message naming a new subject (an entity or a
    place: "what about Kelon?") keeps only the measure; a place is carried over only when no
    company is (Midea's town is not what a question about Midea is about)."""
    named = {_slot(t, index) for t in analysis.terms}
    if named & {"entity", "place"}:
        named |= {"entity", "place", "year"}
    slots: dict[str, list[str]] = {}
    for term in context:
        kind = _slot(term, index)
        if kind and kind not in named:
            slots.setdefault(kind, []).append(term)
    if "entity" in slots:
        slots.pop("place", None)
    inherited = tuple((kind, tuple(terms)) for kind, terms in slots.items())
    surface_of = index.normaliser.surface_of
    present = set(analysis.terms)
    own_words = [
        t
        for t in analysis.terms
        if _slot(t, index) is None
        and t in index.idf
        and index.group_kind.get(t) != "question"
        and t not in index.home_groups
        and (t in index.group_kind or surface_of.get(t) not in present)
    ]
    factors = INHERITED_FACTORS_WITH_OWN_WORDS if own_words else INHERITED_FACTORS
    return replace(
        analysis,
        context=context,
        inherited=inherited,
        inherited_factors=tuple(factors.items()),
    )


#: Where one question ends and another begins inside a sentence: "..., and what is ...",
#: "...? Also, how many ...", "……，另外……", "……。还有……".
_CLAUSE_SPLIT = re.compile(
    r"[?？。!！;；]+\s*(?:(?:and|also|plus|but)\b[,，]?\s*)?"
    r"|[,，]\s*(?:and\s+)?(?:also\s+)?(?=(?:what|how|when|who|which|where|why)\b)"
    # "and" in chat too: "who founded Midea n how many ...", "& when", "+ where"
    r"|\s+(?:and|n|&|\+)\s+(?:also\s+)?(?=(?:what|how|when|who|which|where|why)\b)"
    r"|[,，]\s*(?:and|but)\s+(?=(?:did|does|do|is|are|was|were|has|have|can|will)\s)"
    r"|[,，]\s*(?=(?:还有|還有|仲有|另外|以及|那么|那麼|又|再问|再問|顺便问|順便問))"
)


_CONNECTOR = re.compile(
    r"^(?:(?:and|also|plus|but)\b[,，]?\s*)+"
    r"|^(?:还有|還有|仲有|另外|以及|那么|那麼|(?:顺便|順便)(?:问|問)(?:一?下)?)[,，]?",
    re.IGNORECASE,
)


def asking_clauses(question: str, read: Callable[[str], str] | None = None) -> list[str]:
    """The parts of a message that each ask something (two or more for a compound message).

    ``read`` (the normaliser's) reads colloquial and Cantonese forms as standard Mandarin for
    telling whether a part asks (幾多, 邊個); the parts are given as the user wrote them.
    """
    parts = [_CONNECTOR.sub("", p.strip(" ,，")) for p in _CLAUSE_SPLIT.split(question)]
    return [p for p in parts if p and _QUESTION_WORDS.search((read or str)(p).casefold())]
