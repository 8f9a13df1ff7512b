"""The response schema sent to the language model, inside OpenAI's strict subset.

OpenAI's structured outputs (``response_format={"type": "json_schema", "strict":
true}``) accept only a documented subset of JSON Schema (platform.openai.com,
"Structured model outputs", section "Supported schemas"):

- types string, number, integer, boolean, object, array, enum, ``anyOf``
  (never at the root); ``$defs``/``$ref``, ``const``, ``type`` lists such as
  ``["string", "null"]``;
- the root is an object; every object has ``additionalProperties: false`` and
  lists **every** property in ``required`` (an optional field is a required
  field that may be ``null``);
- constraints: strings ``pattern`` and ``format`` (date-time, time, date,
  duration, email, hostname, ipv4, ipv6, uuid); numbers ``multipleOf``,
  ``minimum``, ``maximum``, ``exclusiveMinimum``, ``exclusiveMaximum``;
  arrays ``minItems``, ``maxItems``;
- not supported: ``allOf``, ``not``, ``if``/``then``/``else``,
  ``dependentRequired``, ``dependentSchemas``; ``oneOf`` (use ``anyOf``),
  ``discriminator`` (an OpenAPI word) and ``default`` are refused too, and so
  are ``minLength``/``maxLength``, ``patternProperties``, ``propertyNames``,
  ``minProperties``/``maxProperties``, ``uniqueItems``, ``contains``...
- limits: at most 5000 object properties, 10 levels of nesting, 1000 enum values.

`strict_problems` checks a schema against that subset; `director_schema`
converts the pydantic `DirectorReply` schema into it, and gives every
property a description from the tables below (units, ranges, what null
means): the schema is the model's manual. `drop_nulls` turns a strict answer
back into what the pydantic models expect (a null where the model has a
default means "the default").
"""

from __future__ import annotations

import copy
import functools
import json
import types
import typing
from typing import Any

from pydantic import BaseModel

ANNOTATIONS = {"title", "description", "$comment", "examples"}
STRUCTURE = {"type", "properties", "required", "additionalProperties", "items", "enum", "const"}
COMBINATION = {"anyOf", "$ref", "$defs", "definitions"}
CONSTRAINTS = {
    "pattern",
    "format",
    "multipleOf",
    "minimum",
    "maximum",
    "exclusiveMinimum",
    "exclusiveMaximum",
    "minItems",
    "maxItems",
}
ALLOWED = ANNOTATIONS | STRUCTURE | COMBINATION | CONSTRAINTS
FORMATS = {"date-time", "time", "date", "duration", "email", "hostname", "ipv4", "ipv6", "uuid"}
REFUSED = {
    "oneOf": "use anyOf instead",
    "allOf": "merge the parts into one object",
    "not": "not supported",
    "if": "not supported",
    "then": "not supported",
    "else": "not supported",
    "dependentRequired": "not supported",
    "dependentSchemas": "not supported",
    "discriminator": "an OpenAPI keyword, not JSON Schema; anyOf of objects with a const kind",
    "default": "every property is required; say what null means in the description",
    "minLength": "not a supported string keyword; say it in the description",
    "maxLength": "not a supported string keyword; say it in the description",
}
MAX_PROPERTIES = 5000
MAX_DEPTH = 10
MAX_ENUM_VALUES = 1000


def strict_problems(schema: dict[str, Any]) -> list[str]:
    """Every place where `schema` leaves OpenAI's strict structured-output subset.

    Returns:
        One line per problem, naming the JSON path and the rule
        (``$.properties.edits.items: oneOf is refused (use anyOf instead)``);
        an empty list when the schema is inside the subset.
    """
    problems: list[str] = []
    if schema.get("type") != "object":
        problems.append("$: the root must be an object (type: object)")
    if "anyOf" in schema:
        problems.append("$: the root must not be anyOf")
    defs = {**schema.get("definitions", {}), **schema.get("$defs", {})}
    counts = {"properties": 0, "enum": 0}
    _check(schema, "$", 0, defs, problems, counts)
    if counts["properties"] > MAX_PROPERTIES:
        problems.append(f"$: {counts['properties']} object properties (at most {MAX_PROPERTIES})")
    if counts["enum"] > MAX_ENUM_VALUES:
        problems.append(f"$: {counts['enum']} enum values (at most {MAX_ENUM_VALUES})")
    return problems


def _check(
    node: Any,
    path: str,
    depth: int,
    defs: dict[str, Any],
    problems: list[str],
    counts: dict[str, int],
) -> None:
    if not isinstance(node, dict):
        problems.append(f"{path}: a schema must be an object, got {type(node).__name__}")
        return
    for key in node:
        if key in REFUSED:
            problems.append(f"{path}: {key} is refused ({REFUSED[key]})")
        elif key not in ALLOWED:
            problems.append(f"{path}: {key} is not in the documented strict subset")
    if "format" in node and node["format"] not in FORMATS:
        problems.append(f"{path}: format {node['format']!r} is not one of {sorted(FORMATS)}")
    if "$ref" in node:
        ref = node["$ref"]
        name = ref.rsplit("/", 1)[-1]
        if not ref.startswith(("#/$defs/", "#/definitions/")) or name not in defs:
            problems.append(f"{path}: $ref {ref!r} does not point into $defs")
        extra = set(node) - {"$ref"} - ANNOTATIONS
        if extra:
            problems.append(f"{path}: $ref with sibling keywords {sorted(extra)}")
    types_ = node.get("type")
    kinds = set(types_) if isinstance(types_, list) else {types_} if types_ else set()
    if "object" in kinds or "properties" in node:
        _check_object(node, path, depth, defs, problems, counts)
    if "array" in kinds and "items" not in node:
        problems.append(f"{path}: an array needs items")
    if "items" in node:
        _check(node["items"], f"{path}.items", depth, defs, problems, counts)
    if "enum" in node:
        counts["enum"] += len(node["enum"])
    for index, option in enumerate(node.get("anyOf", [])):
        _check(option, f"{path}.anyOf[{index}]", depth, defs, problems, counts)
    for key in ("$defs", "definitions"):
        for name, sub in node.get(key, {}).items():
            _check(sub, f"{path}.{key}.{name}", depth, defs, problems, counts)


def _check_object(
    node: dict[str, Any],
    path: str,
    depth: int,
    defs: dict[str, Any],
    problems: list[str],
    counts: dict[str, int],
) -> None:
    if depth + 1 > MAX_DEPTH:
        problems.append(f"{path}: nested deeper than {MAX_DEPTH} objects")
    if node.get("additionalProperties") is not False:
        problems.append(f"{path}: additionalProperties must be false")
    properties = node.get("properties", {})
    counts["properties"] += len(properties)
    required = node.get("required", [])
    missing = [name for name in properties if name not in required]
    if missing:
        problems.append(f"{path}: every property must be required; not required: {missing}")
    unknown = [name for name in required if name not in properties]
    if unknown:
        problems.append(f"{path}: required names unknown properties {unknown}")
    for name, sub in properties.items():
        _check(sub, f"{path}.properties.{name}", depth + 1, defs, problems, counts)


# --- descriptions: the model's manual -------------------------------------------

FIELD_TEXT: dict[str, str] = {
    "reply": "What you did, in plain words, 1-3 sentences; when nothing changes, say so",
    "edits": "Plan edits and actions, applied in order as one batch (all or nothing); "
    "[] when nothing should change",
    "kind": "Which edit this is; it decides what the other fields mean",
    "name": "The name; it becomes the handle (Mara -> @mara)",
    "description": "The canonical look in a few plain words, reused word for word in every "
    "prompt; at least 1 character",
    "wardrobe": "What the character wears, e.g. 'red raincoat'",
    "voice": "How the character sounds, e.g. 'low, calm'",
    "time_of_day": "Time of day (one of the enum values)",
    "weather": "Weather in plain words, e.g. 'light rain'",
    "key_light": "Side the key light comes from",
    "palette": "Colours of the place: colour names or hex codes, e.g. ['teal', 'rust', "
    "'dark navy', '#1d3557'] (deep/dark/light/pale may come before a name)",
    "action": "What happens in the shot, in plain words; may name @handles; at least 1 character",
    "scene": "Scene label, e.g. '2' or 'harbour'",
    "characters": "Names or @handles of the characters in the shot (must exist in the bible)",
    "location": "Name or @handle of the location (must exist in the bible)",
    "size": "Shot size, tightest first: ECU, CU, MCU (chest up), MS (waist up), MLS (knees up), "
    "LS (full body), ELS (establishing)",
    "angle": "Camera angle",
    "movement": "Camera movement",
    "movement_speed": "Speed of the camera movement: slow, medium or fast",
    "lens_mm": "Focal length in millimetres, 4-1200 (18-28 wide, 35-50 standard, "
    "85 portrait, over 100 telephoto)",
    "depth_of_field": "Depth of field: shallow (background soft) or deep (all sharp)",
    "key_light_side": "Side the key light comes from in this shot (overrides the location)",
    "lighting": "Lighting in plain words, e.g. 'low key, hard side light'",
    "duration_s": "Length in seconds, more than 0 and at most 60",
    "dialogue": "The line spoken in the shot, without quotes",
    "continues_from": "Id (or batch ref) of an EARLIER shot whose last frame opens this shot",
    "transition": "Transition into this shot",
    "after": "Id (or batch ref) of the shot this one follows; 0 puts it first",
    "shot_id": "Id of an existing shot (stable, shown in the plan as 'Shot N'), or the ref "
    "of a shot added earlier in this batch",
    "clear": "Optional fields to empty, e.g. ['continues_from']; [] empties nothing",
    "locked": "true locks the shot (never changed or re-rendered), false unlocks it",
    "take": "Take number of that shot (1, 2, ...)",
    "reference": "The media file already in the project to register (only files the person "
    "attached or that are already in media/refs; never a path elsewhere)",
    "handle": "Handle of an existing reference, e.g. @image1 or @mara-face",
    "entity": "Name or @handle of the character or location it belongs to",
    "title": "The film's title",
    "aspect": "Aspect ratio W:H, e.g. 16:9, 9:16, 1:1",
    "resolution": "Resolution preset: 180p (drafts), 360p, 480p, 720p or 1080p",
    "fps": "Frames per second, 1-120",
    "look": "Grade, film stock or era in plain words, e.g. 'Kodak 2383, 1970s'",
    "negative_prompt": "What every shot should avoid, comma separated",
    "shot_ids": "Ids of the shots to render (or refs of shots added earlier in this batch); "
    "[] renders every shot that needs it",
    "backend": "Renderer name (see the backends listed in the instructions)",
    "force": "true makes new takes even of shots that are up to date",
    "backends": "At least 2 renderer names to compare on identical inputs",
    "steps": "How many changes to step through, 1-50",
    "question": "One short question for the person; at least 1 character",
    "choices": "Short answers to offer, e.g. ['yes', 'no']; [] for a free answer",
    "frame": "Which frame: 'first', 'last' or a frame number such as '10'",
    "number": "Number of one of the shot's candidate stills (1, 2, ...), as the candidates "
    "sheet of `storyreel keyframes` numbers them",
    # Reference (inside add_reference)
    "sha256": "SHA-256 of the file's bytes, 64 hex digits (as listed for the reference)",
    "path": "Path of the file inside the project, under media/refs/",
    "shot": "Id of the one shot it is bound to",
    "width": "Width in pixels",
    "height": "Height in pixels",
    "sample_rate": "Audio sample rate in Hz",
    "motion": "Camera movement measured in a motion clip, e.g. 'pan_left'",
}

PER_EDIT_TEXT: dict[tuple[str, str], str] = {
    ("UpdateCharacter", "name"): "Name or @handle of an existing character",
    ("RemoveCharacter", "name"): "Name or @handle of the character to remove (no shot may use it)",
    ("UpdateLocation", "name"): "Name or @handle of an existing location",
    ("RemoveLocation", "name"): "Name or @handle of the location to remove (no shot may use it)",
    ("AddLocation", "description"): "What the place looks like, in a few plain words; "
    "at least 1 character",
    ("UpdateLocation", "description"): "What the place looks like, in a few plain words",
    ("MoveShot", "after"): "Id of the shot it should follow; 0 moves it to the start",
    ("SetLock", "shot_id"): "Id of the shot to lock or unlock",
    ("RemoveShot", "shot_id"): "Id of the shot to remove (not a locked one)",
    ("UpdateShot", "shot_id"): "Id of the shot to change (not a locked one)",
    ("BindReference", "entity"): "Character or location to bind it to (give this or shot_id, "
    "not both)",
    ("BindReference", "shot_id"): "Shot to bind it to (give this or entity, not both)",
    ("ReferenceFromTake", "take"): "Take number to take the frame from",
    ("ReferenceFromTake", "entity"): "Character or location the frame shows",
    ("ReferenceFromTake", "name"): "Handle name for the new reference, e.g. mara-face",
    ("ReferenceFromTake", "shot_id"): "Id of the shot whose take gives the frame (a shot that "
    "has takes: not one added in this batch, which has none yet)",
    ("CompareBackends", "shot_id"): "Id of the shot to render on each backend, or the ref of a "
    "shot added earlier in this batch",
    ("SelectTake", "shot_id"): "Id of the shot whose take to use in the cut",
    ("PickKeyframe", "shot_id"): "Id of the shot to open on the still (not one that continues "
    "from another shot: that one opens on the other shot's last frame)",
    ("Reference", "handle"): "The reference's handle, e.g. @image1",
    ("Reference", "kind"): "Media kind: image, video or audio",
    ("Reference", "role"): "What the file is for: subject, location, style, motion, voice or "
    "soundtrack",
    ("Reference", "name"): "An extra handle, e.g. @mara-face",
    ("Reference", "duration_s"): "Length in seconds of a video or audio file",
    ("Reference", "fps"): "Frame rate of a video file",
    ("Reference", "entity"): "Character or location the file belongs to",
}
"""Texts that differ by edit, keyed by (definition name, field name)."""

KEEPS_OLD = {"UpdateCharacter", "UpdateLocation", "UpdateShot", "SetStyle"}
"""Edits where a null field keeps the current value."""

NULL_MEANS: dict[str, str] = {
    "size": "MS",
    "angle": "eye level",
    "movement": "static",
    "movement_speed": "medium",
    "lens_mm": "35 mm",
    "depth_of_field": "deep",
    "time_of_day": "the location's (or unset)",
    "key_light_side": "the location's",
    "key_light": "unset",
    "duration_s": "4 s",
    "transition": "cut",
    "characters": "nobody",
    "location": "none",
    "continues_from": "it starts fresh",
    "after": "at the end",
    "backend": "the default renderer",
    "take": "the take in use",
    "frame": "the last frame",
    "entity": "none (a style reference)",
    "shot_id": "none",
    "name": "a numbered handle",
    "steps": "1",
    "number": "clear the pick: the shot starts fresh",
}
"""What null means where a field is optional and not "keep the old value"."""


def describe(definition: str, field: str, default: Any, keeps_old: bool, own: str = "") -> str:
    """The description of one property: what it is, its range, and what null means.

    The text comes from `PER_EDIT_TEXT`, then `FIELD_TEXT`, then the model's own
    field description (`own`); "" when none says anything.
    """
    text = PER_EDIT_TEXT.get((definition, field)) or FIELD_TEXT.get(field) or own.strip()
    text = text.rstrip(".")
    if not text:
        return ""
    if keeps_old:
        return f"{text}. null keeps the current value."
    if default is _REQUIRED:
        return f"{text}."
    if default is None:
        meaning = NULL_MEANS.get(field, "none")
    elif isinstance(default, str):
        meaning = repr(default) if default else "empty"
    else:
        meaning = json.dumps(default)
    return f"{text}. null means {meaning}."


_REQUIRED = object()


def director_schema() -> dict[str, Any]:
    """The strict response schema of `DirectorReply` (a fresh copy each call)."""
    return copy.deepcopy(_director_schema())


@functools.cache
def _director_schema() -> dict[str, Any]:
    from storyreel.agent.director import DirectorReply

    return to_strict(DirectorReply)


def to_strict(model: type[BaseModel]) -> dict[str, Any]:
    """Convert a pydantic model's JSON schema into OpenAI's strict subset, with descriptions.

    oneOf becomes anyOf, discriminator and default go, minLength/maxLength
    become words in the description, every property becomes required (nullable
    when it was optional), every object gets additionalProperties: false, a bare
    $ref property is inlined so it can carry its own description.
    """
    source = model.model_json_schema()
    defs = source.pop("$defs", {})
    converted_defs = {name: _strict_node(body, name, defs) for name, body in sorted(defs.items())}
    root = _strict_node(source, model.__name__, defs)
    if converted_defs:
        root["$defs"] = converted_defs
    return root


def _strict_node(node: dict[str, Any], definition: str, defs: dict[str, Any]) -> dict[str, Any]:
    """One schema node in strict form; `definition` names the object it belongs to."""
    node = {k: v for k, v in node.items() if k not in ("title", "discriminator", "default")}
    if "oneOf" in node:
        node["anyOf"] = node.pop("oneOf")
    for word in ("minLength", "maxLength"):
        node.pop(word, None)
    if "anyOf" in node:
        node["anyOf"] = [_strict_node(option, definition, defs) for option in node["anyOf"]]
    if "items" in node:
        node["items"] = _strict_node(node["items"], definition, defs)
    if node.get("type") == "object" or "properties" in node:
        name = definition
        properties = node.get("properties", {})
        required = set(node.get("required", []))
        strict_properties = {}
        for field, body in properties.items():
            strict_properties[field] = _strict_property(field, body, name, field in required, defs)
        node["properties"] = strict_properties
        node["required"] = list(strict_properties)
        node["additionalProperties"] = False
    return node


def _strict_property(
    field: str, body: dict[str, Any], definition: str, required: bool, defs: dict[str, Any]
) -> dict[str, Any]:
    default = body.get("default", _REQUIRED)
    if set(body) - {"title", "description", "default"} == {"$ref"}:
        name = body["$ref"].rsplit("/", 1)[-1]
        inner = defs[name]
        body = {**copy.deepcopy(inner), "description": body.get("description", "")}
        body.pop("title", None)
        definition_for_text = definition
        strict = _strict_node(body, name, defs)
    else:
        definition_for_text = definition
        strict = _strict_node(body, definition, defs)
    own = body.get("description", "")
    length = body.get("minLength")
    is_const = "const" in body
    nullable = _allows_null(strict)
    if not required and not is_const and not nullable:
        strict = _nullable(strict)
        nullable = True
    keeps_old = definition_for_text in KEEPS_OLD and nullable and not is_const
    if own and length and "character" not in own:
        own = f"{own.rstrip('.')}; at least {length} character(s)"
    text = describe(definition_for_text, field, default if nullable else _REQUIRED, keeps_old, own)
    if not text and is_const:
        text = f"Always {json.dumps(body['const'])}."
    strict["description"] = text
    return strict


def _allows_null(node: dict[str, Any]) -> bool:
    kinds = node.get("type")
    if kinds == "null" or (isinstance(kinds, list) and "null" in kinds):
        return True
    return any(_allows_null(option) for option in node.get("anyOf", []))


def _nullable(node: dict[str, Any]) -> dict[str, Any]:
    """`node` or null; keeps the description on the outside."""
    description = node.pop("description", None)
    wrapped: dict[str, Any] = {"anyOf": [node, {"type": "null"}]}
    if description:
        wrapped["description"] = description
    return wrapped


def property_descriptions(schema: dict[str, Any]) -> dict[str, str]:
    """Every property of `schema` (in $defs too) by path, with its description ('' if none)."""
    found: dict[str, str] = {}

    def walk(node: Any, path: str) -> None:
        if not isinstance(node, dict):
            return
        for name, body in node.get("properties", {}).items():
            found[f"{path}.{name}"] = str(body.get("description") or "").strip()
            walk(body, f"{path}.{name}")
        for index, option in enumerate(node.get("anyOf", [])):
            walk(option, f"{path}[{index}]")
        if "items" in node:
            walk(node["items"], f"{path}[]")
        for name, body in node.get("$defs", {}).items():
            walk(body, name)

    walk(schema, "DirectorReply")
    return found


# --- the schema as a few lines: JSON mode in a small context ---------------------


def compact_schema(schema: dict[str, Any]) -> str:
    """The response schema as a terse listing, for JSON mode when the whole schema (about
    8,500 tokens) would not leave room in the model's context: one line per edit kind,
    `name:type` per field (`?` where it may be null or left out), ranges as `lo-hi`,
    and each list of allowed words once. About a sixth of the schema's size.
    """
    defs = schema.get("$defs", {})
    named = {tuple(body["enum"]): name for name, body in defs.items() if "enum" in body}
    used: dict[str, list[str]] = {}
    objects: dict[str, str] = {}

    def kind_of(node: dict[str, Any], field: str = "") -> tuple[str, bool]:
        """A field's type in a word or two, and whether it may be null."""
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            return kind_of({**defs[name], "title": name})
        options = node.get("anyOf")
        if options:
            real = [o for o in options if o.get("type") != "null"]
            nullable = len(real) < len(options)
            kinds = {o.get("type") for o in real}
            if kinds == {"integer", "string"}:
                return "id", nullable
            parts = [kind_of(o, field)[0] for o in real]
            return "|".join(parts), nullable
        if "enum" in node:
            words = [str(word) for word in node["enum"]]
            name = named.get(tuple(node["enum"]))
            if name and len(words) > 3:
                used[name] = words
                return name, False
            return "|".join(words), False
        kind = node.get("type")
        if isinstance(kind, list):
            real = [k for k in kind if k != "null"]
            return kind_of({**node, "type": real[0]})[0], len(real) < len(kind)
        if kind == "array":
            return f"[{kind_of(node.get('items', {}))[0]}]", False
        if kind == "object" or "properties" in node:
            title = node.get("title") or field.title() or "Object"
            if title not in objects:
                objects[title] = ""  # placeholder against recursion
                objects[title] = fields(node)
            return title, False
        word = {"string": "str", "integer": "int", "number": "num", "boolean": "bool"}
        text = word.get(kind or "", str(kind))
        low, high = node.get("minimum", node.get("exclusiveMinimum")), node.get("maximum")
        if low is not None and high is not None:
            text += f" {low:g}-{high:g}"
        return text, False

    def fields(node: dict[str, Any]) -> str:
        out = []
        for name, body in node.get("properties", {}).items():
            if "const" in body:
                continue
            kind, nullable = kind_of(body, name)
            out.append(f"{name}{'?' if nullable else ''}:{kind}")
        return " ".join(out)

    edits = schema["properties"]["edits"]["items"]["anyOf"]
    lines = []
    for option in edits:
        body = defs[option["$ref"].rsplit("/", 1)[-1]] if "$ref" in option else option
        kind = body["properties"]["kind"]["const"]
        lines.append(f"{kind}: {fields(body)}".rstrip(": ").rstrip())
    values = [f"{name} = {'|'.join(words)}" for name, words in sorted(used.items())]
    shapes = [f"{name} = {{{text}}}" for name, text in sorted(objects.items()) if text]
    return "\n".join(
        [
            '{"reply": str, "edits": [edit, ...]}: each edit is an object with "kind" and the '
            "fields of its line below, written name:type. A field marked ? may be null or left "
            "out (in update_* and set_style edits null keeps the current value). id: a shot id "
            "or the ref of a shot added earlier in the batch; [T]: a list of T; a|b: one of "
            "these words.",
            *lines,
            *values,
            *shapes,
        ]
    )


# --- answers back into pydantic ------------------------------------------------


def drop_nulls(data: Any, model: type[BaseModel]) -> Any:
    """Remove null values the strict schema allowed but `model` does not, so defaults apply.

    Edits are matched to their class by `kind`; nested models are handled too.
    Anything that is not the expected shape is returned as it is (validation
    will say what is wrong).
    """
    if not isinstance(data, dict):
        return data
    cleaned = dict(data)
    for name, field in model.model_fields.items():
        if name not in cleaned:
            continue
        value = cleaned[name]
        if value is None and not field.is_required() and not _accepts_none(field.annotation):
            del cleaned[name]
            continue
        cleaned[name] = _clean_value(value, field.annotation)
    return cleaned


def _clean_value(value: Any, annotation: Any) -> Any:
    if isinstance(value, list):
        by_kind = _edit_classes()
        return [
            drop_nulls(item, by_kind[item["kind"]])
            if isinstance(item, dict) and item.get("kind") in by_kind
            else item
            for item in value
        ]
    model = _model_in(annotation)
    if model is not None and isinstance(value, dict):
        return drop_nulls(value, model)
    return value


@functools.cache
def _edit_classes() -> dict[str, type[BaseModel]]:
    """Every edit class by its `kind`."""
    from storyreel.tools.edits import ACTION_TYPES, PLAN_EDIT_TYPES

    return {cls.model_fields["kind"].default: cls for cls in (*PLAN_EDIT_TYPES, *ACTION_TYPES)}


def _model_in(annotation: Any) -> type[BaseModel] | None:
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _accepts_none(annotation: Any) -> bool:
    if annotation is None or annotation is type(None):
        return True
    origin = typing.get_origin(annotation)
    if origin is typing.Union or origin is types.UnionType:
        return any(_accepts_none(arg) for arg in typing.get_args(annotation))
    if origin is typing.Annotated:
        return _accepts_none(typing.get_args(annotation)[0])
    return False
