"""Serializers only translate: objects to JSON and JSON to the keyword arguments of the
services. Offices, indicators and regions are named by their codes, in and out. One module a
resource group (reference, activities, progress, reports) and the fields they share
(fields); everything is importable from here, as the views use it."""

from .activities import (
    ActivityCreateSerializer,
    ActivitySerializer,
    ActivityUpdateSerializer,
    ActivityWriteSerializer,
    ConflictSerializer,
    FileAlteredSerializer,
    RemoveSerializer,
    ReturnSerializer,
)
from .fields import (
    CODE_PATTERN,
    ID_PATTERN,
    MAX_ID,
    MAX_LINKS,
    MAX_VERSION,
    CodeField,
    DayField,
    DayRange,
    LinkList,
    links,
    version_field,
)
from .progress import (
    FigureSerializer,
    MonthSeriesSerializer,
    OfficeProgressSerializer,
    ProgressQuerySerializer,
    ProgressSerializer,
    UnitProgressSerializer,
)
from .reference import (
    BureauTargetSerializer,
    CounterpartSerializer,
    IndicatorSerializer,
    OfficeSerializer,
    OfficeTargetSerializer,
    RegionSerializer,
    TargetsSerializer,
    YearQuerySerializer,
)
from .reports import PublishedReportSerializer, ReportRequestSerializer

__all__ = [
    "CODE_PATTERN",
    "ID_PATTERN",
    "MAX_ID",
    "MAX_LINKS",
    "MAX_VERSION",
    "ActivityCreateSerializer",
    "ActivitySerializer",
    "ActivityUpdateSerializer",
    "ActivityWriteSerializer",
    "BureauTargetSerializer",
    "CodeField",
    "ConflictSerializer",
    "CounterpartSerializer",
    "DayField",
    "DayRange",
    "FigureSerializer",
    "FileAlteredSerializer",
    "IndicatorSerializer",
    "LinkList",
    "MonthSeriesSerializer",
    "OfficeProgressSerializer",
    "OfficeSerializer",
    "OfficeTargetSerializer",
    "ProgressQuerySerializer",
    "ProgressSerializer",
    "PublishedReportSerializer",
    "RegionSerializer",
    "RemoveSerializer",
    "ReportRequestSerializer",
    "ReturnSerializer",
    "TargetsSerializer",
    "UnitProgressSerializer",
    "YearQuerySerializer",
    "links",
    "version_field",
]
