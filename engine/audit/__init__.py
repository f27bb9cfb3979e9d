"""The yearly compliance audit (年度审计): every record of a year re-checked, per-unit counts, the bulletin cut
against the baseline year, the yearly obligations met or missed, a traffic light per unit (亮灯), city totals, and
what-if runs under changed parameters.

Pure engine code: it reads the register through the contracts (units, records, filed plans) and the rule packs; the
command line and the report formats sit in adapters.
"""

from .obligations import ObligationResult, check_obligations, periods
from .run import Audit, NotChecked, RecordFindings, UnitAudit, audit, implausible_years, review_day
from .running import Tallied, read_from
from .whatif import Flip, audit_what_if, flips, parse_parameters, with_parameters

__all__ = [
    "Audit",
    "Flip",
    "NotChecked",
    "ObligationResult",
    "RecordFindings",
    "Tallied",
    "UnitAudit",
    "audit",
    "audit_what_if",
    "check_obligations",
    "flips",
    "implausible_years",
    "review_day",
    "parse_parameters",
    "periods",
    "read_from",
    "with_parameters",
]
