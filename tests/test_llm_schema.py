"""The response schema is inside OpenAI's strict subset and describes every field."""

from __future__ import annotations

import json

import pytest

from storyreel.agent.director import DirectorReply
from storyreel.agent.llm_director import parse_reply
from storyreel.agent.llm_schema import (
    director_schema,
    drop_nulls,
    property_descriptions,
    strict_problems,
)
from storyreel.tools.edits import AddCharacter, RenderShots, UndoChange


def _object(**properties: dict) -> dict:
    return {
        "type": "object",
        "properties": properties,
        "required": list(properties),
        "additionalProperties": False,
    }


def test_the_schema_sent_is_inside_the_strict_subset() -> None:
    schema = director_schema()
    assert strict_problems(schema) == []
    text = json.dumps(schema)
    for word in ('"oneOf"', '"discriminator"', '"default"', '"minLength"', '"maxLength"'):
        assert word not in text, word


def test_the_pydantic_schema_as_it_was_is_refused() -> None:
    problems = strict_problems(DirectorReply.model_json_schema())
    said = "\n".join(problems)
    assert "$.properties.edits.items: oneOf is refused (use anyOf instead)" in said
    assert "discriminator is refused" in said
    assert "default is refused" in said and "minLength is refused" in said
    assert "every property must be required" in said


@pytest.mark.parametrize(
    ("schema", "expected"),
    [
        ({"type": "array", "items": {"type": "string"}}, "$: the root must be an object"),
        (
            {"anyOf": [_object(a={"type": "string"})], **_object(a={"type": "string"})},
            "$: the root must not be anyOf",
        ),
        (
            {**_object(a={"type": "string"}), "additionalProperties": True},
            "$: additionalProperties must be false",
        ),
        (
            {**_object(a={"type": "string"}, b={"type": "integer"}), "required": ["a"]},
            "not required: ['b']",
        ),
        (_object(a={"type": "string", "minLength": 1}), "$.properties.a: minLength is refused"),
        (_object(a={"type": "string", "default": ""}), "$.properties.a: default is refused"),
        (
            _object(a={"allOf": [{"type": "string"}]}),
            "$.properties.a: allOf is refused",
        ),
        (
            _object(a={"type": "string", "format": "colour"}),
            "$.properties.a: format 'colour' is not one of",
        ),
        (_object(a={"type": "object", "patternProperties": {}}), "patternProperties is not in"),
        (_object(a={"$ref": "#/$defs/Missing"}), "$ref '#/$defs/Missing' does not point into"),
        (_object(a={"type": "array"}), "$.properties.a: an array needs items"),
    ],
)
def test_the_checker_names_each_rule(schema: dict, expected: str) -> None:
    assert any(expected in problem for problem in strict_problems(schema)), strict_problems(schema)


def test_the_checker_accepts_the_documented_subset() -> None:
    schema = {
        **_object(
            name={"type": "string", "pattern": "^[a-z]+$", "description": "a name"},
            when={"type": ["string", "null"], "format": "date-time"},
            count={"type": "integer", "minimum": 1, "maximum": 9, "multipleOf": 1},
            tags={"type": "array", "items": {"type": "string"}, "minItems": 0, "maxItems": 3},
            kind={"type": "string", "const": "x"},
            choice={"anyOf": [{"$ref": "#/$defs/Inner"}, {"type": "null"}]},
            size={"type": "string", "enum": ["S", "M"]},
        ),
        "$defs": {"Inner": _object(flag={"type": "boolean"})},
    }
    assert strict_problems(schema) == []


def test_too_deep_is_refused() -> None:
    schema: dict = _object(leaf={"type": "string"})
    for _ in range(11):
        schema = _object(inner=schema)
    assert any("nested deeper than 10" in p for p in strict_problems(schema))


def test_every_property_sent_has_a_description() -> None:
    described = property_descriptions(director_schema())
    missing = sorted(path for path, text in described.items() if not text)
    assert not missing, f"properties without a description: {missing}"
    assert len(described) > 100


def test_descriptions_say_units_ranges_and_what_null_means() -> None:
    described = property_descriptions(director_schema())
    assert "millimetres, 4-1200" in described["AddShot.lens_mm"]
    assert "null means 35 mm" in described["AddShot.lens_mm"]
    assert "null keeps the current value" in described["UpdateShot.lens_mm"]
    assert "seconds" in described["UpdateShot.duration_s"]
    assert "null means 'last'" in described["ReferenceFromTake.frame"]
    assert described["UpdateCharacter.name"].startswith("Name or @handle of an existing")


def test_optional_fields_are_nullable_and_nulls_become_defaults() -> None:
    schema = director_schema()
    wardrobe = schema["$defs"]["AddCharacter"]["properties"]["wardrobe"]
    assert {"type": "null"} in wardrobe["anyOf"]
    kind = schema["$defs"]["AddCharacter"]["properties"]["kind"]
    assert kind["const"] == "add_character" and "anyOf" not in kind
    data = {
        "reply": "ok",
        "edits": [
            {"kind": "add_character", "name": "Mara", "description": "tall", "wardrobe": None},
            {"kind": "render", "shot_ids": [], "backend": None, "force": None},
            {"kind": "undo", "steps": None},
        ],
    }
    reply = DirectorReply.model_validate(drop_nulls(data, DirectorReply))
    character, render, undo = reply.edits
    assert isinstance(character, AddCharacter) and character.wardrobe == ""
    assert isinstance(render, RenderShots) and render.force is False and render.backend is None
    assert isinstance(undo, UndoChange) and undo.steps == 1


def test_parse_reply_forgives_fences_and_prose() -> None:
    body = json.dumps({"reply": "Hi.", "edits": []})
    assert parse_reply(f"```json\n{body}\n```").reply == "Hi."
    assert parse_reply(f"Here you go: {body} Enjoy.").reply == "Hi."
    with pytest.raises(ValueError):
        parse_reply("no json here")
