"""The offline director's facade: a message in, a DirectorReply out."""

from __future__ import annotations

import re
from typing import Any

from storyreel.agent.director import DirectorReply
from storyreel.agent.handles import ask_about, unknown_handles
from storyreel.agent.offline import talk
from storyreel.agent.offline.cast import read_answer
from storyreel.agent.offline.text import join_words, lazy, rx
from storyreel.agent.offline.turn import Turn
from storyreel.tools.edits import (
    BindReference,
    EditModel,
    UpdateShot,
)
from storyreel.tools.story import StoryPlan
from storyreel.tools.vocabulary import (
    LightSide,
    TimeOfDay,
    parse_term,
)

OFFLINE_NOTICE = (
    "(I'm the offline director: I follow simple rules. For free-form direction, connect a "
    "language model: set OPENAI_BASE_URL, OPENAI_API_KEY and STORYREEL_MODEL.)"
)
HELP = (
    "I didn't catch any direction in that. I understand sentences like:\n"
    "- Mara, a tall woman in a red raincoat, waits on the pier.\n"
    "- We're at the harbour at dusk, light from the left.\n"
    '- Open on a wide shot of the harbour. Cut to a close-up of Mara. She says "Come home."\n'
    "- Make shot 2 a close-up. Lock shot 3. Move shot 2 after shot 4. Undo.\n"
    "- Render shots 2 and 5. Compare shot 1 on previz and wan. Export the film."
)
MAX_CHARS = 5000
"""Longer messages get a polite request to send the story in parts."""


class OfflineDirector:
    """Reads direction with rules instead of a language model (see the module docstring)."""

    name = "offline"

    def direct(self, text: str, plan: StoryPlan, memo: dict[str, Any]) -> DirectorReply:
        """Turn `text` into edits against `plan`; `memo` keeps context between messages."""
        try:
            reply = self._direct(text if isinstance(text, str) else "", plan, memo)
        except Exception:  # a rule bug must never end the conversation
            reply = DirectorReply(reply="Sorry, I got confused by that.\n" + HELP, edits=[])
        if not memo.get("told_offline") and OFFLINE_NOTICE not in reply.reply:
            reply = reply.model_copy(update={"reply": f"{reply.reply}\n{OFFLINE_NOTICE}"})
        memo["told_offline"] = True
        return reply

    def _direct(self, text: str, plan: StoryPlan, memo: dict[str, Any]) -> DirectorReply:
        """Read a message: an answer to a pending question, thanks, or direction."""
        if len(text) > MAX_CHARS:
            return DirectorReply(
                reply=f"That is a lot at once ({len(text)} characters). I work best with a "
                "paragraph or two per message: please send the story in parts.",
                edits=[],
            )
        text, attached = _split_attached(text)
        if attached and (bound := _bind_attached(text, attached, plan)) is not None:
            return bound
        if attached and not text.strip():
            return DirectorReply(
                reply=f"Got it: {', '.join(attached)}. Tell me what it shows, e.g. "
                '"this is Mara", or use it in direction.',
                edits=[],
            )
        if (timed := _as_long_as(text, plan)) is not None:
            return timed
        text = _SIGNED_OFF_RE.sub(r"lock \g<what>", text)  # "...are signed off. Lock them."
        turn = Turn(plan, memo)
        pending = memo.pop("pending", None)
        if isinstance(pending, dict):
            if (answer := read_answer(text, list(pending.get("choices") or []))) is not None:
                return self._resume(turn, pending, answer)
            turn.notes.append(f'(I left out "{pending.get("clause")}", the shot I asked about.)')
        if talk.not_english(text):
            return DirectorReply(
                reply="I only understand English, sorry: please say it in English, e.g. "
                '"Close-up of Mara reading the letter."',
                edits=[],
            )
        if talk.is_away(text):
            return DirectorReply(reply="No rush: nothing changed, I'll be here.", edits=[])
        if talk.is_chat(text) and not memo.get("pending_shot"):
            return DirectorReply(
                reply="Glad you like it. Tell me what to change next, or say "
                '"export" for the final cut.',
                edits=[],
            )
        held = memo.pop("held", None)
        turn.run(text)
        if isinstance(held, str):
            turn.run(held)
        reply = self._finish(turn)
        unknown = unknown_handles(f"{text} {held or ''}", plan, reply.edits)
        if not unknown:
            return reply
        if isinstance(held, str):  # asked once already: keep this message, drop the held one
            turn = Turn(plan, memo)
            turn.run(text)
            still = ", ".join(unknown)
            turn.notes.append(f'(I left out "{held}": I still do not know {still}.)')
            reply = self._finish(turn)
            unknown = unknown_handles(text, plan, reply.edits)
            if not unknown:
                return reply
        memo["held"] = text
        return DirectorReply(reply="", edits=[ask_about(unknown, plan)])

    def _resume(self, turn: Turn, pending: dict[str, Any], answer: list[str]) -> DirectorReply:
        """The person said whom they meant: finish the held-back shot, then the rest."""
        turn.location = turn._known_place(pending.get("location")) or turn.location
        if pending.get("time"):
            turn.par_time = parse_term(TimeOfDay, pending["time"])
        if pending.get("light"):
            turn.par_light = parse_term(LightSide, pending["light"])
        turn.forced = {str(pending.get("gender", "p")): answer}
        turn.opening = f"Got it: {join_words(answer) if answer else 'nobody in particular'}."
        rest = [r for r in pending.get("rest") or [""] if isinstance(r, str)] or [""]
        text = "\n\n".join([f"{pending.get('clause', '')}; {rest[0]}", *rest[1:]])
        turn.run(text, keep_paragraph=True)
        return self._finish(turn)

    def _finish(self, turn: Turn) -> DirectorReply:
        """The reply, or the help when nothing at all was understood."""
        text = turn.reply()
        if not turn.edits and not text:
            return DirectorReply(reply=f"{HELP}\n{OFFLINE_NOTICE}", edits=[])
        return DirectorReply(reply=text, edits=turn.edits)


_SIGNED_OFF_RE = rx(
    r"^\W*(?:(?:ok(?:ay)?|right|so|great|nice)\b[,\s]*)*(?P<what>[^.;,]{2,60}?)\s+(?:are|is|'re|'s)",
    r"\s+(?:all\s+|both\s+)?(?:signed\s+off|approved|done|good(?:\s+to\s+go)?|final|fine|perfect",
    r"|sorted|nailed)\s*(?:now\s*)?[,.;!]?\s*(?:(?:so|and)\s+)?(?:please\s+)?(?:lock|freeze)\s+",
    r"(?:them|it|those|these)(?:\s+(?:both|all|in|please|now))*\W*$",
)
"""Shots approved, then locked: "Shots one to four are signed off. Lock them."."""
_ATTACHED_RE = lazy(r"\n?\(Attached: (.*)\)\s*$", re.S)
_POINTS_AT_RE = rx(
    r"^\s*(?:(?:this|that|these|here|it)(?:'s|\s+is|\s+are)\s+(?:(?:a|the)\s+",
    r"(?:photo|picture|image|clip|reference)\s+(?:of|for)\s+)?(?P<a>.+?)",
    r"|(?P<b>.+?)\s+looks?\s+like\s+(?:this|that|these)",
    r"|(?:use\s+)?(?:this|these|it|them)\s+(?:for|as)\s+(?P<c>.+?))\s*[.!]*\s*$",
)


def _split_attached(text: str) -> tuple[str, list[str]]:
    """The person's words and the handles of the files they attached (the agent's note)."""
    match = _ATTACHED_RE.search(text)
    if match is None:
        return text, []
    return text[: match.start()], re.findall(r"(@[a-z0-9][a-z0-9-]*) is ", match.group(1))


def _bind_attached(text: str, handles: list[str], plan: StoryPlan) -> DirectorReply | None:
    """ "this is Mara" / "Mara looks like this" / "use it for the harbour", with files attached."""
    match = _POINTS_AT_RE.match(text)
    if match is None:
        return None
    said = next(group for group in match.groups() if group)
    said = re.sub(r"(?:'s|s')\s+(?:look|face|reference|photo)$", "", said.strip(), flags=re.I)
    said = re.sub(r"^(?:the|our|my)\s+", "", said, flags=re.I)
    thing = plan.find_character(said) or plan.find_location(said)
    if thing is None:
        return None
    edits: list[EditModel] = [BindReference(handle=h, entity=thing.name) for h in handles]
    where = f"with {thing.name}" if plan.find_character(said) else f"at {thing.name.lower()}"
    return DirectorReply(
        reply=f"{' and '.join(handles)} {'is' if len(handles) == 1 else 'are'} now "
        f"{thing.name}'s reference: every shot {where} uses it.",
        edits=edits,
    )


_AS_LONG_AS = lazy(
    r"^\s*(?:make|set|let)\s+shot\s+(\d+)\s+(?:be\s+)?(?:as\s+)?long\s+as\s+(@[\w-]+)\W*$", re.I
)


def _as_long_as(text: str, plan: StoryPlan) -> DirectorReply | None:
    """ "make shot 3 as long as @audio1": the shot takes the length of a sound or clip."""
    match = _AS_LONG_AS.match(text)
    if match is None:
        return None
    shot_id, handle = int(match.group(1)), match.group(2).lower()
    ref = next((r for r in plan.references if handle in (r.handle, r.name)), None)
    if ref is None or not ref.duration_s:
        known = ", ".join(r.handle for r in plan.references if r.duration_s) or "none yet"
        return DirectorReply(
            reply=f"I don't know a sound or clip called {handle} (ones with a length: {known}).",
            edits=[],
        )
    seconds = round(min(60.0, ref.duration_s), 2)
    return DirectorReply(
        reply=f"Shot {shot_id} will last {seconds:g} s, as long as {ref.handle}.",
        edits=[UpdateShot(shot_id=shot_id, duration_s=seconds)],
    )
