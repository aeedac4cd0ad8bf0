"""Fields of the matter catalogue: matters (views, API, importer, portal guide), their materials and steps."""

from flask_babel import lazy_gettext as _l

from app.fields import (
    API,
    API_FORM,
    API_LIST,
    API_SHOW,
    EXPORT,
    FORM,
    LIST,
    NOWHERE,
    SEARCH,
    SHOW,
    Field,
    Guide,
    Import,
    Registry,
)
from app.models.matter import Matter, MatterMaterial, MatterStep

BASIC, LIMITS, FEES, HANDLING = _l("Basic information"), _l("Time limits"), _l("Fees"), _l("Handling")

MATTER_FIELDS = Registry(
    Matter,
    Field("id", API_LIST | API_SHOW),
    Field("code", LIST | FORM | SEARCH | EXPORT | API, fieldset=BASIC,
          imports=Import("事项编码", required=True, examples=("XZ-SCJG-0001", "XZ-SCJG-0002"))),
    Field("name", LIST | FORM | SEARCH | EXPORT | API, fieldset=BASIC,
          imports=Import("事项名称", required=True, examples=("食品经营许可（新办）", "个体工商户设立登记"))),
    Field("category", LIST | FORM | SEARCH | EXPORT | API, fieldset=BASIC,
          imports=Import("事项类型", required=True, examples=("行政许可", "行政许可"))),
    Field("department", LIST | FORM | SEARCH | EXPORT | API, fieldset=BASIC,
          imports=Import("实施部门", required=True, examples=("县市场监督管理局", "县市场监督管理局"))),
    Field("handling_level", FORM | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=BASIC,
          imports=Import("办理层级", examples=("县级政务服务中心", "县级政务服务中心"))),
    # Where the network may receive it, and how a township handles it (app/services/matter_levels.py).
    Field("received_at_county", FORM | SEARCH | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=BASIC,
          imports=Import("县级受理", examples=("是", "是"))),
    Field("received_at_sub_center", FORM | SEARCH | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=BASIC,
          imports=Import("分中心受理", examples=("否", "否"))),
    Field("received_at_township", FORM | SEARCH | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=BASIC,
          imports=Import("乡镇受理", examples=("是", "是"))),
    Field("received_at_village", FORM | SEARCH | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=BASIC,
          imports=Import("村级受理", examples=("是", "是"))),
    Field("received_levels", NOWHERE, guide=Guide(_l("Where it is received"), "text")),
    Field("township_handling", FORM | SEARCH | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=BASIC,
          imports=Import("乡镇办理方式", examples=("全程业务", "上报办结")), guide=True),
    Field("case_kind", LIST | FORM | SEARCH | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=LIMITS,
          imports=Import("办件类型", examples=("承诺件", "即办件")), guide=True),
    Field("legal_limit_days", LIST | FORM | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=LIMITS,
          imports=Import("法定时限（工作日）", required=True, examples=(20, 15)), guide=Guide(_l("Legal limit"))),
    Field("promised_limit_days", LIST | FORM | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=LIMITS,
          imports=Import("承诺时限（工作日）", required=True, examples=(10, 0)),
          guide=Guide(_l("Promised limit"), "days_or_on_the_spot")),
    Field("urgent_limit_days", FORM | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=LIMITS,
          imports=Import("急办时限（工作日）", examples=(5, ""))),
    Field("fee_standard", FORM | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=FEES,
          imports=Import("收费标准（元）", examples=(0, 0)), guide=Guide(_l("Fee"), "fee")),
    Field("fee_max", FORM | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=FEES, imports=Import("收费上限（元）")),
    Field("fee_basis", FORM | EXPORT | API_SHOW | API_FORM, fieldset=FEES, imports=Import("收费依据")),
    Field("legal_basis", FORM | API_SHOW | API_FORM, fieldset=HANDLING, guide=True, imports=Import(
        "设定依据", examples=("《中华人民共和国食品安全法》第三十五条", "《促进个体工商户发展条例》第十条"))),
    Field("conditions", FORM | API_SHOW | API_FORM, fieldset=HANDLING, guide=Guide(_l("Conditions")),
          imports=Import("受理条件", examples=("有与经营的食品品种、数量相适应的经营场所", ""))),
    Field("online_available", LIST | FORM | SEARCH | EXPORT | API_LIST | API_SHOW | API_FORM, fieldset=HANDLING,
          imports=Import("是否网办", examples=("是", "是")), guide=True),
    Field("stationed", FORM | API_FORM, imports=Import("是否进驻中心", examples=("是", "是"))),
    Field("window_authorized", FORM | API_FORM, imports=Import("是否授权窗口办结", examples=("否", "是"))),
    Field("place", FORM | EXPORT | API_SHOW | API_FORM, fieldset=HANDLING, guide=True,
          imports=Import("办理地点", examples=("县政务服务中心一楼市场监管窗口", "县政务服务中心一楼市场监管窗口"))),
    Field("phone", FORM | EXPORT | API_SHOW | API_FORM, fieldset=HANDLING, guide=True,
          imports=Import("咨询电话", examples=("0371-12345678", "0371-12345678"))),
    # Set by the list's enable/disable actions, never typed into the form.
    Field("status", LIST | SEARCH | EXPORT | API, fieldset=BASIC),
    Field("version", API_LIST | API_SHOW),
    # Import only: the materials and steps the importer writes as the matter's own rows.
    Field("materials", NOWHERE, imports=Import("申请材料", examples=(
        "食品经营许可申请书（原件1份）\n营业执照（复印件1份）\n法定代表人身份证明（原件1份，复印件1份）\n"
        "授权委托书（原件1份，选填）",
        "个体工商户登记申请书（原件1份）\n经营者身份证明（复印件1份）",
    ))),
    Field("steps", NOWHERE, imports=Import("办理流程", examples=("受理(1)→审查(6)→决定(2)→送达(1)", "受理→决定"))),
)  # fmt: skip

MATTER_MATERIAL_FIELDS = Registry(
    MatterMaterial,
    Field("matter", LIST | SHOW | FORM),
    Field("name", LIST | SHOW | FORM | SEARCH),
    Field("form", LIST | SHOW | FORM | SEARCH),
    Field("original_count", LIST | SHOW | FORM),
    Field("copy_count", LIST | SHOW | FORM),
    Field("required", LIST | SHOW | FORM | SEARCH),
    Field("tolerable", LIST | SHOW | FORM | SEARCH),
    Field("note", SHOW | FORM),
    Field("sort_order", LIST | SHOW | FORM),
)

MATTER_STEP_FIELDS = Registry(
    MatterStep,
    Field("matter", LIST | SHOW | FORM),
    Field("seq", LIST | SHOW | FORM),
    Field("name", LIST | SHOW | FORM | SEARCH),
    Field("limit_days", LIST | SHOW | FORM),
    Field("handler_position", LIST | SHOW | FORM),
    Field("note", SHOW | FORM),
)
