"""Handlers: the ``@handler`` decorator and the registry a worker builds from the modules named
in its configuration. Requests name a handler by its registered name; nothing received is
evaluated or imported."""

import importlib
import inspect
from dataclasses import dataclass

_SPEC_ATTRIBUTE = "__starweave_handler__"


@dataclass(frozen=True)
class HandlerSpec:
    """One handler: its name, function and capabilities."""

    name: str
    function: object
    batch: bool = False
    max_batch_size: int | None = None
    stream: bool = False
    takes_context: bool = False
    inline: bool = False

    def describe(self):
        """Return the handler's entry in the ``hello`` frame."""
        return {
            "name": self.name,
            "batch": self.batch,
            "maxBatchSize": self.max_batch_size,
            "stream": self.stream,
        }

    def call(self, argument, context):
        """Call the function with its argument, and the context when it takes one."""
        if self.takes_context:
            return self.function(argument, context)
        return self.function(argument)


def handler(name=None, *, batch=False, max_batch_size=None, stream=None, inline=False):
    """Mark a function as a bridge handler offered under ``name`` (default: its own name).

    The function takes the payload, or a list of payloads when ``batch`` is true (and then
    returns a list of as many results), plus an optional second parameter for the request
    context. A generator function is a streaming handler: each value it yields is one chunk.

    ``inline=True`` declares a plain handler short (microseconds to a few milliseconds): the
    worker then runs it on the thread that reads frames, which saves a thread hand-over per
    request. Its deadline is still answered on time, but no other frame, not even a cancel of
    it, is read until it returns, so leave long or blocking handlers on the handler threads.

    Example::

        @handler("double")
        def double(array):
            return array * 2
    """
    if max_batch_size is not None and (not isinstance(max_batch_size, int) or max_batch_size < 1):
        raise ValueError(
            f"invalid max_batch_size: expected an int >= 1, received {max_batch_size!r}"
        )
    if max_batch_size is not None and not batch:
        raise ValueError("invalid max_batch_size: it applies only to batch=True handlers")

    def mark(function):
        is_stream = inspect.isgeneratorfunction(function) if stream is None else bool(stream)
        if is_stream and batch:
            raise ValueError(f"handler {name or function.__name__!r} cannot both batch and stream")
        if inline and (is_stream or batch):
            raise ValueError(
                f"handler {name or function.__name__!r} cannot be inline and "
                f"{'stream' if is_stream else 'batch'}: only plain handlers run inline; drop "
                "inline=True"
            )
        spec = HandlerSpec(
            name=name or function.__name__,
            function=function,
            batch=batch,
            max_batch_size=max_batch_size,
            stream=is_stream,
            takes_context=_takes_context(function),
            inline=bool(inline),
        )
        setattr(function, _SPEC_ATTRIBUTE, spec)
        return function

    return mark


def _takes_context(function):
    positional = 0
    for parameter in inspect.signature(function).parameters.values():
        if parameter.kind == parameter.VAR_POSITIONAL:
            return True
        if parameter.kind in (parameter.POSITIONAL_ONLY, parameter.POSITIONAL_OR_KEYWORD):
            positional += 1
    return positional >= 2


class Registry:
    """The handlers a worker offers, by name."""

    def __init__(self, specs=()):
        self._specs = {}
        for spec in specs:
            self.add(spec)

    def add(self, spec):
        """Add one handler; raise ``ValueError`` when its name is taken."""
        existing = self._specs.get(spec.name)
        if existing is not None and existing.function is not spec.function:
            raise ValueError(
                f"handler name {spec.name!r} is registered twice: by {_where(existing.function)} "
                f"and by {_where(spec.function)}. Rename one of them."
            )
        self._specs[spec.name] = spec

    def get(self, name):
        """Return the handler named ``name``, or None."""
        return self._specs.get(name) if isinstance(name, str) else None

    def names(self):
        """Return the handler names, sorted."""
        return sorted(self._specs)

    def describe(self):
        """Return the ``handlers`` list of the ``hello`` frame."""
        return [self._specs[name].describe() for name in self.names()]

    @classmethod
    def from_modules(cls, module_names):
        """Import each named module and collect the functions marked with ``@handler``."""
        registry = cls()
        for module_name in module_names:
            module = importlib.import_module(module_name)
            for value in vars(module).values():
                spec = getattr(value, _SPEC_ATTRIBUTE, None)
                if isinstance(spec, HandlerSpec):
                    registry.add(spec)
        return registry


def _where(function):
    return f"{function.__module__}.{function.__qualname__}"
