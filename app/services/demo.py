"""The demo county: a realistic, deterministic network of service centers.

Sized like the county in the seeds (33 departments, ~100 windows, ~110 staff,
~365 matters). Used by `flask seed-demo`, the first start of `run.py` and the
benchmark data builder. Everything comes from the tables below and a seeded
`random.Random`, so one seed always gives the same county.
"""

import random
import re
import zlib
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal

import sqlalchemy as sa
from flask_appbuilder.security.sqla.models import Role, User

from app.models.matter import CaseKind, MaterialForm, Matter, MatterCategory, MatterMaterial, MatterStep
from app.models.org import Center, CenterLevel, Department, Staff, StaffPosition, Window, WindowKind

COUNTY_CODE = "XZ"
COUNTY_NAME = "示范县政务服务中心"
AREA_CODE = "0396"
# Seniority is counted from a fixed day, not the clock: a seed gives the same county in any year.
AS_OF = date(2026, 11, 1)

SUB_CENTERS = [
    ("XZ-F1", "示范县不动产登记分中心", "示范县建设路16号"),
    ("XZ-F2", "示范县公安户籍分中心", "示范县文化路9号"),
]
# Township -> its village points (two each: the seeds' counties run one point per large village).
TOWNS = {
    "城关镇": ("东关社区", "西街社区"),
    "东湖镇": ("王庄村", "李家村"),
    "西山乡": ("河口村", "柳树湾村"),
    "南河镇": ("新华村", "张寨村"),
    "北岭乡": ("白果村", "槐树岭村"),
}

# (name, short name, dedicated windows). Departments with no window of their own
# are served at a comprehensive window, as the seeds describe for small units.
DEPARTMENTS = [
    ("县行政审批服务局", "审批局", 5),
    ("县发展和改革局", "发改", 4),
    ("县公安局", "公安", 5),
    ("县民政局", "民政", 5),
    ("县人力资源和社会保障局", "人社", 5),
    ("县自然资源局", "自然资源", 4),
    ("县住房和城乡建设局", "住建", 5),
    ("县交通运输局", "交通", 4),
    ("县水利局", "水利", 3),
    ("县农业农村局", "农业农村", 4),
    ("县商务局", "商务", 0),
    ("县文化和旅游局", "文旅", 3),
    ("县卫生健康委员会", "卫健", 5),
    ("县市场监督管理局", "市场监管", 5),
    ("县税务局", "税务", 5),
    ("县医疗保障局", "医保", 4),
    ("县住房公积金管理中心", "公积金", 4),
    ("县不动产登记中心", "不动产", 5),
    ("县生态环境分局", "生态环境", 3),
    ("县教育局", "教育", 3),
    ("县司法局", "司法", 2),
    ("县财政局", "财政", 0),
    ("县应急管理局", "应急", 3),
    ("县林业局", "林业", 2),
    ("县城市管理局", "城管", 2),
    ("县退役军人事务局", "退役军人", 2),
    ("县残疾人联合会", "残联", 0),
    ("县消防救援大队", "消防", 0),
    ("县气象局", "气象", 0),
    ("县烟草专卖局", "烟草", 0),
    ("县供电公司", "供电", 0),
    ("县供水公司", "供水", 0),
    ("县燃气公司", "燃气", 0),
]
APPROVAL_BUREAU = "审批局"
# (code, name, responsible department or None, member departments, note)
COMPREHENSIVE_WINDOWS = [
    ("Z01", "综合受理窗口1", APPROVAL_BUREAU, ("财政", "气象", "烟草"), "成员单位轮值，中心统一收件"),
    ("Z02", "综合受理窗口2", APPROVAL_BUREAU, ("商务", "残联", "消防"), "成员单位轮值，中心统一收件"),
    ("Z03", "水电气联办窗口", None, ("供电", "供水", "燃气"), "水电气报装一窗联办"),
]
# (code, name, kind, department, note)
SPECIAL_WINDOWS = [
    ("G01", "绿色通道窗口", WindowKind.green, APPROVAL_BUREAU, "重大投资项目全程代办、帮办"),
    ("G02", "企业开办绿色通道", WindowKind.green, "市场监管", "企业开办一窗通办，当日办结"),
    ("C01", "综合出件窗口1", WindowKind.delivery, APPROVAL_BUREAU, "统一出件，可免费邮寄"),
    ("C02", "综合出件窗口2", WindowKind.delivery, APPROVAL_BUREAU, "统一出件，可免费邮寄"),
]
# The last N dedicated windows of a department sit in a sub-center (契税 is paid where property is registered).
AT_SUB_CENTER = {"不动产": ("XZ-F1", 2), "税务": ("XZ-F1", 1), "公安": ("XZ-F2", 2)}
# Busy departments keep a full-time B post besides their A posts; elsewhere the chief rep doubles as B post.
B_POST_DEPARTMENTS = ("公安", "人社", "市场监管")
LEADER_DEPARTMENTS = ("审批局", "公安")

# Matter names per department, in catalogue order. "X（a/b/c）" expands to one
# matter per sub-item, as provincial catalogues list them.
MATTERS = {
    "审批局": (
        "公共场所卫生许可（新办/变更/延续/注销）；旅馆业特种行业许可证核发；出版物零售单位设立；民办非企业单位成立登记；"
        "人防工程易地建设审批；人防工程竣工验收备案；医疗机构设置审批；电影放映单位设立审批；校车使用许可；"
        "临时建设工程规划许可；生活饮用水二次供水单位卫生许可；建设工程招标投标情况备案；企业开办一窗通办；"
        "工程建设项目联合审批；施工图设计文件联合审查；竣工联合验收；重大项目全程代办服务；"
        "一件事一次办（我要开餐馆）；一件事一次办（新生儿出生）；一件事一次办（退休）"
    ),
    "发改": (
        "企业投资项目核准；企业投资项目备案（新办/变更）；固定资产投资项目节能审查；政府投资项目建议书审批；"
        "政府投资项目可行性研究报告审批；政府投资项目初步设计审批；价格认定；粮食收购企业备案；招标方案核准；"
        "外商投资项目核准；项目社会稳定风险评估备案"
    ),
    "公安": (
        "居民身份证（首次申领/换领/补领）；临时居民身份证办理；户口迁移（迁入/迁出）；出生登记；死亡注销户口；"
        "户口簿（换领/补领）；姓名变更登记；户籍证明开具；居住证（申领/签注）；无犯罪记录证明开具；"
        "机动车驾驶证（换证/补证）；机动车（注册登记/转移登记/抵押登记）；机动车检验合格标志核发；普通护照签发；"
        "往来港澳通行证签发；往来台湾通行证签发；公章刻制业特种行业许可；印章刻制备案；大型群众性活动安全许可；"
        "剧毒化学品购买许可；民用爆炸物品购买许可；烟花爆竹道路运输许可"
    ),
    "民政": (
        "结婚登记；离婚登记；补领婚姻登记证；社会团体（成立/变更/注销）登记；社会服务机构（变更/注销）登记；"
        "最低生活保障审核确认；特困人员救助供养审核确认；临时救助；高龄津贴发放；残疾人两项补贴发放；养老机构备案"
    ),
    "人社": (
        "社会保障卡（申领/补领/换领/挂失）；职工养老保险参保登记；工伤保险参保登记；城乡居民养老保险参保登记；"
        "城乡居民养老保险待遇申领；职工基本养老金申领；养老保险关系转移接续；失业保险金申领；失业登记；"
        "就业创业证申领；就业困难人员认定；创业担保贷款申请；灵活就业人员社保补贴申领；职业技能等级证书查询；"
        "工伤认定申请；劳动能力鉴定申请；工伤保险待遇核定；劳务派遣经营许可；人力资源服务许可；"
        "劳动人事争议仲裁申请；企业职工退休审批；个人权益记录查询打印；参保缴费证明开具；失业保险稳岗返还；"
        "高校毕业生就业见习补贴申领"
    ),
    "自然资源": (
        "建设用地规划许可；建设工程规划许可；乡村建设规划许可；建设项目用地预审与选址意见书核发；临时用地审批；"
        "建设工程规划条件核实；采矿权（新立/延续/变更/注销）登记；土地复垦方案审查；地质灾害危险性评估备案；"
        "测绘成果提供；建设用地改变用途审核；规划条件核定；土地权属争议调处"
    ),
    "住建": (
        "建筑工程施工许可（新办/变更）；商品房预售许可；建设工程竣工验收备案；建筑业企业资质（新办/延续/变更）；"
        "工程质量监督登记；工程安全监督登记；房地产开发企业资质核定；城镇燃气经营许可；建设工程消防设计审查；"
        "特殊建设工程消防验收；其他建设工程消防验收备案；商品房买卖合同网签备案；存量房交易资金监管；"
        "前期物业服务合同备案；住宅专项维修资金（交存/使用）；公共租赁住房申请；住房租赁补贴申领；"
        "房屋租赁登记备案；城镇污水排入排水管网许可；城市房屋白蚁防治"
    ),
    "交通": (
        "道路货物运输经营许可（新办/变更/注销）；道路旅客运输经营许可；道路运输从业人员从业资格证（核发/换证）；"
        "出租汽车经营许可；网络预约出租汽车运输证核发；公路超限运输许可；涉路施工许可；道路运输证配发；"
        "机动车维修经营备案；机动车驾驶员培训备案；公路建设项目施工许可"
    ),
    "水利": (
        "取水许可（新办/延续/变更）；河道管理范围内建设项目工程建设方案审批；生产建设项目水土保持方案审批；"
        "洪水影响评价类审批；占用农业灌溉水源及灌排工程设施审批；水利基建项目初步设计文件审批；河道采砂许可；"
        "水利工程质量监督手续办理"
    ),
    "农业农村": (
        "农药经营许可（新办/变更/延续）；兽药经营许可；动物防疫条件合格证核发；动物诊疗许可；"
        "农作物种子生产经营许可；拖拉机和联合收割机（注册登记/驾驶证申领）；生鲜乳收购站许可；"
        "农村村民宅基地审批；渔业捕捞许可；水产苗种生产许可；种畜禽生产经营许可；农机购置补贴申领"
    ),
    "商务": (
        "成品油零售经营许可；单用途商业预付卡发卡企业备案；再生资源回收经营者备案；家电以旧换新补贴申领；"
        "汽车以旧换新补贴申领；外商投资企业信息报告；洗染业经营者备案；美容美发业经营者备案"
    ),
    "文旅": (
        "娱乐场所经营许可（新办/变更）；互联网上网服务营业场所经营许可；营业性演出许可；旅行社设立许可；"
        "艺术品经营单位备案；非物质文化遗产代表性项目申报；文物保护单位建设控制地带内建设工程审批；"
        "高危险性体育项目经营许可；公共图书馆读者证办理"
    ),
    "卫健": (
        "医疗机构执业登记（新办/变更/校验/注销）；医师执业（注册/变更）；护士执业（注册/延续）；"
        "母婴保健技术服务执业许可；放射诊疗许可；乡村医生执业注册；出生医学证明（首次签发/补发）；生育登记；"
        "农村部分计划生育家庭奖励扶助；饮用水供水单位卫生许可"
    ),
    "市场监管": (
        "食品经营许可（新办/变更/延续/注销）；食品生产许可（新办/变更/延续）；小餐饮登记；食品小作坊登记；"
        "个体工商户（设立/变更/注销）登记；有限责任公司（设立/变更/注销）登记；农民专业合作社（设立/变更/注销）登记；"
        "个人独资企业设立登记；营业执照补领；药品零售企业经营许可；第二类医疗器械经营备案；特种设备使用登记；"
        "计量器具强制检定；企业年度报告公示；市场主体歇业备案；股权出质登记；动产抵押登记；经营异常名录移出申请；"
        "企业登记信息查询"
    ),
    "税务": (
        "发票领用；发票代开；增值税一般纳税人登记；税务登记信息变更；清税申报；税收完税证明开具；"
        "个人所得税综合所得汇算清缴；契税申报；车辆购置税申报；社会保险费申报缴纳；跨区域涉税事项报告；"
        "城乡居民医疗保险费缴纳；出口退（免）税备案"
    ),
    "医保": (
        "医疗保障关系转移接续；异地就医备案；门诊慢特病待遇认定；零星医疗费用报销；城乡居民医保参保登记；"
        "职工医保参保登记；参保信息变更；生育医疗费用报销；定点医药机构申请受理；参保凭证打印"
    ),
    "公积金": (
        "住房公积金提取（购房/租房/离退休）；住房公积金个人贷款；单位住房公积金缴存登记；个人住房公积金账户设立；"
        "住房公积金异地转移接续；住房公积金贷款结清证明开具"
    ),
    "不动产": (
        "国有建设用地使用权首次登记；房屋所有权（首次/转移/变更）登记；抵押权（首次/注销）登记；预告登记；更正登记；"
        "异议登记；不动产登记资料查询；不动产权证书补证；宅基地使用权及房屋所有权首次登记"
    ),
    "生态环境": (
        "建设项目环境影响报告表审批；建设项目环境影响登记表备案；排污许可（新办/变更/延续）；"
        "突发环境事件应急预案备案；排污登记；建设项目竣工环境保护验收信息公开"
    ),
    "教育": (
        "教师资格认定；民办学校（设立/变更/终止）审批；校外培训机构设立审批；学历证明书开具；学生资助申请；"
        "中小学生转学办理"
    ),
    "司法": "法律援助申请；公证（申办/查询）；人民调解申请；基层法律服务工作者执业核准；法律职业资格证书申领初审",
    "财政": (
        "代理记账机构审批；会计人员信息采集；政府采购供应商投诉处理；非税收入票据领用；耕地地力保护补贴发放；"
        "惠民惠农补贴资金查询"
    ),
    "应急": (
        "危险化学品经营许可（新办/延续）；烟花爆竹经营（零售）许可；非煤矿山建设项目安全设施设计审查；"
        "生产安全事故应急预案备案；危险化学品重大危险源备案"
    ),
    "林业": "林木采伐许可；使用林地审核；林草种子生产经营许可；植物检疫证书核发；森林防火期内野外用火审批",
    "城管": (
        "城市建筑垃圾处置核准；设置大型户外广告审批；占用挖掘城市道路审批；临时占用城市绿地审批；砍伐城市树木审批；"
        "城市生活垃圾经营性清扫收集运输服务许可"
    ),
    "退役军人": (
        "退役军人优待证申领；伤残等级评定；优抚对象抚恤补助发放；退役士兵自主就业一次性经济补助发放；烈士褒扬金发放"
    ),
    "残联": "残疾人证（新办/换领/迁移）；残疾人辅助器具适配补贴申请",
    "消防": "公众聚集场所投入使用、营业前消防安全检查；大型群众性活动消防安全检查；火灾事故认定；消防安全重点单位备案",
    "气象": "雷电防护装置设计审核；雷电防护装置竣工验收；升放无人驾驶自由气球或者系留气球活动审批",
    "烟草": "烟草专卖零售许可证（新办/延续/变更）",
    "供电": (
        "低压居民用电新装（增容）；低压非居民用电新装（增容）；高压用电新装（增容）；用电更名过户；分布式光伏发电并网"
    ),
    "供水": "用水报装；用水过户；水表迁移",
    "燃气": "燃气报装；燃气过户；燃气设施改装",
}
# For a department the tables above do not know (a county adding its own).
GENERIC_MATTERS = (
    "{short}行政许可（新办/变更/延续/注销）；{short}资格认定；{short}备案；{short}相关证明开具；{short}补贴申领；"
    "{short}信息查询"
)

# First matching rule wins: the order settles names such as 参保登记 (a service, not a confirmation).
CATEGORY_RULES = [
    (MatterCategory.public_service, "查询 打印"),
    (MatterCategory.adjudication, "调处 投诉处理 仲裁"),
    (MatterCategory.payment, "补贴 抚恤 补助 救助 津贴 养老金 保险金 报销 奖励扶助 待遇 稳岗返还 褒扬金 生活保障"),
    (MatterCategory.levy, "税申报 申报缴纳 费缴纳 汇算清缴"),
    (
        MatterCategory.public_service,
        "参保 失业登记 生育登记 缴存登记 账户设立 信息公开 证明开具 就医备案 报装 过户 新装 一件事",
    ),
    (MatterCategory.other_power, "备案 报告公示"),
    (MatterCategory.licensing, "许可 审批 核准 核发 执业 资质 审查 审核 设立 安全检查 验收 核定"),
    (MatterCategory.confirmation, "登记 认定 鉴定 评定 确认 注册 户口 签注"),
]
# Queries, prints and certificates are handled on the spot everywhere.
IMMEDIATE_WORDS = ("查询", "打印", "挂失", "开具", "信息采集")
JOINT_WORDS = ("联合审批", "联合审查", "联合验收", "一件事", "联办")
# (immediate, promised, joint, escalated) weights by category: licences take time, services rarely do.
KIND_WEIGHTS = {
    MatterCategory.licensing: (20, 68, 4, 8),
    MatterCategory.confirmation: (50, 44, 2, 4),
    MatterCategory.public_service: (70, 26, 1, 3),
    MatterCategory.payment: (35, 55, 2, 8),
    MatterCategory.other_power: (75, 25, 0, 0),
    MatterCategory.levy: (90, 10, 0, 0),
    MatterCategory.adjudication: (0, 90, 0, 10),
}
KINDS = (CaseKind.immediate, CaseKind.promised, CaseKind.joint, CaseKind.escalated)

# Legal basis per department: (words in the matter name, basis); "*" is the department's general basis.
LEGAL_BASES = {
    "审批局": [
        ("公共场所", "《公共场所卫生管理条例》"),
        ("旅馆", "《旅馆业治安管理办法》"),
        ("出版物", "《出版管理条例》"),
        ("民办非企业", "《民办非企业单位登记管理暂行条例》"),
        ("人防", "《中华人民共和国人民防空法》"),
        ("医疗机构", "《医疗机构管理条例》"),
        ("电影", "《中华人民共和国电影产业促进法》"),
        ("校车", "《校车安全管理条例》"),
        ("规划", "《中华人民共和国城乡规划法》"),
        ("供水", "《生活饮用水卫生监督管理办法》"),
        ("招标", "《中华人民共和国招标投标法》"),
        ("联合 施工图", "《工程建设项目审批制度改革实施方案》"),
        ("*", "《中华人民共和国行政许可法》第二十五条"),
        ("*", "《优化营商环境条例》"),
    ],
    "发改": [
        ("核准 备案", "《企业投资项目核准和备案管理条例》"),
        ("节能", "《固定资产投资项目节能审查办法》"),
        ("政府投资", "《政府投资条例》"),
        ("价格", "《价格认定规定》"),
        ("粮食", "《粮食流通管理条例》"),
        ("招标", "《中华人民共和国招标投标法实施条例》"),
        ("外商", "《中华人民共和国外商投资法》"),
    ],
    "公安": [
        ("身份证", "《中华人民共和国居民身份证法》"),
        ("户口 出生 户籍 姓名", "《中华人民共和国户口登记条例》第六条"),
        ("居住证", "《居住证暂行条例》"),
        ("驾驶证", "《机动车驾驶证申领和使用规定》"),
        ("机动车", "《中华人民共和国道路交通安全法》"),
        ("护照", "《中华人民共和国护照法》"),
        ("港澳 台湾", "《中华人民共和国出境入境管理法》"),
        ("犯罪", "《公安机关办理无犯罪记录证明工作规定》"),
        ("群众性活动", "《大型群众性活动安全管理条例》"),
        ("剧毒", "《危险化学品安全管理条例》"),
        ("爆炸", "《民用爆炸物品安全管理条例》"),
        ("烟花", "《烟花爆竹安全管理条例》"),
        ("*", "《中华人民共和国治安管理处罚法》"),
    ],
    "民政": [
        ("婚", "《婚姻登记条例》"),
        ("社会团体", "《社会团体登记管理条例》"),
        ("社会服务机构", "《民办非企业单位登记管理暂行条例》"),
        ("生活保障 特困 临时救助", "《社会救助暂行办法》"),
        ("高龄", "《中华人民共和国老年人权益保障法》"),
        ("养老机构", "《养老机构管理办法》"),
        ("残疾人", "《中华人民共和国残疾人保障法》"),
    ],
    "人社": [
        ("社会保障卡 参保 养老 缴费 权益 转移", "《中华人民共和国社会保险法》"),
        ("工伤 劳动能力", "《工伤保险条例》"),
        ("失业 稳岗", "《失业保险条例》"),
        ("就业 创业 见习", "《中华人民共和国就业促进法》"),
        ("劳务派遣", "《劳务派遣行政许可实施办法》"),
        ("人力资源服务", "《人力资源市场暂行条例》"),
        ("仲裁", "《中华人民共和国劳动争议调解仲裁法》"),
        ("*", "《中华人民共和国劳动法》"),
    ],
    "自然资源": [
        ("规划", "《中华人民共和国城乡规划法》"),
        ("用地 土地", "《中华人民共和国土地管理法》"),
        ("采矿", "《中华人民共和国矿产资源法》"),
        ("复垦", "《土地复垦条例》"),
        ("地质灾害", "《地质灾害防治条例》"),
        ("测绘", "《中华人民共和国测绘法》"),
    ],
    "住建": [
        ("施工许可", "《中华人民共和国建筑法》第七条"),
        ("预售", "《城市商品房预售管理办法》"),
        ("竣工 质量", "《建设工程质量管理条例》"),
        ("安全监督", "《建设工程安全生产管理条例》"),
        ("建筑业企业", "《建筑业企业资质管理规定》"),
        ("房地产开发", "《城市房地产开发经营管理条例》"),
        ("燃气", "《城镇燃气管理条例》"),
        ("消防", "《建设工程消防设计审查验收管理暂行规定》"),
        ("买卖合同 交易资金 房屋租赁", "《中华人民共和国城市房地产管理法》"),
        ("物业 维修资金", "《物业管理条例》"),
        ("公共租赁 住房租赁", "《公共租赁住房管理办法》"),
        ("排水", "《城镇排水与污水处理条例》"),
        ("白蚁", "《城市房屋白蚁防治管理规定》"),
    ],
    "交通": [
        ("道路 出租 维修 驾驶员培训", "《中华人民共和国道路运输条例》"),
        ("网络预约", "《网络预约出租汽车经营服务管理暂行办法》"),
        ("超限 涉路", "《公路安全保护条例》"),
        ("公路建设", "《中华人民共和国公路法》"),
    ],
    "水利": [
        ("取水", "《取水许可和水资源费征收管理条例》"),
        ("河道", "《中华人民共和国河道管理条例》"),
        ("水土保持", "《中华人民共和国水土保持法》"),
        ("洪水", "《中华人民共和国防洪法》"),
        ("*", "《中华人民共和国水法》"),
    ],
    "农业农村": [
        ("农药", "《农药管理条例》"),
        ("兽药", "《兽药管理条例》"),
        ("动物", "《中华人民共和国动物防疫法》"),
        ("种子", "《中华人民共和国种子法》"),
        ("拖拉机", "《农业机械安全监督管理条例》"),
        ("生鲜乳", "《乳品质量安全监督管理条例》"),
        ("宅基地", "《中华人民共和国土地管理法》"),
        ("渔业 水产", "《中华人民共和国渔业法》"),
        ("种畜禽", "《中华人民共和国畜牧法》"),
        ("农机购置", "《中华人民共和国农业机械化促进法》"),
    ],
    "商务": [
        ("预付卡", "《单用途商业预付卡管理办法（试行）》"),
        ("再生资源", "《再生资源回收管理办法》"),
        ("外商", "《中华人民共和国外商投资法》"),
        ("洗染", "《洗染业管理办法》"),
        ("*", "《中华人民共和国行政许可法》"),
    ],
    "文旅": [
        ("娱乐", "《娱乐场所管理条例》"),
        ("上网", "《互联网上网服务营业场所管理条例》"),
        ("演出", "《营业性演出管理条例》"),
        ("旅行社", "《旅行社条例》"),
        ("艺术品", "《艺术品经营管理办法》"),
        ("非物质", "《中华人民共和国非物质文化遗产法》"),
        ("文物", "《中华人民共和国文物保护法》"),
        ("体育", "《全民健身条例》"),
        ("图书馆", "《中华人民共和国公共图书馆法》"),
    ],
    "卫健": [
        ("医疗机构", "《医疗机构管理条例》"),
        ("医师执业", "《中华人民共和国医师法》"),
        ("乡村医生", "《乡村医生从业管理条例》"),
        ("护士", "《护士条例》"),
        ("母婴 出生医学", "《中华人民共和国母婴保健法》"),
        ("放射", "《放射诊疗管理规定》"),
        ("生育", "《中华人民共和国人口与计划生育法》"),
        ("饮用水", "《生活饮用水卫生监督管理办法》"),
    ],
    "市场监管": [
        ("食品经营 小餐饮", "《食品经营许可和备案管理办法》"),
        ("食品", "《中华人民共和国食品安全法》第三十五条"),
        ("个体工商户", "《促进个体工商户发展条例》"),
        ("公司 合作社 独资 营业执照 歇业 企业登记", "《中华人民共和国市场主体登记管理条例》"),
        ("药品", "《中华人民共和国药品管理法》"),
        ("医疗器械", "《医疗器械监督管理条例》"),
        ("特种设备", "《中华人民共和国特种设备安全法》"),
        ("计量", "《中华人民共和国计量法》"),
        ("年度报告 经营异常", "《企业信息公示暂行条例》"),
        ("股权出质", "《股权出质登记办法》"),
        ("动产抵押", "《动产抵押登记办法》"),
    ],
    "税务": [
        ("发票", "《中华人民共和国发票管理办法》"),
        ("增值税", "《增值税一般纳税人登记管理办法》"),
        ("个人所得税", "《中华人民共和国个人所得税法》"),
        ("契税", "《中华人民共和国契税法》"),
        ("车辆购置税", "《中华人民共和国车辆购置税法》"),
        ("社会保险费 医疗保险费", "《中华人民共和国社会保险法》"),
        ("*", "《中华人民共和国税收征收管理法》"),
    ],
    "医保": [
        ("定点", "《医疗机构医疗保障定点管理暂行办法》"),
        ("报销 待遇", "《医疗保障基金使用监督管理条例》"),
        ("*", "《中华人民共和国社会保险法》"),
    ],
    "公积金": [("*", "《住房公积金管理条例》")],
    "不动产": [
        ("查询", "《不动产登记资料查询暂行办法》"),
        ("登记 补证", "《不动产登记暂行条例实施细则》"),
        ("*", "《不动产登记暂行条例》第十四条"),
    ],
    "生态环境": [
        ("环境影响", "《中华人民共和国环境影响评价法》"),
        ("排污", "《排污许可管理条例》"),
        ("应急预案", "《突发环境事件应急管理办法》"),
        ("竣工", "《建设项目环境保护管理条例》"),
    ],
    "教育": [
        ("教师资格", "《教师资格条例》"),
        ("民办学校 培训机构", "《中华人民共和国民办教育促进法》"),
        ("*", "《中华人民共和国教育法》"),
    ],
    "司法": [
        ("法律援助", "《中华人民共和国法律援助法》"),
        ("公证", "《中华人民共和国公证法》"),
        ("调解", "《中华人民共和国人民调解法》"),
        ("基层法律服务", "《基层法律服务工作者管理办法》"),
        ("法律职业资格", "《国家统一法律职业资格考试实施办法》"),
    ],
    "财政": [
        ("代理记账", "《代理记账管理办法》"),
        ("会计", "《中华人民共和国会计法》"),
        ("政府采购", "《政府采购质疑和投诉办法》"),
        ("票据", "《财政票据管理办法》"),
        ("*", "《中华人民共和国预算法》"),
    ],
    "应急": [
        ("危险化学品", "《危险化学品安全管理条例》"),
        ("烟花爆竹", "《烟花爆竹安全管理条例》"),
        ("应急预案", "《生产安全事故应急预案管理办法》"),
        ("*", "《中华人民共和国安全生产法》"),
    ],
    "林业": [
        ("采伐 林地", "《中华人民共和国森林法》"),
        ("种子", "《中华人民共和国种子法》"),
        ("检疫", "《植物检疫条例》"),
        ("用火", "《森林防火条例》"),
    ],
    "城管": [
        ("建筑垃圾", "《城市建筑垃圾管理规定》"),
        ("广告 生活垃圾", "《城市市容和环境卫生管理条例》"),
        ("道路", "《城市道路管理条例》"),
        ("绿地 树木", "《城市绿化条例》"),
    ],
    "退役军人": [
        ("优待证", "《中华人民共和国退役军人保障法》"),
        ("伤残 抚恤 优抚", "《军人抚恤优待条例》"),
        ("退役士兵", "《退役士兵安置条例》"),
        ("烈士", "《烈士褒扬条例》"),
    ],
    "残联": [("*", "《中华人民共和国残疾人保障法》")],
    "消防": [
        ("公众聚集", "《中华人民共和国消防法》第十五条"),
        ("火灾事故", "《火灾事故调查规定》"),
        ("群众性活动", "《大型群众性活动安全管理条例》"),
        ("*", "《中华人民共和国消防法》"),
    ],
    "气象": [
        ("雷电", "《防雷减灾管理办法》"),
        ("气球", "《施放气球管理办法》"),
        ("*", "《中华人民共和国气象法》"),
    ],
    "烟草": [("*", "《中华人民共和国烟草专卖法》第十六条"), ("*", "《中华人民共和国烟草专卖法实施条例》")],
    "供电": [("*", "《电力供应与使用条例》"), ("*", "《供电营业规则》")],
    "供水": [("*", "《城市供水条例》")],
    "燃气": [("*", "《城镇燃气管理条例》")],
}
DEFAULT_BASES = ["《中华人民共和国行政许可法》第十二条", "《优化营商环境条例》"]
CONDITIONS = {
    MatterCategory.licensing: "申请人具备法定条件，申请材料齐全、符合法定形式。",
    MatterCategory.confirmation: "申请人身份及相关事实清楚，证明材料真实有效。",
    MatterCategory.payment: "申请人符合政策规定的对象范围和标准。",
}

# Fees the law fixes for well-known matters: name fragment -> (standard, ceiling, basis).
KNOWN_FEES = [
    ("居民身份证（补领）", "40", None, "居民身份证工本费标准"),
    ("临时居民身份证", "10", None, "居民身份证工本费标准"),
    ("居民身份证", "20", None, "居民身份证工本费标准"),
    ("机动车驾驶证", "10", None, "机动车驾驶证工本费标准"),
    ("普通护照", "120", None, "出入境证件收费标准"),
    ("往来港澳通行证", "60", None, "出入境证件收费标准"),
    ("不动产权证书补证", "10", None, "不动产权属证书工本费标准"),
]
# Housing 80 yuan per case, other property 550: one matter, two rates.
PROPERTY_FEE = (
    "80",
    "550",
    "《国家发展改革委 财政部关于不动产登记收费标准等有关问题的通知》（发改价格规〔2016〕2559号）",
)
# Cancellations, corrections and objections are free; rural homesteads pay only the certificate.
PROPERTY_FEE_FREE = ("查询", "补证", "注销", "更正", "异议", "预告", "宅基地")

# Materials per department, one per line: words in the matter name | material | form.
# "*" fits any matter of the department. The application form and the applicant's ID are added to every matter.
DEPARTMENT_MATERIALS = {
    "审批局": """
        公共场所 供水 餐馆 | 卫生管理制度 | original
        公共场所 供水 餐馆 | 从业人员健康证明 | copy
        旅馆 出版物 电影 餐馆 | 经营场所使用证明 | copy
        旅馆 | 消防安全检查合格证明 | copy
        民办非企业 | 章程草案 | original
        人防 | 人防工程设计文件 | original
        医疗机构 | 设置可行性研究报告 | original
        校车 | 校车行驶证 | copy
        校车 | 校车驾驶人资格证明 | copy
        规划 | 建设工程设计方案 | original
        招标 | 招标投标情况书面报告 | original
        联合 施工图 | 施工图设计文件 | electronic
        新生儿 | 出生医学证明 | copy
        退休 | 社会保障卡 | original
        开办 | 公司章程 | original
        代办 | 项目代办委托书 | original
    """,
    "发改": """
        核准 | 项目申请报告 | original
        备案 | 项目基本情况表 | original
        节能 | 节能报告 | original
        建议书 | 项目建议书 | original
        可行性 | 可行性研究报告 | original
        初步设计 | 初步设计文件 | original
        价格 | 价格认定协助书 | original
        粮食 | 仓储设施证明 | copy
        招标 | 招标方案 | original
        风险评估 | 社会稳定风险评估报告 | original
    """,
    "公安": """
        身份证 户口 出生 姓名 户籍 | 居民户口簿 | original_and_copy
        身份证 护照 通行证 居住证 驾驶证 | 数码照片回执 | electronic
        出生 | 出生医学证明 | original_and_copy
        户口迁移 居住证 | 合法稳定住所证明 | copy
        死亡 | 死亡医学证明 | original
        转移登记 抵押登记 检验 | 机动车登记证书 | original
        注册登记 | 机动车整车出厂合格证明 | original
        检验 | 机动车交通事故责任强制保险凭证 | copy
        驾驶证 | 身体条件证明 | original
        印章 刻制 | 单位介绍信 | original
        群众性活动 | 安全工作方案 | original
        剧毒 爆炸 烟花 | 购买用途证明 | original
    """,
    "民政": """
        婚 | 居民户口簿 | original_and_copy
        结婚 | 婚姻状况声明 | original
        结婚 | 双方合影照片 | original
        离婚 | 离婚协议书 | original
        离婚 补领 | 结婚证 | original
        社会团体 社会服务机构 | 章程草案 | original
        社会团体 社会服务机构 养老机构 | 住所使用证明 | copy
        生活保障 特困 救助 津贴 补贴 | 家庭收入情况说明 | original
        生活保障 特困 救助 津贴 补贴 | 居民户口簿 | original_and_copy
        残疾人 | 残疾人证 | copy
        养老机构 | 消防安全检查合格证明 | copy
    """,
    "人社": """
        社会保障卡 | 数码照片回执 | electronic
        养老 退休 权益 转移 | 社会保障卡 | original
        失业 | 解除劳动关系证明 | original
        劳务派遣 工伤认定 仲裁 就业困难 | 劳动合同 | copy
        工伤 劳动能力 | 医疗诊断证明 | original
        工伤认定 | 工伤事故报告 | original
        补贴 贷款 稳岗 见习 | 银行账户信息 | copy
        创业 | 创业项目计划书 | original
        劳务派遣 人力资源服务 | 经营场所使用证明 | copy
        仲裁 | 仲裁申请书 | original
    """,
    "自然资源": """
        规划 用地 选址 | 建设项目批准文件 | copy
        规划 用地 选址 | 用地红线图 | electronic
        规划 | 总平面图 | electronic
        土地 用地 | 土地权属证明 | copy
        采矿 | 矿产资源开发利用方案 | original
        复垦 | 土地复垦方案 | original
        地质灾害 | 地质灾害危险性评估报告 | original
        调处 | 权属争议调查申请书 | original
    """,
    "住建": """
        施工许可 监督登记 | 施工合同 | copy
        施工许可 | 建设工程规划许可证 | copy
        施工许可 | 中标通知书 | copy
        施工许可 消防设计 | 施工图设计文件审查合格书 | copy
        预售 | 国有土地使用权证 | copy
        预售 | 工程施工进度证明 | original
        竣工 验收 | 工程竣工验收报告 | original
        资质 | 技术负责人资格证书 | copy
        燃气 | 燃气设施安全评估报告 | original
        买卖合同 交易资金 | 商品房买卖合同 | original
        物业 | 前期物业服务合同 | original
        维修资金 | 业主大会决议 | original
        公共租赁 住房租赁补贴 | 家庭收入情况说明 | original
        房屋租赁 | 房屋租赁合同 | original
        排水 | 排水管网图 | electronic
    """,
    "交通": """
        经营许可 | 拟投入车辆承诺书 | original
        道路 出租 维修 驾驶员培训 | 安全生产管理制度 | original
        道路旅客 出租 维修 驾驶员培训 | 停车场地使用证明 | copy
        从业资格 | 机动车驾驶证 | original_and_copy
        网络预约 超限 运输证 | 车辆行驶证 | original_and_copy
        超限 | 护送方案 | original
        涉路 公路建设 | 施工方案 | original
    """,
    "水利": """
        取水 | 水资源论证报告 | original
        河道 | 工程建设方案 | original
        水土保持 | 水土保持方案报告书 | original
        洪水 | 洪水影响评价报告 | original
        采砂 | 采砂作业方案 | original
        灌溉 | 占用补偿方案 | original
        基建 | 初步设计报告 | original
        质量监督 | 施工合同 | copy
    """,
    "农业农村": """
        农药 兽药 种子 种畜禽 | 经营场所证明 | copy
        农药 兽药 | 专业技术人员资格证明 | copy
        农药 兽药 | 仓储设施清单 | original
        动物 | 场所平面图 | electronic
        动物诊疗 | 执业兽医资格证书 | copy
        注册登记 | 拖拉机来历证明 | original
        驾驶证 | 身体条件证明 | original
        生鲜乳 | 检测设备清单 | original
        宅基地 | 村民小组会议讨论意见 | original
        渔业 | 渔船检验证书 | copy
        水产 | 苗种生产场所证明 | copy
        补贴 | 农机购置发票 | original
    """,
    "商务": """
        成品油 | 加油站规划确认文件 | copy
        预付卡 再生资源 洗染 美容美发 | 经营场所使用证明 | copy
        以旧换新 | 购买发票 | original
        以旧换新 | 旧品回收证明 | original
    """,
    "文旅": """
        娱乐 上网 演出 | 消防安全检查合格证明 | copy
        娱乐 上网 | 场所平面图 | electronic
        娱乐 上网 演出 体育 | 安全管理制度 | original
        旅行社 艺术品 | 经营场所使用证明 | copy
        旅行社 | 质量保证金缴存证明 | copy
        非物质 | 项目申报书 | original
        文物 | 建设工程设计方案 | original
        体育 | 社会体育指导人员资格证明 | copy
    """,
    "卫健": """
        医疗机构 | 医疗机构设置批准书 | copy
        医疗机构 | 房屋平面布局图 | electronic
        医师 护士 乡村医生 | 执业资格证书 | original_and_copy
        医师 护士 | 健康体检证明 | original
        母婴 放射 | 专业技术人员资格证明 | copy
        放射 | 放射诊疗设备清单 | original
        出生医学 | 新生儿父母身份证件 | copy
        生育 扶助 | 居民户口簿 | original_and_copy
        饮用水 | 水质检测报告 | original
    """,
    "市场监管": """
        食品 小餐饮 个体工商户 独资 药品 医疗器械 | 经营场所使用证明 | copy
        食品 | 食品安全管理制度 | original
        食品 小餐饮 药品 | 从业人员健康证明 | copy
        公司 | 公司章程 | original
        公司 | 股东会决议 | original
        合作社 | 成员出资清单 | original
        药品 医疗器械 | 质量管理制度 | original
        药品 | 执业药师注册证 | copy
        特种设备 | 特种设备产品合格证 | copy
        计量 | 计量器具清单 | original
        股权出质 | 股权质押合同 | original
        动产抵押 | 动产抵押合同 | original
    """,
    "税务": """
        代开 | 合同或协议 | copy
        增值税 | 财务会计制度 | copy
        契税 | 房屋买卖合同 | copy
        车辆购置税 | 机动车销售统一发票 | original
        个人所得税 | 收入纳税明细 | electronic
        出口退 | 出口货物报关单 | copy
        清税 | 清税申报表 | original
    """,
    "医保": """
        报销 | 医疗费用票据 | original
        报销 | 费用明细清单 | original
        报销 慢特病 | 疾病诊断证明 | original
        就医 参保 转移 变更 凭证 | 医保电子凭证 | electronic
        生育 | 出生医学证明 | copy
        定点 | 医疗机构执业许可证 | copy
    """,
    "公积金": """
        购房 贷款 | 购房合同 | copy
        租房 | 房屋租赁合同 | copy
        提取 贷款 | 本人银行卡 | copy
        离退休 | 退休证明 | copy
        贷款 | 婚姻关系证明 | copy
        贷款 | 收入证明 | original
    """,
    "不动产": """
        转移 变更 抵押 预告 更正 补证 异议 | 不动产权证书 | original
        首次 | 不动产权籍调查成果 | original
        国有建设用地 | 国有建设用地使用权出让合同 | original
        转移 预告 | 不动产买卖合同 | original
        转移 | 完税凭证 | copy
        抵押 | 抵押合同 | original
        抵押 | 主债权合同 | original
        宅基地 | 宅基地批准文件 | copy
        更正 异议 | 利害关系证明材料 | copy
    """,
    "生态环境": """
        报告表 | 环境影响报告表 | original
        登记表 | 环境影响登记表 | electronic
        排污 | 污染防治设施说明 | original
        排污 | 监测报告 | copy
        应急预案 | 突发环境事件应急预案 | original
        竣工 | 竣工环境保护验收监测报告 | original
    """,
    "教育": """
        教师资格 | 学历证书 | original_and_copy
        教师资格 | 体检合格证明 | original
        教师资格 | 普通话水平测试等级证书 | copy
        民办学校 培训机构 | 办学场所证明 | copy
        民办学校 培训机构 | 学校章程 | original
        资助 | 家庭经济困难情况说明 | original
        转学 | 转入学校接收证明 | original
    """,
    "司法": """
        法律援助 | 经济困难状况说明表 | original
        申办 | 公证事项证明材料 | original
        调解 | 纠纷情况说明 | original
        执业 | 法律专业学历证明 | copy
        法律职业资格 | 考试成绩合格证明 | copy
    """,
    "财政": """
        代理记账 | 办公场所证明 | copy
        代理记账 会计 | 会计专业技术资格证明 | copy
        政府采购 | 投诉书 | original
        补贴 | 惠民惠农一卡通 | copy
    """,
    "应急": """
        危险化学品 | 安全评价报告 | original
        危险化学品 烟花 | 经营场所使用证明 | copy
        应急预案 | 应急预案文本 | original
        设计审查 | 安全设施设计文件 | original
    """,
    "林业": """
        采伐 | 林权证明 | copy
        采伐 | 采伐作业设计 | original
        林地 | 使用林地可行性报告 | original
        种子 | 种子检验报告 | copy
        用火 | 用火安全措施 | original
    """,
    "城管": """
        建筑垃圾 生活垃圾 | 运输车辆清单 | original
        广告 | 广告设计效果图 | electronic
        道路 绿地 | 施工方案 | original
        树木 | 树木现状照片 | electronic
    """,
    "退役军人": """
        优待证 伤残 抚恤 优抚 补助 | 退役证件 | copy
        伤残 | 医疗诊断证明 | original
        烈士 | 烈士证明书 | copy
    """,
    "残联": """
        残疾人证 | 数码照片回执 | electronic
        新办 | 残疾评定表 | original
        辅助器具 | 残疾人证 | copy
    """,
    "消防": """
        检查 | 消防安全制度 | original
        检查 | 场所平面布置图 | electronic
        火灾 | 火灾损失情况说明 | original
        重点单位 | 消防安全管理人员名单 | original
    """,
    "气象": """
        设计 | 防雷装置设计说明书 | original
        竣工 | 防雷装置检测报告 | original
        气球 | 施放活动方案 | original
    """,
    "烟草": """
        * | 经营场所使用证明 | copy
    """,
    "供电": """
        新装 | 用电地址产权证明 | copy
        高压 | 用电工程项目批准文件 | copy
        过户 | 产权变更证明 | copy
        光伏 | 屋顶使用证明 | copy
    """,
    "供水": """
        报装 | 用水地址产权证明 | copy
        过户 | 产权变更证明 | copy
    """,
    "燃气": """
        报装 | 用气地址产权证明 | copy
        过户 | 产权变更证明 | copy
        改装 | 改装方案 | original
    """,
}
DEFAULT_MATERIALS = "* | 相关资质证明 | copy\n* | 情况说明 | original"
# Names that say the applicant is an organisation, so it shows a business licence rather than an ID card.
ORGANISATION_WORDS = ("企业", "公司", "单位", "经营", "机构", "项目", "工程", "合作社", "场所", "许可")

SURNAMES = (
    "王 李 张 刘 陈 杨 黄 赵 吴 周 徐 孙 马 朱 胡 郭 何 高 林 罗 郑 梁 谢 宋 唐 许 韩 冯 邓 曹 彭 曾 田 董 袁 潘 "
    "蒋 蔡 余 杜 叶 程 魏 苏 吕 丁 任 沈 姚 卢 姜 崔 钟 谭 陆 汪 范 金 石 廖 贾 夏 付 方 白 邹 孟 熊 秦 邱 江 尹 "
    "薛 闫 段 雷 侯 史 贺 顾 毛 郝 龚 邵 万 钱 严 武 戴 孔 常 康 牛 樊 葛 邢 乔 聂 岳 翟 殷 申 耿 焦"
).split()
GIVEN_TWO = (
    "建国 建华 国庆 志强 志刚 海燕 晓东 红梅 秀英 桂英 玉兰 丽娟 文博 雨欣 子涵 浩然 思远 家豪 欣怡 梓萱 宇航 俊杰 "
    "晓燕 春梅 德明 明辉 永强 国平 卫东 新民 丽华 艳红 婷婷 静怡 雪梅 海峰 振华 立新 宏伟 建军 晓丽 美玲 玉珍 凤英 "
    "少华 鹏飞 文静 晓明 思雨 佳琪 一鸣 天宇 嘉怡 诗涵 雅琴 博文 晨阳 明轩 梦瑶 晓雯 志伟 海涛 建平 国华 秀兰 慧敏 "
    "丽萍 春燕 亚楠 晓峰 俊峰 长青 保国 爱华"
).split()
GIVEN_ONE = "伟 芳 娜 敏 静 丽 强 磊 军 洋 勇 艳 杰 娟 涛 明 超 霞 平 刚 鹏 辉 斌 峰 琳 颖 倩 婷 蕾 昊".split()
MOBILE_PREFIXES = (
    "130 131 132 135 136 137 138 139 150 151 152 155 156 157 158 159 166 177 180 182 183 185 186 187 188 189 199"
)

# Accounts that are not window staff: (username, role, surname, given name).
DEMO_ACCOUNTS = [
    ("admin", "Admin", "系统", "管理员"),
    ("manager", "CenterManager", "刘", "建国"),
    ("supervisor", "Supervisor", "陈", "静"),
    ("leader", "Leader", "王", "志强"),
]
ROLE_NAMES = ("Admin", "CenterManager", "Supervisor", "ChiefRep", "WindowStaff", "Leader")


@dataclass
class DemoSummary:
    centers: int
    departments: int
    windows: int
    staff: int
    matters: int
    created: bool
    logins: dict[str, str] = field(default_factory=dict)  # role name -> example username


def seed_demo(session, *, password_hash: str, roles: dict, progress=None, seed: int = 2026) -> DemoSummary:
    """Create the demo county unless its center exists; the caller commits.

    `roles` maps role names to FAB `Role` rows; every login gets the one
    `password_hash` (hashing 110 passwords with scrypt would take seconds).
    """
    report = progress or (lambda step, done, total: None)
    created = session.scalar(sa.select(Center.id).where(Center.code == COUNTY_CODE)) is None
    if created:
        _build(session, seed=seed, password_hash=password_hash, roles=roles, report=report)
    counts = {
        name: session.scalar(sa.select(sa.func.count()).select_from(model))
        for name, model in (
            ("centers", Center),
            ("departments", Department),
            ("windows", Window),
            ("staff", Staff),
            ("matters", Matter),
        )
    }
    return DemoSummary(**counts, created=created, logins=_logins(session))


def _build(session, *, seed, password_hash, roles, report):
    county, centers = build_centers()
    session.add_all(centers)
    report("服务中心", len(centers), len(centers))
    departments = build_departments(county)
    session.add_all(departments)
    report("进驻部门", len(departments), len(departments))
    windows = build_windows(centers, departments)
    session.add_all(windows)
    session.flush()
    report("窗口", len(windows), len(windows))
    # Separate streams, so that changing the staff tables leaves the matter catalogue as it was.
    # A login left behind by an earlier, deleted demo county is linked again rather than duplicated.
    existing = {u.username: u for u in session.scalars(sa.select(User).where(User.username.like("s%")))}
    staff = build_staff(random.Random(f"{seed}:staff"), departments, windows, password_hash, roles, report)
    for person in staff:
        person.user = existing.get(person.user.username, person.user)
    session.add_all(staff)
    session.add_all(_missing_accounts(session, password_hash, roles))
    session.flush()
    matters = generate_matters(random.Random(f"{seed}:matters"), departments, places=_places(windows), report=report)
    session.add_all(matters)
    session.flush()


def build_centers() -> tuple[Center, list[Center]]:
    """The county center and its network: sub-centers and townships under it, villages under townships."""
    county = Center(
        code=COUNTY_CODE,
        name=COUNTY_NAME,
        level=CenterLevel.county,
        address="示范县人民路88号",
        phone=f"{AREA_CODE}-2812345",
        sort_order=0,
    )
    centers = [county]
    for i, (code, name, address) in enumerate(SUB_CENTERS, 1):
        centers.append(
            Center(
                code=code,
                name=name,
                level=CenterLevel.sub_center,
                parent=county,
                address=address,
                phone=f"{AREA_CODE}-28123{50 + i}",
                sort_order=i,
            )
        )
    village_no = 0
    for i, (town, villages) in enumerate(TOWNS.items(), 1):
        township = Center(
            code=f"XZ-T{i}",
            name=f"{town}便民服务中心",
            level=CenterLevel.township,
            parent=county,
            address=f"示范县{town}政府院内",
            phone=f"{AREA_CODE}-28{i}6001",
            sort_order=10 + i,
        )
        centers.append(township)
        for village in villages:
            village_no += 1
            centers.append(
                Center(
                    code=f"XZ-V{village_no:02d}",
                    name=f"{village}便民服务站",
                    level=CenterLevel.village,
                    parent=township,
                    address=f"示范县{town}{village}村委会",
                    sort_order=20 + village_no,
                )
            )
    return county, centers


def build_departments(county: Center) -> list[Department]:
    return [
        Department(
            code=f"D{i:02d}",
            name=name,
            short_name=short,
            center=county,
            phone=f"{AREA_CODE}-28{10000 + i * 37}",
            sort_order=i,
        )
        for i, (name, short, _windows) in enumerate(DEPARTMENTS, 1)
    ]


def build_windows(centers: list[Center], departments: list[Department]) -> list[Window]:
    county = centers[0]
    by_code = {c.code: c for c in centers}
    by_short = {d.short_name: d for d in departments}
    windows = []
    for department, (_name, short, count) in zip(departments, DEPARTMENTS, strict=True):
        sub_center, outside = AT_SUB_CENTER.get(short, (None, 0))
        for k in range(count):
            windows.append(
                Window(
                    code=f"A{len(windows) + 1:02d}",
                    name=f"{short}窗口{k + 1}",
                    kind=WindowKind.dedicated,
                    center=by_code[sub_center] if k >= count - outside else county,
                    department=department,
                )
            )
    for code, name, owner, members, note in COMPREHENSIVE_WINDOWS:
        windows.append(
            Window(
                code=code,
                name=name,
                kind=WindowKind.comprehensive,
                center=county,
                department=by_short[owner] if owner else None,
                member_departments=[by_short[m] for m in members],
                note=note,
            )
        )
    for code, name, kind, owner, note in SPECIAL_WINDOWS:
        windows.append(Window(code=code, name=name, kind=kind, center=county, department=by_short[owner], note=note))
    return windows


def build_staff(rng, departments, windows, password_hash, roles, report) -> list[Staff]:
    """Window staff with their logins: one chief rep per department, A posts, a few B posts, leaders and clerks."""
    own, serving = {}, {}
    for window in windows:
        if window.kind is WindowKind.dedicated:
            own.setdefault(window.department.short_name, []).append(window)
        for member in window.member_departments:
            serving[member.short_name] = window
    extra = {}
    for window in windows:
        if window.kind is not WindowKind.dedicated and window.department is not None:
            position = StaffPosition.clerk if window.kind is WindowKind.delivery else StaffPosition.a_post
            extra.setdefault(window.department.short_name, []).append((window, position))

    plan = []  # (department, window, position), in staff number order
    for department in departments:
        short = department.short_name
        counters = own.get(short, [])
        # As in most county halls, the chief rep staffs the first window and doubles as its B post.
        plan.append((department, counters[0] if counters else serving.get(short), StaffPosition.chief_rep))
        if short in B_POST_DEPARTMENTS and len(counters) > 1:
            plan.append((department, counters[1], StaffPosition.b_post))
        plan += [(department, window, StaffPosition.a_post) for window in counters[1:]]
        plan += [(department, window, position) for window, position in extra.get(short, [])]
        if short in LEADER_DEPARTMENTS:
            plan.append((department, None, StaffPosition.leader))

    names, phones = {f"{s}{g}" for _u, _r, s, g in DEMO_ACCOUNTS}, set()
    staff = []
    for number, (department, window, position) in enumerate(plan, 1):
        surname, given = _person_name(rng, names)
        username = f"s{number:04d}"
        role = roles.get("ChiefRep" if position is StaffPosition.chief_rep else "WindowStaff")
        user = User(
            username=username,
            first_name=given,
            last_name=surname,
            email=f"{username}@demo.gov.cn",
            active=True,
            password=password_hash,
            roles=[role] if role is not None else [],
        )
        # Chief reps are middle managers (the seeds require it): they have been around longer.
        seniority = rng.randint(3 * 365, 8 * 365) if position is StaffPosition.chief_rep else rng.randint(30, 8 * 365)
        staff.append(
            Staff(
                staff_no=f"S{number:04d}",
                name=surname + given,
                phone=_mobile(rng, phones),
                department=department,
                # A window's staff sit at its center (a sub-center's counters), the rest at the department's.
                center=window.center if window is not None else department.center,
                window=window,
                position=position,
                user=user,
                joined_on=AS_OF - timedelta(days=seniority),
            )
        )
        if number % 20 == 0:
            report("工作人员", number, len(plan))
    report("工作人员", len(plan), len(plan))
    return staff


def _missing_accounts(session, password_hash, roles) -> list[User]:
    taken = set(session.scalars(sa.select(User.username).where(User.username.in_([a[0] for a in DEMO_ACCOUNTS]))))
    return [
        User(
            username=username,
            first_name=given,
            last_name=surname,
            email=f"{username}@demo.gov.cn",
            active=True,
            password=password_hash,
            roles=[roles[role]] if roles.get(role) is not None else [],
        )
        for username, role, surname, given in DEMO_ACCOUNTS
        if username not in taken
    ]


def _person_name(rng, taken: set[str]) -> tuple[str, str]:
    # Common surnames are far more frequent; names stay unique so lists and pickers are unambiguous.
    weights = [1 / (rank + 6) for rank in range(len(SURNAMES))]
    while True:
        surname = rng.choices(SURNAMES, weights)[0]
        given = rng.choice(GIVEN_TWO) if rng.random() < 0.7 else rng.choice(GIVEN_ONE)
        if surname + given not in taken:
            taken.add(surname + given)
            return surname, given


def _mobile(rng, taken: set[str]) -> str:
    prefixes = MOBILE_PREFIXES.split()
    while True:
        phone = f"{rng.choice(prefixes)}{rng.randint(0, 10**8 - 1):08d}"
        if phone not in taken:
            taken.add(phone)
            return phone


def _places(windows: list[Window]) -> dict[str, str]:
    """Where each department's matters are handled, as service guides print it."""
    dedicated: dict[str, dict[str, list[str]]] = {}
    places = {}
    for window in windows:
        if window.kind is WindowKind.dedicated:
            by_center = dedicated.setdefault(window.department.short_name, {})
            by_center.setdefault(window.center.name, []).append(window.code)
        elif window.kind is WindowKind.comprehensive:
            for member in window.member_departments:
                places[member.short_name] = f"{window.center.name}{window.code}{window.name}"
    for short, by_center in dedicated.items():
        places[short] = "；".join(
            f"{center}{codes[0]}{'' if len(codes) == 1 else '–' + codes[-1]}号窗口"
            for center, codes in by_center.items()
        )
    return places


def expand_names(catalogue: str) -> list[str]:
    """'食品经营许可（新办/变更）；出生登记' -> ['食品经营许可（新办）', '食品经营许可（变更）', '出生登记']."""
    names = []
    for entry in catalogue.split("；"):
        match = re.fullmatch(r"(.*)（([^（）]+/[^（）]+)）(.*)", entry)
        if match:
            head, options, tail = match.groups()
            names += [f"{head}（{option}）{tail}" for option in options.split("/")]
        else:
            names.append(entry)
    return names


def generate_matters(rng, departments, *, places=None, report=None) -> list[Matter]:
    """The matter catalogue of `departments`, with materials and steps, in code order."""
    catalogues = [
        expand_names(MATTERS.get(d.short_name) or GENERIC_MATTERS.format(short=d.short_name or d.name))
        for d in departments
    ]
    total, done = sum(map(len, catalogues)), 0
    matters = []
    for department, names in zip(departments, catalogues, strict=True):
        place = (places or {}).get(department.short_name) or COUNTY_NAME
        matters += [_matter(rng, department, name, number, place) for number, name in enumerate(names, 1)]
        done += len(names)
        if report:
            report("政务服务事项", done, total)
    return matters


def _matter(rng, department, name, number, place) -> Matter:
    short = department.short_name
    category = category_of(name)
    kind = _case_kind(rng, name, category)
    legal, promised = _limits(rng, kind, category)
    fee, fee_max, fee_basis = _fee(rng, name, short, category)
    return Matter(
        code=f"{COUNTY_CODE}-{department.code}-{number:04d}",
        name=name,
        category=category,
        department=department,
        # A few everyday services are also handled in township centers (办事不出乡).
        handling_level=CenterLevel.township
        if category is MatterCategory.public_service and kind is CaseKind.immediate and rng.random() < 0.25
        else CenterLevel.county,
        case_kind=kind,
        legal_basis=_legal_basis(rng, name, short),
        conditions=CONDITIONS.get(category),
        legal_limit_days=legal,
        promised_limit_days=promised,
        fee_standard=fee,
        fee_max=fee_max,
        fee_basis=fee_basis,
        online_available=rng.random() < 0.7,
        # A hash, not the generator: adding these did not shift the rest of the demo.
        stationed=zlib.crc32(name.encode()) % 100 < 93,
        window_authorized=zlib.crc32(name.encode()) % 97 < 78,
        place=place,
        phone=department.phone,
        materials=_materials(rng, name, short),
        steps=_steps(kind, category, promised),
    )


def category_of(name: str) -> MatterCategory:
    for category, words in CATEGORY_RULES:
        if any(word in name for word in words.split()):
            return category
    return MatterCategory.public_service


def _case_kind(rng, name, category) -> CaseKind:
    if any(word in name for word in JOINT_WORDS):
        return CaseKind.joint
    if any(word in name for word in IMMEDIATE_WORDS):
        return CaseKind.immediate
    return rng.choices(KINDS, KIND_WEIGHTS[category])[0]


def _limits(rng, kind, category) -> tuple[int, int]:
    """(legal, promised) working days; promises are at least 30% under the law, as the seeds require."""
    if kind is CaseKind.immediate:
        return rng.choice((0, 1, 3, 5)), 0
    if kind is CaseKind.joint:
        legal = rng.choice((20, 30, 45))  # 行政许可法 §26: joint handling up to 45 days
    elif kind is CaseKind.escalated:
        legal = rng.choice((20, 30))
    elif category is MatterCategory.licensing:
        legal = rng.choice((10, 15, 20, 20, 30))
    else:
        legal = rng.choice((10, 15, 20))
    return legal, max(1, legal * rng.choice((30, 40, 50, 60, 70)) // 100)


def _legal_basis(rng, name, short) -> str:
    """The laws whose subject the matter's name mentions, else the department's general basis."""
    entries = LEGAL_BASES.get(short, [])
    matched = [basis for words, basis in entries if words != "*" and any(w in name for w in words.split())]
    general = [basis for words, basis in entries if words == "*"] or DEFAULT_BASES
    return "；".join(matched[:2] or [rng.choice(general)])


def _fee(rng, name, short, category) -> tuple[Decimal, Decimal | None, str | None]:
    if short == "不动产" and "登记" in name and not any(word in name for word in PROPERTY_FEE_FREE):
        standard, ceiling, basis = PROPERTY_FEE
        return Decimal(standard), Decimal(ceiling), basis
    for fragment, standard, ceiling, basis in KNOWN_FEES:
        if fragment in name:
            return Decimal(standard), Decimal(ceiling) if ceiling else None, basis
    if category is MatterCategory.licensing and rng.random() < 0.08:
        standard = rng.choice((10, 20, 50))
        ceiling = Decimal(standard * 4) if rng.random() < 0.3 else None
        return Decimal(standard), ceiling, "省定行政事业性收费目录清单"
    return Decimal("0"), None, None


def _materials(rng, name, short) -> list[MatterMaterial]:
    if "身份证" in name:  # the card itself is what is being applied for
        subject = ("居民户口簿", "original_and_copy")
    elif any(word in name for word in ORGANISATION_WORDS):
        subject = ("营业执照", "copy")
    else:
        subject = ("居民身份证", "original_and_copy")
    table = _material_table(DEPARTMENT_MATERIALS.get(short, DEFAULT_MATERIALS))
    matched = [(m, form) for words, m, form in table if words != "*" and any(w in name for w in words.split())]
    matched = matched or [(m, form) for words, m, form in table if words == "*"]
    if len(matched) > 3:
        matched = [matched[i] for i in sorted(rng.sample(range(len(matched)), 3))]
    picked = [("申请表", "original"), subject] + [m for m in matched if m[0] != subject[0]]
    materials = [
        _material(m, form, k, required=True, copies=rng.choice((1, 1, 2))) for k, (m, form) in enumerate(picked, 1)
    ]
    if rng.random() < 0.5:
        materials.append(
            _material("授权委托书", "original", len(materials) + 1, required=False, note="委托他人代为办理的提供")
        )
    return materials


def _material_table(text: str) -> list[tuple[str, str, str]]:
    return [tuple(part.strip() for part in line.split("|")) for line in text.strip().splitlines()]


def _material(name, form, sort_order, *, required, copies=1, note=None) -> MatterMaterial:
    form = MaterialForm[form]
    return MatterMaterial(
        name=name,
        form=form,
        # An electronic material has no paper counts.
        original_count=1 if form in (MaterialForm.original, MaterialForm.original_and_copy) else 0,
        copy_count=copies if form in (MaterialForm.copy, MaterialForm.original_and_copy) else 0,
        required=required,
        note=note,
        sort_order=sort_order,
    )


def _steps(kind, category, promised) -> list[MatterStep]:
    if kind is CaseKind.immediate:
        plan = [("受理", "窗口受理人员", 0), ("审核", "窗口审核人员", 0), ("办结", "窗口受理人员", 0)]
    else:
        last = "送达" if category is MatterCategory.licensing else "办结"
        names = [("受理", "窗口受理人员", 1), ("审查", "窗口审核人员", 3), ("决定", "首席代表", 2)]
        if promised >= 5:  # a delivery step of its own only when the promise leaves room for it
            names.append((last, "窗口出件人员", 1))
        days = split_days(promised, [weight for *_n, weight in names])
        plan = [(n, handler, d) for (n, handler, _w), d in zip(names, days, strict=True)]
    return [
        MatterStep(seq=seq, name=name, handler_position=handler, limit_days=days)
        for seq, (name, handler, days) in enumerate(plan, 1)
    ]


def split_days(days: int, weights: list[int]) -> list[int]:
    """Share `days` by weight (largest remainder): the parts add up to `days` exactly."""
    total = sum(weights)
    shares = [days * w // total for w in weights]
    remainders = sorted(range(len(weights)), key=lambda i: (-(days * weights[i] % total), -weights[i], i))
    for i in remainders[: days - sum(shares)]:
        shares[i] += 1
    return shares


def _logins(session) -> dict[str, str]:
    """One username per role to print after seeding: the demo account where it exists."""
    preferred = {role: username for username, role, *_names in DEMO_ACCOUNTS}
    found: dict[str, list[str]] = {}
    rows = session.execute(
        sa.select(Role.name, User.username)
        .select_from(User)
        .join(User.roles)
        .where(Role.name.in_(ROLE_NAMES), User.active.is_(True))
        .order_by(User.username)
    )
    for role, username in rows:
        found.setdefault(role, []).append(username)
    logins = {}
    for role in ROLE_NAMES:
        usernames = found.get(role, [])
        if usernames:
            staff_like = [u for u in usernames if re.fullmatch(r"s\d{4}", u)]
            logins[role] = preferred.get(role) if preferred.get(role) in usernames else (staff_like or usernames)[0]
    return logins
