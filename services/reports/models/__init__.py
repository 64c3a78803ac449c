"""Read models of the printed records: plain frozen dataclasses, rendered by `render/`, one
module per document family."""

from services.reports.models.audit import AuditEvent, AuditModel, AuditRevision
from services.reports.models.complaints import (
    ComplaintRow,
    ComplaintsModel,
    FollowupCase,
    FollowupsModel,
)
from services.reports.models.sheet import (
    AppealLine,
    BonusLine,
    DeductionLine,
    SheetItem,
    SheetModel,
    SignOff,
)
from services.reports.models.stats import BINS, Distribution, distribution
from services.reports.models.summaries import (
    AnnualModel,
    AnnualRow,
    ComponentPart,
    DepartmentModel,
    DepartmentRow,
    DepartmentSection,
    OverviewModel,
    PayrollChange,
    PayrollChangesModel,
    PayrollModel,
    PayrollRow,
    ProjectOverview,
)
from services.reports.models.yearend import InspectionLine, ReviewLine, YearEndModel, YearEndMonth

__all__ = ["AnnualModel", "AnnualRow", "AppealLine", "AuditEvent", "AuditModel", "AuditRevision", "BINS", "BonusLine", "ComplaintRow", "ComplaintsModel", "ComponentPart", "DeductionLine", "DepartmentModel", "DepartmentRow", "DepartmentSection", "Distribution", "FollowupCase", "FollowupsModel", "InspectionLine", "OverviewModel", "PayrollChange", "PayrollChangesModel", "PayrollModel", "PayrollRow", "ProjectOverview", "ReviewLine", "SheetItem", "SheetModel", "SignOff", "YearEndModel", "YearEndMonth", "distribution"]
