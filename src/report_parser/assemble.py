"""Output models built from values the parser made itself, without pydantic validating them again.

The body of a notice comes out as dozens of nodes and figures; validating each of them costs more
than building it. The pipeline builds them with `trusted`, from values of the right types by
construction (strings sliced from the text, spans as int pairs, kinds and roles from the rule
data), so the output is what validation would have made.

How that stays true: with REPORT_PARSER_CHECK_OUTPUT=1 in the environment (the test suite sets it,
see tests/conftest.py) every parse validates its whole output against the models (`check`), so
every fixture, corpus notice and generated input the tests parse is checked; a test also validates
every fixture's output against the models and the JSON Schema (tests/test_output_valid.py).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any, TypeVar

from pydantic import BaseModel

M = TypeVar("M", bound=BaseModel)

CHECK_OUTPUT = os.environ.get("REPORT_PARSER_CHECK_OUTPUT", "") not in ("", "0")

# The slots every pydantic model has, set the way BaseModel.model_construct sets them (through their
# descriptors: a third cheaper than object.__setattr__ by name).
_new = object.__new__
try:
    _set_dict = BaseModel.__dict__["__dict__"].__set__
    _set_fields_set = BaseModel.__dict__["__pydantic_fields_set__"].__set__
    _set_extra = BaseModel.__dict__["__pydantic_extra__"].__set__
    _set_private = BaseModel.__dict__["__pydantic_private__"].__set__
    _SLOTS = True
except (KeyError, AttributeError):  # a pydantic whose models keep their state elsewhere: its own way
    _SLOTS = False

# Per model class, the set of all its fields: the fields set of every model `trusted` builds with all
# of them. Sharing one set is safe: pydantic only ever adds a field's name to a model's fields set
# (setting an attribute), a no-op on a set that holds them all, and copies it before changing it
# otherwise (model_copy); nothing in the project changes a fields set.
_EVERY: dict[type[BaseModel], set[str]] = {}


def trusted(cls: type[M], data: dict[str, Any]) -> M:
    """A `cls` holding `data` as is, as `cls.model_construct` makes it but without its per-field work.

    `data` must give every field of `cls`, in the order the model declares them (the JSON keeps that
    order), with values of the field's type; nested models must already be models. For models with
    no private attributes and no extra fields, as all of models.py's."""
    if not _SLOTS:
        return cls.model_construct(**data)
    obj = _new(cls)
    _set_dict(obj, data)
    every = _EVERY.get(cls)
    if every is None:
        every = _EVERY[cls] = set(cls.model_fields)
    # all fields given (its keys are fields, as required, and as many): the class's shared set
    _set_fields_set(obj, every if len(data) == len(every) else set(data))
    _set_extra(obj, None)
    _set_private(obj, None)
    return obj


def builder(cls: type[M]) -> Callable[[dict[str, Any]], M]:
    """`trusted` for one class, for data that gives every one of its fields (in order): the class's
    lookups done once, for the models a parse builds by the dozen (nodes, figures)."""
    if not _SLOTS:
        return lambda data: cls.model_construct(**data)
    every = _EVERY.setdefault(cls, set(cls.model_fields))

    def build(data: dict[str, Any]) -> M:
        obj = _new(cls)
        _set_dict(obj, data)
        _set_fields_set(obj, every)
        _set_extra(obj, None)
        _set_private(obj, None)
        return obj

    return build


def check(model: M) -> None:
    """Raise unless `model` is what validating its own dump gives: same values, same types, same
    field order (a model built with `trusted` from a value of the wrong type fails here)."""
    cls = type(model)
    dumped = model.model_dump(warnings="error")
    again = cls.model_validate(dumped)
    if again != model or list(again.model_dump()) != list(dumped):
        raise ValueError(f"{cls.__name__} built without validation differs from its validated form")
    if again.model_dump_json() != model.model_dump_json(warnings="error"):
        raise ValueError(f"{cls.__name__} built without validation serialises differently")
