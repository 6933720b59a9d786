"""The intake conversation's Chinese strings (kept apart from texts.py for length)."""

from __future__ import annotations

NOTICE_VERSION = "2026-11"

CONSENT = (
    "提交求助前，请先了解我们怎么使用您的信息：\n"
    "· 保存什么：纠纷类型、经过、单位名称、工作地点、涉及人数、金额、开始时间，"
    "以及您自愿留下的电话和证据图片。\n"
    "· 为什么：把您的求助转给就近的工会法律援助站，联系您、处理纠纷；统计只用不含个人信息的数字。\n"
    "· 谁能看：只有负责您案件的援助站工作人员和系统管理员。\n"
    "· 保存多久：案件办结后保存{years}年，之后删除或匿名处理；您可以随时要求查看、导出或删除。\n"
    "同意后才开始记录；不同意也可以继续用问答功能，或直接打12351。"
)
CONSENT_YES = "同意并继续"
CONSENT_NO = "不同意"
DECLINED = "好的，我们没有保存您的任何信息。需要帮助可以直接拨打 12351 职工维权热线，或到就近的工会法律援助站。"
CANCELLED = "已取消，填写到一半的内容已删除。需要时可以随时再点「我要求助」。"
CANCEL = "取消"
BACK = "返回上一步"
SKIP = "跳过"
PRESS_A_BUTTON = "请点下面的按钮选择，或者点「取消」。"

ASK_KIND = "您需要哪种帮助？"
KIND_HELP = "我自己的纠纷，需要人帮忙"
KIND_REPORT = "举报单位违法（可以匿名）"
ASK_ANON = "举报可以匿名。匿名的话我们不会记录您的电话，处理结果也没法单独告诉您。"
ANON_YES = "匿名举报"
ANON_NO = "留下联系方式"

ASK_CATEGORY = "是哪方面的问题？"
HELP_CATEGORIES = (
    ("wage", "欠薪、工资"),
    ("contract", "合同、辞退"),
    ("injury", "工伤、职业病"),
    ("social_insurance", "社保"),
    ("hours", "加班、休假"),
    ("other", "其他"),
)
REPORT_CATEGORIES = (
    ("social_insurance", "不给工人交社保"),
    ("hours", "强迫超时加班"),
    ("injury", "不安全作业、职业危害"),
    ("wage", "大面积欠薪"),
    ("other", "其他违法行为"),
)
CATEGORY_NAMES = {
    "wage": "工资",
    "contract": "合同/辞退",
    "injury": "工伤/职业病",
    "social_insurance": "社保",
    "hours": "工时休假",
    "other": "其他",
    "report": "违法举报",
}

ASK_DESCRIPTION = (
    "请简单说说发生了什么（什么时候、怎么回事、您想要什么结果）。一次发一段文字就行。"
)
DESCRIPTION_TOO_SHORT = "再多说几句吧，至少写清楚是什么事。"
DESCRIPTION_CUT = "您写得很长，保存了前{limit}字；其余的可以在提交后给工作人员留言补充。"
ASK_EMPLOYER = "单位（或老板、包工头）叫什么名字？不知道全称的写简称或老板姓名也可以。"
ASK_PLACE = (
    "您在哪里干活？可以直接打字，比如「昆山花桥」「汝州」，"
    "也可以点下方「发送我的位置」（位置只用来找最近的援助站，不会保存）。"
)
ASK_PLACE_CITY = "或者直接选城市："
PLACE_CONFIRM = "您是说「{place}」吗？会交给：{station}"
PLACE_YES = "对"
PLACE_NO = "不对，重新输入"
PLACE_UNKNOWN = (
    "这个地方我们的援助站名录里还没有（目前接入：{cities}）。\n"
    "· 如果您在这些城市，请写到区县或镇，或者选下面的城市；\n"
    "· 如果在别的地方，暂时没法转给当地：请拨打 12351 职工维权热线，"
    "或联系当地省、市总工会的职工法律援助中心。"
)
PLACE_SET = "好的，会交给：{station}"
ASK_WORKERS = "一共有多少工友遇到这个问题（包括您）？"
WORKER_OPTIONS = (("1", "只有我"), ("2-9", "2到9人"), ("10-29", "10到29人"), ("30+", "30人以上"))
ASK_MIGRANT = "您是从外地到这里打工的吗？（进城务工人员申请法律援助有照顾政策）"
YES = "是"
NO = "不是"
ASK_AMOUNT = "被拖欠或有争议的钱大概多少元？直接写数字，没有或不清楚点「跳过」。"
AMOUNT_INVALID = "没看懂这个金额。写数字就行，比如 8000、1.6万、一万六；没有或不清楚就点「跳过」。"
ASK_BEGAN = "这个纠纷是从什么时候开始的？"
BEGAN_OPTIONS = (
    ("lt1m", "1个月内"),
    ("1-6m", "1到6个月"),
    ("6-12m", "半年到1年"),
    ("gt1y", "1年以上"),
    ("unknown", "记不清"),
)
LIMITATION_WARNING = (
    "提醒：劳动争议申请仲裁的时效一般是1年，从知道权利被侵害之日起算；"
    "拖欠工资的，在职期间不受限制，离职后1年内要提出（劳动争议调解仲裁法第27条）。请尽快行动。"
)
ASK_PHONE = "方便的话留一个手机号，工作人员好联系您。不想留就点「跳过」，之后在这里也能收到回复。"
PHONE_INVALID = "手机号好像不对，请写11位手机号，或者点「跳过」。"
ASK_EVIDENCE = (
    "有证据可以现在发过来：工资条、合同、考勤、聊天记录截图、欠条、受伤照片等，"
    "照片或文件都行，可以发多张。发完点「完成」，没有就点「跳过」。"
)
EVIDENCE_ADDED = "收到第{count}份材料。还有可以继续发，发完点「完成」。"
DONE = "完成"
SUMMARY_HEAD = "请核对一下："
SUBMIT = "确认提交"
RESTART = "重新填写"
SUBMITTED = (
    "已提交，您的案件编号是 {number}。\n"
    "负责的援助站：{station}\n地址：{address}\n电话：{phone}\n时间：{hours}\n\n"
    "接下来：值班工作人员会尽快认领您的案件，并通过这个机器人联系您"
    "{urgent}。在「我的案件」里可以看进度。着急的话可以直接打上面的电话或 12351。"
)
SUBMITTED_URGENT = "（已标为紧急，会优先处理）"
ELIGIBILITY_HEAD = "法律援助初步判断（仅供参考）："
CONSENT_NEEDED = "需要先同意个人信息说明，才能提交求助。"
