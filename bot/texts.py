"""Every sentence the bot says to people (simplified Chinese), in one place."""

from __future__ import annotations

from collections.abc import Sequence

from knowledge.entries import Citation

BOT_NAME = "劳动维权助手"

WELCOME = (
    "您好，这里是工会「劳动维权助手」。\n"
    "可以直接打字问我劳动方面的问题，比如：\n"
    "· 老板拖欠工资怎么办\n"
    "· 没签合同能要二倍工资吗\n"
    "· 干活受伤了怎么认定工伤\n"
    "也可以点下面的按钮。"
)
HELP = (
    "怎么用：\n"
    "1. 直接打字说您的问题，一次说一件事就行。\n"
    "2. 点「常见问题」按分类找答案。\n"
    "3. 需要工作人员帮忙，点「我要求助」。\n"
    "4. /law 劳动合同法 82 可以查看法律条文。\n"
    "5. 随时发 /start 回到主菜单。\n"
    "紧急情况请先打 110（报警）或 120（急救）。职工维权热线：12351。"
)
MENU_FAQ = "常见问题"
MENU_HELP = "我要求助"
MENU_NEARBY = "附近援助站"
MENU_CASES = "我的案件"
MENU_PRIVACY = "隐私说明"
BACK = "返回"
HOME = "主菜单"
SHOW_LAW = "查看法条"
HELPFUL_YES = "有帮助"
HELPFUL_NO = "没帮助"
ASK_PERSON = "我要求助"

FOOTER = (
    "——\n以上是一般性法律信息，不能代替律师意见。"
    "需要人帮忙可拨打 12351 职工维权热线，或点「我要求助」找就近的工会法律援助站。"
)
BASIS = "依据："

CHOOSE_CATEGORY = "请选择问题分类："
CHOOSE_ENTRY = "「{category}」下的常见问题："
NOT_SURE = "这个问题我不太确定。您是想问下面哪一个？"
NOT_FOUND = (
    "抱歉，这个问题我暂时答不好，已经记下来，会请工作人员补充。\n"
    "您可以换个说法再问，或者点「我要求助」找工作人员，也可以拨打 12351 职工维权热线。"
)
OUT_OF_SCOPE = (
    "您问的好像不是劳动方面的问题，我这里主要解答工资、合同、工伤、社保等劳动纠纷。\n"
    "其他法律问题可以拨打 12348 公共法律服务热线，或到当地公共法律服务中心咨询。"
)
LEGAL_AID_OFFER = (
    "您的情况可能需要工作人员跟进。点「我要求助」，回答几个简单问题，"
    "我们会把案件转给就近的工会法律援助站。"
)
COLLECTIVE_NOTE = (
    "涉及多名工友的，建议推选几位代表，保留好考勤、工资记录、聊天记录等证据，"
    "通过工会、劳动监察或仲裁依法维权，不要采取堵路、爬高等过激方式。"
)
CRISIS_SAFETY = (
    "先保证人身安全最要紧。\n"
    "· 有危险或被打、被威胁、被限制自由：马上打 110 报警。\n"
    "· 有人受伤或身体不适：马上打 120。\n"
    "· 职工维权热线 12351，工作人员会尽快联系您。\n"
    "您的钱和权利可以依法讨回来，我们会帮您。"
)
SELF_HARM_SAFETY = (
    "听到您这么说，我们很担心您。您不是一个人，难处可以一起想办法，钱也可以依法讨回来。\n"
    "· 想找人说说话：打 12356 心理援助热线，有人接听。\n"
    "· 如果现在就有危险，或已经伤到自己：马上打 110 或 120。\n"
    "· 身边有人的话，请告诉他们，让他们陪着您。\n"
    "· 工资、赔偿的事交给我们：职工维权热线 12351。"
)
# Safety first, by the kind of danger, in the order of what to do (the dialog picks one).
INJURY_SAFETY = (
    "先救人：马上打 120 叫救护车。您自己就可以打，不用等老板或工头同意。\n"
    "· 伤者别乱搬动，除非现场还有危险；流血的用干净布按住伤口。\n"
    "· 有人拦着不让送医、动手或威胁：打 110。\n"
    "· 之后拍下现场、记下在场工友，这些是以后认定工伤的证据。职工维权热线 12351。"
)
FIRE_SAFETY = (
    "先离开危险的地方，人最要紧。\n"
    "· 着火、爆炸、闻到煤气或毒气：马上撤到空旷、上风的地方，打 119；有人受伤打 120。\n"
    "· 有人困在罐里、井里、池里或塌方下：不要自己下去救人（很多人就是这样出事的），打 119 和 120 等专业救援。\n"
    "· 不要开关电器、不要点火。逼您回去干活的，您有权拒绝（安全生产法第54条）。\n"
    "· 职工维权热线 12351。"
)
VIOLENCE_SAFETY = (
    "先保护好自己。\n"
    "· 被打、被威胁、被关着不让走、证件手机被扣：马上打 110 报警。\n"
    "· 受了伤：打 120。\n"
    "· 尽量到人多的地方，告诉家人或信得过的人您在哪里。\n"
    "· 职工维权热线 12351。"
)
DEATH_SAFETY = (
    "非常难过发生这样的事。\n"
    "· 先打 110 和 120，让警察和医生到场，事故要有记录。\n"
    "· 不要同意把遗体挪走或马上火化，也不要在压力下签私了协议：工亡待遇是法定的，数额不小。\n"
    "· 拍下现场，记下在场的人。\n"
    "· 职工维权热线 12351，工作人员会帮家属一步步办。"
)
CRISIS_CASE_NOBODY = "已为您登记紧急求助（编号 {number}），但现在没有值班工作人员能收到提醒。请直接打 12351 职工维权热线；有危险请马上打 110，有人受伤打 120。"
CRISIS_CASE_ONLY = "已为您登记紧急求助（编号 {number}），值班工作人员会尽快联系您。刚才的步骤还在，安全以后可以接着办。"
RESUME = "接着刚才的步骤"
CRISIS_ADDED = "已把这条消息补充到您的紧急求助（编号 {number}），并再次提醒了工作人员。有危险请先打 110，有人受伤打 120。"
CRISIS_SAME_ASK = "您之前还有一件紧急求助没有办完。如果说的是同一件事，点下面的按钮；不是的话不用管，这件会单独处理。"
CRISIS_SAME = "和刚才是同一件事"
CRISIS_MERGED = "好的，已合并到紧急求助 {number}，工作人员会一起看到。"
DANGER_CONFIRMED_NOTE = "（求助人在机器人询问后确认现在有人身危险）"
RELATED = "人安全了以后，这些可能用得上："
DANGER_CHECK = "现在有没有人身危险？有人受伤、被打、被关着，或者有人想不开？"
DANGER_YES = "有"
DANGER_NO = "没有"
DANGER_NO_REPLY = "好的。如果情况有变化，随时告诉我，或者直接打 110 / 120 / 12351。"
DEADLINE_NOTE = (
    "期限快到了，请抓紧：仲裁申请可以先写简单的申请书递交，书写确有困难的也可以口头申请，"
    "先把时效保住，材料可以之后补充。也可以马上点「我要求助」或打 12351。"
)
URGENT_NOTE = (
    "您的情况比较紧急：请点「我要求助」登记，工作人员会优先处理；也可以马上打 12351 职工维权热线。"
)
FEEDBACK_THANKS = "谢谢您的反馈！"
FEEDBACK_SORRY = "抱歉没帮上忙。可以换个说法再问，或者点「我要求助」找工作人员。"
PRIVACY = (
    "隐私说明\n"
    "· 只是问问题：除了Telegram账号编号（用来记住对话进行到哪一步），不记录其他个人信息；"
    "答不上的问题只保存文字（不和账号关联），用来补充答案。\n"
    "· 说到人身危险时：为了保护您的安全，会登记紧急求助，把您的原话转给值班工作人员"
    "（个人信息保护法第13条第一款第四项）。\n"
    "· 申请求助：在您同意后，才保存求助所需的信息（纠纷类型、经过、单位名称、工作地点、"
    "人数、金额、时间、自愿留的电话和证据图片），只给负责您案件的工会法律援助工作人员看，"
    "用于联系您、处理纠纷和统计（统计不含个人信息）。\n"
    "· 您可以随时查看自己的案件；点下面的按钮可以导出您的信息，或申请删除。\n"
    "（依据《个人信息保护法》第13、14、17、44—47条）"
)
HELP_NOW = (
    "需要工作人员帮忙：\n"
    "· 拨打 12351 职工维权热线（各地工会都有）。\n"
    "· 到就近的工会法律援助站当面咨询。\n"
    "紧急情况请先打 110 或 120。"
)
NO_CASES = "您还没有提交过求助。需要帮忙可以点「我要求助」。"
ERROR = "抱歉，系统出了点问题，请稍后再试。着急的话请拨打 12351 职工维权热线。"
TOO_FAST = "您发得太快了，我先处理前面的消息，请稍等十几秒再发。着急请直接打 12351。"
UNKNOWN_BUTTON = "这个按钮已经失效了，请重新操作。"
EMPTY_TEXT = "请用文字说一下您的问题。"
CUT_NOTE = "您写得很长，我先看了前{limit}字。需要的话，剩下的可以再发一条。"
VOICE_REPLY = (
    "收到您的语音。我现在还听不了语音，麻烦打字告诉我发生了什么（写几个字也行）。\n"
    "如果现在有危险：报警打 110，有人受伤打 120，也可以打 12351 职工维权热线。"
)
VOICE_TO_STAFF = "您的语音已转给负责的工作人员。"
STICKER_REPLY = "收到～有劳动方面的问题可以直接打字问我，或点下面的按钮。"
FILE_OUTSIDE = (
    "收到文件。如果这是您案件的证据，请先点「我要求助」登记，"
    "或在「我的案件」里给工作人员留言后再发。"
)
FILE_TO_CASE = "已作为证据交给案件 {number} 的工作人员。"
FILE_TO_CASE_QUEUED = "已附到案件 {number}，工作人员认领后就能看到。"
NEW_QUESTION = "这是新问题，不是给工作人员的"
FORWARDED = "已转给案件 {number} 的工作人员。"
FORWARDED_WAITING = "已附到案件 {number}，工作人员认领后就能看到。"
LAW_USAGE = "用法：/law 法律名称 条号，例如：/law 劳动合同法 82"
LAW_NOT_CONFIGURED = (
    "法条库没有配置：请把 LAWS_DIR 设置为法律文本所在的目录（每部法律一个 .md 文件）。"
)
LAW_UNKNOWN = "没有找到「{name}」。可以查的法律有：{names}"
ARTICLE_UNKNOWN = "《{law}》里没有第{article}条。"
KB_EMPTY = "知识库还是空的，请管理员先运行 python main.py kb load。"


def basis_line(citations: Sequence[Citation]) -> str:
    return BASIS + "、".join(c.label() for c in citations)


CRISIS_KIND_NAMES = {
    "self_harm": "自伤风险",
    "violence": "暴力或威胁",
    "confinement": "限制人身自由",
    "injury": "有人受伤或急病",
    "serious_injury_now": "有人受伤或急病",
    "fire": "火灾、毒气、塌方等险情",
    "danger_now": "火灾、毒气、塌方等险情",
    "death": "有人死亡",
    "collective": "群体行动",
    "deadline": "期限几天内届满",
    "danger": "求助人确认有人身危险",
    "voice": "语音消息中说有危险",
}


def alert_head(case, *, again: bool = False) -> str:
    """【危机】案件 SZ-2026-000001 (the flags of an urgent or collective case)."""
    flags = []
    if case.crisis:
        flags.append("危机")
    if case.collective:
        flags.append("群体性（劳动关系预警）")
    if case.urgent and not flags:
        flags.append("紧急")
    suffix = "·新的求助消息" if again else ""
    return f"【{'、'.join(flags) or '提醒'}{suffix}】案件 {case.number}"


def kind_names(kinds: Sequence[str]) -> str:
    return "、".join(dict.fromkeys(CRISIS_KIND_NAMES.get(k, k) for k in kinds))


MY_CASES_HEAD = "您的案件（共{count}件，最近的在前）："
WAIT_NORMAL = "等待认领：一般1个工作日内有工作人员认领（办公时间 {hours}）；着急可以打 {phone}。"
WAIT_URGENT = "紧急案件，会优先认领；着急请直接打 {phone} 或 12351。"
CASE_WRITE = "给工作人员留言"
CASE_MORE = "补充材料"


NEARBY_ASK = (
    "想找附近的援助站？可以直接打字写地点（如「昆山花桥」「汝州」），"
    "或点下方「发送我的位置」（位置只用来查找，不会保存）。"
)
NEARBY_HEAD = "离您最近的工会法律援助站："
NEARBY_NONE = (
    "这个地方我们的名录里还没有（目前接入：{cities}）。\n"
    "· 在这些城市的，请写到区县或镇，或者发送位置；\n"
    "· 在别的地方的，暂时查不到当地的站：请拨打 12351 职工维权热线，"
    "或联系当地省、市总工会的职工法律援助中心。"
)
NEARBY_AGAIN = "还想查别的地方，直接再写一个地名就行。"
INTAKE_RESUMED = "接着上次没填完的地方："
INTAKE_PAUSED = "您有一份求助还没填完，点「我要求助」可以接着填。"
CANCELLED_STEP = "好的，已退出。"
SAMPLE_NOTE = "（注：当前为示例名录，信息仅供演示，请以当地工会公布为准）"
CRISIS_CASE = "已为您登记紧急求助（编号 {number}），值班工作人员会尽快联系您。方便的话请告诉我您在哪个城市、哪个区县。"

CHOOSE_OR_BACK = "不需要了可以点「主菜单」返回。"


def local_time(moment) -> str:
    """China Standard Time (UTC+8, no daylight saving), as workers read it."""
    from datetime import timedelta, timezone

    return moment.astimezone(timezone(timedelta(hours=8))).strftime("%m-%d %H:%M")


PRIVACY_EXPORT = "导出我的信息"
PRIVACY_DELETE = "申请删除我的信息"
EXPORT_HEAD = "您在本机器人里的个人信息（个人信息保护法第45条）："
EXPORT_NONE = "除了账号编号和使用时间，我们没有保存您的其他信息。"
DELETE_CONFIRM = "确定要申请删除吗？正在办理的案件删除后就无法继续跟进了。"
DELETE_YES = "确定申请删除"
DELETE_RECEIVED = (
    "已收到您的删除申请，工作人员会尽快处理并在这里告诉您结果（个人信息保护法第47条）。"
    "法律规定必须保存的，会停止除存储以外的处理。"
)


def deletion_request(user_id: int, cases: int) -> str:
    return (
        f"【个人信息删除申请】用户 {user_id} 申请删除个人信息，涉及案件 {cases} 个"
        "（个人信息保护法第47、50条）。点下面的按钮删除：案件的经过、单位、地点、电话、证据和往来消息"
        "都会清除，统计数字保留，当事人会收到通知。法律要求保存的，请先和当事人说明。"
    )


ERASE_BUTTON = "删除并通知当事人"
ERASED = "您申请删除的个人信息已经删除（个人信息保护法第47条）。以后需要帮助，随时可以再来。"


def group_unreachable(station: str) -> str:
    return (
        f"【注意】站点 {station} 的值班群无法接收消息（机器人可能被移出群）。"
        "新案件会改为私信值班人员，请重新把机器人拉进群并发送 /link_station。"
    )


CRISIS_ROUTED = "已转给离您最近的「{station}」，电话 {phone}。有危险请先打 110 或 120。"
