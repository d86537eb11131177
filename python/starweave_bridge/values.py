"""Pids and refs as Python values, matching ``Pid`` and ``Ref`` of ``@starweave/actors``."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Pid:
    """The address of a Starweave process: a node name and an integer id."""

    node: str
    id: int

    def __str__(self):
        return f"<{0 if self.node == 'local' else self.node}.{self.id}.0>"


@dataclass(frozen=True)
class Ref:
    """A value unique per actor system that names one monitor, call or timer."""

    node: str
    id: int

    def __str__(self):
        return f"#Ref<{0 if self.node == 'local' else self.node}.{self.id}>"
