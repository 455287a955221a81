"""The JSON Schema of scenario files (``portsim schema``), every field described by its docstring.

The descriptions are the attribute docstrings of the scenario models (a string literal under a
field), read from the source only here: pydantic's ``use_attribute_docstrings`` would read every
model's source at each start-up, for a schema printed on request.
"""

from __future__ import annotations

import ast
import inspect
import textwrap
from functools import cache
from itertools import pairwise
from typing import Any

from pydantic import BaseModel
from pydantic.json_schema import GenerateJsonSchema, JsonSchemaValue
from pydantic_core import core_schema

from portsim.document.root import ScenarioDocument


@cache
def attribute_docstrings(cls: type) -> dict[str, str]:
    """Field name -> the string literal that follows its annotated assignment in ``cls``'s body,
    cleaned as pydantic cleans docstrings (``inspect.cleandoc``)."""
    try:
        source = textwrap.dedent(inspect.getsource(cls))
    except (OSError, TypeError):
        return {}
    body = next(node for node in ast.parse(source).body if isinstance(node, ast.ClassDef)).body
    docs = {}
    for statement, following in pairwise(body):
        if (isinstance(statement, ast.AnnAssign) and isinstance(statement.target, ast.Name)
                and isinstance(following, ast.Expr)
                and isinstance(following.value, ast.Constant)
                and isinstance(following.value.value, str)):
            docs[statement.target.id] = inspect.cleandoc(following.value.value)
    return docs


class _DescribedFields(GenerateJsonSchema):
    """Describes each field by its attribute docstring, unless the field was given a
    description: as pydantic's ``use_attribute_docstrings`` (which overrides the description of
    the field's type too)."""

    def model_schema(self, schema: core_schema.ModelSchema) -> JsonSchemaValue:
        json_schema = super().model_schema(schema)
        model: type[BaseModel] = schema["cls"]
        properties = json_schema.get("properties", {})
        for name, field in model.model_fields.items():
            key = field.alias if field.alias is not None and self.by_alias else name
            prop = properties.get(key)
            if prop is None or field.description is not None:
                continue
            # A field takes the docstring of the class that declares it (the nearest in the MRO).
            doc = next((docs[name] for base in model.__mro__
                        if name in (docs := attribute_docstrings(base))), None)
            if doc is not None:
                prop["description"] = doc
                properties[key] = self.sort(prop)
        return json_schema


def scenario_json_schema() -> dict[str, Any]:
    """JSON Schema of scenario files, with a description for every field."""
    schema = ScenarioDocument.model_json_schema(mode="validation",
                                                schema_generator=_DescribedFields)
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "title": "portsim scenario",
        **{key: value for key, value in schema.items() if key != "title"},
    }
