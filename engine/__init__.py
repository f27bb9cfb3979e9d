"""jianfu's core: the contracts, the rule packs, durable-rules evaluation and decisions.

Nothing here imports an adapter: files, databases, the command line and the web service all sit outside and talk to
the engine through `decide` and the `RegisterView` port.
"""

from .decide import Engine, PlanCheck
from .decisions import Decision, Finding, PackRef
from .memo import Memo
from .errors import AuditIncomplete, EvaluationError, FieldError, InvalidInput, InvalidPack, JianfuError, NoPackInForce
from .packs import Catalog, load_folder
from .register import LayeredRegister, MemoryRegister, RegisterView

__all__ = [
    "AuditIncomplete",
    "Catalog",
    "Decision",
    "Engine",
    "EvaluationError",
    "FieldError",
    "Finding",
    "InvalidInput",
    "InvalidPack",
    "JianfuError",
    "LayeredRegister",
    "Memo",
    "MemoryRegister",
    "NoPackInForce",
    "PackRef",
    "PlanCheck",
    "RegisterView",
    "load_folder",
]
