"""FEEL list built-ins (positions are 1-based, negative from the end)."""

from __future__ import annotations

import functools
from decimal import Decimal
from typing import Any

from engine.bpmn.feel import budget, ops
from engine.bpmn.feel.builtins_core import builtin, integer
from engine.bpmn.feel.calls import invoke
from engine.bpmn.feel.values import CONTEXT, Function


def _items(args: tuple[Any, ...]) -> list[Any]:
    """Variadic built-ins take one list or the items themselves."""
    if len(args) == 1 and type(args[0]) is list:
        return args[0]
    return list(args)


def _list(value: Any) -> list[Any]:
    if type(value) is not list:
        raise TypeError("not a list")
    return value


def _contains(items: list[Any], element: Any) -> bool:
    return any(ops.equal(item, element) is True for item in items)


@builtin("list contains", "list, element")
def _list_contains(items: Any, element: Any) -> Any:
    return _contains(_list(items), element)


@builtin("count", "list")
def _count(items: Any) -> Any:
    return Decimal(len(_list(items)))


def _extreme(items: list[Any], sign: int) -> Any:
    if not items:
        return None
    best = items[0]
    for item in items[1:]:
        order = ops.compare(item, best)
        if order is None:
            return None
        if order == sign:
            best = item
    if len(items) == 1 and ops.compare(best, best) is None:
        return None
    return best


@builtin("min", "list", variadic=True)
def _min(*args: Any) -> Any:
    return _extreme(_items(args), -1)


@builtin("max", "list", variadic=True)
def _max(*args: Any) -> Any:
    return _extreme(_items(args), 1)


def _numbers(args: tuple[Any, ...]) -> list[Decimal]:
    items = _items(args)
    if any(type(item) is not Decimal for item in items):
        raise TypeError("not a number")
    return items


@builtin("sum", "list", variadic=True)
def _sum(*args: Any) -> Any:
    numbers = _numbers(args)
    if not numbers:
        return None
    total = Decimal(0)
    for item in numbers:
        total = CONTEXT.add(total, item)
    return total


@builtin("mean", "list", variadic=True)
def _mean(*args: Any) -> Any:
    numbers = _numbers(args)
    if not numbers:
        return None
    return CONTEXT.divide(_sum(numbers), Decimal(len(numbers)))


@builtin("product", "list", variadic=True)
def _product(*args: Any) -> Any:
    numbers = _numbers(args)
    if not numbers:
        return None
    total = Decimal(1)
    for item in numbers:
        total = CONTEXT.multiply(total, item)
    return total


@builtin("median", "list", variadic=True)
def _median(*args: Any) -> Any:
    numbers = sorted(_numbers(args))
    if not numbers:
        return None
    middle = len(numbers) // 2
    if len(numbers) % 2:
        return numbers[middle]
    return CONTEXT.divide(CONTEXT.add(numbers[middle - 1], numbers[middle]), Decimal(2))


@builtin("stddev", "list", variadic=True)
def _stddev(*args: Any) -> Any:
    numbers = _numbers(args)
    if len(numbers) < 2:
        return None
    mean = _mean(numbers)
    squares = Decimal(0)
    for item in numbers:
        squares = CONTEXT.add(squares, CONTEXT.power(CONTEXT.subtract(item, mean), 2))
    return CONTEXT.sqrt(CONTEXT.divide(squares, Decimal(len(numbers) - 1)))


@builtin("mode", "list", variadic=True)
def _mode(*args: Any) -> Any:
    if not args:
        return None
    numbers = _numbers(args)
    counts: dict[Decimal, int] = {}
    for item in numbers:
        counts[item] = counts.get(item, 0) + 1
    if not counts:
        return []
    top = max(counts.values())
    return sorted(item for item, count in counts.items() if count == top)


def _booleans(args: tuple[Any, ...]) -> list[Any]:
    items = _items(args)
    if len(args) == 1 and type(args[0]) is not list and type(args[0]) is not bool:
        raise TypeError("not a boolean")
    if any(item is not None and type(item) is not bool for item in items):
        raise TypeError("not a boolean")
    return items


@builtin("all", "list", variadic=True)
def _all(*args: Any) -> Any:
    if not args:
        return None
    items = _booleans(args)
    if any(item is False for item in items):
        return False
    return True if all(item is True for item in items) else None


@builtin("any", "list", variadic=True)
def _any(*args: Any) -> Any:
    if not args:
        return None
    items = _booleans(args)
    if any(item is True for item in items):
        return True
    return False if all(item is False for item in items) else None


def _position(items: list[Any], position: Any) -> int:
    index = integer(position)
    if index == 0 or abs(index) > len(items):
        raise IndexError("position")
    return index - 1 if index > 0 else len(items) + index


@builtin("sublist", "list, start position, length", optional=1)
def _sublist(items: Any, start: Any, length: Any = None) -> Any:
    values = _list(items)
    index = _position(values, start)
    if length is None:
        return values[index:]
    count = integer(length)
    if count < 0 or index + count > len(values):
        return None
    return values[index : index + count]


@builtin("append", "list, item", variadic=True)
def _append(items: Any, *more: Any) -> Any:
    budget.create(8 * (len(items) + len(more) if type(items) is list else len(more) + 1))
    return _list(items) + list(more)


@builtin("concatenate", "list", variadic=True)
def _concatenate(*lists: Any) -> Any:
    result: list[Any] = []
    for items in lists:
        budget.create(8 * len(items) if type(items) is list else 8)
        result.extend(_list(items))
    return result


@builtin("insert before", "list, position, newItem")
def _insert_before(items: Any, position: Any, new_item: Any) -> Any:
    values = list(_list(items))
    values.insert(_position(values, position), new_item)
    return values


@builtin("remove", "list, position")
def _remove(items: Any, position: Any) -> Any:
    values = list(_list(items))
    del values[_position(values, position)]
    return values


@builtin("reverse", "list")
def _reverse(items: Any) -> Any:
    return list(reversed(_list(items)))


@builtin("index of", "list, match")
def _index_of(items: Any, match: Any) -> Any:
    return [Decimal(index + 1) for index, item in enumerate(_list(items)) if ops.equal(item, match) is True]


@builtin("union", "list", variadic=True)
def _union(*lists: Any) -> Any:
    result: list[Any] = []
    for items in lists:
        for item in _list(items):
            if not _contains(result, item):
                result.append(item)
    return result


@builtin("distinct values", "list")
def _distinct(items: Any) -> Any:
    result: list[Any] = []
    for item in _list(items):
        if not _contains(result, item):
            result.append(item)
    return result


def _flat(items: list[Any], out: list[Any]) -> list[Any]:
    for item in items:
        if type(item) is list:
            _flat(item, out)
        else:
            out.append(item)
    return out


@builtin("flatten", "list")
def _flatten(items: Any) -> Any:
    return _flat(_list(items), [])


@builtin("sort", "list, precedes", optional=1)
def _sort(items: Any, precedes: Any = None) -> Any:
    values = list(_list(items))
    if precedes is None:
        if any(ops.compare(values[0], item) is None for item in values[1:]) if values else False:
            return None
        return sorted(values, key=functools.cmp_to_key(lambda a, b: ops.compare(a, b) or 0))
    if type(precedes) is not Function:
        return None

    def order(first: Any, second: Any) -> int:
        if invoke(precedes, [first, second]) is True:
            return -1
        if invoke(precedes, [second, first]) is True:
            return 1
        return 0

    return sorted(values, key=functools.cmp_to_key(order))


@builtin("list replace", "list, position, newItem", alt=("list, match, newItem",))
def _list_replace(items: Any, position: Any, new_item: Any) -> Any:
    if items is None:
        return None
    values = list(items) if type(items) is list else [items]
    if type(position) is Function:
        if not position.variadic and len(position.params) != 2:
            return None
        replaced = []
        for item in values:
            matched = invoke(position, [item, new_item])
            if matched is not None and type(matched) is not bool:
                return None  # the match function must answer true or false
            replaced.append(new_item if matched is True else item)
        return replaced
    if type(position) is not Decimal:
        return None
    values[_position(values, Decimal(int(position)))] = new_item
    return values
