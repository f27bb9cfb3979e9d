"""The request contract (SPEC, "The request contract"): what a unit asks to issue, hold, run or file.

Keys are English, values may be Chinese. Every model forbids unknown keys and is strict about types, so a typo in a
field name or a `"yes"` where `true` belongs is an error naming the field, never silently ignored.
"""

from __future__ import annotations

from typing import Annotated, Literal, Union

from pydantic import Field, model_validator

from .types import Contract, Day, Text

Kind = Literal["document", "meeting", "inspection", "bulletin"]
KINDS: tuple[str, ...] = ("document", "meeting", "inspection", "bulletin")

Approver = Literal["city_government", "city_government_leader", "general_office", "supervision_office"]
"""Who approved: 市政府, 市政府负责同志, 市政府办公室, 市政府督查室."""

IssuerLevel = Literal["city_government", "general_office", "coordinating_body", "department", "joint_departments"]
"""In whose name a document goes out (issuer), or the lowest name its content calls for (remit)."""

MAX_LIST = 500


class Approval(Contract):
    """An approval on file: 须报…批准. `covers` names the rule id or article it was given for (empty: any)."""

    by: Approver
    ref: Text | None = None
    date: Day | None = None
    covers: Text | None = None


class RequestBase(Contract):
    """Fields common to every kind of request."""

    id: Text
    jurisdiction: Text
    unit: Text
    date: Day
    title: str = Field(default="", max_length=500)
    topics: list[Text] = Field(default_factory=list, max_length=MAX_LIST)
    approvals: list[Approval] = Field(default_factory=list, max_length=MAX_LIST)


class Relay(Contract):
    """A superior document passed on (转发): 上级文件政策规定已经非常明确具体，且发送至县(市、区)."""

    doc_no: Text
    explicit: bool
    sent_to_counties: bool
    requires_local_rules: bool


class Document(RequestBase):
    """A document (文件) to be issued."""

    kind: Literal["document"]
    issuer: IssuerLevel
    remit: IssuerLevel
    subject: Text
    relays: Relay | None = None
    deployed_via: list[Text] = Field(default_factory=list, max_length=20)
    doc_no: Text | None = None
    replaces: Text | None = None
    valid_until: Day | None = None


class Attendee(Contract):
    unit: Text
    directly_related: bool


class Meeting(RequestBase):
    """A meeting (会议) to be held."""

    kind: Literal["meeting"]
    held_in_name_of: Literal["city_government", "department"]
    remit: Literal["city_government", "department"]
    scope: Literal["citywide_system", "other"]
    routine: bool
    arranged_by_general_office: bool = False
    attendees: list[Attendee] = Field(default_factory=list, max_length=MAX_LIST)
    onsite_office: bool = False
    """An on-site office meeting (现场办公会) of 004 art. 39, `topics` naming the task it works on: declared, never
    guessed from the title, so a city-wide meeting called 现场办公会 is still one of art. 8."""
    urgent: bool = False
    """Called for an emergency (紧急突发事项)."""


class Indicator(Contract):
    name: Text
    target: Text | int | float | None = None


class WorkPlan(Contract):
    """工作方案: 细化目标、量化指标."""

    targets: list[Text] = Field(default_factory=list, max_length=MAX_LIST)
    indicators: list[Indicator] = Field(default_factory=list, max_length=MAX_LIST)


class Onsite(Contract):
    """How the on-site part is run (实地督查考核): 暗访、随机抽查; no demands for escorts or reports."""

    unannounced: bool
    demands: list[Text] = Field(default_factory=list, max_length=MAX_LIST)


class Inspection(RequestBase):
    """An inspection, check or assessment (督查检查考核)."""

    kind: Literal["inspection"]
    type: Literal["comprehensive", "special", "ad_hoc"]
    scope: Literal["citywide", "other"]
    urgent: bool = False
    plan_item: Text | None = None
    involved_units: list[Text] = Field(default_factory=list, max_length=MAX_LIST)
    joint: bool = False
    work_plan: WorkPlan | None = None
    onsite: Onsite | None = None


class Bulletin(RequestBase):
    """An issue of a bulletin (简报) series."""

    kind: Literal["bulletin"]
    series: Text
    issue_no: Text | int | None = None
    to: Literal["city_government", "public"] = "city_government"
    """Whom it goes to: `city_government`, a bulletin submitted to the city government (向市政府报送的简报, the only
    kind 004 art. 6 limits), or `public`, a column or news report for the public (such as 001's 五型 column)."""


Request = Annotated[Union[Document, Meeting, Inspection, Bulletin], Field(discriminator="kind")]
"""One request to screen."""

MAX_PLAN_ITEMS = 20_000


class Plan(Contract):
    """A unit's annual plan (年度计划) of meetings, inspections, bulletins and documents.

    Items may leave out `jurisdiction` and `unit`: they are the plan's.
    """

    id: Text
    kind: Literal["plan"]
    jurisdiction: Text
    unit: Text
    year: int = Field(ge=1949, le=2200)
    title: str = Field(default="", max_length=500)
    filed_with: Literal["supervision_office"] | None = None
    filed_on: Day | None = None
    items: list[Request] = Field(default_factory=list, max_length=MAX_PLAN_ITEMS)

    @model_validator(mode="before")
    @classmethod
    def _items_inherit_unit(cls, data: object) -> object:
        if not isinstance(data, dict) or not isinstance(data.get("items"), list):
            return data
        items = []
        for item in data["items"]:
            if isinstance(item, dict):
                item = dict(item)
                for key in ("jurisdiction", "unit"):
                    if key not in item and key in data:
                        item[key] = data[key]
            items.append(item)
        return {**data, "items": items}

    @model_validator(mode="after")
    def _filed_together(self) -> "Plan":
        if (self.filed_with is None) != (self.filed_on is None):
            raise ValueError("filed_with 与 filed_on 须同时填写 / filed_with and filed_on go together")
        return self

    @property
    def filed(self) -> bool:
        return self.filed_with == "supervision_office" and self.filed_on is not None


Submission = Annotated[Union[Document, Meeting, Inspection, Bulletin, Plan], Field(discriminator="kind")]
"""What a requests file may hold: requests of any kind, or a plan."""
