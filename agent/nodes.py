"""The graph's nodes: small functions from state (and run-time context) to a partial update.

direct -> apply -> approve -> render -> critique -> report (-> ask -> direct).
Everything a node does before `interrupt()` is idempotent: it runs again on resume.
"""

from __future__ import annotations

import logging
import re
from pathlib import Path
from typing import Any

from langgraph.errors import GraphBubbleUp
from langgraph.runtime import Runtime
from langgraph.types import interrupt
from pydantic import TypeAdapter

from storyreel.agent.director import DirectorReply, note_stills
from storyreel.agent.events import NOTHING_CHANGED, Question, emit
from storyreel.agent.state import AgentContext, AgentState, RenderedItem, turn_input
from storyreel.renderer.backend import Quality, backend_names
from storyreel.renderer.request import RenderCancelled
from storyreel.tools.edits import (
    AskPerson,
    CompareBackends,
    DirectorEdit,
    EditContext,
    EditModel,
    ExportFilm,
    MakeKeyframes,
    RedoChange,
    ReferenceFromTake,
    RemoveShot,
    RenderShots,
    UndoChange,
    apply_edits,
    is_action,
    resolve_action_refs,
)
from storyreel.tools.errors import StoryreelError
from storyreel.tools.quality import default_quality, estimate_words, tier_seconds
from storyreel.tools.rendering import (
    RenderProgress,
    ShotOutcome,
    backend_capabilities,
    render_shots,
    takes_needing_render,
)
from storyreel.tools.story import StoryPlan
from storyreel.tools.supervisor import FIX_HINT, notes_on_change

_log = logging.getLogger(__name__)

_EDITS = TypeAdapter(list[DirectorEdit])
YES = {"yes", "y", "ok", "okay", "sure", "go", "go ahead", "do it", "approve", "yes please"}


def is_yes(answer: object) -> bool:
    """True when an approval answer means yes."""
    return str(answer).strip().lower().rstrip(".!") in YES


def _edits(items: list[dict[str, Any]]) -> list[EditModel]:
    return list(_EDITS.validate_python(items))


def direct(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Ask the director what the message means: a reply, plan edits and actions."""
    ctx = runtime.context
    memo = dict(state.get("memo") or {})
    message = state.get("message", "")
    notes, problems = _attach(ctx, state.get("attachments", []))
    if notes:
        message = f"{message}\n(Attached: {'; '.join(notes)})"
    plan = ctx.project.memory.plan()
    note_stills(ctx.project, plan, memo)
    try:
        given = state.get("given")
        if given is not None:
            reply = DirectorReply.model_validate(given)
            if notes and not reply.reply:
                reply.reply = f"Added {'; '.join(notes)}."
        else:
            reply = ctx.director.direct(message, plan, memo)
    except StoryreelError as error:  # the director says why it could not (LLM unreachable...)
        problems.append(str(error))
        failed = bool(getattr(error, "unavailable", False))
        return {"reply": "", "problems": problems, "memo": memo, "director_failed": failed}
    except Exception as error:  # a director bug must not kill the session
        problems.append(f"I hit a problem reading that ({error}).")
        return {"reply": "", "problems": problems, "memo": memo, "director_failed": True}
    plan_edits = [e for e in reply.edits if not is_action(e)]
    actions = [e for e in reply.edits if is_action(e)]
    return {
        "reply": reply.reply,
        "edits": [e.model_dump(mode="json") for e in plan_edits],
        "actions": [e.model_dump(mode="json") for e in actions],
        "memo": memo,
        "problems": problems,
    }


def _attach(ctx: AgentContext, paths: list[str]) -> tuple[list[str], list[str]]:
    """Turn attached files into references; idempotent (same bytes give the same handle)."""
    notes: list[str] = []
    problems: list[str] = []
    if not paths:
        return notes, problems
    from storyreel.tools.references import attach_file

    for path in paths:
        try:
            reference = attach_file(ctx.project, Path(path), ctx.director.name)
            notes.append(f"{reference.handle} is {Path(path).name} ({reference.kind.value})")
            emit("notice", f"{Path(path).name} is now {reference.handle}", handle=reference.handle)
        except StoryreelError as error:
            problems.append(f"I could not use {Path(path).name}: {error}.")
    return notes, problems


def _destructive(ctx: AgentContext, edits: list[EditModel]) -> list[str]:
    """Plain descriptions of edits that throw rendered work away."""
    found = []
    for edit in edits:
        if isinstance(edit, RemoveShot):
            takes = ctx.project.memory.take_numbers(edit.shot_id)
            if takes:
                found.append(f"remove shot {edit.shot_id}, which has {len(takes)} take(s)")
    return found


def apply(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Check the plan edits; commit them as one revision unless they need approval first."""
    ctx = runtime.context
    memory = ctx.project.memory
    edits = _edits(state.get("edits", []))
    lines: list[str] = []
    problems = list(state.get("problems", []))
    pending = refused = False
    supervised: AgentState = {}
    refs: dict[str, int] | None = {}
    if edits:
        counter = iter(range(10**9, 10**9 + 10_000))
        try:
            context = EditContext(
                lambda: next(counter),
                memory.take_numbers,
                keyframe_numbers=memory.keyframe_numbers,
            )
            apply_edits(memory.plan(), edits, context)
        except StoryreelError as error:
            problems.append(f"I could not make that change: {error}. Nothing was changed.")
            edits, refused = [], True
        except ValueError as error:  # a pydantic error inside an edit
            problems.append(f"I could not make that change: {error}. Nothing was changed.")
            edits, refused = [], True
    if edits and _destructive(ctx, edits) and not ctx.autopilot:
        pending, refs = True, None  # refs are known once the batch applies (in approve)
    elif edits:
        before = memory.plan()
        batch = memory.apply(edits, source=ctx.director.name)
        refs = batch.refs
        lines.extend(batch.lines)
        emit("plan", "; ".join(batch.lines), revision=batch.revision.id, lines=batch.lines)
        supervised = _supervise(before, memory.plan(), state)
    actions = _resolved_actions(
        _edits(state.get("actions", [])), refs, memory.plan(), [] if refused else problems
    )  # after a refused batch its refs name nothing; the refusal already says so
    done: list[str] = []
    for action in actions:
        try:
            if isinstance(action, UndoChange):
                for _ in range(action.steps):
                    done.append(f"Undid: {memory.undo().description}")
            elif isinstance(action, RedoChange):
                for _ in range(action.steps):
                    done.append(f"Redid: {memory.redo().description}")
            elif isinstance(action, ReferenceFromTake):
                done.append(_reference_from_take(ctx, action))
        except StoryreelError as error:
            problems.append(str(error).capitalize() + ".")
    if done:
        lines.extend(done)
        emit("plan", "; ".join(done), lines=done)
    update: AgentState = {
        "lines": lines,
        "problems": problems,
        "pending_edits": pending,
        "actions": [action.model_dump(mode="json") for action in actions],
    }
    if refused:  # the director's words described a change that did not happen
        update["reply"] = ""
    return {**update, **supervised}


def _resolved_actions(
    actions: list[EditModel],
    refs: dict[str, int] | None,
    plan: StoryPlan,
    problems: list[str],
) -> list[EditModel]:
    """The actions with the batch's temporary shot refs ("new1") replaced by the ids its new
    shots got (`refs`; None while the batch waits for approval); an action naming a ref it
    cannot use is left out and said in `problems`."""
    kept: list[EditModel] = []
    for action in actions:
        try:
            kept.extend(resolve_action_refs([action], refs, plan))
        except StoryreelError as error:
            problems.append(f"I could not do that: {error}.")
    return kept


def _reference_from_take(ctx: AgentContext, action: ReferenceFromTake) -> str:
    """Make a frame of a take a reference; say what was added."""
    from storyreel.tools.frame_refs import reference_from_take

    edit, reference, label = reference_from_take(
        ctx.project,
        action.shot_id,
        action.take,
        action.frame,
        name=action.name,
        entity=action.entity,
    )
    if edit is None:
        return f"{label[:1].upper()}{label[1:]} already is {reference.handle}"
    ctx.project.memory.apply([edit], source=ctx.director.name)
    whose = f" for {reference.entity}" if reference.entity else " for the look"
    return f"Added {reference.handle}{whose}: {label}"


def _render_requests(state: AgentState, ctx: AgentContext) -> list[RenderShots]:
    """The renders this turn will do: asked for, or automatic after a plan change."""
    actions = _edits(state.get("actions", []))
    asked = [a for a in actions if isinstance(a, RenderShots)]
    wants_export = any(isinstance(a, ExportFilm) for a in actions)
    if asked:
        return asked
    if wants_export or (ctx.auto_render and state.get("lines")):
        return [RenderShots(backend=ctx.backend)]
    return []


def _estimate_gpu_s(
    ctx: AgentContext, requests: list[RenderShots]
) -> tuple[float, int, dict[Quality, float]]:
    """Rough GPU seconds of the renders at the tier each will use (`default_quality`), the
    shot count, and the GPU seconds of the same renders at each tier (0 for CPU backends
    like previz; a draft costs its backend's `cost_of("draft")` of a final)."""
    plan = ctx.project.memory.plan()
    seconds, count = 0.0, 0
    tiers: dict[Quality, float] = {"draft": 0.0, "final": 0.0}
    for request in requests:
        backend = request.backend or ctx.backend
        if backend not in backend_names():
            continue
        shots = [
            s for s in plan.ordered_shots() if not request.shot_ids or s.id in request.shot_ids
        ]
        if not request.force:
            needing = set(takes_needing_render(ctx.project, shots))
            shots = [s for s in shots if s.id in needing]
        count += len(shots)
        frames = sum(s.duration_s * plan.style.fps for s in shots)
        each = tier_seconds(backend_capabilities(backend), frames)
        try:
            quality = default_quality(backend, ctx.project.root)
        except StoryreelError:  # bad GPU settings: the render says so; estimate the dearer
            quality = "final"
        seconds += each[quality]
        tiers = {tier: tiers[tier] + each[tier] for tier in tiers}
    return seconds, count, tiers


def approve(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Ask the person before destructive edits or renders over the GPU budget."""
    ctx = runtime.context
    reasons = []
    edits = _edits(state.get("edits", [])) if state.get("pending_edits") else []
    reasons.extend(_destructive(ctx, edits))
    gpu_s, count, tiers = _estimate_gpu_s(ctx, _render_requests(state, ctx))
    quality: Quality = "draft" if gpu_s < tiers["final"] else "final"
    estimate = estimate_words(count, tiers, quality)
    if gpu_s > ctx.gpu_budget_s:
        reasons.append(estimate)
    approved = True
    if reasons and not ctx.autopilot:
        question = Question(
            kind="approval",
            question=f"This will {' and '.join(reasons)}. Go ahead?",
            choices=["yes", "no"],
        )
        approved = is_yes(interrupt(question.model_dump()))
    if approved and 0 < gpu_s <= ctx.gpu_budget_s:  # the cost is said before work starts
        emit("notice", f"This will {estimate}.", gpu_s=round(gpu_s, 1), tiers=tiers)
    update: AgentState = {}
    lines = list(state.get("lines", []))
    if edits and approved:
        before = ctx.project.memory.plan()
        batch = ctx.project.memory.apply(edits, source=ctx.director.name)
        lines.extend(batch.lines)
        emit("plan", "; ".join(batch.lines), revision=batch.revision.id, lines=batch.lines)
        update.update(_supervise(before, ctx.project.memory.plan(), state))
        problems = list(state.get("problems", []))
        actions = _edits(state.get("actions", []))
        actions = _resolved_actions(actions, batch.refs, ctx.project.memory.plan(), problems)
        update["actions"] = [action.model_dump(mode="json") for action in actions]
        update["problems"] = problems
    elif not approved:
        update["problems"] = [*state.get("problems", []), "Okay, I left that alone."]
        update["render_ids"] = []
    update["lines"] = lines
    return update


def _supervise(before: StoryPlan, after: StoryPlan, state: AgentState) -> AgentState:
    """The script supervisor's notes on what this change touched, for the report, and
    their fixes kept in the memo so "fix it" can apply them next."""
    notes = notes_on_change(before, after)
    memo = dict(state.get("memo") or {})
    memo["supervisor_fixes"] = [edit.model_dump(mode="json") for note in notes for edit in note.fix]
    said = [f"Script supervisor: {note.message}" for note in notes]
    if memo["supervisor_fixes"]:
        said.append(FIX_HINT)
    return {"notes": [*state.get("notes", []), *said], "memo": memo}


def _outcome_event(outcome: ShotOutcome) -> None:
    if outcome.status == "up_to_date":
        return
    take = outcome.take
    emit(
        "take",
        outcome.message,
        shot_id=outcome.shot_id,
        status=outcome.status,
        take=take.number if take else None,
        path=take.path if take else None,
        backend=take.backend if take else None,
    )


_HINT_WORDS = {"move": "a clearer camera move", "still": "a steady camera"}


def render(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Render the critic's retakes, or what was asked (or what changed), then run the
    comparisons and the export that were asked for; progress streams as events.

    Returns the turn's `rendered` items, the new ones again as `to_critique`, the
    exported files as `artifacts`, and `problems` with what could not be done.
    """
    ctx = runtime.context
    if state.get("render_ids") == []:  # the person said no to the renders
        return {}
    if state.get("retake_ids"):
        return _render_retakes(state, ctx)
    return _render_asked(state, ctx)


def _render_retakes(state: AgentState, ctx: AgentContext) -> AgentState:
    """Render a new take (new seed, the critic's hint) of each shot in `retake_ids`, on
    the backend the shot was just rendered with; the new takes are selected."""
    retakes = list(state.get("retake_ids") or [])
    hints = {int(k): v for k, v in (state.get("retake_hints") or {}).items()}
    emit("notice", _retake_notice(retakes, hints))
    problems = list(state.get("problems", []))
    backend = _last_backend(state, retakes, ctx)
    retaken: list[RenderedItem] = []
    up_to_date = 0
    if backend not in backend_names():
        problems.append(_not_available(backend))
    else:
        try:
            retaken, up_to_date = _render_with(ctx, retakes, backend, force=True, hints=hints)
        except StoryreelError as error:
            problems.append(_sentence(error))
        except (GraphBubbleUp, RenderCancelled):  # interrupts and a stop go on up
            raise
        except Exception as error:  # a renderer bug must not leave the turn stuck
            problems.append(_renderer_failure(backend, error))
    return {
        "rendered": [*state.get("rendered", []), *retaken],
        "up_to_date": state.get("up_to_date", 0) + up_to_date,
        "to_critique": retaken,
        "retake_ids": [],
        "problems": problems,
    }


def _retake_notice(retakes: list[int], hints: dict[int, str]) -> str:
    """What the person is told before retakes: the shots, and what each retake stresses."""
    stressed = [f"shot {i} ({_HINT_WORDS[hints[i]]})" for i in retakes if i in hints]
    return f"Retaking shot(s) {', '.join(map(str, retakes))} with a new seed" + (
        f"; asking for {', '.join(stressed)}." if stressed else "."
    )


def _render_asked(state: AgentState, ctx: AgentContext) -> AgentState:
    """The turn's renders (asked for, or automatic after a plan change), comparisons and
    export, in that order. A backend that is not available is said and skipped; any other
    error is said and stops what is left."""
    actions = _edits(state.get("actions", []))
    problems = list(state.get("problems", []))
    rendered: list[RenderedItem] = []
    up_to_date = 0
    artifacts: list[str] = []
    notes: list[str] = []
    try:
        for stills in (a for a in actions if isinstance(a, MakeKeyframes)):
            files, said = _keyframes(ctx, stills)
            artifacts += files
            notes += said
        for request in _render_requests(state, ctx):
            backend = request.backend or ctx.backend
            if backend not in backend_names():
                problems.append(_not_available(backend))
                continue
            items, current = _render_with(ctx, request.shot_ids or None, backend, request.force)
            rendered += items
            up_to_date += current
        for compare in (a for a in actions if isinstance(a, CompareBackends)):
            missing = [b for b in compare.backends if b not in backend_names()]
            if missing:
                problems.append(_cannot_compare(missing))
                continue
            compared, files = _compare(ctx, compare)
            rendered += compared
            artifacts += files
        if any(isinstance(a, ExportFilm) for a in actions):
            artifacts += _export(ctx)
    except StoryreelError as error:
        problems.append(_sentence(error))
    except (GraphBubbleUp, RenderCancelled):  # interrupts and a stop go on up
        raise
    except Exception as error:  # a renderer bug must not leave the turn stuck
        problems.append(_renderer_failure(ctx.backend, error))
    return {
        "rendered": rendered,
        "up_to_date": up_to_date,
        "to_critique": rendered,
        "artifacts": artifacts,
        "problems": problems,
        **({"notes": [*state.get("notes", []), *notes]} if notes else {}),
    }


def _keyframes(ctx: AgentContext, asked: MakeKeyframes) -> tuple[list[str], list[str]]:
    """Draw candidate stills of the asked shots on the turn's backend when it makes stills
    (else previz, said in a note); a notice per shot and the sheet as an artifact whose
    caption lists the numbered choices. Returns the sheet file and the reply's lines."""
    from storyreel.tools.keyframes import can_make_stills, make_keyframes

    backend, said = ctx.backend, []
    if backend not in backend_names() or not can_make_stills(backend, ctx.project.root):
        said.append(f"{backend} cannot make stills, so I drew them with previz.")
        backend = "previz"
    shot_ids = [int(i) for i in asked.shot_ids]
    report = make_keyframes(
        ctx.project,
        ctx.executor,
        shot_ids,
        count=asked.count,
        backend=backend,
        cancel=ctx.cancel,
        on_wait=_waiting_notice,
    )
    choices = []
    for drawn in report.shots:
        numbers = ", ".join(str(k.number) for k in drawn.stills)
        word = "still" if len(drawn.stills) == 1 else "stills"
        line = f"Shot {drawn.shot_id}: {word} {numbers}"
        emit("notice", f"{line} ({backend}).", shot_id=drawn.shot_id)
        for note in drawn.notes:
            emit("notice", note[:1].upper() + note[1:] + ".", shot_id=drawn.shot_id)
        if drawn.stills:
            choices.append(line)
    if not choices or report.sheet is None:
        return [], [*said, "No stills were drawn."]
    first = next(d for d in report.shots if d.stills)
    ordinal = ("first", "second", "third", "fourth")
    example = ordinal[min(len(first.stills), 2) - 1]
    how = f'Pick one: say "use the {example} one for shot {first.shot_id}".'
    caption = "Candidate stills. " + "; ".join(choices) + ". " + how
    path = str(report.sheet.path)
    shown = [d.shot_id for d in report.shots if d.stills]
    emit(
        "artifact",
        f"candidate stills: {path}",
        kind="candidate stills",
        path=path,
        caption=caption,
        shot_ids=shown,
    )
    said.append(f"Drew candidate stills. {'; '.join(choices)}. {how}")
    return [path], said


def _render_with(
    ctx: AgentContext,
    shot_ids: list[int] | None,
    backend: str,
    force: bool,
    hints: dict[int, str] | None = None,
) -> tuple[list[RenderedItem], int]:
    """Render `shot_ids` (None: every shot that needs it) on an available `backend`,
    streaming progress, takes and notices as events.

    Returns an item per shot that was not already up to date, and how many were (the
    state keeps only the shots this turn touched, so its checkpoints do not grow with
    the plan).

    New takes are of the backend's default tier (`default_quality`: drafts on GPU backends
    unless the project's storyreel-gpu.toml says `[quality] default = "final"`).

    Raises:
        StoryreelError: what `render_shots` refuses (an unknown shot, unwritable takes...).
    """
    report = render_shots(
        ctx.project,
        ctx.executor,
        shot_ids,
        backend=backend,
        force=force,
        quality=default_quality(backend, ctx.project.root),
        on_progress=_progress_event,
        on_outcome=_outcome_event,
        cancel=ctx.cancel,
        source=ctx.director.name,
        hints=hints,
        on_wait=_waiting_notice,
    )
    for note in report.notes:
        emit("notice", note)
    items = [
        RenderedItem(
            shot_id=o.shot_id,
            status=o.status,
            take=o.take.number if o.take else None,
            backend=backend,
        )
        for o in report.outcomes
        if o.status != "up_to_date"
    ]
    return items, len(report.outcomes) - len(items)


def _progress_event(event: RenderProgress) -> None:
    """Frame progress of the shot being rendered, as a `progress` event."""
    emit(
        "progress",
        event.message,
        shot_id=event.shot_id,
        step=event.step,
        total=event.total,
        index=event.index,
        count=event.count,
    )


def _waiting_notice(line: str) -> None:
    """Another process renders this story: said once, as a notice."""
    emit("notice", line, waiting=True)


def _compare(ctx: AgentContext, compare: CompareBackends) -> tuple[list[RenderedItem], list[str]]:
    """Render one shot on several (available) backends with one seed; write the side-by-side
    video and sheet. Returns an item per contender and the two files."""
    from storyreel.tools.compare import compare_shot

    result = compare_shot(
        ctx.project,
        ctx.executor,
        compare.shot_id,
        [(b, None) for b in compare.backends],
        _progress_event,
        ctx.cancel,
        on_wait=_waiting_notice,
    )
    compared: list[RenderedItem] = []
    for contender in result.contenders:
        compared.append(
            RenderedItem(
                shot_id=compare.shot_id,
                status="compared",
                take=contender.take.number,
                backend=contender.backend,
            )
        )
        emit(
            "take",
            f"shot {compare.shot_id} on {contender.backend}: take "
            f"{contender.take.number} ({contender.verdict})",
            shot_id=compare.shot_id,
            status="rendered",
            take=contender.take.number,
            backend=contender.backend,
        )
    files: list[str] = []
    for label, path in (("comparison video", result.video), ("comparison sheet", result.sheet)):
        files.append(str(path))
        emit("artifact", f"{label}: {path}", kind=label, path=str(path))
    return compared, files


def _export(ctx: AgentContext) -> list[str]:
    """Export the cut, the storyboard and the timeline; the files written."""
    from storyreel.tools.exports import export

    result = export(ctx.project)
    if result.tier_note:
        emit(
            "notice",
            result.tier_note[:1].upper() + result.tier_note[1:] + ".",
            drafts=result.drafts,
        )
    files: list[str] = []
    for label, path in (
        ("cut", result.cut),
        ("storyboard", result.sheet),
        ("timeline", result.otio),
    ):
        if path is not None:
            files.append(str(path))
            emit("artifact", f"{label}: {path}", kind=label, path=str(Path(path)))
    return files


def _not_available(backend: str) -> str:
    """The problem of a render asked of a backend that is not registered here."""
    return (
        f"The {backend} renderer is not available here (available: {', '.join(backend_names())})."
    )


def _cannot_compare(missing: list[str]) -> str:
    """The problem of a comparison asked of backends that are not registered here."""
    return (
        f"I cannot compare on {', '.join(missing)}: not available here "
        f"(available: {', '.join(backend_names())})."
    )


def _renderer_failure(backend: str, error: Exception) -> str:
    """What the person is told when a renderer fails with an unexpected error: the plan
    and every finished take are kept, and the next message is read as usual. The
    traceback goes to the log for a bug report."""
    _log.exception("rendering failed")
    detail = str(error).strip().splitlines()[0][:200] if str(error).strip() else ""
    return (
        f"Rendering stopped: the {backend} renderer failed ({type(error).__name__}"
        f"{': ' + detail if detail else ''}). Your plan and the takes already made are kept; "
        "say what to change, or try again."
    )


def _sentence(error: StoryreelError) -> str:
    """An error's message as a sentence for the reply."""
    text = str(error)
    return text[:1].upper() + text[1:] + "."


def _last_backend(state: AgentState, shot_ids: list[int], ctx: AgentContext) -> str:
    """The backend the shots were just rendered with (retakes use the same one)."""
    for item in reversed(state.get("rendered", [])):
        if item["shot_id"] in shot_ids and item.get("backend"):
            return str(item["backend"])
    return ctx.backend


def critique(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Critique each new take; retake clearly broken ones (bounded), then ask the person.

    Reviews are deterministic and stored idempotently, so re-running this node
    on resume (before its interrupt) repeats the same decisions.
    """
    counts = dict(state.get("retake_counts", {}))
    notes = list(state.get("notes", []))
    new_takes = [
        item
        for item in state.get("to_critique", [])
        if item["status"] in ("rendered", "repaired") and item.get("take") is not None
    ]
    if not new_takes:  # the critic (and its imports) only for new takes
        return {"retake_ids": [], "retake_counts": counts, "notes": notes, "to_critique": []}
    from storyreel.tools.critic import retake_hint, verdict_sentence
    from storyreel.tools.review import review_take

    ctx = runtime.context
    memory = ctx.project.memory
    plan = memory.plan()
    hints = dict(state.get("retake_hints") or {})
    retake, stuck = [], []
    for item in new_takes:
        shot = plan.find_shot(item["shot_id"])
        take = next((t for t in memory.takes(item["shot_id"]) if t.number == item["take"]), None)
        if shot is None or take is None:
            continue
        review = review_take(ctx.project, plan, shot, take)
        problems = [f.message for f in review.findings if f.severity == "error"]
        warnings = [f.message for f in review.findings if f.severity == "warning"]
        text = verdict_sentence(f"Shot {shot.id}, take {take.number}", review)
        emit(
            "critique",
            text,
            shot_id=shot.id,
            take=take.number,
            verdict=review.verdict,
            findings=[f.model_dump(mode="json") for f in review.findings],
        )
        notes.extend(warnings)
        if review.verdict != "retake":
            continue
        if counts.get(str(shot.id), 0) < ctx.max_retakes:
            counts[str(shot.id)] = counts.get(str(shot.id), 0) + 1
            retake.append(shot.id)
            hint = retake_hint(review.findings)
            if hint:
                hints[str(shot.id)] = hint
            else:
                hints.pop(str(shot.id), None)
        else:
            stuck.append((shot.id, problems))
    if retake:
        return {
            "retake_ids": retake,
            "retake_counts": counts,
            "retake_hints": hints,
            "notes": notes,
            "to_critique": [],
        }
    if stuck and not ctx.autopilot:
        ids = ", ".join(str(shot_id) for shot_id, _ in stuck)
        reasons = " ".join(p for _, found in stuck for p in found[:1])
        question = Question(
            kind="approval",
            question=f"After {ctx.max_retakes} retakes, shot(s) {ids} still have problems: "
            f"{reasons} Keep the latest take, or try again?",
            choices=["keep", "try again"],
        )
        answer = str(interrupt(question.model_dump())).strip().lower()
        if answer.startswith(("try", "again", "retake", "yes")):
            for shot_id, _ in stuck:
                counts[str(shot_id)] = 0
            return {"retake_ids": [s for s, _ in stuck], "retake_counts": counts, "notes": notes}
        kept = _selected_takes(ctx, [shot_id for shot_id, _ in stuck])
        notes.append(f"Kept the latest take of shot(s) {ids}{kept} as you asked.")
    elif stuck:
        kept = _selected_takes(ctx, [shot_id for shot_id, _ in stuck])
        notes.append(
            f"Shot(s) {', '.join(str(s) for s, _ in stuck)} still have problems after "
            f"{ctx.max_retakes} retakes; I kept the latest take{kept}."
        )
    return {"retake_ids": [], "retake_counts": counts, "notes": notes, "to_critique": []}


def _selected_takes(ctx: AgentContext, shot_ids: list[int]) -> str:
    """The takes the plan selects for `shot_ids`, as the person is told: " (shot 2: take 3)"
    ("" when none of them has a take)."""
    plan = ctx.project.memory.plan()
    said = ", ".join(
        f"shot {shot.id}: take {shot.selected_take}"
        for shot_id in shot_ids
        if (shot := plan.find_shot(shot_id)) is not None and shot.selected_take is not None
    )
    return f" ({said})" if said else ""


def _render_summary(rendered: list[RenderedItem], up_to_date: int = 0) -> str:
    """What the turn's renders did, in words (`up_to_date`: shots found up to date)."""
    made = [str(r["shot_id"]) for r in rendered if r["status"] in ("rendered", "repaired")]
    reused = [str(r["shot_id"]) for r in rendered if r["status"] == "reused"]
    locked = [str(r["shot_id"]) for r in rendered if r["status"] == "locked"]
    parts = []
    if made:
        parts.append(f"Rendered shot{'s' if len(made) > 1 else ''} {', '.join(made)}.")
    if reused:
        parts.append(f"Reused earlier takes for shot(s) {', '.join(reused)}.")
    if locked:
        parts.append(f"Left locked shot(s) {', '.join(locked)} as they are.")
    if (rendered or up_to_date) and not parts:
        parts.append("Every shot is already up to date.")
    return " ".join(parts)


_EXPORTING_RE = re.compile(r"(?:^|(?<=[.!?]\s))Exporting\b[^.!?]*[.!?]\s*")
"""A sentence announcing the export ("Exporting the final cut."), as directors say it."""


def report(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Tell the person what happened: the director's words, renders, exports, problems.

    The exact plan changes went out as `plan` events; the reply repeats them only
    when the director said nothing itself. After an export, the reply says where the
    files went, in place of the director's "Exporting ..." (which would come after the
    files it announces) and of "Every shot is already up to date." (the export says so).
    """
    lines = state.get("lines", [])
    said = state.get("reply", "").strip()
    artifacts = state.get("artifacts", [])
    exported = any(path.endswith(".otio") for path in artifacts)
    if exported:
        said = _EXPORTING_RE.sub("", said).strip()
    parts = [said or " ".join(line.rstrip(".") + "." for line in lines)]
    rendered = state.get("rendered", [])
    up_to_date = state.get("up_to_date", 0)
    # a checkpoint saved before shots up to date were only counted may still list them
    made = [r for r in rendered if r["status"] != "up_to_date"]
    if made or ((rendered or up_to_date) and not lines and not exported):
        parts.append(_render_summary(rendered, up_to_date))
    if exported:
        folder = Path(artifacts[0]).parent
        parts.append(f"Exported the cut, the storyboard and the timeline to {folder}.")
    compared = [r for r in state.get("rendered", []) if r["status"] == "compared"]
    if compared:
        takes = ", ".join(f"take {r['take']} on {r['backend']}" for r in compared)
        parts.append(
            f"Compared shot {compared[0]['shot_id']}: {takes}. The side-by-side video and "
            "sheet are in the exports folder; tell me which take to use."
        )
    retaken = {k: v for k, v in state.get("retake_counts", {}).items() if v}
    if retaken:
        said_retakes = ", ".join(f"shot {k} ({v}x)" for k, v in retaken.items())
        parts.append(f"The critic asked for retakes: {said_retakes}.")
    parts.extend(state.get("notes", []))
    parts.extend(state.get("problems", []))
    asks = [a for a in _edits(state.get("actions", [])) if isinstance(a, AskPerson)]
    text = "\n".join(part for part in parts if part) or NOTHING_CHANGED
    emit(
        "reply",
        text,
        changed=bool(lines),
        problems=state.get("problems", []),
        director_failed=bool(state.get("director_failed")),
    )
    if asks:
        question = Question(kind="ask", question=asks[0].question, choices=asks[0].choices)
        return {"question": question.model_dump()}
    return {"question": None}


def ask(state: AgentState, runtime: Runtime[AgentContext]) -> AgentState:
    """Wait for the answer to the director's question, then direct again with it."""
    answer = interrupt(state["question"])
    return {**turn_input(str(answer), []), "memo": state.get("memo", {})}
