"""What a string input accepts, and the one check of every string an operation carries.

Every string that reaches a resolver — an argument or input field of any scalar taking text
(``String``, ``ID``, ``DateTime``, ...), written in the document or sent as a variable, at
any depth of input objects and lists — is checked before the operation runs, whatever the
transport: a control character (U+0000–U+001F, U+007F–U+009F; tab, line feed and carriage
return are allowed in multi-line text), a lone surrogate (not valid Unicode, so not valid
UTF-8 either) or more characters than the field accepts refuses the whole operation with code
``INVALID_INPUT``, naming the field (``updateArticle.input.quotedPeople.0.quote``); nothing
runs, so nothing changes.

What a field accepts is declared once, on the field, with the ``@text`` schema directive
(visible in the SDL): its length bound and whether it may span lines. A field without it is
:data:`LINE`. These are bounds against abuse; the domain's own rules (a title's length after
trimming, a slug's format) stay with the resolvers, which report them as user errors.

:func:`input_errors` is the check, for any transport; :class:`InputCheck` runs it inside
the schema's execution (HTTP, and queries and mutations over WebSocket). The walk of a
document's literals is done once per parsed document and kept in a bounded LRU; each request
walks only its variables' values.
"""

from __future__ import annotations

import re
from collections import OrderedDict
from collections.abc import Iterator, Mapping
from typing import Any

import strawberry
from graphql import (
    ArgumentNode,
    DirectiveNode,
    DocumentNode,
    ExecutionResult,
    FieldNode,
    GraphQLArgument,
    GraphQLError,
    GraphQLInputField,
    GraphQLInputObjectType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLSchema,
    ListValueNode,
    Node,
    ObjectFieldNode,
    StringValueNode,
    TypeInfo,
    TypeInfoVisitor,
    VariableDefinitionNode,
    VariableNode,
    Visitor,
    get_operation_ast,
    visit,
)
from strawberry.extensions import SchemaExtension
from strawberry.schema_directive import Location

from hub.errors import ErrorCode


@strawberry.schema_directive(
    locations=[Location.INPUT_FIELD_DEFINITION, Location.ARGUMENT_DEFINITION],
    description="What a text input accepts: at most `maxLength` characters, and no control "
    "characters except, when `multiline`, tab, line feed and carriage return. Text inputs "
    "without it accept one line of at most 2000 characters. Anything else is refused with "
    "`INVALID_INPUT` before the operation runs.",
)
class Text:
    max_length: int
    multiline: bool = False


LINE = Text(max_length=2_000)  # names, slugs, codes, cursors, search words, passwords, URLs
PROSE = Text(max_length=20_000, multiline=True)  # summaries, descriptions, quotes, reasons
HTML = Text(max_length=1_000_000, multiline=True)  # article bodies (the body limit binds first)

SINGLE_LINE_BAD = re.compile(r"[\x00-\x1f\x7f-\x9f\ud800-\udfff]")
MULTILINE_BAD = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]")


def text_of(definition: GraphQLArgument | GraphQLInputField | None) -> Text:
    """What the argument or input field accepts (its ``@text``, else :data:`LINE`)."""
    if definition is None:
        return LINE
    declared = definition.extensions.get("strawberry-definition")
    for directive in getattr(declared, "directives", ()):
        if isinstance(directive, Text):
            return directive
    return LINE


def problem(value: str, text: Text) -> str | None:
    """Why ``value`` is refused, or ``None``."""
    if len(value) > text.max_length:
        return f"is longer than {text.max_length} characters ({len(value)})"
    found = (MULTILINE_BAD if text.multiline else SINGLE_LINE_BAD).search(value)
    if found is None:
        return None
    point = ord(found.group())
    if 0xD800 <= point <= 0xDFFF:
        return f"is not valid Unicode text (a lone surrogate, U+{point:04X})"
    allowed = "only tab, line feed and carriage return" if text.multiline else "none"
    return f"contains a control character (U+{point:04X}); {allowed} allowed here"


def invalid(path: str, reason: str, node: Node | None) -> GraphQLError:
    return GraphQLError(
        f"`{path}` {reason}",
        nodes=node,
        extensions={"code": ErrorCode.INVALID_INPUT.value, "field": path},
    )


class _Site:
    """Where a variable is used: the field path there, its input type and what it accepts."""

    __slots__ = ("path", "text", "type")

    def __init__(self, path: str, type_: GraphQLInputType | None, text: Text) -> None:
        self.path, self.type, self.text = path, type_, text


class _Walker(Visitor):
    """Checks string literals and notes where each variable is used."""

    def __init__(self, type_info: TypeInfo) -> None:
        super().__init__()
        self.type_info = type_info
        self.path: list[str] = []
        self.texts: list[Text] = [LINE]
        self.problems: list[tuple[str, str, Node]] = []
        self.sites: dict[str, list[_Site]] = {}

    def enter_field(self, node: FieldNode, *_: Any) -> None:
        self.path.append(node.name.value)

    def leave_field(self, *_: Any) -> None:
        self.path.pop()

    def enter_directive(self, node: DirectiveNode, *_: Any) -> None:
        self.path.append(f"@{node.name.value}")

    def leave_directive(self, *_: Any) -> None:
        self.path.pop()

    def enter_argument(self, node: ArgumentNode, *_: Any) -> None:
        self.path.append(node.name.value)
        self.texts.append(text_of(self.type_info.get_argument()))

    def leave_argument(self, *_: Any) -> None:
        self.path.pop()
        self.texts.pop()

    def enter_object_field(self, node: ObjectFieldNode, *_: Any) -> None:
        parent = self.type_info.get_parent_input_type()
        fields = parent.fields if isinstance(parent, GraphQLInputObjectType) else {}
        self.path.append(node.name.value)
        self.texts.append(text_of(fields.get(node.name.value)))

    def leave_object_field(self, *_: Any) -> None:
        self.path.pop()
        self.texts.pop()

    # A list's items are named by their index: pushed for items holding more values,
    # appended for the leaves.
    def enter_object_value(
        self, _node: Node, key: Any, _parent: Any, _path: Any, ancestors: Any
    ) -> None:
        if _is_item(key, ancestors):
            self.path.append(str(key))

    def leave_object_value(
        self, _node: Node, key: Any, _parent: Any, _path: Any, ancestors: Any
    ) -> None:
        if _is_item(key, ancestors):
            self.path.pop()

    enter_list_value = enter_object_value
    leave_list_value = leave_object_value

    def _here(self, key: Any, ancestors: Any) -> str:
        return ".".join((*self.path, str(key)) if _is_item(key, ancestors) else self.path)

    def enter_string_value(
        self, node: StringValueNode, key: Any, _parent: Any, _path: Any, ancestors: Any
    ) -> None:
        reason = problem(node.value, self.texts[-1])
        if reason is not None:
            self.problems.append((self._here(key, ancestors), reason, node))

    def enter_variable(
        self, node: VariableNode, key: Any, _parent: Any, _path: Any, ancestors: Any
    ) -> None:
        if not isinstance(_parent, VariableDefinitionNode):  # a use, not the definition
            here = self._here(key, ancestors)
            site = _Site(here, self.type_info.get_input_type(), self.texts[-1])
            self.sites.setdefault(node.name.value, []).append(site)

    def enter_variable_definition(self, node: VariableDefinitionNode, *_: Any) -> None:
        self.path.append(f"${node.variable.name.value}")

    def leave_variable_definition(self, *_: Any) -> None:
        self.path.pop()


def _is_item(key: Any, ancestors: Any) -> bool:
    return isinstance(key, int) and bool(ancestors) and isinstance(ancestors[-1], ListValueNode)


def input_errors(
    schema: GraphQLSchema,
    document: DocumentNode,
    operation_name: str | None,
    variables: Mapping[str, Any] | None,
) -> list[GraphQLError]:
    """The problems of the strings in ``document`` (a validated one) and in the values of
    the variables the chosen operation uses; empty when every string is acceptable."""
    plan = _plan(schema, document)
    errors = [invalid(path, reason, node) for path, reason, node in plan.literals]
    operation = get_operation_ast(document, operation_name)
    if operation is None or not variables:
        return errors
    for definition in operation.variable_definitions or ():
        name = definition.variable.name.value
        if name not in variables:
            continue
        for site in plan.sites.get(name, ()):
            found = list(_value_problems(variables[name], site.type, site.text, site.path))
            for path, reason in found:
                errors.append(invalid(path, f"(variable `${name}`) {reason}", definition))
            if found:
                break  # one use tells it: the same value is wrong the same way elsewhere
    return errors


class _Plan:
    """What a document's walk found: its literals' problems and its variables' uses."""

    __slots__ = ("document", "literals", "schema", "sites")

    def __init__(self, schema: GraphQLSchema, document: DocumentNode, walker: _Walker) -> None:
        self.schema, self.document = schema, document  # held: their ids stay theirs
        self.literals, self.sites = walker.problems, walker.sites


PLAN_CACHE_SIZE = 1024  # as many as the parse and validation caches keep
_plans: OrderedDict[tuple[int, int], _Plan] = OrderedDict()


def _plan(schema: GraphQLSchema, document: DocumentNode) -> _Plan:
    """The walk of ``document``, done once per parsed document (the parse caches hand out the
    same object for the same text): an LRU keyed by identity, bounded."""
    key = (id(schema), id(document))
    plan = _plans.get(key)
    if plan is not None:
        _plans.move_to_end(key)
        return plan
    type_info = TypeInfo(schema)
    walker = _Walker(type_info)
    visit(document, TypeInfoVisitor(type_info, walker))
    plan = _plans[key] = _Plan(schema, document, walker)
    if len(_plans) > PLAN_CACHE_SIZE:
        _plans.popitem(last=False)
    return plan


def _value_problems(
    value: Any, type_: GraphQLInputType | None, text: Text, path: str
) -> Iterator[tuple[str, str]]:
    """The problems of a variable's value, walked along its input type."""
    while isinstance(type_, GraphQLNonNull):
        type_ = type_.of_type
    if isinstance(value, str):
        reason = problem(value, text)
        if reason is not None:
            yield path, reason
    elif isinstance(value, list):
        item = type_.of_type if isinstance(type_, GraphQLList) else type_
        for index, entry in enumerate(value):
            yield from _value_problems(entry, item, text, f"{path}.{index}")
    elif isinstance(value, dict):
        fields = type_.fields if isinstance(type_, GraphQLInputObjectType) else {}
        for key, entry in value.items():
            field = fields.get(key)
            if field is None and (reason := problem(key, LINE)) is not None:
                yield f"{path}.{key!a}", f"has a field name that {reason.removeprefix('is ')}"
                continue  # unknown: coercion refuses it, without echoing the bad name
            yield from _value_problems(
                entry, field.type if field else None, text_of(field), f"{path}.{key}"
            )


class InputCheck(SchemaExtension):
    """Runs :func:`input_errors` before execution; any problem is the operation's result."""

    def on_execute(self) -> Iterator[None]:
        context = self.execution_context
        document = context.graphql_document
        if document is not None:
            errors = input_errors(
                context.schema._schema, document, context.operation_name, context.variables
            )
            if errors:
                context.result = ExecutionResult(data=None, errors=errors)
        yield
