"""Text handling of the offline director: patterns, quotes, splitting, tidying."""

from __future__ import annotations

import re
from typing import Any, cast

from storyreel.agent.offline.words import NUMBERS


class _Pattern:
    """A pattern compiled the first time one of its methods is used.

    The offline director has a few hundred patterns and a message uses about two
    thirds of them; compiling is most of what importing the director costs, and every
    `storyreel say` is a new process. Once compiled, the compiled pattern's methods
    are bound on the object, so later calls cost what they cost on the pattern.
    """

    def __init__(self, pattern: str, flags: int) -> None:
        self.pattern = pattern
        self.flags = flags

    def __getattr__(self, name: str) -> Any:
        # reached only before the first compile, or for a name a pattern does not have
        compiled = re.compile(self.pattern, self.flags)
        for method in _PATTERN_METHODS:
            setattr(self, method, getattr(compiled, method))
        self.groups, self.groupindex = compiled.groups, compiled.groupindex
        return getattr(compiled, name)


_PATTERN_METHODS = ("search", "match", "fullmatch", "finditer", "findall", "sub", "subn", "split")


def lazy(pattern: str, flags: int = 0) -> re.Pattern[str]:
    """`re.compile(pattern, flags)`, compiled when first used (see `rx`)."""
    return cast("re.Pattern[str]", _Pattern(pattern, flags))


def rx(*parts: str) -> re.Pattern[str]:
    """A case-insensitive pattern written as several short pieces, compiled when first
    used (it has the methods and attributes of a compiled pattern, but is not one: give
    it to `re.sub` and the like as `pattern.pattern`, with `re.I`)."""
    return cast("re.Pattern[str]", _Pattern("".join(parts), re.I))


QUOTE_RE = lazy(r'"([^"]*)"|\u201c([^\u201d]*)\u201d')
SINGLE_QUOTE_RE = lazy(
    r"(?<![\w'\u2018])'(?=[^\s'])((?:[^'\n]|(?<=\w)'(?=\w)){1,300}?[^\s'])'(?![\w'])"
    r"|\u2018([^\u2019\n]{1,300})\u2019"
)
"""A line in single quotes: 'Come home,' she says. (Not an apostrophe: Tom's, the boys'.)"""
QUOTE_MARK = lazy("\ue000(\\d+)\ue001")
_PRE_RE = rx(
    r"(?:\b(?:with|in|on|using|through|from|for|as|and|while|at|into)\s+)?",
    r"(?:\b(?:an?|the|another)\s+)?$",
)
_LEAD_RE = rx(r"^(?:(?:of|on|as|with|while|and|then|where|showing|to|camera|shots?)\b[\s,]*)+")
_TAIL_RE = rx(r"(?:[\s,]*\b(?:and|with|as|of|the|a|an|while|shot)\b)+[\s,]*$")
_POST_RE = rx(r"^\s*(?:of|on|showing|as|where|while|to\s+reveal|revealing)\b")


def parse_number(word: str) -> float:
    """A digit string or a number word ("three") as a number."""
    return float(NUMBERS[word.lower()]) if word.lower() in NUMBERS else float(word)


def join_words(items: list[str]) -> str:
    """ "Mara", "Mara and Tom", "Mara, Tom and Ana"."""
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


def shots_text(ids: list[int]) -> str:
    """ "shot 3" or "shots 2 and 5"."""
    return f"shot{'s' if len(ids) > 1 else ''} {join_words([str(i) for i in ids])}"


def cut_span(text: str, start: int, end: int, greedy: bool = True) -> str:
    """Remove text[start:end], with a dangling "with a"/"in the" before and "of"/"as" after."""
    if greedy:
        window = max(0, start - 40)  # look back a few words only: keeps long text fast
        if pre := _PRE_RE.search(text[window:start]):
            start = window + pre.start()
        end += post.end() if (post := _POST_RE.match(text[end:])) else 0
    return f"{text[:start]} {text[end:]}"


def tidy(text: str) -> str:
    """Make what is left of a sentence readable: spaces, commas, dangling little words."""
    text = QUOTE_MARK.sub(" ", text)
    text = re.sub(r"\(\s*\)|\s+", " ", text)
    text = re.sub(r"\s+([,.;:!?])", r"\1", text)
    text = re.sub(r"([,;:])(\s*[,;:])+", r"\1", text)
    for _ in range(3):
        text = _TAIL_RE.sub("", _LEAD_RE.sub("", text.strip(" ,;:-.!?\u2013\u2014")))
    return text[:1].upper() + text[1:]


VERDICT = (
    r"(?:they'?re|theyre|they\s+are|it'?s|its|it\s+was|that\s+was|that'?s|thats|they\s+were"
    r"|they\s+look|it\s+looks?|it\s+looked)\s+(?:\w+\s+)?(?:perfect|great|good|done|fine|lovely"
    r"|amazing|better|worse|wrong|boring|nicer|brilliant|spot\s+on|finished|sorted)"
    r"(?:\s+(?:before|now|already|as\s+(?:it|they)\s+(?:is|are|was|were)))?"
)
"""A verdict said after a command ("theyre perfect", "it was better before"): a clause of
its own (split off here) that asks for nothing (turn.py)."""
_CLAUSE_BREAK = rx(
    r",?\s+(?=(?:and\s+)?then\s+\w)",
    r"|,\s+(?=(?:and\s+)?(?:next|after\s+that|afterwards|finally|lastly)\s*,?\s+\w)",
    r"|,\s+(?=(?:an?\s+)?(?:extreme\s+|medium\s+)?(?:close[\s-]*up|wide\s+shot|medium\s+shot",
    r"|establishing|cut\s+to)\b)",
    r"|(?:,\s*and|,)\s+(?=(?:an?|another|one\s+more)\s+(?:(?:extreme|medium|quick|tight|slow|wide)\s+)?",
    r"(?:close[\s-]*up|closeup|wide|insert|cutaway|two[\s-]*shot|aerial|overhead\s+shot)\s+(?:of|on)\b)",
    r"|(?:(?<=\bones)|(?<=\binserts)|(?<=\bcutaways)|(?<=\bbeats)):\s+(?=\S)",
    r"|,\s+(?=(?:and\s+)?(?:every|each|all(?:\s+of)?(?:\s+the)?)\s+(?:single\s+)?(?:shots?|ones?)\b)",
    rf"|,?\s+(?={VERDICT}\W*$)",
    r"|(?:,?\s+and|,)\s+(?=(?:then\s+|please\s+|just\s+)?(?:lock|unlock|render|export|delete",
    r"|remove|move|make|change|undo|redo|compare|use|select|get\s+rid|drop|lose|bin|ditch|scrap",
    r"|kill|cut(?!\s+(?:to|back|away|in)\b))\b)",
)


def split_sentences(paragraph: str) -> list[list[str]]:
    """Sentences, each as its clauses: split at ";", before "then" or a shot size, before a
    joined command."""
    text = re.sub(r"\b(Dr|Mr|Mrs|Ms|St|vs|INT|EXT)\.", "\\1\ue002", paragraph)
    text = re.sub(r"(?m)^\s*(?:\d+[.)]|[-*\u2022])\s+", "", text)
    sentences = []
    for sentence in re.split(r"(?<=[.!?])\s+|\n+|;", text):
        parts = [p.replace("\ue002", ".").strip() for p in _CLAUSE_BREAK.split(sentence)]
        if parts := [p for p in parts if p and p.strip(" .,")]:
            sentences.append(parts)
    return sentences


def split_clauses(paragraph: str) -> list[str]:
    """The clauses of a paragraph, in order (see `split_sentences`)."""
    return [clause for sentence in split_sentences(paragraph) for clause in sentence]


def split_paragraphs(text: str) -> list[str]:
    """Paragraphs: blocks between blank lines, and each line of a list or of a pasted
    storyboard (one line a shot) on its own."""
    text = re.sub(r"(?<=[.!?:])\s+(?=\(?\d{1,2}[.)]\s+\S)", "\n", text)  # "... 2) Tom runs"
    return [line for line in re.split(r"\n+", text) if line.strip()]
